"""The bulk modules cipp.cipp.users and cipp.cipp.groups end to end: lifecycle playbooks over the
emulator, asserting on its request log (one list read, only the needed writes, none in check
mode), bad items failing before any write, and the warm run of the large tenant."""
from __future__ import annotations

import json
import re

from tests.integration.harness import connection_options, run_playbook
from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient
from ansible_collections.cipp.cipp.plugins.module_utils._graph_pages import graph_pages
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings


def cipp_requests(emu, since=None, endpoint=None):
    return emu.control.requests(service="cipp", endpoint=endpoint, since=since)


def writes(emu, since=None):
    return [r for r in cipp_requests(emu, since=since) if r.get("state_changed")]


def test_users_lifecycle(emu, token_cache):
    run = run_playbook(emu, "bulk_users.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    sent = [(r["endpoint"]) for r in writes(emu)]
    # create 2, update 1, purge: the 3 unexcluded fixture users and bulk.two
    assert sent == ["AddUser", "AddUser", "EditUser"] + ["RemoveUser"] * 4, sent
    assert emu.control.conformance() == []
    assert "Emu-Bulk-Pa55" not in run.output


def _northwind_items(emu) -> list:
    """Northwind's users (2,532) as desired-state items of the fields the export writes."""
    client = CippClient(ConnectionSettings(connection_options(emu)))
    rows, _pages = graph_pages(client, "northwind.com", "users", {
        "$select": "userPrincipalName,displayName,accountEnabled,jobTitle,department,usageLocation", "$top": "999"})
    emu.control.clear_requests()
    items = []
    for row in sorted(rows, key=lambda r: r["userPrincipalName"].lower()):
        item = {"user_principal_name": row["userPrincipalName"], "display_name": row["displayName"],
                "account_enabled": row["accountEnabled"]}
        for key, option in (("jobTitle", "job_title"), ("department", "department"), ("usageLocation", "usage_location")):
            if row.get(key):
                item[option] = row[key]
        items.append(item)
    return items


def test_warm_run_of_the_large_tenant_is_one_paged_read(emu, token_cache, tmp_path):
    items = _northwind_items(emu)
    assert len(items) >= 2500
    vars_file = tmp_path / "northwind.yml"
    vars_file.write_text(json.dumps({"bulk_tenant": "northwind.com", "bulk_users": items}))
    first = run_playbook(emu, "bulk_warm.yml", "-e", f"bulk_items_file={vars_file}", token_cache=token_cache)
    assert first.rc == 0 and first.changed == 0, first.output[-3000:]
    before = emu.control.last_seq()
    tokens_before = len(emu.control.token_requests())
    warm = run_playbook(emu, "bulk_warm.yml", "-e", f"bulk_items_file={vars_file}", token_cache=token_cache)
    assert warm.rc == 0 and warm.changed == 0, warm.output[-3000:]
    sent = [r for r in emu.control.requests(since=before) if r["service"] in ("cipp", "entra")]
    # Token, tenants and CIPP's version come from the run's cache: one paged read of the users, 999 a page.
    assert {(r["service"], r["endpoint"]) for r in sent} == {("cipp", "ListGraphRequest")}, sent
    assert all(r["query"].get("Endpoint") == "users" for r in sent), sent
    assert len(sent) == -(-len(items) // 999)
    assert writes(emu) == [] and len(emu.control.token_requests()) == tokens_before
    seconds = float(re.search(r"BULK_TASK_SECONDS=([0-9.]+)", warm.output).group(1))
    print(f"warm bulk task, {len(items)} users: {seconds:.2f}s")
    assert seconds < 30


def test_groups_lifecycle(emu, token_cache):
    run = run_playbook(emu, "bulk_groups.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    sent = [r["endpoint"] for r in writes(emu)]
    assert sent == ["AddGroup", "AddGroup", "EditGroup"] + ["ExecGroupsDelete"] * 3, sent
    assert emu.control.conformance() == []
    # Members were read only for the groups whose items manage them (IT Admins, Bulk Falcon).
    member_reads = {r["query"]["Endpoint"] for r in cipp_requests(emu, endpoint="ListGraphRequest")
                    if r["query"].get("Endpoint", "").endswith("/members")}
    assert len(member_reads) == 2, member_reads


def test_bad_items_fail_before_any_write(emu, token_cache):
    run = run_playbook(emu, "bulk_bad_items.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert writes(emu) == []
    assert "Traceback" not in run.output
