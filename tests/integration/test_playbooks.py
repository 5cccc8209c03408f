"""Playbooks over the emulator: the modules and lookups end to end, check mode sending no
write, idempotent reruns, fan-out over 20 tenants with one token request, and no secret in
-vvvv output."""
from __future__ import annotations

import re

import pytest

from tests.integration.harness import REPO_ROOT, connection_options, run_playbook
from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings
from ansible_collections.cipp.cipp.plugins.module_utils._tenants import TenantResolver

SECRET_PATTERNS = (re.compile(r"Bearer\s+ey[A-Za-z0-9_-]{10,}"), re.compile(r"eyJ[A-Za-z0-9_-]{20,}\.eyJ"))


def writes(emu, endpoint=None):
    return [r for r in emu.control.requests(service="cipp", endpoint=endpoint) if r.get("state_changed")]


# An AWX credential of docs/awx/credential_type.yml injects every field, unset ones as "".
AWX_EMPTY_FIELDS = {"CIPP_CERTIFICATE_PATH": "", "CIPP_CERTIFICATE_PASSWORD": "", "CIPP_SCOPE": ""}


def test_core_modules_and_lookups(emu, token_cache):
    run = run_playbook(emu, "core_api.yml", token_cache=token_cache, env=AWX_EMPTY_FIELDS)
    assert run.rc == 0, run.output
    assert run.failed == 0
    # Exactly one real ExecDisableUser reached CIPP: check mode and the guarded rerun sent none.
    assert len(writes(emu, "ExecDisableUser")) == 1
    # The only finding is the EditUser the playbook sends without username on purpose.
    findings = emu.control.conformance()
    assert findings and {(f["endpoint"], f["kind"]) for f in findings} == {("EditUser", "missing_required")}, findings


def test_demo_converges_then_reports_no_change(emu, token_cache):
    first = run_playbook(emu, str(REPO_ROOT / "playbooks" / "demo.yml"), token_cache=token_cache)
    assert first.rc == 0, first.output
    assert first.changed == 3  # the joiner, the group, the leaver
    second = run_playbook(emu, str(REPO_ROOT / "playbooks" / "demo.yml"), token_cache=token_cache)
    assert second.rc == 0 and second.changed == 0, second.output
    assert len(emu.control.token_requests()) == 1  # one token for both runs and all tasks


def test_check_mode_sends_no_write(emu, token_cache):
    run = run_playbook(emu, str(REPO_ROOT / "playbooks" / "demo.yml"), "--check", "--diff", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert run.changed == 3  # the plan: create the joiner and the group, disable the leaver
    assert writes(emu) == []
    assert not [r for r in emu.control.requests(service="cipp") if r["endpoint"] == "ExecDisableUser"]


def test_twenty_tenants_with_twenty_forks_use_one_token(emu, token_cache, tmp_path):
    settings = ConnectionSettings(connection_options(emu))
    tenants = [row["defaultDomainName"] for row in TenantResolver(CippClient(settings)).list()][:20]
    assert len(tenants) == 20
    inventory = tmp_path / "tenants.ini"
    inventory.write_text("[tenants]\n" + "\n".join(tenants) + "\n")
    run = run_playbook(emu, "fanout.yml", "-i", str(inventory), "--forks", "20", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert len(run.stats) == 20 and run.failed == 0
    assert len(emu.control.token_requests()) == 2  # this test's own listing, and one for all 20 forks
    new_secret = emu.control.rotate_secret("editor")
    rerun = run_playbook(emu, "fanout.yml", "-i", str(inventory), "--forks", "20", token_cache=token_cache,
                         env={"CIPP_CLIENT_SECRET": new_secret})
    assert rerun.rc == 0, rerun.output
    assert len(emu.control.token_requests()) == 3  # the rotated secret never reuses the old token


@pytest.mark.parametrize("playbook", ["core_api.yml", str(REPO_ROOT / "playbooks" / "demo.yml"), "user_lifecycle.yml"])
def test_no_secret_at_vvvv(emu, token_cache, playbook):
    run = run_playbook(emu, playbook, "-vvvv", token_cache=token_cache)
    assert run.rc == 0, run.output
    secret = emu.info["clients"]["editor"]["client_secret"]
    assert secret not in run.output
    for pattern in SECRET_PATTERNS:
        assert not pattern.search(run.output), pattern.pattern
    assert "Emu-Initial-Pa55!" not in run.output  # the user module's password
    cache_text = token_cache.read_text()
    assert secret not in cache_text
    assert secret not in token_cache.name and secret not in str(token_cache.parent)


def test_user_lifecycle(emu, token_cache):
    run = run_playbook(emu, "user_lifecycle.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    sent = [r["endpoint"] for r in writes(emu)]
    assert sent == ["AddUser", "EditUser", "ExecDisableUser", "RemoveUser"], sent
    assert emu.control.conformance() == []
    assert "Emu-Initial-Pa55!" not in run.output


def test_group_lifecycle(emu, token_cache):
    run = run_playbook(emu, "group_lifecycle.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    sent = [r["endpoint"] for r in writes(emu)]
    assert sent == ["AddGroup", "EditGroup", "EditGroup", "EditGroup", "ExecGroupsDelete"], sent
    assert emu.control.conformance() == []


def test_identity_info_and_licences(emu, token_cache):
    run = run_playbook(emu, "identity_info.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert [r["endpoint"] for r in writes(emu)] == ["EditUser", "ExecResetPass", "ExecRevokeSessions"]
    assert emu.control.conformance() == []
    reset = emu.control.requests(service="cipp", endpoint="ExecResetPass")
    assert len(reset) == 1  # check mode sent nothing


def test_offboarding_sends_only_needed_steps_once(emu, token_cache):
    run = run_playbook(emu, "offboarding.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    offboard = emu.control.requests(service="cipp", endpoint="ExecOffboardUser")
    assert len(offboard) == 1, offboard
    assert emu.control.conformance() == []


def test_converging_a_user_in_desired_state_reads_once(emu, token_cache):
    first = run_playbook(emu, "converge_one_user.yml", token_cache=token_cache)
    assert first.rc == 0 and first.changed == 0, first.output
    before = emu.control.last_seq()
    second = run_playbook(emu, "converge_one_user.yml", token_cache=token_cache)
    assert second.rc == 0 and second.changed == 0, second.output
    warm = [r for r in emu.control.requests(since=before) if r["service"] in ("cipp", "entra")]
    # Tenants, licence SKUs, CIPP's version and the token all come from the run's cache.
    assert [(r["service"], r["endpoint"]) for r in warm] == [("cipp", "ListUsers")], warm
    assert "graphFilter" in warm[0]["query"]
