"""GitOps round trip (issue 8 acceptance): export a tenant to desired-state YAML, converge from it
with nothing to change, plan an edit of one user and one group (exactly those two in the summary),
apply, plan again; and a 10-tenant fan-out with one failing tenant, one token for the whole run."""
from __future__ import annotations

import json
import time
from pathlib import Path

import yaml

from tests.integration.harness import REPO_ROOT, run_playbook

EXPORT = str(REPO_ROOT / "playbooks" / "export.yml")
CONVERGE = str(REPO_ROOT / "playbooks" / "converge.yml")


def inventory_dir(tmp_path: Path, tenants: list) -> Path:
    """A GitOps repository's inventory: the tenants plugin limited to ``tenants``."""
    root = tmp_path / "inventory"
    root.mkdir()
    (root / "tenants.cipp.yml").write_text(yaml.safe_dump({"plugin": "cipp.cipp.tenants", "include": tenants}))
    return root


def list_reads(emu, since: int) -> dict:
    """ListGraphRequest pages since ``since`` by Graph endpoint."""
    pages = {}
    for request in emu.control.requests(service="cipp", endpoint="ListGraphRequest", since=since):
        endpoint = request["query"].get("Endpoint")
        pages[endpoint] = pages.get(endpoint, 0) + 1
    return pages


def writes(emu, since: int) -> list:
    return [r["endpoint"] for r in emu.control.requests(service="cipp", since=since) if r.get("state_changed")]


def converge(emu, inventory: Path, token_cache, *args: str):
    started = time.monotonic()
    run = run_playbook(emu, CONVERGE, "-i", str(inventory / "tenants.cipp.yml"), *args, token_cache=token_cache)
    print(f"converge {' '.join(args)}: {time.monotonic() - started:.1f}s")
    return run


def test_export_converge_edit_plan_apply(emu, token_cache, tmp_path):
    inventory = inventory_dir(tmp_path, ["northwind.com"])
    export = run_playbook(emu, EXPORT, "-i", str(inventory / "tenants.cipp.yml"), "-e", f"cipp_export_dir={inventory}",
                          token_cache=token_cache)
    assert export.rc == 0, export.output[-3000:]
    users_file = inventory / "host_vars" / "northwind.com" / "users.yml"
    groups_file = inventory / "host_vars" / "northwind.com" / "groups.yml"
    users = yaml.safe_load(users_file.read_text())["cipp_users"]
    groups = yaml.safe_load(groups_file.read_text())["cipp_groups"]
    assert len(users) >= 2500 and groups
    assert users == sorted(users, key=lambda u: u["user_principal_name"].lower())
    assert not any("id" in u or "password" in u for u in users)

    # Converge from the export: nothing to change, one list read per kind, zero writes.
    before = emu.control.last_seq()
    run = converge(emu, inventory, token_cache)
    assert run.rc == 0 and run.changed == 0, run.output[-3000:]
    assert writes(emu, before) == []
    assert list_reads(emu, before) == {"users": 3, "groups": 1}, list_reads(emu, before)

    # Edit one user and one group; the plan shows exactly those two.
    users[7]["job_title"] = "Edited By GitOps"
    edited_user = users[7]["user_principal_name"]
    groups[0]["description"] = "Edited by GitOps"
    edited_group = groups[0]["display_name"]
    users_file.write_text(yaml.safe_dump({"cipp_users": users}, sort_keys=False))
    groups_file.write_text(yaml.safe_dump({"cipp_groups": groups}, sort_keys=False))
    plan_file = tmp_path / "plan.json"
    before = emu.control.last_seq()
    plan = converge(emu, inventory, token_cache, "--check", "--diff", "-e", f"cipp_converge_summary_path={plan_file}")
    assert plan.rc == 0, plan.output[-3000:]
    assert writes(emu, before) == []
    summary = json.loads(plan_file.read_text())
    assert summary["mode"] == "plan" and summary["failed"] == []
    assert summary["totals"] == {"create": 0, "update": 2, "delete": 0}
    kinds = summary["tenants"]["northwind.com"]["kinds"]
    assert kinds["users"]["updated"] == [edited_user] and kinds["groups"]["updated"] == [edited_group]
    assert f"~ users {edited_user}" in plan.output and "TOTAL: 0 to create, 2 to update, 0 to delete" in plan.output
    assert "Edited By GitOps" in plan.output  # the diff

    before = emu.control.last_seq()
    apply = converge(emu, inventory, token_cache)
    assert apply.rc == 0 and apply.changed == 2, apply.output[-3000:]
    assert sorted(writes(emu, before)) == ["EditGroup", "EditUser"]

    before = emu.control.last_seq()
    again = converge(emu, inventory, token_cache, "--check", "-e", f"cipp_converge_summary_path={plan_file}")
    assert again.rc == 0 and again.stats["northwind.com"]["changed"] == 0, again.output[-3000:]
    assert json.loads(plan_file.read_text())["totals"] == {"create": 0, "update": 0, "delete": 0}
    assert writes(emu, before) == []
    assert emu.control.conformance() == []


def test_ten_tenants_one_failing(emu, token_cache, tmp_path):
    tenants = [f"tenant{n:02d}.example" for n in range(1, 11)]
    bad = "tenant04.example"
    inventory = inventory_dir(tmp_path, tenants)
    for tenant in tenants:
        host_dir = inventory / "host_vars" / tenant
        host_dir.mkdir(parents=True)
        (host_dir / "users.yml").write_text(yaml.safe_dump({"cipp_users": [
            {"user_principal_name": f"gitops.joiner@{tenant}", "display_name": "GitOps Joiner", "job_title": "Analyst"}]}))
        (host_dir / "groups.yml").write_text(yaml.safe_dump({"cipp_groups": [
            {"display_name": "GitOps Team", "group_type": "security", "description": "From Git"}]}))
    emu.control.add_fault(service="cipp", endpoint="*", tenant=bad, kind="status", status=500, count=None)
    summary_file = tmp_path / "summary.json"
    tokens_before = len(emu.control.token_requests())
    run = converge(emu, inventory, token_cache, "--forks", "5", "-e", f"cipp_converge_summary_path={summary_file}")
    assert run.rc != 0, run.output[-3000:]
    assert run.stats[bad]["failed"] == 1, run.stats
    assert all(run.stats[t]["failed"] == 0 and run.stats[t]["changed"] >= 2 for t in tenants if t != bad), run.stats
    summary = json.loads(summary_file.read_text())
    assert summary["failed"] == [bad]
    assert summary["tenants"][bad]["status"] == "FAILED" and summary["tenants"][bad]["error"]
    converged = [t for t in tenants if summary["tenants"][t]["status"] == "changed"]
    assert len(converged) == 9
    assert summary["totals"] == {"create": 18, "update": 0, "delete": 0}
    assert f"{bad}: FAILED" in run.output
    assert len(emu.control.token_requests()) - tokens_before == 1
    # No write reached the failing tenant; the others got exactly a user and a group each.
    assert sorted(writes(emu, 0)) == sorted(["AddUser", "AddGroup"] * 9)
