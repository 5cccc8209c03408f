"""Conditional Access: policies, named locations, templates."""
from __future__ import annotations

import json

from tests.emulator_tests.cipp_helpers import CONTOSO, GROUP_MARKETING, MEGAN_ID, Cipp, kinds, last_entry

POLICY = {"displayName": "Require compliant device", "state": "enabled",
          "conditions": {"clientAppTypes": ["all"], "applications": {"includeApplications": ["All"]},
                         "users": {"includeUsers": ["All"], "excludeUsers": []}},
          "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice"]}}


def test_list_policies_shape(emu):
    body = Cipp(emu).get("ListConditionalAccessPolicies", tenantFilter=CONTOSO).json()
    assert body["Metadata"] is None
    ids = [p["id"] for p in body["Results"]]
    assert ids == sorted(ids, reverse=True)
    legacy = next(p for p in body["Results"] if p["displayName"] == "Block legacy authentication")
    assert legacy["includeUsers"] == "All\r\n" and legacy["excludeGroups"] == "IT Admins\r\n"
    assert legacy["excludeLocations"] == "Contoso HQ" and legacy["builtInControls"] == "block"
    assert json.loads(legacy["rawjson"])["id"] == legacy["id"]


def test_add_policy_then_already_exists_then_overwrite(emu):
    cipp = Cipp(emu)
    body = {"tenantFilter": [{"value": CONTOSO, "label": "Contoso"}], "RawJSON": json.dumps(POLICY), "NewState": "disabled"}
    assert cipp.post("AddCAPolicy", body).json() == {"Results": [f"Created policy Require compliant device for {CONTOSO}"]}
    again = cipp.post("AddCAPolicy", body).json()["Results"][0]
    assert again == ("Failed to create or update conditional access rule Require compliant device: Conditional Access "
                     "Policy with Display Name Require compliant device Already exists")
    assert cipp.post("AddCAPolicy", {**body, "overwrite": True}).json() == \
        {"Results": [f"Updated policy Require compliant device for {CONTOSO}"]}
    policies = cipp.get("ListConditionalAccessPolicies", tenantFilter=CONTOSO).json()["Results"]
    created = next(p for p in policies if p["displayName"] == "Require compliant device")
    assert created["state"] == "disabled"
    edited = cipp.post("EditCAPolicy", {"tenantFilter": CONTOSO, "GUID": created["id"], "State": "enabled"})
    assert edited.json() == {"Results": f"Successfully updated CA policy {created['id']} state to enabled"}
    removed = cipp.post("RemoveCAPolicy", {"tenantFilter": CONTOSO, "GUID": created["id"]})
    assert removed.json() == {"Results": f"Deleted CA Policy {created['id']}"}
    gone = cipp.post("RemoveCAPolicy", {"tenantFilter": CONTOSO, "GUID": created["id"]})
    assert gone.status_code == 403


def test_add_policy_bare_tenant_string_deploys_nowhere(emu):
    response = Cipp(emu).post("AddCAPolicy", {"tenantFilter": CONTOSO, "RawJSON": json.dumps(POLICY)})
    assert response.status_code == 200 and response.json() == {"Results": []}
    assert "bare_labelvalue" in kinds(last_entry(emu))


def test_named_locations(emu):
    rows = Cipp(emu).get("ListNamedLocations", TenantFilter=CONTOSO).json()
    assert {r["rangeOrLocation"] for r in rows} == {"203.0.113.0/24", "US, GB, NL"}
    assert last_entry(emu)["conformance"] == []


def test_ca_templates(emu):
    cipp = Cipp(emu)
    templates = cipp.get("ListCAtemplates").json()
    names = [t["displayName"] for t in templates]
    assert names == sorted(names, key=str.lower)
    assert any(t["GUID"].endswith(".CATemplate.json") for t in templates)       # built-ins keep their file name
    created = cipp.post("AddCATemplate", {**POLICY, "tenantFilter": CONTOSO, "name": "Compliant device"})
    text = created.json()["Results"]
    assert text.startswith("Created CA Template Compliant device with GUID ")
    guid = text.rsplit(" ", 1)[1]
    (template,) = cipp.get("ListCAtemplates", id=guid).json()
    assert template["displayName"] == "Require compliant device" and template["LocationInfo"] == []
    assert cipp.post("RemoveCATemplate", {"ID": guid}).json() == {"Results": f"Removed Conditional Access Template with ID {guid}"}
    assert cipp.post("RemoveCATemplate", {"ID": guid}).status_code == 500


def _policy(cipp, name):
    rows = cipp.get("ListConditionalAccessPolicies", tenantFilter=CONTOSO).json()["Results"]
    return json.loads(next(r for r in rows if r["displayName"] == name)["rawjson"])


def test_add_policy_cleans_like_new_cippcapolicy(emu):
    """Remove-EmptyArrays drops empty arrays and nulls, *time* keys go, Graph answers its full shape."""
    cipp = Cipp(emu)
    raw = {**POLICY, "id": "x", "createdDateTime": "2020-01-01T00:00:00Z", "templateId": "t",
           "sessionControls": {"disableResilienceDefaults": False},
           "conditions": {**POLICY["conditions"], "platforms": None,
                          "users": {"includeUsers": ["All"], "excludeUsers": [], "excludeGroups": [""]}}}
    body = {"tenantFilter": {"value": CONTOSO, "label": "Contoso"}, "RawJSON": json.dumps(raw), "NewState": "donotchange"}
    assert cipp.post("AddCAPolicy", body).json() == {"Results": [f"Created policy Require compliant device for {CONTOSO}"]}
    assert last_entry(emu)["conformance"] == []   # one LabelValue object is what the spec types
    stored = _policy(cipp, "Require compliant device")
    assert stored["id"] != "x" and stored["templateId"] is None and stored["sessionControls"] is None
    assert stored["conditions"]["users"]["excludeUsers"] == [] and stored["conditions"]["users"]["excludeGroups"] == []
    assert stored["conditions"]["platforms"] is None and stored["conditions"]["userRiskLevels"] == []
    assert stored["grantControls"]["termsOfUse"] == [] and stored["state"] == "enabled"


