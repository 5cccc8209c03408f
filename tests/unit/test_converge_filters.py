"""The converge/export filters: outcomes from registered results, the summary, desired-state items."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import collection_path

collection_path.ensure()

from ansible_collections.cipp.cipp.plugins.filter.converge import (  # noqa: E402  pylint: disable=wrong-import-position
    converge_outcome, converge_summary, desired_groups, desired_users)
from ansible_collections.cipp.cipp.plugins.filter.desired_governance import (  # noqa: E402  pylint: disable=wrong-import-position
    desired_alerts, desired_ca_policies, desired_ca_templates, desired_scheduled_tasks, desired_standards_templates)


def test_outcome_of_bulk_loop_and_skipped_results():
    bulk = {"changed": True, "created": ["b@x.com"], "updated": ["a@x.com"], "deleted": [], "results": []}
    loop = {"changed": True, "results": [
        {"changed": True, "item": {"display_name": "New"}, "diff": {"before": {}, "after": {"display_name": "New"}}},
        {"changed": True, "item": {"name": "Gone"}, "diff": {"before": {"name": "Gone"}, "after": {}}},
        {"changed": True, "item": {"name": "Edited"}, "diff": {"before": {"a": 1}, "after": {"a": 2}}},
        {"changed": False, "item": {"name": "Same"}}, {"skipped": True}]}
    skipped = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}
    out = converge_outcome({"users": bulk, "ca_policies": loop, "groups": skipped, "alerts": {}}, None, "x.com")
    assert out["failed"] is False and out["tenant"] == "x.com"
    assert set(out["kinds"]) == {"users", "ca_policies"}
    assert out["kinds"]["users"]["created"] == ["b@x.com"] and out["kinds"]["users"]["updated"] == ["a@x.com"]
    assert out["kinds"]["ca_policies"] == {"created": ["New"], "updated": ["Edited"], "deleted": ["Gone"], "failed": False}
    failed = converge_outcome({"users": {"failed": True, "msg": "boom"}}, "Users: boom")
    assert failed["failed"] is True and failed["error"] == "Users: boom"


def test_summary_counts_and_names_failed_and_missing_tenants():
    ok = converge_outcome({"users": {"created": [], "updated": [], "deleted": []}})
    changed = converge_outcome({"users": {"created": ["n@b.com"], "updated": [], "deleted": ["o@b.com"]}})
    failed = converge_outcome({}, "Users: HTTP 500")
    summary = converge_summary({"a.com": ok, "b.com": changed, "c.com": failed, "d.com": {}},
                               ["a.com", "b.com", "c.com", "d.com", "e.com"], "plan")
    assert summary["totals"] == {"create": 1, "update": 0, "delete": 1}
    assert summary["failed"] == ["c.com", "d.com", "e.com"]
    assert [summary["tenants"][t]["status"] for t in ("a.com", "b.com", "c.com")] == ["ok", "changed", "FAILED"]
    assert summary["tenants"]["b.com"]["kinds"]["users"]["created"] == ["n@b.com"]
    assert summary["lines"][0] == "PLAN: 5 tenant(s)"
    assert "    + users n@b.com" in summary["lines"] and "    - users o@b.com" in summary["lines"]
    assert summary["lines"][-1].endswith("3 tenant(s) FAILED: c.com, d.com, e.com")


def test_desired_users_are_sorted_and_hold_no_server_fields():
    rows = [{"id": "1", "userPrincipalName": "Zed@x.com", "displayName": "Zed", "accountEnabled": False, "jobTitle": None,
             "businessPhones": [], "createdDateTime": "2020", "usageLocation": "US"},
            {"id": "2", "userPrincipalName": "amy@x.com", "displayName": "Amy", "accountEnabled": True,
             "businessPhones": ["+1 555"], "department": "Sales"},
            {"id": "3", "userPrincipalName": "sync@x.com", "displayName": "Sync"}]
    items = desired_users(rows, ["sync@*"])
    assert items == [
        {"user_principal_name": "amy@x.com", "display_name": "Amy", "department": "Sales", "business_phones": ["+1 555"],
         "account_enabled": True},
        {"user_principal_name": "Zed@x.com", "display_name": "Zed", "usage_location": "US", "account_enabled": False}]
    assert list(items[0])[0] == "user_principal_name"


def test_desired_groups():
    rows = [{"id": "1", "display_name": "b", "group_type": "security", "description": None, "mail": "x", "members": ["Z", "a"]},
            {"id": "2", "display_name": "A", "group_type": "m365", "description": "d", "mail_nickname": "a"}]
    assert desired_groups(rows) == [
        {"display_name": "A", "group_type": "m365", "description": "d", "mail_nickname": "a"},
        {"display_name": "b", "group_type": "security", "members": ["a", "Z"]}]


def test_outcome_names_alerts_and_drops_empty_loops():
    loop = {"changed": True, "results": [
        {"changed": True, "item": {"id": "a1", "log_type": "Audit.Exchange"}, "diff": {"before": {"x": 1}, "after": {"x": 2}}},
        {"changed": True, "item": {"command": "Get-CIPPAlertX"}, "diff": {"before": {}, "after": {"x": 1}}},
        {"changed": True, "item": {"definition": {"displayName": "Block legacy"}}, "diff": {"before": {"a": 1}, "after": {}}}]}
    empty = {"changed": False, "skipped": True, "results": [], "msg": "No items in the list"}
    out = converge_outcome({"alerts": loop, "scheduled_tasks": empty})
    assert list(out["kinds"]) == ["alerts"]
    assert out["kinds"]["alerts"] == {"created": ["Get-CIPPAlertX"], "updated": ["Audit.Exchange (a1)"],
                                      "deleted": ["Block legacy"], "failed": False}


def test_outcome_without_diff_mode():
    loop = {"changed": True, "results": [
        {"changed": True, "item": {"name": "New"}, "task": {"name": "New"}},
        {"changed": True, "item": {"name": "Edited"}, "changes": ["recurrence"]},
        {"changed": True, "item": {"name": "Gone", "state": "absent"}}]}
    out = converge_outcome({"scheduled_tasks": loop})
    assert out["kinds"]["scheduled_tasks"] == {"created": ["New"], "updated": ["Edited"], "deleted": ["Gone"],
                                               "failed": False}


def test_summary_shows_the_cipp_wide_objects_first():
    shared = converge_outcome({"ca_templates": {"created": ["T"], "updated": [], "deleted": []}}, None, "CIPP-wide")
    tenant = converge_outcome({"users": {"created": [], "updated": ["u@a.com"], "deleted": []}})
    summary = converge_summary({"a.com": tenant}, ["a.com"], "apply", shared)
    assert summary["shared"]["status"] == "changed" and summary["shared"]["kinds"]["ca_templates"]["created"] == ["T"]
    assert summary["totals"] == {"create": 1, "update": 1, "delete": 0} and summary["failed"] == []
    assert summary["lines"][1].startswith("CIPP-wide: changed") and summary["lines"][3].startswith("a.com: changed")
    broken = converge_summary({"a.com": tenant}, ["a.com"], "plan", converge_outcome({}, "CA templates: HTTP 403"))
    assert broken["shared"]["status"] == "FAILED" and broken["lines"][-1].endswith("the CIPP-wide objects FAILED")
    assert converge_summary({}, [], "plan")["shared"] is None
    with pytest.raises(Exception, match="shared must be"):
        converge_summary({}, [], "plan", ["not", "an", "outcome"])


def test_desired_ca_policies_and_templates():
    policies = [{"id": "1", "display_name": "b policy", "state": "enabled", "created": "2020",
                 "definition": {"displayName": "b policy", "state": "enabled"}},
                {"id": "2", "display_name": "A policy", "definition": {"displayName": "A policy"}},
                {"id": "3", "display_name": "Skip me", "definition": {"displayName": "Skip me"}}]
    assert desired_ca_policies(policies, ["skip*"]) == [
        {"display_name": "A policy", "definition": {"displayName": "A policy"}},
        {"display_name": "b policy", "definition": {"displayName": "b policy", "state": "enabled"}}]
    templates = [{"guid": "g1", "name": "Z", "is_synced": False, "source": None, "definition": {"displayName": "Z"}},
                 {"guid": "g2", "name": "Synced", "is_synced": True, "definition": {"displayName": "Synced"}},
                 {"guid": "g3", "name": "a", "definition": {"displayName": "a"}, "location_info": []}]
    assert desired_ca_templates(templates) == [{"name": "a", "definition": {"displayName": "a"}},
                                               {"name": "Z", "definition": {"displayName": "Z"}}]


def test_desired_standards_templates_keep_flags_and_drop_server_fields():
    rows = [{"guid": "g", "name": "Base", "description": "", "tenants": ["a.com"], "excluded_tenants": [],
             "standards": {"AuditLog": {"action": ["remediate"]}}, "run_manually": False, "drift": False,
             "created_at": "2020", "updated_by": "x", "source": None, "raw": {"GUID": "g"}}]
    assert desired_standards_templates(rows) == [{"name": "Base", "tenants": ["a.com"],
                                                  "standards": {"AuditLog": {"action": ["remediate"]}},
                                                  "run_manually": False, "drift": False}]


def test_desired_alerts_split_per_tenant_and_shared():
    alerts = [{"id": "1", "kind": "audit", "name": None, "tenants": ["contoso.com"], "excluded_tenants": [],
               "command": None, "log_type": "Audit.Exchange", "conditions": [{"property": "Operation"}],
               "actions": ["email"], "alert_comment": "x", "custom_subject": "", "also_runs_for": None},
              {"id": "2", "kind": "scripted", "name": "Alert: x", "tenants": ["AllTenants"], "command": "Get-CIPPAlertX",
               "recurrence": "1d", "also_runs_for": None},
              {"id": "3", "kind": "scripted", "tenants": ["contoso.com", "fabrikam.com"], "command": "Get-CIPPAlertY",
               "also_runs_for": ["new.com"]}]
    assert desired_alerts(alerts, "Contoso.com") == [
        {"id": "1", "kind": "audit", "log_type": "Audit.Exchange", "conditions": [{"property": "Operation"}],
         "actions": ["email"], "alert_comment": "x"}]
    shared = desired_alerts(alerts, shared=True)
    assert [a["id"] for a in shared] == ["2", "3"] and shared[0]["tenants"] == ["AllTenants"]
    assert all("also_runs_for" not in a and "name" not in a for a in shared)
    assert desired_alerts(alerts, "fabrikam.com") == []
    with pytest.raises(Exception, match="default domain"):
        desired_alerts(alerts)


def test_desired_scheduled_tasks_leave_out_history_and_hidden_tasks():
    tasks = [{"id": "1", "name": "Weekly", "tenant": "contoso.com", "command": "Get-CIPPLicenseOverview",
              "parameters": {}, "recurrence": "7d", "post_execution": ["email"], "excluded_tenants": [],
              "scheduled_time": "2026", "task_state": "Planned", "hidden": False},
             {"id": "2", "name": "Ran once", "tenant": "contoso.com", "command": "Get-X", "recurrence": "once",
              "task_state": "Completed", "hidden": False},
             {"id": "3", "name": "Alert task", "tenant": "contoso.com", "command": "Get-CIPPAlertX", "hidden": True},
             {"id": "4", "name": "Nightly", "tenant": "AllTenants", "command": "Get-Y", "recurrence": "1d",
              "excluded_tenants": ["fabrikam.com"], "hidden": False}]
    assert desired_scheduled_tasks(tasks, "contoso.com") == [
        {"name": "Weekly", "command": "Get-CIPPLicenseOverview", "recurrence": "7d", "post_execution": ["email"]}]
    assert desired_scheduled_tasks(tasks, shared=True) == [
        {"name": "Nightly", "tenant": "AllTenants", "command": "Get-Y", "recurrence": "1d",
         "excluded_tenants": ["fabrikam.com"]}]
    assert desired_scheduled_tasks(tasks, shared=True, exclude=["night*"]) == []


@pytest.mark.parametrize("name", ["converge_outcome", "converge_summary", "desired_users", "desired_groups",
                                  "desired_ca_policies", "desired_ca_templates", "desired_standards_templates",
                                  "desired_alerts", "desired_scheduled_tasks"])
def test_filter_documentation_renders(name):
    env = {"ANSIBLE_COLLECTIONS_PATH": str(collection_path.ensure()), "PATH": "/usr/bin:/bin",
           "HOME": str(collection_path.REPO_ROOT / ".tmp")}
    rendered = subprocess.run([str(Path(sys.executable).with_name("ansible-doc")), "-t", "filter", f"cipp.cipp.{name}"],
                              env=env, capture_output=True, text=True, check=False)
    assert rendered.returncode == 0 and "WARNING" not in rendered.stderr, rendered.stderr
