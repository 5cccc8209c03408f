"""The roles end to end over the emulator: user_lifecycle (joiners, movers, leavers),
tenant_baseline (groups, CA policies and templates, standards templates, alerts) and
tenant_report (JSON, Markdown and HTML with one chart per tenant); each applied twice, the
second run changing nothing, and bad role input refused before any request."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests import collection_path
from tests.integration.harness import REPO_ROOT, connection_options, run_playbook
from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient
from ansible_collections.cipp.cipp.plugins.module_utils._directory import find_groups, group_links
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings

INVENTORY = str(REPO_ROOT / "tests" / "integration" / "inventory" / "all.cipp.yml")
TENANT = "contoso.com"


def cipp_writes(emu, since: int = 0) -> list:
    return [r for r in emu.control.requests(service="cipp", since=since) if r.get("state_changed")]


@pytest.fixture
def cipp(emu):
    """A client for the test's own reads; its one token is told apart from the playbooks'."""
    return CippClient(ConnectionSettings(connection_options(emu)))


def user(cipp, upn: str) -> dict | None:
    rows = cipp.call("ListUsers", params={"tenantFilter": TENANT, "graphFilter": f"userPrincipalName eq '{upn}'"}).data
    return next((row for row in rows or [] if row.get("userPrincipalName", "").lower() == upn), None)


def members(cipp, group: str) -> set:
    found = find_groups(cipp, TENANT, name=group)
    return {str(row.get("userPrincipalName")).lower() for row in group_links(cipp, TENANT, found[0]["id"], "members")}


def lifecycle(emu, token_cache, phase: str, *args: str):
    return run_playbook(emu, "role_user_lifecycle.yml", "-i", INVENTORY, "--limit", TENANT,
                        "-e", f"lifecycle_phase={phase}", *args, token_cache=token_cache)


def test_user_lifecycle_joiners_movers_leavers(emu, token_cache, cipp):
    marketing_before = members(cipp, "Marketing")
    first_token = emu.control.token_requests()[-1]
    plan = lifecycle(emu, token_cache, "join", "--check", "--diff")
    assert plan.rc == 0, plan.output
    assert plan.changed >= 1 and cipp_writes(emu) == []

    joined = lifecycle(emu, token_cache, "join")
    assert joined.rc == 0, joined.output
    jamie = user(cipp, "jamie.joiner@contoso.com")
    assert jamie and jamie["department"] == "Marketing" and jamie["jobTitle"] == "Marketing Analyst"
    assert "jamie.joiner@contoso.com" in members(cipp, "Marketing")
    assert "jamie.joiner@contoso.com" in members(cipp, "VPN Users")
    mark = emu.control.last_seq()
    again = lifecycle(emu, token_cache, "join")
    assert again.rc == 0 and again.changed == 0, again.output
    assert cipp_writes(emu, since=mark) == []

    moved = lifecycle(emu, token_cache, "move", "--diff")
    assert moved.rc == 0, moved.output
    jamie = user(cipp, "jamie.joiner@contoso.com")
    assert jamie["department"] == "Finance" and jamie["jobTitle"] == "Financial Analyst"
    # The mover left Marketing (a group the list manages) and joined IT Admins; members of Marketing
    # who are not in the people list were left alone.
    assert members(cipp, "Marketing") == marketing_before
    assert "jamie.joiner@contoso.com" in members(cipp, "IT Admins")
    assert "jamie.joiner@contoso.com" in members(cipp, "VPN Users")
    leaver = user(cipp, "pradeep.gupta@contoso.com")
    assert leaver["accountEnabled"] is False and not leaver.get("assignedLicenses")
    assert "pradeep.gupta@contoso.com" not in members(cipp, "Finance DL")
    assert len(emu.control.requests(service="cipp", endpoint="ExecOffboardUser")) == 1
    mark = emu.control.last_seq()
    again = lifecycle(emu, token_cache, "move")
    assert again.rc == 0 and again.changed == 0, again.output
    assert cipp_writes(emu, since=mark) == []
    assert emu.control.conformance() == []
    checker_seq = first_token["seq"]
    playbook_tokens = [t for t in emu.control.token_requests() if t["seq"] != checker_seq]
    assert len(playbook_tokens) == 1  # five playbook runs, one token


def test_user_lifecycle_keeps_the_initial_password_out_of_the_output(emu, token_cache, tmp_path):
    secrets = tmp_path / "secrets.yml"  # as from a vault file, not the command line (which -vvvv echoes)
    secrets.write_text("user_lifecycle_initial_password: Role-Initial-Pa55!\n")
    run = lifecycle(emu, token_cache, "join", "-vvvv", "-e", f"@{secrets}")
    assert run.rc == 0, run.output
    assert "Role-Initial-Pa55!" not in run.output


def test_user_lifecycle_rejects_bad_people(emu, token_cache):
    bad = lifecycle(emu, token_cache, "join", "-e", '{"lifecycle_joiner": {"upn": "x@contoso.com", "statuss": "leaver"}}')
    assert bad.rc != 0
    assert "statuss" in bad.output and "Validation of arguments failed" in bad.output
    wrong_choice = lifecycle(emu, token_cache, "join", "-e", '{"lifecycle_joiner": {"upn": "x@contoso.com", "status": "gone"}}')
    assert wrong_choice.rc != 0 and "Validation of arguments failed" in wrong_choice.output
    assert "active, leaver" in wrong_choice.output
    twice = lifecycle(emu, token_cache, "join", "-e", '{"lifecycle_joiner": {"upn": "Alex.Wilber@contoso.com"}}')
    assert twice.rc != 0 and "more than once" in twice.output and "alex.wilber@contoso.com" in twice.output
    assert cipp_writes(emu) == []


def add_fabrikam_template(emu) -> None:
    """A standards template for fabrikam.com with no comparison data yet (so: not compliant)."""
    admin = CippClient(ConnectionSettings(connection_options(emu, client="admin")))
    admin.call("AddStandardsTemplate", body={
        "templateName": "Fabrikam baseline", "description": "Added by test_roles", "runManually": False,
        "tenantFilter": [{"label": "Fabrikam Inc (fabrikam.com)", "value": "fabrikam.com", "type": "Tenant"}],
        "excludedTenants": [],
        "standards": {"AuditLog": {"remediate": True, "alert": True, "report": True},
                      "EnableMailTips": {"remediate": False, "alert": True, "report": True}}})


def test_tenant_report_writes_json_markdown_and_html_with_a_chart_per_tenant(emu, token_cache, tmp_path):
    add_fabrikam_template(emu)
    mark = emu.control.last_seq()
    report_dir = tmp_path / "report"
    run = run_playbook(emu, "role_tenant_report.yml", "-i", INVENTORY, "-e", f"report_dir={report_dir}",
                       token_cache=token_cache)
    assert run.rc == 0, run.output
    assert run.changed > 0 and run.failed == 0
    reads = sorted(r["endpoint"] for r in emu.control.requests(service="cipp", since=mark)
                   if r["endpoint"] in ("ListTenantAlignment", "ListTenantDrift", "listStandardTemplates"))
    # One read per section for all three tenants (no request per tenant).
    assert reads == ["ListTenantAlignment", "ListTenantAlignment", "ListTenantDrift", "listStandardTemplates"], reads

    report = json.loads((report_dir / "report.json").read_text())
    tenants = {entry["tenant"]: entry for entry in report["tenants"]}
    assert set(tenants) == {"contoso.com", "fabrikam.com", "tenant01.example"}
    contoso = tenants["contoso.com"]
    baseline = next(t for t in contoso["templates"] if t["name"] == "Contoso baseline")
    assert baseline["alignment_score"] == 67
    assert baseline["counts"] == {"compliant": 2, "accepted": 0, "customer_specific": 0, "non_compliant": 1,
                                  "license_missing": 0, "total": 3}
    failing = [s for s in baseline["standards"] if s["status"] == "non_compliant"]
    assert failing == [{"standard": "PasswordExpireDisabled", "status": "non_compliant",
                        "compliance_status": "non_compliant", "deviation_status": None,
                        "current": {"passwordValidityPeriodInDays": 90},
                        "expected": {"passwordValidityPeriodInDays": 2147483647}}]
    drift = contoso["drift"][0]
    assert drift["template"] == "Contoso drift" and drift["new"] == 1 and drift["accepted"] == 1
    assert [d["standard"] for d in drift["open"]] == ["EnableMailTips"]
    assert contoso["open_deviations"] == 1
    fabrikam = tenants["fabrikam.com"]
    assert fabrikam["templates"][0]["name"] == "Fabrikam baseline"
    assert fabrikam["templates"][0]["alignment_score"] == 0 and fabrikam["lowest_score"] == 0
    assert tenants["tenant01.example"]["templates"] == [] and tenants["tenant01.example"]["lowest_score"] is None
    assert json.loads((report_dir / "tenants" / "contoso.com.json").read_text()) == contoso

    # One chart per tenant: an SVG file each for Markdown, and inline in the HTML.
    charts = sorted(p.name for p in (report_dir / "charts").iterdir())
    assert charts == ["contoso.com.svg", "fabrikam.com.svg", "tenant01.example.svg"]
    for name in charts:
        svg = ET.fromstring((report_dir / "charts" / name).read_text())
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    contoso_svg = (report_dir / "charts" / "contoso.com.svg").read_text()
    assert "Contoso baseline" in contoso_svg and "67%" in contoso_svg
    assert "No standards template applies" in (report_dir / "charts" / "tenant01.example.svg").read_text()

    markdown = (report_dir / "report.md").read_text()
    for name in charts:
        assert f"](charts/{name})" in markdown
    assert "| Contoso baseline | Classic | 67% | 2 | 0 | 0 | 1 | 0 |" in markdown
    assert "| PasswordExpireDisabled |" in markdown and "| EnableMailTips |" in markdown

    html = (report_dir / "report.html").read_text()
    assert html.count("<svg ") == 3 and html.count('<section class="tenant"') == 3
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html

    mark = emu.control.last_seq()
    again = run_playbook(emu, "role_tenant_report.yml", "-i", INVENTORY, "-e", f"report_dir={report_dir}",
                         token_cache=token_cache)
    assert again.rc == 0, again.output
    assert cipp_writes(emu, since=mark) == []


def test_tenant_report_fails_tenants_below_the_threshold_after_writing(emu, token_cache, tmp_path):
    report_dir = tmp_path / "report"
    run = run_playbook(emu, "role_tenant_report.yml", "-i", INVENTORY, "-e", f"report_dir={report_dir}",
                       "-e", "tenant_report_fail_below=80", token_cache=token_cache)
    assert run.rc != 0
    assert run.stats["contoso.com"]["failed"] == 1 and run.stats["tenant01.example"]["failed"] == 0
    assert "lowest standards alignment 67% is below" in run.output
    assert (report_dir / "report.html").exists()


def test_tenant_report_rejects_an_unknown_format(emu, token_cache, tmp_path):
    run = run_playbook(emu, "role_tenant_report.yml", "-i", INVENTORY, "-e", f"report_dir={tmp_path}",
                       "-e", '{"tenant_report_formats": ["pdf"]}', token_cache=token_cache)
    assert run.rc != 0 and "tenant_report_formats" in run.output and "pdf" in run.output
    assert emu.control.requests(service="cipp", endpoint="ListTenantAlignment") == []


def baseline(emu, token_cache, *args: str, inventory: str = INVENTORY):
    # Standards templates need CIPP's Tenant.Standards.ReadWrite, which the editor role lacks.
    return run_playbook(emu, "role_tenant_baseline.yml", "-i", inventory, *args, token_cache=token_cache, client="admin")


def standards_template(emu, name: str) -> dict:
    rows = CippClient(ConnectionSettings(connection_options(emu))).call("listStandardTemplates").data
    return next(row for row in rows if row.get("templateName") == name)


def test_tenant_baseline_applies_then_changes_nothing(emu, token_cache, tmp_path):
    # Standards template assignment from the inventory: cipp_standards composed per tenant.
    inventory = tmp_path / "baseline.cipp.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "cipp.cipp.tenants", "compose": {
        "cipp_standards": "['MSP assigned baseline'] if cipp_default_domain in ['contoso.com', 'fabrikam.com'] else []"}}))
    plan = baseline(emu, token_cache, "--check", "--diff", inventory=str(inventory))
    assert plan.rc == 0, plan.output
    assert cipp_writes(emu) == []
    applied = baseline(emu, token_cache, inventory=str(inventory))
    assert applied.rc == 0, applied.output
    sent = sorted(r["endpoint"] for r in cipp_writes(emu))
    assert sent.count("AddGroup") == 2 and sent.count("AddCAPolicy") == 2 and sent.count("AddCATemplate") == 1, sent
    assert sent.count("AddAlert") == 2 and sent.count("AddScriptedAlert") == 2, sent  # one of each per tenant
    assert sent.count("AddStandardsTemplate") == 2, sent  # once for the play, not per tenant
    assigned = standards_template(emu, "MSP assigned baseline")
    assert sorted(t["value"] for t in assigned["tenantFilter"]) == ["contoso.com", "fabrikam.com"]
    assert [t["value"] for t in standards_template(emu, "MSP explicit drift")["tenantFilter"]] == ["contoso.com"]
    mark = emu.control.last_seq()
    again = baseline(emu, token_cache, inventory=str(inventory))
    assert again.rc == 0 and again.changed == 0, again.output
    # A run limited to one tenant (an AWX slice) keeps the assignment of the others.
    limited = baseline(emu, token_cache, "--limit", "contoso.com", inventory=str(inventory))
    assert limited.rc == 0 and limited.changed == 0, limited.output
    assert cipp_writes(emu, since=mark) == []
    assert emu.control.conformance() == []


def test_tenant_baseline_rejects_bad_input(emu, token_cache):
    # Bad entries reach the role as its parameters (as from host_vars); the role's argument spec refuses them.
    bad = baseline(emu, token_cache, "-e", '{"baseline_groups": [{"display_name": "X", "group_typ": "security"}]}')
    assert bad.rc != 0 and "Validation of arguments failed" in bad.output and "group_typ" in bad.output, bad.output
    wrong = baseline(emu, token_cache, "-e", '{"baseline_mfa_policy": {"display_name": "X", "state": "on"}}')
    assert wrong.rc != 0 and "Validation of arguments failed" in wrong.output and "report_only" in wrong.output
    assert cipp_writes(emu) == []


def test_drift_report_playbook_over_the_tenants_inventory(emu, token_cache, tmp_path):
    report_dir = tmp_path / "drift"
    run = run_playbook(emu, str(REPO_ROOT / "playbooks" / "drift_report.yml"), "-i", INVENTORY,
                       "-e", f"cipp_report_dir={report_dir}", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert len(emu.control.token_requests()) == 1  # inventory and tasks share one token
    reads = sorted(r["endpoint"] for r in emu.control.requests(service="cipp") if r["endpoint"] != "ListTenants")
    assert reads == ["GetVersion", "ListTenantAlignment", "ListTenantAlignment", "ListTenantDrift", "listStandardTemplates"], reads
    report = json.loads((report_dir / "report.json").read_text())
    managed = [t["defaultDomainName"] for t in client_tenants(emu)]
    assert sorted(entry["tenant"] for entry in report["tenants"]) == sorted(managed)
    assert len(list((report_dir / "charts").glob("*.svg"))) == len(managed)
    assert (report_dir / "report.html").read_text().count("<svg ") == len(managed)


def client_tenants(emu) -> list:
    return CippClient(ConnectionSettings(connection_options(emu, token_cache=None))).call("ListTenants").data


@pytest.mark.parametrize("kind,name", [("role", "user_lifecycle"), ("role", "tenant_baseline"), ("role", "tenant_report"),
                                       ("filter", "standards_report"), ("filter", "svg_bar_chart")])
def test_role_and_filter_docs_render(kind, name):
    env = {"ANSIBLE_COLLECTIONS_PATH": str(collection_path.ensure()), "PATH": "/usr/bin:/bin", "HOME": str(REPO_ROOT / ".tmp")}
    rendered = subprocess.run([str(Path(sys.executable).with_name("ansible-doc")), "-t", kind, f"cipp.cipp.{name}"],
                              env=env, capture_output=True, text=True, check=False)
    assert rendered.returncode == 0, rendered.stderr
    assert "ERROR" not in rendered.stderr and "WARNING" not in rendered.stderr, rendered.stderr
    assert rendered.stdout.strip()


def test_gitops_example_plans_applies_and_reruns_clean(emu, token_cache):
    """examples/gitops as CI runs it: plan (no write), apply, plan again (nothing left)."""
    example = REPO_ROOT / "examples" / "gitops"
    args = ("-i", str(example / "inventory" / "cipp.yml"))
    plan = run_playbook(emu, str(example / "site.yml"), *args, "--check", "--diff", token_cache=token_cache, client="admin")
    assert plan.rc == 0, plan.output
    assert plan.changed > 0 and cipp_writes(emu) == []
    assert "Show the summary" in plan.output
    applied = run_playbook(emu, str(example / "site.yml"), *args, token_cache=token_cache, client="admin")
    assert applied.rc == 0, applied.output
    sent = sorted(r["endpoint"] for r in cipp_writes(emu))
    assert sent == sorted(["AddGroup", "AddCATemplate", "AddCAPolicy", "AddStandardsTemplate", "AddAlert",
                           "AddScriptedAlert", "AddScheduledItem"]), sent
    mark = emu.control.last_seq()
    again = run_playbook(emu, str(example / "site.yml"), *args, "--check", "--diff", token_cache=token_cache, client="admin")
    assert again.rc == 0 and again.changed == 0, again.output
    assert cipp_writes(emu, since=mark) == []
    assert len(emu.control.token_requests()) == 1
