"""Pure logic of the Exchange modules, and every request they build held against the spec's manifest."""
import datetime
import json

import pytest

from ansible_collections.cipp.cipp.plugins.module_utils import _exchange_contacts as contacts
from ansible_collections.cipp.cipp.plugins.module_utils import _exchange_forwarding as forwarding
from ansible_collections.cipp.cipp.plugins.module_utils import _exchange_ooo as ooo
from ansible_collections.cipp.cipp.plugins.module_utils import _exchange_permissions as permissions
from ansible_collections.cipp.cipp.plugins.module_utils import _exchange_shared as shared
from ansible_collections.cipp.cipp.plugins.module_utils import _exchange_transport as transport
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError, CippResultError
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_mailboxes import (
    MailboxDirectory, check_address, normalise_mailbox)
from ansible_collections.cipp.cipp.plugins.module_utils._manifest import check_request

CONTOSO = {"customerId": "c001", "defaultDomainName": "contoso.com", "displayName": "Contoso Ltd"}
ALEX = {"UPN": "alex.wilber@contoso.com", "primarySmtpAddress": "alex.wilber@contoso.com", "Id": "alex.wilber",
        "displayName": "Alex Wilber", "recipientTypeDetails": "UserMailbox", "ExternalDirectoryObjectId": "id-alex",
        "AdditionalEmailAddresses": "alex.w@contoso.com, alex.wilber@contoso.onmicrosoft.com",
        "ForwardingSmtpAddress": None, "InternalForwardingAddress": None, "DeliverToMailboxAndForward": False}
MEGAN = dict(ALEX, UPN="megan.bowen@contoso.com", primarySmtpAddress="megan.bowen@contoso.com", Id="megan.bowen",
             displayName="Megan Bowen", ExternalDirectoryObjectId="id-megan", AdditionalEmailAddresses=None)
INFO = dict(ALEX, UPN="info@contoso.com", primarySmtpAddress="info@contoso.com", Id="info", displayName="Contoso Info",
            recipientTypeDetails="SharedMailbox", ExternalDirectoryObjectId="id-info", AdditionalEmailAddresses=None)


class Response:
    def __init__(self, data):
        self.data = data


class FakeSettings:
    strict = False


