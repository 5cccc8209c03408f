"""GitOps round trip of the governance kinds (issue 8): export contoso.com's Conditional Access
policies, alerts and scheduled tasks (host_vars) and CIPP's CA templates, standards templates,
CIPP-wide alerts and AllTenants tasks (group_vars/all), converge from the export with nothing to
change and no write, then edit one CA policy and one alert: the plan shows exactly those two,
the apply writes exactly them, and a second plan shows nothing."""
from __future__ import annotations

import json

import yaml

from tests.integration.harness import REPO_ROOT, run_playbook
from tests.integration.test_gitops import inventory_dir, writes

EXPORT = str(REPO_ROOT / "playbooks" / "export.yml")
CONVERGE = str(REPO_ROOT / "playbooks" / "converge.yml")
GOVERNANCE = ["ca_policies", "alerts", "scheduled_tasks", "ca_templates", "standards_templates"]


def load(path):
    return yaml.safe_load(path.read_text())


def test_export_converge_governance(emu, token_cache, tmp_path):
    inventory = inventory_dir(tmp_path, ["contoso.com"])
    tenants_file = str(inventory / "tenants.cipp.yml")
    export = run_playbook(emu, EXPORT, "-i", tenants_file, "-e", f"cipp_export_dir={inventory}",
                          "-e", json.dumps({"cipp_export_kinds": GOVERNANCE}), token_cache=token_cache)
    assert export.rc == 0, export.output[-3000:]
    host = inventory / "host_vars" / "contoso.com"
    shared = inventory / "group_vars" / "all"
    assert sorted(p.name for p in host.iterdir()) == ["alerts.yml", "ca_policies.yml", "scheduled_tasks.yml"]
    shared_files = ["alerts.yml", "ca_templates.yml", "scheduled_tasks.yml", "standards_templates.yml"]
    assert sorted(p.name for p in shared.iterdir()) == shared_files

    policies = load(host / "ca_policies.yml")["cipp_ca_policies"]
    assert [p["display_name"] for p in policies] == sorted((p["display_name"] for p in policies), key=str.lower)
    assert len(policies) == 2 and all(set(p) == {"display_name", "definition"} for p in policies)
    alerts = load(host / "alerts.yml")["cipp_alerts"]
    assert len(alerts) == 1 and alerts[0]["kind"] == "audit" and "tenants" not in alerts[0]
    shared_alerts = load(shared / "alerts.yml")["cipp_shared_alerts"]
    assert [a["tenants"] for a in shared_alerts] == [["AllTenants"]]
    tasks = load(host / "scheduled_tasks.yml")["cipp_scheduled_tasks"]
    assert [t["name"] for t in tasks] == ["Weekly licence report"] and "tenant" not in tasks[0]
    templates = load(shared / "standards_templates.yml")["cipp_standards_templates"]
    names = [t["name"] for t in templates]
    assert names == sorted(names, key=str.lower) and {"Contoso baseline", "Contoso drift"} <= set(names)
    names = [t["name"] for t in load(shared / "ca_templates.yml")["cipp_ca_templates"]]
    assert names == sorted(names, key=str.lower) and "CIPP - Require MFA for all users" in names
    exported = "\n".join(p.read_text() for p in list(host.iterdir()) + list(shared.iterdir()))
    assert "GUID" not in exported and "createdAt" not in exported and "updated_at" not in exported

    # Converge from the export: nothing to change, no write.
    before = emu.control.last_seq()
    summary_file = tmp_path / "summary.json"
    run = run_playbook(emu, CONVERGE, "-i", tenants_file, "-e", f"cipp_converge_summary_path={summary_file}",
                       token_cache=token_cache)
    assert run.rc == 0 and run.stats["contoso.com"]["changed"] == 0, run.output[-4000:]
    assert writes(emu, before) == []
    summary = json.loads(summary_file.read_text())
    assert summary["totals"] == {"create": 0, "update": 0, "delete": 0}
    assert sorted(summary["tenants"]["contoso.com"]["kinds"]) == ["alerts", "ca_policies", "scheduled_tasks"]
    # No AllTenants scheduled task in the fixture: an empty list, a kind the summary leaves out.
    assert load(shared / "scheduled_tasks.yml") == {"cipp_shared_scheduled_tasks": []}
    assert sorted(summary["shared"]["kinds"]) == ["alerts", "ca_templates", "standards_templates"]
    assert summary["shared"]["status"] == "ok"

    # Edit one CA policy (its state) and one alert (its comment): the plan shows exactly those two.
    policies[0]["definition"]["state"] = "disabled"
    edited_policy = policies[0]["display_name"]
    (host / "ca_policies.yml").write_text(yaml.safe_dump({"cipp_ca_policies": policies}, sort_keys=False))
    alerts[0]["alert_comment"] = "Edited in Git"
    (host / "alerts.yml").write_text(yaml.safe_dump({"cipp_alerts": alerts}, sort_keys=False))
    before = emu.control.last_seq()
    plan = run_playbook(emu, CONVERGE, "-i", tenants_file, "--check", "--diff",
                        "-e", f"cipp_converge_summary_path={summary_file}", token_cache=token_cache)
    assert plan.rc == 0, plan.output[-4000:]
    assert writes(emu, before) == []
    summary = json.loads(summary_file.read_text())
    assert summary["mode"] == "plan" and summary["totals"] == {"create": 0, "update": 2, "delete": 0}
    kinds = summary["tenants"]["contoso.com"]["kinds"]
    assert kinds["ca_policies"]["updated"] == [edited_policy]
    assert len(kinds["alerts"]["updated"]) == 1 and alerts[0]["id"] in kinds["alerts"]["updated"][0]
    assert f"~ ca_policies {edited_policy}" in plan.output and "Edited in Git" in plan.output

    before = emu.control.last_seq()
    apply = run_playbook(emu, CONVERGE, "-i", tenants_file, token_cache=token_cache)
    assert apply.rc == 0 and apply.changed == 2, apply.output[-4000:]
    assert sorted(writes(emu, before)) == ["AddAlert", "EditCAPolicy"]  # a state change is an EditCAPolicy

    before = emu.control.last_seq()
    again = run_playbook(emu, CONVERGE, "-i", tenants_file, "--check", "-e", f"cipp_converge_summary_path={summary_file}",
                         token_cache=token_cache)
    assert again.rc == 0 and again.stats["contoso.com"]["changed"] == 0, again.output[-4000:]
    assert json.loads(summary_file.read_text())["totals"] == {"create": 0, "update": 0, "delete": 0}
    assert writes(emu, before) == []
    assert emu.control.conformance() == []


