"""The quick path of bulk item validation gives exactly what Ansible's ArgumentSpecValidator gives,
and steps aside for every item the validator would convert or reject."""
import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.cipp.cipp.plugins.module_utils._bulk import UsersKind, GroupsKind, validate_items
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._plain_items import PlainItems

KINDS = {"user": UsersKind, "group": GroupsKind}

PLAIN = {
    "user": [
        {"user_principal_name": "megan@contoso.com"},
        {"user_principal_name": "a@contoso.com", "display_name": "A", "given_name": "", "job_title": "Analyst",
         "usage_location": "US", "account_enabled": False, "state": "present", "business_phones": ["+1 555"],
         "other_mails": [], "licenses": ["ENTERPRISEPACK"], "purge_licenses": True, "aliases": ["a2@contoso.com"]},
        {"id": "5e1c6a8b-0c2f-4a71-9f59-2b1d8b3c7a10", "state": "absent"},
        {"user_principal_name": "p@contoso.com", "password": "S3cret-Pass!", "update_password": "always",
         "force_change_password": True},
        {"user_principal_name": "empty@contoso.com", "password": ""},
    ],
    "group": [
        {"display_name": "Sales", "group_type": "m365"},
        {"display_name": "Ops", "group_type": "security", "description": "", "members": ["a@contoso.com"],
         "owners": [], "purge_members": True},
        {"id": "5e1c6a8b-0c2f-4a71-9f59-2b1d8b3c7a10", "state": "absent"},
    ],
}

# What the validator converts, renames or rejects: the quick path must hand each to it.
NOT_PLAIN = {
    "user": [
        {"upn": "alias@contoso.com"},                                    # an alias
        {"user_principal_name": "a@contoso.com", "account_enabled": "yes"},  # a bool to convert
        {"user_principal_name": "a@contoso.com", "licenses": "A,B"},     # a list to split
        {"user_principal_name": "a@contoso.com", "business_phones": [5551234]},  # an element to convert
        {"user_principal_name": "a@contoso.com", "job_title": 7},        # a str to convert
        {"user_principal_name": "a@contoso.com", "job_title": None},     # None: "not given"
        {"user_principal_name": "a@contoso.com", "state": "gone"},       # not a choice
        {"user_principal_name": "a@contoso.com", "colour": "red"},       # unknown option
        {"display_name": "Nobody"},                                      # required_one_of unmet
    ],
    "group": [
        {"name": "Alias"},
        {"display_name": "X", "group_type": "nope"},
        {"display_name": "X", "purge_members": "no"},
    ],
}


def reference(kind, item):
    spec, required = KINDS[kind].argument_spec, KINDS[kind].required_one_of
    result = ArgumentSpecValidator(spec, required_one_of=list(required)).validate(item)
    return result.validated_parameters, {str(v) for v in result._no_log_values}, result.errors.errors  # pylint: disable=protected-access


@pytest.mark.parametrize("kind,item", [(k, i) for k, items in PLAIN.items() for i in items])
def test_plain_item_gives_what_the_validator_gives(kind, item):
    params, secrets, errors = reference(kind, item)
    assert not errors
    quick = PlainItems(KINDS[kind].argument_spec, KINDS[kind].required_one_of).check(item)
    assert quick is not None
    assert quick[0] == params and list(quick[0]) == list(params)
    assert quick[1] == secrets


@pytest.mark.parametrize("kind,item", [(k, i) for k, items in NOT_PLAIN.items() for i in items])
def test_other_items_are_left_to_the_validator(kind, item):
    assert PlainItems(KINDS[kind].argument_spec, KINDS[kind].required_one_of).check(item) is None


def test_defaults_are_not_shared_between_items():
    spec = {"tags": {"type": "list", "elements": "str", "default": []}, "name": {"type": "str"}}
    plain = PlainItems(spec)
    first, second = plain.check({"name": "a"})[0], plain.check({"name": "b"})[0]
    first["tags"].append("x")
    assert second["tags"] == [] and spec["tags"]["default"] == []


def test_a_spec_with_other_option_kinds_always_uses_the_validator():
    assert PlainItems({"count": {"type": "int"}}).check({"count": 1}) is None
    assert PlainItems({"opts": {"type": "dict", "options": {}}}).check({"opts": {}}) is None
    assert PlainItems({"name": {"type": "str", "required": True}}).check({"name": "x"}) is None


def test_mixed_items_keep_their_order_secrets_and_the_first_error():
    items = [{"user_principal_name": "a@contoso.com", "password": "Quick-Secret-1"},
             {"upn": "b@contoso.com", "password": "Slow-Secret-2", "account_enabled": "yes"},
             {"user_principal_name": "c@contoso.com", "state": "gone"}]
    secrets = set()
    with pytest.raises(CippConfigError) as failure:
        validate_items(items, UsersKind.argument_spec, UsersKind.required_one_of, "user", secrets=secrets)
    assert "items[2].state" in str(failure.value)
    assert secrets == {"Quick-Secret-1", "Slow-Secret-2"}
    checked = validate_items(items[:2], UsersKind.argument_spec, UsersKind.required_one_of, "user")
    assert [c["user_principal_name"] for c in checked] == ["a@contoso.com", "b@contoso.com"]
    assert checked[1]["account_enabled"] is True
