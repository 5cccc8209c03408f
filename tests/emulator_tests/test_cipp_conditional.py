"""Conditional Access: policies, named locations, templates."""
from __future__ import annotations

import json

from tests.emulator_tests.cipp_helpers import CONTOSO, Cipp, kinds, last_entry

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
