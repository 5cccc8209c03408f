"""The governance info modules (audit_log_info, domain_info, gdap_role_info) over the emulator:
real results from the default fixture, every filter, a date range that provably narrows what CIPP
returns, and bad input (bad dates, unknown tenant, AllTenants) failing before any request, naming
the option. All read-only: no request changes state, and the conformance log stays empty."""
from __future__ import annotations

import datetime as dt
import json
import re

from tests.integration.harness import run_playbook

READS = {"GetVersion", "ListTenants", "ListLogs", "ListDomains", "ListGraphRequest", "ListGDAPRoles"}


def _days() -> dict:
    today = dt.datetime.now(dt.timezone.utc).date()
    return {"today": today.isoformat(), **{f"day_minus_{n}": (today - dt.timedelta(days=n)).isoformat()
                                           for n in (1, 4, 10)}}


def cipp_requests(emu, endpoint=None):
    return emu.control.requests(service="cipp", endpoint=endpoint)


def test_governance_info(emu, token_cache):
    days = _days()
    run = run_playbook(emu, "governance_info.yml", "-e", json.dumps(days), token_cache=token_cache)
    assert run.rc == 0, run.output
    assert run.changed == 0
    requests = cipp_requests(emu)
    assert [r for r in requests if r.get("state_changed")] == []
    assert {r["endpoint"] for r in requests} <= READS
    assert emu.control.conformance() == []
    logs = cipp_requests(emu, "ListLogs")
    # One request per task (17 logbook tasks, loops included), always Filter=true and only the
    # spec's keys with its casing; days as yyyyMMdd (a dashed date would match no log day).
    assert len(logs) == 17, [r["query"] for r in logs]
    allowed = {"Filter", "StartDate", "EndDate", "Severity", "User", "API"}
    for request in logs:
        assert request["query"]["Filter"] == "true"
        assert set(request["query"]) <= allowed, request["query"]
        for key in ("StartDate", "EndDate"):
            if key in request["query"]:
                assert re.fullmatch(r"\d{8}", request["query"][key]), request["query"]
    compact = {k: v.replace("-", "") for k, v in days.items()}
    queries = [r["query"] for r in logs]
    assert queries[0] == {"Filter": "true"}                                      # CIPP's today
    assert queries[1] == {"Filter": "true", "StartDate": compact["day_minus_1"], "EndDate": compact["day_minus_1"]}
    assert queries[4] == {"Filter": "true", "StartDate": compact["day_minus_10"], "EndDate": compact["day_minus_4"]}
    # The range is narrowed by CIPP itself: its answer holds just the two seeded entries.
    ranged = [r for r in logs if r["query"].get("EndDate") == compact["day_minus_4"]]
    assert len(ranged) == 1 and ranged[0]["status"] == 200
    severity = [q for q in queries if "Severity" in q]
    assert [q["Severity"] for q in severity] == ["Error", "Warn,Warning"]
    assert [q["API"] for q in queries if "API" in q] == ["^(EditUser|removeuser)$"]
    assert [q["User"] for q in queries if "User" in q] == ["cipp-gitops-editor", "admin@*"]
    # Domains: ListDomains for the plain reads, Graph's domain objects for details/verified.
    assert len(cipp_requests(emu, "ListDomains")) == 5
    graph = cipp_requests(emu, "ListGraphRequest")
    assert len(graph) == 3 and all(r["query"]["Endpoint"] == "domains" for r in graph)
    assert {r["query"]["tenantFilter"] for r in cipp_requests(emu, "ListDomains") + graph} == {"contoso.com"}
    assert len(cipp_requests(emu, "ListGDAPRoles")) == 5
    assert all(r["query"] == {} for r in cipp_requests(emu, "ListGDAPRoles"))


def test_bad_input_fails_before_any_request(emu, token_cache):
    run = run_playbook(emu, "governance_info_bad_input.yml", "--skip-tags", "tenant", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert run.failed == 0
    assert cipp_requests(emu) == []
    assert emu.control.conformance() == []


def test_unknown_tenant_fails_before_the_read(emu, token_cache):
    run = run_playbook(emu, "governance_info_bad_input.yml", "--tags", "tenant", token_cache=token_cache)
    assert run.rc == 0, run.output
    endpoints = {r["endpoint"] for r in cipp_requests(emu)}
    assert endpoints <= {"GetVersion", "ListTenants"}, endpoints
    assert "ListTenants" in endpoints
    assert emu.control.conformance() == []
