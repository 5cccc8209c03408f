"""Conditional Access definitions: validation names the key, the comparison ignores what Graph adds."""
import json

import pytest

from ansible_collections.cipp.cipp.plugins.module_utils._conditional_access import (
    changed_paths, comparable, exportable, parse_definition, state_of, validate_definition)
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError

MINIMAL = {"displayName": "Require MFA", "state": "enabled",
           "conditions": {"clientAppTypes": ["all"], "applications": {"includeApplications": ["All"]},
                          "users": {"includeUsers": ["All"], "excludeGroups": ["B1E2C3D4-0000-4000-8000-000000000002",
                                                                               "a1e2c3d4-0000-4000-8000-000000000001"]}},
           "grantControls": {"operator": "OR", "builtInControls": ["mfa", "compliantDevice"]}}

AS_GRAPH_ANSWERS = {
    "id": "6a7b8c9d-0001-4f01-8f01-00000000c601", "templateId": None, "displayName": "Require MFA",
    "createdDateTime": "2024-01-01T00:00:00Z", "modifiedDateTime": None, "state": "enabled",
    "partialEnablementStrategy": None, "sessionControls": None,
    "conditions": {"userRiskLevels": [], "signInRiskLevels": [], "clientAppTypes": ["all"], "platforms": None,
                   "locations": None, "times": None, "devices": None,
                   "applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": [],
                                    "applicationFilter": None},
                   "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
                             "excludeGroups": ["a1e2c3d4-0000-4000-8000-000000000001", "b1e2c3d4-0000-4000-8000-000000000002"],
                             "includeRoles": [], "excludeRoles": [], "includeGuestsOrExternalUsers": None}},
    "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice", "mfa"], "customAuthenticationFactors": [],
                      "termsOfUse": [], "authenticationStrength@odata.context": "https://graph.microsoft.com/beta/$metadata#x",
                      "authenticationStrength": None}}


def test_graph_answer_equals_the_minimal_definition():
    assert comparable(AS_GRAPH_ANSWERS) == comparable(MINIMAL)


def test_export_is_clean_and_feeds_back():
    exported = exportable(AS_GRAPH_ANSWERS)
    assert "id" not in exported and "createdDateTime" not in exported and "templateId" not in exported
    assert "authenticationStrength@odata.context" not in exported["grantControls"]
    assert "platforms" not in exported["conditions"] and "excludeUsers" not in exported["conditions"]["users"]
    assert exported["grantControls"]["builtInControls"] == ["compliantDevice", "mfa"]
    assert comparable(exported) == comparable(AS_GRAPH_ANSWERS)
    validate_definition(exported)


def test_odata_type_is_kept_in_exports_and_ignored_in_comparisons():
    guests = {"@odata.type": "#microsoft.graph.conditionalAccessGuestsOrExternalUsers", "guestOrExternalUserTypes": "b2bCollaborationGuest"}
    policy = dict(MINIMAL, conditions=dict(MINIMAL["conditions"], users={"excludeGuestsOrExternalUsers": guests}))
    assert exportable(policy)["conditions"]["users"]["excludeGuestsOrExternalUsers"]["@odata.type"]
    without = {"guestOrExternalUserTypes": "b2bCollaborationGuest"}
    assert comparable(policy) == comparable(dict(policy, conditions=dict(MINIMAL["conditions"], users={
        "excludeGuestsOrExternalUsers": without})))


def test_real_changes_are_seen_and_named():
    changed = json.loads(json.dumps(MINIMAL))
    changed["conditions"]["users"]["excludeUsers"] = ["c1e2c3d4-0000-4000-8000-000000000003"]
    assert comparable(changed) != comparable(MINIMAL)
    assert changed_paths(comparable(MINIMAL), comparable(changed)) == ["conditions.users.excludeUsers"]


def test_resilience_defaults_false_is_unset():
    assert comparable(dict(MINIMAL, sessionControls={"disableResilienceDefaults": False})) == comparable(MINIMAL)
    assert comparable(dict(MINIMAL, sessionControls={"disableResilienceDefaults": True})) != comparable(MINIMAL)


@pytest.mark.parametrize("definition, field", [
    ({"displayName": "x", "grantControl": {}}, "definition.grantControl"),
    ({"displayName": "x", "conditions": {"userz": {}}}, "definition.conditions.userz"),
    ({"displayName": "x", "conditions": {"users": {"includeUser": ["All"]}}}, "definition.conditions.users.includeUser"),
    ({"displayName": "x", "state": "on"}, "definition.state"),
    ({"displayName": "x", "conditions": ["all"]}, "definition.conditions"),
])
def test_validation_names_the_field(definition, field):
    with pytest.raises(CippConfigError) as info:
        validate_definition(definition)
    assert info.value.details["option"] == field
    assert field.split(".", 1)[1].split(".")[-1] in info.value.msg


def test_validation_suggests_the_casing():
    with pytest.raises(CippConfigError, match="did you mean 'grantControls'"):
        validate_definition({"grantcontrols": {}})


def test_json_strings_and_bad_input():
    assert parse_definition(json.dumps(MINIMAL)) == MINIMAL
    with pytest.raises(CippConfigError, match="not valid JSON"):
        parse_definition("{displayName: x")
    with pytest.raises(CippConfigError, match="must be a dict"):
        parse_definition(["x"])


def test_states():
    assert state_of("enabledForReportingButNotEnforced") == "report_only"
    assert state_of("Disabled") == "disabled"


def test_embedded_authentication_strength_timestamps_are_ignored():
    strength = {"id": "00000000-0000-0000-0000-000000000002", "displayName": "Multifactor authentication",
                "policyType": "builtIn", "createdDateTime": "2021-12-01T00:00:00Z", "modifiedDateTime": "2021-12-01T00:00:00Z"}
    later = dict(strength, modifiedDateTime="2025-01-01T00:00:00Z")
    one = dict(MINIMAL, grantControls={"operator": "OR", "authenticationStrength": strength})
    two = dict(MINIMAL, grantControls={"operator": "OR", "authenticationStrength": later})
    assert comparable(one) == comparable(two)
    assert comparable(one) != comparable(dict(MINIMAL, grantControls={"operator": "OR", "authenticationStrength": dict(
        strength, id="00000000-0000-0000-0000-000000000003")}))