def test_add_policy_location_info_creates_and_substitutes(emu):
    cipp = Cipp(emu)
    raw = {**POLICY, "conditions": {**POLICY["conditions"],
                                    "locations": {"includeLocations": ["All"], "excludeLocations": ["Branch office", "Contoso HQ"]}},
           "LocationInfo": [{"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "template-1", "displayName": "Branch office",
                             "isTrusted": False, "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange",
                                                               "cidrAddress": "198.51.100.0/24"}]},
                            {"displayName": "Contoso HQ", "ipRanges": []}]}
    body = {"tenantFilter": [{"value": CONTOSO}], "RawJSON": json.dumps(raw)}
    assert cipp.post("AddCAPolicy", body).json()["Results"][0].startswith("Created policy")
    locations = {r["displayName"]: r["id"] for r in cipp.get("ListNamedLocations", TenantFilter=CONTOSO).json()}
    assert "Branch office" in locations
    stored = _policy(cipp, "Require compliant device")
    assert sorted(stored["conditions"]["locations"]["excludeLocations"]) == sorted([locations["Branch office"],
                                                                                    locations["Contoso HQ"]])
    assert "LocationInfo" not in stored


def test_overwrite_reads_true_text_and_keeps_vacation_group(emu):
    cipp = Cipp(emu)
    group = {"tenantFilter": CONTOSO, "displayName": "Vacation Exclusion - Require compliant device", "groupType": "generic",
             "username": "vacation"}
    assert cipp.post("AddGroup", group).status_code == 200
    vacation = next(g["id"] for g in cipp.get("ListGroups", tenantFilter=CONTOSO).json()
                    if g["displayName"].startswith("Vacation Exclusion"))
    first = {**POLICY, "conditions": {**POLICY["conditions"], "users": {"includeUsers": ["All"], "excludeGroups": [vacation]}}}
    body = {"tenantFilter": [{"value": CONTOSO}], "RawJSON": json.dumps(first), "NewState": "disabled"}
    cipp.post("AddCAPolicy", body)
    rewrite = {**POLICY, "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}
    again = cipp.post("AddCAPolicy", {**body, "RawJSON": json.dumps(rewrite), "overwrite": "true", "NewState": "donotchange"})
    assert again.json() == {"Results": [f"Updated policy Require compliant device for {CONTOSO}"]}
    stored = _policy(cipp, "Require compliant device")
    assert stored["grantControls"]["builtInControls"] == ["mfa"] and stored["state"] == "disabled"
    assert stored["conditions"]["users"]["excludeGroups"] == [vacation]


def test_add_policy_invalid_state_fails_inside_200(emu):
    body = {"tenantFilter": [{"value": CONTOSO}], "RawJSON": json.dumps(POLICY), "NewState": "on"}
    response = Cipp(emu).post("AddCAPolicy", body)
    assert response.status_code == 200
    assert response.json()["Results"][0].startswith("Failed to create or update conditional access rule Require compliant device")


def test_add_ca_template_stores_the_body_with_names(emu):
    cipp = Cipp(emu)
    policy = {**POLICY, "conditions": {**POLICY["conditions"],
                                       "users": {"includeUsers": ["All"], "excludeUsers": [MEGAN_ID],
                                                 "excludeGroups": [GROUP_MARKETING, "Already a name"]},
                                       "locations": {"includeLocations": ["All"],
                                                     "excludeLocations": ["1f2e3d4c-0001-4e01-8e01-00000000c501"]}}}
    text = cipp.post("AddCATemplate", {**policy, "tenantFilter": CONTOSO}).json()["Results"]
    guid = text.rsplit(" ", 1)[1]
    assert text == f"Created CA Template  with GUID {guid}"   # the name only feeds the message
    (template,) = cipp.get("ListCAtemplates", id=guid).json()
    users = template["conditions"]["users"]
    assert users["excludeUsers"] == ["Megan Bowen"] and users["excludeGroups"] == ["Marketing", "Already a name"]
    assert template["conditions"]["locations"]["excludeLocations"] == ["Contoso HQ"]
    assert [loc["displayName"] for loc in template["LocationInfo"]] == ["Contoso HQ"]
    assert template["tenantFilter"] == CONTOSO   # CIPP stores the whole request body
    assert template["isSynced"] is False and template["source"] is None


def test_unknown_tenant_fails_inside_200_and_500(emu):
    cipp = Cipp(emu)
    body = {"tenantFilter": [{"value": "nowhere.example"}], "RawJSON": json.dumps(POLICY)}
    response = cipp.post("AddCAPolicy", body)
    assert response.status_code == 200
    assert response.json()["Results"][0].startswith("Failed to fetch existing CA policies: ")
    template = cipp.post("AddCATemplate", {**POLICY, "tenantFilter": "nowhere.example"})
    assert template.status_code == 500 and template.json()["Results"].startswith("Failed to create CA Template: ")
