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


@pytest.mark.parametrize("name", ["converge_outcome", "converge_summary", "desired_users", "desired_groups"])
def test_filter_documentation_renders(name):
    env = {"ANSIBLE_COLLECTIONS_PATH": str(collection_path.ensure()), "PATH": "/usr/bin:/bin",
           "HOME": str(collection_path.REPO_ROOT / ".tmp")}
    rendered = subprocess.run([str(Path(sys.executable).with_name("ansible-doc")), "-t", "filter", f"cipp.cipp.{name}"],
                              env=env, capture_output=True, text=True, check=False)
    assert rendered.returncode == 0 and "WARNING" not in rendered.stderr, rendered.stderr