def test_cipp_wide_failure_is_reported_and_tenants_still_converge(emu, token_cache, tmp_path):
    """The editor client may not write standards templates: the CIPP-wide part fails, the tenant's
    own objects converge, the summary says which part failed and the run exits non-zero."""
    inventory = inventory_dir(tmp_path, ["contoso.com"])
    shared = inventory / "group_vars" / "all"
    shared.mkdir(parents=True)
    (shared / "standards_templates.yml").write_text(yaml.safe_dump({"cipp_standards_templates": [
        {"name": "GitOps baseline", "tenants": ["contoso.com"], "standards": {"AuditLog": {"action": "report"}}}]}))
    host = inventory / "host_vars" / "contoso.com"
    host.mkdir(parents=True)
    (host / "scheduled_tasks.yml").write_text(yaml.safe_dump({"cipp_scheduled_tasks": [
        {"name": "GitOps licence report", "command": "Get-CIPPLicenseOverview", "recurrence": "7d"}]}))
    summary_file = tmp_path / "summary.json"
    before = emu.control.last_seq()
    run = run_playbook(emu, CONVERGE, "-i", str(inventory / "tenants.cipp.yml"),
                       "-e", f"cipp_converge_summary_path={summary_file}", token_cache=token_cache)
    assert run.rc != 0, run.output[-4000:]
    summary = json.loads(summary_file.read_text())
    assert summary["shared"]["status"] == "FAILED" and "Standards templates" in summary["shared"]["error"]
    assert summary["tenants"]["contoso.com"]["status"] == "changed", run.output[-6000:]
    assert summary["tenants"]["contoso.com"]["kinds"]["scheduled_tasks"]["created"] == ["GitOps licence report"]
    assert summary["failed"] == [] and "the CIPP-wide objects FAILED" in run.output
    assert writes(emu, before) == ["AddScheduledItem"]