class FakeClient:
    """Answers reads from ``answers`` (endpoint -> data or callable(params)) and records every
    request after holding it against the manifest, as the emulator's conformance log does."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []
        self.warnings = []
        self.settings = FakeSettings()

    def warn(self, message):
        self.warnings.append(message)

    def call(self, endpoint, params=None, body=None, preflight=True, **_kwargs):
        findings = check_request(endpoint, params, body)
        if not preflight:  # only the ExecEditMailboxPermissions buckets may be unknown to the spec
            findings = [f for f in findings if f.field.split(".", 1)[-1] not in permissions.BUCKETS]
        assert findings == [], (endpoint, [f.to_dict() for f in findings])
        self.calls.append((endpoint, params, body))
        answer = self.answers.get(endpoint, {"Results": ["ok"]})
        return Response(answer(params, body) if callable(answer) else answer)

    def writes(self):
        return [(endpoint, body) for endpoint, _params, body in self.calls if body is not None]


class FakeCipp:
    def __init__(self, client, params, check_mode=False):
        self.client = client
        self.params = params
        self.check_mode = check_mode
        self.diff_mode = True

    def resolve_tenant(self, endpoint=None):
        return CONTOSO


def params_for(spec, **given):
    values = {name: option.get("default") for name, option in spec.items()}
    values.update(tenant="contoso.com", **given)
    return values


# --------------------------------------------------------------------------- mailboxes

def test_check_address_names_the_option():
    assert check_address(" megan.bowen@contoso.com ", "mailbox") == "megan.bowen@contoso.com"
    with pytest.raises(CippConfigError, match="option 'forward_to'"):
        check_address("megan bowen", "forward_to")


def test_normalise_mailbox_and_directory_lookups():
    mailbox = normalise_mailbox(ALEX)
    assert mailbox["type"] == "user" and mailbox["aliases"] == ["alex.w@contoso.com", "alex.wilber@contoso.onmicrosoft.com"]
    assert mailbox["size_bytes"] is None
    assert normalise_mailbox(dict(INFO, storageUsedInBytes="1024"))["size_bytes"] == 1024
    directory = MailboxDirectory(FakeClient({"ListMailboxes": [ALEX, MEGAN, INFO]}), "contoso.com")
    assert directory.find_address("ALEX.W@contoso.com") is ALEX
    assert directory.find_address("Alex Wilber") is None  # addresses only
    assert directory.upn_of("Megan Bowen") == "megan.bowen@contoso.com"  # how Exchange names a recipient
    assert directory.upn_of("megan.bowen") == "megan.bowen@contoso.com"
    assert directory.upn_of("Somebody Else") == "Somebody Else"
    with pytest.raises(CippConfigError, match="option 'mailbox': no mailbox nobody@contoso.com"):
        directory.require("nobody@contoso.com", "mailbox")


# --------------------------------------------------------------------------- shared mailbox

def test_shared_mailbox_requests_match_the_spec():
    rows = [ALEX]
    client = FakeClient({"ListMailboxes": lambda params, body: list(rows)})
    resource = shared.SharedMailboxResource(FakeCipp(client, params_for(
        shared.ARGUMENT_SPEC, address="desk@contoso.com", display_name="Desk", aliases=["help@contoso.com"])))
    resource.create(resource.desired())
    endpoint, body = client.writes()[-1]
    assert endpoint == "AddSharedMailbox"
    assert body == {"tenantID": "contoso.com", "displayName": "Desk", "username": "desk", "domain": "contoso.com",
                    "addedAliases": "help@contoso.com"}
    current = {"user_principal_name": "alex.wilber@contoso.com", "id": "id-alex", "display_name": "Alex Wilber",
               "aliases": ["alex.w@contoso.com"], "shared": False}
    resource.update(current, {"shared": True, "display_name": "Alex (left)", "aliases": ["alex.w@contoso.com", "a@contoso.com"]},
                    {})
    (convert, convert_body), (edit, edit_body) = client.writes()[-2:]
    assert convert == "ExecConvertMailbox" and convert_body["MailboxType"] == "Shared"
    assert edit == "EditUser" and edit_body["primDomain"] == {"value": "contoso.com", "label": "contoso.com"}
    assert edit_body["username"] == "alex.wilber" and edit_body["AddedAliases"] == "a@contoso.com"


def test_shared_mailbox_aliases_are_only_added():
    resource = shared.SharedMailboxResource(FakeCipp(FakeClient({"ListMailboxes": []}), params_for(
        shared.ARGUMENT_SPEC, address="info@contoso.com", aliases=["Hello@contoso.com"])))
    current = {"display_name": "Info", "shared": True, "aliases": ["hello@contoso.com", "other@contoso.com"]}
    assert resource.compare(current, resource.desired()) == {}
    current["aliases"] = ["other@contoso.com"]
    assert resource.compare(current, resource.desired()) == {"aliases": ["hello@contoso.com", "other@contoso.com"]}


# --------------------------------------------------------------------------- permissions

def test_parse_permissions_reads_every_shape():
    rows = [{"User": "Lee Gu", "Permissions": "SendOnBehalf"},
            {"User": "NT AUTHORITY\\SELF", "Permissions": "FullAccess, ReadPermission"},
            {"User": "megan.bowen@contoso.com", "Permissions": "FullAccess, ReadPermission"},
            {"User": "NAMPR01A001\\Organization Management", "Permissions": "FullAccess"},
            {"User": "NT AUTHORITY\\SELF", "Permissions": ["SendAs"]},
            {"User": "Alex.Wilber@contoso.com", "Permissions": ["SendAs"]}]
    names = {"lee gu": "lee.gu@contoso.com"}
    parsed = permissions.parse_permissions(rows, lambda name: names.get(name.lower(), name))
    assert parsed == {"full_access": ["megan.bowen@contoso.com"], "send_as": ["alex.wilber@contoso.com"],
                      "send_on_behalf": ["lee.gu@contoso.com"]}
    assert permissions.parse_permissions("Error text", str) == {"full_access": [], "send_as": [], "send_on_behalf": []}


@pytest.mark.parametrize("state,purge,expected", [
    ("present", False, ["adele.vance@contoso.com", "megan.bowen@contoso.com"]),
    ("present", True, ["adele.vance@contoso.com"]),
    ("absent", False, ["megan.bowen@contoso.com"]),
])
def test_permission_purge_semantics(state, purge, expected):
    client = FakeClient({
        "ListMailboxes": [ALEX, MEGAN, INFO, dict(MEGAN, UPN="adele.vance@contoso.com", primarySmtpAddress="adele.vance@contoso.com")],
        "ListmailboxPermissions": [{"User": "megan.bowen@contoso.com", "Permissions": "FullAccess"}]})
    resource = permissions.MailboxPermissionResource(FakeCipp(client, params_for(
        permissions.ARGUMENT_SPEC, mailbox="info@contoso.com", full_access=["adele.vance@contoso.com"], purge=purge,
        state=state)))
    resource._current = resource.read()
    assert resource.desired() == {"full_access": expected}


def test_permission_writes_only_the_difference_without_warnings():
    client = FakeClient({"ListMailboxes": [ALEX, MEGAN, INFO], "ListmailboxPermissions": []})
    resource = permissions.MailboxPermissionResource(FakeCipp(client, params_for(
        permissions.ARGUMENT_SPEC, mailbox="info@contoso.com", full_access=["alex.wilber@contoso.com"], auto_map=False)))
    resource.update({"full_access": ["megan.bowen@contoso.com"]}, {"full_access": ["alex.wilber@contoso.com"]}, {})
    endpoint, body = client.writes()[-1]
    assert endpoint == "ExecEditMailboxPermissions"
    assert body == {"tenantfilter": "contoso.com", "userID": "info@contoso.com",
                    "AddFullAccessNoAutoMap": [{"value": "alex.wilber@contoso.com", "label": "alex.wilber@contoso.com"}],
                    "RemoveFullAccess": [{"value": "megan.bowen@contoso.com", "label": "megan.bowen@contoso.com"}]}
    assert client.warnings == []


def test_permission_bucket_check_still_reports_other_mistakes():
    client = FakeClient({})
    client.call = lambda endpoint, **kwargs: Response({"Results": []})
    permissions.send_with_bucket_keys(client, {"tenantfilter": "contoso.com", "userID": "info@contoso.com",
                                               "AddFullAcess": [{"value": "x@contoso.com"}]})
    assert len(client.warnings) == 1 and "AddFullAcess" in client.warnings[0]
    client.settings.strict = True
    with pytest.raises(CippConfigError, match="strict mode"):
        permissions.send_with_bucket_keys(client, {"tenantfilter": "contoso.com", "userID": "i@contoso.com", "Typo": 1})


def test_permission_needs_a_list_and_refuses_purge_with_absent():
    client = FakeClient({"ListMailboxes": [INFO]})
    with pytest.raises(CippConfigError, match="purge"):
        permissions.MailboxPermissionResource(FakeCipp(client, params_for(
            permissions.ARGUMENT_SPEC, mailbox="info@contoso.com", send_as=[], purge=True, state="absent")))
    with pytest.raises(CippConfigError, match="full_access"):
        permissions.MailboxPermissionResource(FakeCipp(client, params_for(permissions.ARGUMENT_SPEC, mailbox="info@contoso.com")))


# --------------------------------------------------------------------------- forwarding

def test_forwarding_reads_names_and_picks_internal_or_external():
    row = dict(ALEX, InternalForwardingAddress="Megan Bowen", DeliverToMailboxAndForward=True)
    client = FakeClient({"ListMailboxes": [row, MEGAN]})
    internal = forwarding.ForwardingResource(FakeCipp(client, params_for(
        forwarding.ARGUMENT_SPEC, mailbox="alex.wilber@contoso.com", forward_to="MEGAN.BOWEN@contoso.com")))
    assert internal.read() == {"mailbox": "alex.wilber@contoso.com", "enabled": True, "forward_to": "megan.bowen@contoso.com",
                               "forward_type": "internal", "keep_copy": True}
    assert internal.compare(internal.read(), internal.desired()) == {}
    external = forwarding.ForwardingResource(FakeCipp(client, params_for(
        forwarding.ARGUMENT_SPEC, mailbox="alex.wilber@contoso.com", forward_to="alex@home.example")))
    assert external.desired()["forward_type"] == "external"
    external.update(external.read(), {}, external.desired())
    assert client.writes()[-1][1] == {"tenantFilter": "contoso.com", "userID": "alex.wilber@contoso.com",
                                      "forwardOption": "ExternalAddress", "KeepCopy": True,
                                      "ForwardExternal": "alex@home.example"}
    with pytest.raises(CippConfigError, match="itself"):
        forwarding.ForwardingResource(FakeCipp(client, params_for(
            forwarding.ARGUMENT_SPEC, mailbox="alex.wilber@contoso.com", forward_to="alex.w@contoso.com")))


def test_forwarding_off_is_a_state_of_the_mailbox():
    client = FakeClient({"ListMailboxes": [dict(ALEX, DeliverToMailboxAndForward=True)]})
    resource = forwarding.ForwardingResource(FakeCipp(client, params_for(
        forwarding.ARGUMENT_SPEC, mailbox="alex.wilber@contoso.com", state="absent")))
    current = resource.read()
    assert current["keep_copy"] is False  # meaningless without a forwarding address
    assert resource.compare(current, resource.desired()) == {}


# --------------------------------------------------------------------------- out of office

@pytest.mark.parametrize("stored,given", [
    ("<html>\n<body>\n<p>I am away.</p>\n</body>\n</html>\n", "I am away."),
    ("<div>Back on&nbsp;Monday &amp; then<br>some</div>", "Back on Monday & then some"),
    ("Plain", "  Plain "),
])
def test_messages_compare_as_text(stored, given):
    assert ooo.message_text(stored) == ooo.message_text(given)


def test_parse_time_formats_and_errors():
    utc = datetime.timezone.utc
    assert ooo.parse_time("2030-07-20 00:00", "start_time") == datetime.datetime(2030, 7, 20, tzinfo=utc)
    assert ooo.parse_time("2030-07-20T02:00:00+02:00", "start_time") == datetime.datetime(2030, 7, 20, tzinfo=utc)
    assert ooo.parse_time("2030-07-20T00:00:00Z", "start_time") == datetime.datetime(2030, 7, 20, tzinfo=utc)
    assert ooo.parse_time("1910736000", "start_time") == datetime.datetime(2030, 7, 20, tzinfo=utc)
    with pytest.raises(CippConfigError, match="option 'end_time'"):
        ooo.parse_time("next Tuesday", "end_time")


def test_out_of_office_validates_before_reading():
    client = FakeClient({})
    for given, option in ((dict(state="scheduled", start_time="2030-08-01 00:00", end_time="2030-07-01 00:00"), "end_time"),
                          (dict(state="scheduled", start_time="2030-08-01 00:00"), "end_time"),
                          (dict(state="enabled", start_time="2030-08-01 00:00"), "start_time"),
                          (dict(internal_message="  "), "internal_message")):
        with pytest.raises(CippConfigError, match=f"option '{option}'"):
            ooo.OutOfOfficeResource(FakeCipp(client, params_for(ooo.ARGUMENT_SPEC, mailbox="megan.bowen@contoso.com", **given)))
    assert client.calls == []


def test_out_of_office_keeps_the_external_message_and_sends_epoch_times():
    stored = {"AutoReplyState": "Enabled", "InternalMessage": "<p>In</p>", "ExternalMessage": "<p>Out</p>",
              "StartTime": None, "EndTime": None}
    client = FakeClient({"ListMailboxes": [MEGAN], "ListOoO": stored})
    resource = ooo.OutOfOfficeResource(FakeCipp(client, params_for(
        ooo.ARGUMENT_SPEC, mailbox="megan.bowen@contoso.com", state="scheduled", internal_message="In",
        start_time="2030-07-20 00:00", end_time="2030-08-07 18:00")))
    current = resource.read()
    changes = resource.compare(current, resource.desired())
    assert sorted(changes) == ["end_time", "start_time", "state"]  # the internal message is the same text
    resource.update(current, changes, resource.desired())
    body = client.writes()[-1][1]
    assert body["AutoReplyState"] == {"value": "Scheduled", "label": "Scheduled"}
    assert body["ExternalMessage"] == "<p>Out</p>" and body["InternalMessage"] == "In"
    assert (body["StartTime"], body["EndTime"]) == (1910736000, 1912356000)


# --------------------------------------------------------------------------- contacts

DETAILS = {"id": "Fabrikam Sales", "displayName": "Fabrikam Sales", "givenName": "Fabrikam", "surname": "Sales",
           "mail": "sales@fabrikam.com", "companyName": "Fabrikam Inc", "jobTitle": None, "website": None,
           "hidefromGAL": False, "mailTip": "<html><body>Call first</body></html>",
           "addresses": [{"street": None, "city": "Paris", "state": None, "countryOrRegion": None, "postalCode": None}],
           "phones": [{"type": "mobile", "number": "+33 1 55 55"}]}
LIST_ROW = {"Guid": "guid-1", "WindowsEmailAddress": "sales@fabrikam.com", "DisplayName": "Fabrikam Sales"}


def test_contact_details_normalised():
    contact = contacts.normalise_details("guid-1", DETAILS)
    assert contact["mail_tip"] == "Call first" and contact["mobile_phone"] == "+33 1 55 55" and contact["phone"] == ""
    assert contact["city"] == "Paris" and contact["job_title"] == ""


def test_one_contact_comes_back_as_an_object():
    client = FakeClient({"ListContacts": LIST_ROW})
    assert contacts.list_contacts(client, "contoso.com") == [LIST_ROW]


def test_contact_requests_use_each_endpoint_spelling():
    client = FakeClient({"ListContacts": lambda params, body: DETAILS if params.get("id") else LIST_ROW})
    resource = contacts.ContactResource(FakeCipp(client, params_for(
        contacts.ARGUMENT_SPEC, email="sales@fabrikam.com", last_name="Team", mobile_phone="", mail_tip="Call first")))
    current = resource.read()
    changes = resource.compare(current, resource.desired())
    assert changes == {"last_name": "Team", "mobile_phone": ""}  # the mail tip is the same text
    resource.update(current, changes, resource.desired())
    assert client.writes()[-1] == ("EditContact", {
        "tenantID": "contoso.com", "ContactID": "guid-1", "displayName": "Fabrikam Sales", "LastName": "Team", "mobilePhone": ""})
    resource.create(dict(resource.desired(), display_name="New", last_name="Team", hidden_from_gal=True))
    assert client.writes()[-1][1]["tenantid"] == "contoso.com" and client.writes()[-1][1]["lastName"] == "Team"
    resource.delete(current)
    assert client.writes()[-1] == ("RemoveContact", {"tenantFilter": "contoso.com", "GUID": "guid-1", "Mail": "sales@fabrikam.com"})


def test_contact_fields_cipp_cannot_clear_are_refused():
    client = FakeClient({"ListContacts": lambda params, body: DETAILS if params.get("id") else LIST_ROW})
    params = params_for(contacts.ARGUMENT_SPEC, email="sales@fabrikam.com", company="")
    resource = contacts.ContactResource(FakeCipp(client, params))
    with pytest.raises(CippConfigError, match="option 'company' cannot be cleared"):
        resource.validate(resource.read(), resource.desired())


# --------------------------------------------------------------------------- transport rules

@pytest.mark.parametrize("wanted,have,same", [
    (["exe", "js"], ["js", "exe"], True),
    ("NotInOrganization", "NotInOrganization", True),
    ("NotInOrganization", "InOrganization", False),
    (["fabrikam.com"], "fabrikam.com", True),
    (True, True, True),
    (-1, "-1", True),
    (["a"], None, False),
])
def test_rule_values_compare_as_exchange_returns_them(wanted, have, same):
    assert transport.same_value(wanted, have) is same


def rule_resource(client, **given):
    return transport.TransportRuleResource(FakeCipp(client, params_for(transport.ARGUMENT_SPEC, name="Tag", **given)))


def test_rule_parameter_groups():
    resource = rule_resource(FakeClient({}), exceptions={"SenderDomainIs": ["x.com"], "ExceptIfFrom": ["a@x.com"]})
    assert resource.groups == {"exceptions": {"ExceptIfSenderDomainIs": ["x.com"], "ExceptIfFrom": ["a@x.com"]}}
    with pytest.raises(CippConfigError, match="option 'actions'.*also given in conditions"):
        rule_resource(FakeClient({}), conditions={"SetSCL": 1}, actions={"setscl": 2})
    with pytest.raises(CippConfigError, match="option 'conditions'"):
        rule_resource(FakeClient({}), conditions={"Enabled": True})


def test_rule_writes():
    rule = {"Name": "Tag", "Guid": "g-1", "State": "Enabled", "Priority": 0, "Mode": "Enforce", "Comments": "",
            "FromScope": "NotInOrganization"}
    client = FakeClient({"ListTransportRules": {"Results": [rule], "Metadata": None},
                         "AddTransportRule": {"Results": ["Successfully set transport rule for contoso.com."]}})
    resource = rule_resource(client, enabled=False, mode="audit", conditions={"FromScope": "NotInOrganization"})
    current = resource.read()
    changes = resource.compare(current, resource.desired())
    assert changes == {"enabled": False, "mode": "audit"}
    resource.update(current, changes, resource.desired())
    (add, add_body), (edit, edit_body) = client.writes()
    assert add == "AddTransportRule" and json.loads(add_body["PowerShellCommand"]) == {"Name": "Tag", "Mode": "Audit"}
    assert add_body["selectedTenants"] == [{"value": "contoso.com", "label": "Contoso Ltd"}]
    assert (edit, edit_body) == ("EditTransportRule", {"tenantFilter": "contoso.com", "guid": "g-1", "state": "disable"})


def test_rule_deployed_nowhere_fails():
    client = FakeClient({"AddTransportRule": {"Results": []}})
    with pytest.raises(CippResultError, match="no tenant"):
        rule_resource(client).create({"name": "Tag", "enabled": None})
