"""Conditional Access modules over the emulator: each playbook walks check-mode create (no write) -> create ->
rerun (changed=0) -> update one setting (the diff shows only it) -> delete -> rerun; an export fed back
changes nothing; bad definitions fail naming the field before any write. Each test asserts which writes
reached CIPP, their shapes, and that the emulator's conformance log is empty."""
from __future__ import annotations

import json

from tests.integration.harness import run_playbook

IT_ADMINS = "9c0f0a01-0001-4b01-8b01-00000000c203"
CONTOSO_HQ = "1f2e3d4c-0001-4e01-8e01-00000000c501"


def writes(emu, endpoint=None):
    return [r for r in emu.control.requests(service="cipp", endpoint=endpoint) if r.get("state_changed")]


def sent(emu):
    return [r["endpoint"] for r in writes(emu)]


def test_ca_policy_lifecycle(emu, token_cache):
    run = run_playbook(emu, "governance_ca_policy.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert "[WARNING]" not in run.output
    assert sent(emu) == ["AddCAPolicy", "AddCAPolicy", "EditCAPolicy", "EditCAPolicy", "RemoveCAPolicy"], sent(emu)
    assert emu.control.conformance() == []
    create, rewrite, enforce, rename, remove = (w["body"] for w in writes(emu))
    assert rename == {"tenantFilter": "contoso.com", "GUID": enforce["GUID"], "newDisplayName": "Require MFA away from the office"}
    assert create["tenantFilter"] == {"value": "contoso.com", "label": "Contoso Ltd"}
    assert create["overwrite"] is False and create["NewState"] == "enabledForReportingButNotEnforced"
    policy = json.loads(create["RawJSON"])
    users = policy["conditions"]["users"]
    assert users["excludeGroups"] == [IT_ADMINS] and len(users["excludeUsers"]) == 1
    assert "@" not in users["excludeUsers"][0]  # UPNs are resolved to object ids before the write
    assert policy["conditions"]["locations"]["excludeLocations"] == [CONTOSO_HQ]
    assert rewrite["overwrite"] is True and len(json.loads(rewrite["RawJSON"])["conditions"]["users"]["excludeUsers"]) == 2
    assert set(enforce) == {"tenantFilter", "GUID", "State"} and enforce["State"] == "enabled"
    assert remove == {"tenantFilter": "contoso.com", "GUID": enforce["GUID"]}


def test_ca_policy_converged_request_count(emu, token_cache):
    """A converged policy costs one ListConditionalAccessPolicies, plus one read per name to resolve."""
    run = run_playbook(emu, "governance_ca_converged.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert "[WARNING]" not in run.output
    assert writes(emu) == []
    calls = [r["endpoint"] for r in emu.control.requests(service="cipp") if r["endpoint"] not in ("GetVersion", "ListTenants")]
    assert calls == ["ListConditionalAccessPolicies",                     # ca_policy_info
                     "ListConditionalAccessPolicies",                     # ca_policy, ids only
                     "ListConditionalAccessPolicies", "ListGraphRequest", "ListNamedLocations"], calls
    assert emu.control.conformance() == []


def test_ca_template_lifecycle(emu, token_cache):
    run = run_playbook(emu, "governance_ca_template.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert "[WARNING]" not in run.output
    assert sent(emu) == ["AddCATemplate", "AddCATemplate", "RemoveCATemplate", "RemoveCATemplate"], sent(emu)
    assert emu.control.conformance() == []
    create, replace, drop_old, remove = (w["body"] for w in writes(emu))
    assert create["tenantFilter"] == "contoso.com" and create["displayName"] == "Ansible - Block legacy authentication"
    assert "name" not in create  # it would be stored inside the template (CIPP stores the whole body)
    assert replace["grantControls"]["builtInControls"] == ["block"]
    assert drop_old["ID"] != remove["ID"]


def test_ca_policy_vacation_exclusion_is_not_drift(emu, token_cache):
    run = run_playbook(emu, "governance_ca_vacation.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert "[WARNING]" not in run.output
    assert sent(emu) == ["AddGroup", "AddCAPolicy", "AddCAPolicy"], sent(emu)
    assert emu.control.conformance() == []
    rewrite = json.loads(writes(emu, "AddCAPolicy")[1]["body"]["RawJSON"])
    assert rewrite["conditions"]["users"]["excludeGroups"] == [IT_ADMINS]  # CIPP adds the vacation group back itself


def test_ca_policy_portable_export_rolls_out(emu, token_cache):
    run = run_playbook(emu, "governance_ca_portable.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert "[WARNING]" not in run.output
    assert sent(emu) == ["AddCAPolicy", "AddCAPolicy"], sent(emu)
    assert emu.control.conformance() == []
    golden, fabrikam = (w["body"] for w in writes(emu))
    assert fabrikam["tenantFilter"]["value"] == "fabrikam.com"
    policy = json.loads(fabrikam["RawJSON"])
    # The location does not exist in Fabrikam yet: it travels by name with its definition, CIPP creates it.
    assert policy["conditions"]["locations"]["excludeLocations"] == ["Allowed countries"]
    assert policy["LocationInfo"][0]["displayName"] == "Allowed countries"
