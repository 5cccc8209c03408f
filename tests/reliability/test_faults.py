"""Fault matrix: reads and writes of the user, group, contact and api modules under every way
Azure's front ends and Entra ID fail, injected by the emulator's fault rules.

Each case ends either in success after bounded retries or in a clear failure; the
emulator's log shows that no write reached CIPP twice (writes are non-idempotent POSTs);
and a rerun without the fault converges with nothing lost (the object exists once, a
second rerun changes nothing). Modules run in this process (tests/reliability/runner.py);
their retry sleeps are recorded instead of slept, so the cases are fast while the
bound on time (real seconds plus the sleeps the module asked for) is still asserted.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from tests.integration.harness import connection_options
from tests.reliability.runner import run_module, virtual_time
from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings

pytestmark = pytest.mark.reliability("Fault matrix")

TENANT = "contoso.com"
RETRIES = 3
CLIENT_TIMEOUT = 1          # seconds: the module's ``timeout`` option in these cases
HOLD_MS = 2500              # how long a ``timeout`` fault holds the request (longer than CLIENT_TIMEOUT)
MAX_CASE_SECONDS = 30.0     # real + requested sleep: retries are bounded, never open-ended


@dataclass(frozen=True)
class Subject:
    module: str
    read_endpoint: str
    write_endpoint: str
    read_args: dict        # a converge that only reads (the object is already as declared)
    write_args: dict       # a converge that writes once (creates, or changes, the object)


SUBJECTS = {
    "user": Subject("user", "ListUsers", "AddUser",
                    {"user_principal_name": "adele.vance@contoso.com", "display_name": "Adele Vance"},
                    {"user_principal_name": "fault.matrix@contoso.com", "display_name": "Fault Matrix"}),
    "group": Subject("group", "ListGraphRequest", "AddGroup",
                     {"display_name": "IT Admins", "group_type": "security"},
                     {"display_name": "Fault Matrix Group", "group_type": "security"}),
    "contact": Subject("contact", "ListContacts", "AddContact",
                       {"email": "sales@fabrikam.com", "display_name": "Fabrikam Sales"},
                       {"email": "fault.matrix@example.org", "display_name": "Fault Matrix Contact"}),
    "api": Subject("api", "ListUsers", "ExecDisableUser",
                   {"endpoint": "ListUsers", "query": "length(@)"},
                   {"endpoint": "ExecDisableUser", "body": {"ID": "adele.vance@contoso.com", "Enable": False},
                    "guard": {"endpoint": "ListUsers", "params": {"UserID": "adele.vance@contoso.com"},
                              "condition": "[0].accountEnabled == `false`"}}),
}

# name -> (how to inject it, outcome for a read, outcome for a write, phrase a failure must contain)
#   "ok": success after bounded retries; "fail": a clear failure. Token faults use special setups.
FAULTS = {
    "429 Retry-After": ({"kind": "status", "status": 429, "retry_after": 1}, "ok", "ok", None),
    "500": ({"kind": "status", "status": 500}, "fail", "fail", "HTTP 500"),
    "502": ({"kind": "status", "status": 502}, "ok", "fail", "HTTP 502"),
    "503": ({"kind": "status", "status": 503}, "ok", "fail", "HTTP 503"),
    "504": ({"kind": "status", "status": 504}, "ok", "fail", "HTTP 504"),
    "502 after the handler ran": ({"kind": "status", "status": 502, "after_handler": True}, "ok", "fail", "HTTP 502"),
    "504 after the handler ran": ({"kind": "status", "status": 504, "after_handler": True}, "ok", "fail", "HTTP 504"),
    "503 persisting": ({"kind": "status", "status": 503, "count": None}, "fail", "fail", "HTTP 503"),
    "timeout": ({"kind": "timeout", "latency_ms": HOLD_MS}, "ok", "fail", "did not answer within the timeout"),
    "dropped connection": ({"kind": "drop"}, "ok", "fail", "connection was dropped"),
    "HTML error page": ({"kind": "html", "status": 502}, "ok", "fail", "HTML error page"),
    "token expiring mid-run": ("token-expired", "ok", "ok", None),
    "token endpoint down briefly": ("token-down-briefly", "ok", "ok", None),
    "token endpoint down": ("token-down", "fail", "fail", "token service"),
}
NOT_REPEATED = "not repeated"  # what a failed write must say: CIPP may have applied it, run again


@pytest.fixture
def sleeps():
    """Retry sleeps and read-back waits of the modules are recorded, not slept."""
    with virtual_time() as clock:
        yield clock


def cipp_log(emu, endpoint=None, since=None):
    return [r for r in emu.control.requests(service="cipp", since=since)
            if endpoint is None or (r.get("endpoint") or "").lower() == endpoint.lower()]


def writes(emu, since=None):
    return [r for r in cipp_log(emu, since=since) if r.get("state_changed")]


def prime_dead_token(emu, token_cache) -> None:
    """Put a token Entra signed already expired (but said lives 3599 s) into the cache."""
    emu.control.set_token_lifetime(3599, expired=True)
    try:
        settings = ConnectionSettings(connection_options(emu, token_cache=token_cache))
        CippClient(settings).tokens.get_token()
    finally:
        emu.control.set_token_lifetime(3599, expired=False)


def inject(emu, token_cache, fault, endpoint: str, op: str) -> None:
    if isinstance(fault, dict):
        emu.control.add_fault(service="cipp", endpoint=endpoint, **fault)
    elif fault == "token-expired":
        if op == "read":
            prime_dead_token(emu, token_cache)  # the first request of the run meets a dead token
        else:
            # The token dies between the read and the write: CIPP's front end rejects the write
            # with 401 before any handler runs.
            emu.control.add_fault(service="cipp", endpoint=endpoint, kind="status", status=401)
    elif fault == "token-down-briefly":
        emu.control.add_fault(service="entra", endpoint="token", kind="status", status=503, count=2)
    elif fault == "token-down":
        if op == "write":
            # A warm token serves the reads; the write is rejected (token revoked) and no new
            # token can be had.
            emu.control.add_fault(service="cipp", endpoint=endpoint, kind="status", status=401)
        emu.control.add_fault(service="entra", endpoint="token", kind="status", status=503, count=None)
    else:  # pragma: no cover - a typo in FAULTS
        raise AssertionError(fault)


CASES = [pytest.param(subject, op, fault, id=f"{op}-{subject}-{fault.replace(' ', '_')}")
         for op in ("read", "write") for subject in SUBJECTS for fault in FAULTS]


@pytest.mark.parametrize(("subject_name", "op", "fault_name"), CASES)
def test_fault(emu, conn, token_cache, sleeps, subject_name, op, fault_name):
    """A read or write under a fault ends in bounded success or a clear failure, writes once, and a rerun converges"""
    subject = SUBJECTS[subject_name]
    fault, read_outcome, write_outcome, phrase = FAULTS[fault_name]
    expected = read_outcome if op == "read" else write_outcome
    endpoint = subject.read_endpoint if op == "read" else subject.write_endpoint
    args = dict(conn, tenant=TENANT, timeout=CLIENT_TIMEOUT, retries=RETRIES,
                **(subject.read_args if op == "read" else subject.write_args))
    if fault not in ("token-expired", "token-down-briefly", "token-down") or op == "write":
        # Warm up: token, CIPP version and tenant list cached, as in any run past its first task.
        assert not run_module("tenant_info", dict(conn, tenant=TENANT)).failed
    start_seq = emu.control.last_seq()
    inject(emu, token_cache, fault, endpoint, op)

    started = time.monotonic()
    run = run_module(subject.module, args)
    elapsed = time.monotonic() - started + sum(sleeps.slept)
    assert run.traceback is None, run.describe()
    assert elapsed < MAX_CASE_SECONDS, (elapsed, sleeps.slept)
    attempts = cipp_log(emu, endpoint, since=start_seq)
    assert len([r for r in attempts if r["status"] != 401]) <= RETRIES + 1, attempts
    if expected == "ok":
        assert not run.failed, run.describe()
    else:
        assert run.failed, run.describe()
        assert phrase and phrase in run.msg, run.describe()
        assert "Traceback" not in run.msg
    if fault_name == "429 Retry-After":
        assert 1.0 in sleeps.slept, sleeps.slept  # Retry-After honoured, not a guess
    if op == "write":
        sent = [r for r in attempts if r["method"] == "POST"]
        applied = [r for r in sent if r.get("state_changed")]
        assert len(applied) <= 1, sent
        if expected == "fail":
            assert len(sent) == 1, sent  # a write that may have reached CIPP is never sent again
            if phrase.startswith("HTTP 50") and phrase != "HTTP 500" or "dropped" in phrase or "timeout" in phrase:
                assert NOT_REPEATED in run.msg, run.msg  # and it says so, and what to do
    else:
        assert writes(emu, since=start_seq) == [], "a read-only converge wrote"

    # The fault is over: the rerun converges, a second rerun changes nothing, nothing doubled.
    emu.control.clear_faults()
    rerun = run_module(subject.module, args)
    assert not rerun.failed, rerun.describe()
    again = run_module(subject.module, args)
    assert not again.failed and not again.changed, again.describe()
    applied = [r for r in cipp_log(emu, subject.write_endpoint, since=start_seq) if r.get("state_changed")]
    assert len(applied) == (1 if op == "write" else 0), applied
    assert emu.control.conformance() == []
