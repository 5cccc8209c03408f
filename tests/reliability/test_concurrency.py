"""Twenty processes sharing one token cache, as Ansible's forks do: one token request for all
of them, whatever state the cache file is in (missing, corrupt, half-written, of the wrong
shape, expired), and never a crash when the cache cannot be used at all.

The processes are forked from this one (fast, and each builds its own client exactly as a
module does); one case runs the real thing, ``ansible-playbook --forks 20``.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import time
import traceback
from pathlib import Path

import pytest

from tests.integration.harness import connection_options, run_playbook
from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings
from ansible_collections.cipp.cipp.plugins.module_utils._tenants import TenantResolver

pytestmark = pytest.mark.reliability("Concurrency")

FORKS = 20


def _child(values: dict, barrier, pipe) -> None:
    try:
        warnings: list = []
        barrier.wait(60)
        client = CippClient(ConnectionSettings(values), warn=warnings.append)
        client.call("ListTenants")
        pipe.send(("ok", client.tokens.token_requests, warnings))
    except BaseException:  # noqa: BLE001 - the parent reports whatever happened
        pipe.send(("crash", traceback.format_exc(), []))
    finally:
        pipe.close()
        os._exit(0)  # a forked pytest must not run pytest's teardown


def run_forks(emu, token_cache: Path, forks: int = FORKS) -> list:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(forks)
    values = connection_options(emu, token_cache=token_cache)
    pipes = [context.Pipe(duplex=False) for _i in range(forks)]
    processes = [context.Process(target=_child, args=(values, barrier, send)) for _recv, send in pipes]
    for process in processes:
        process.start()
    outcomes = []
    for (receive, _send), process in zip(pipes, processes):
        outcomes.append(receive.recv() if receive.poll(90) else ("crash", "no answer within 90 s", []))
        process.join(timeout=30)
    return outcomes


METADATA_KEYS: list = []  # the emulator's metadata key, set by the test (it depends on the URL)


def half_written(cache: Path) -> None:
    cache.write_text('{"' + "a" * 64 + '": {"access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQi')


CACHE_STATES = {
    "missing": lambda cache: None,
    "empty file": lambda cache: cache.write_text(""),
    "corrupt bytes": lambda cache: cache.write_bytes(os.urandom(512)),
    "half-written JSON": half_written,
    "JSON of the wrong shape": lambda cache: cache.write_text(json.dumps([{"access_token": 1}, "x", None])),
    "entries of the wrong shape": lambda cache: cache.write_text(json.dumps({"k": "v", "e": {"expires_on": "soon"}})),
    "only expired tokens": lambda cache: cache.write_text(json.dumps(
        {"0" * 64: {"access_token": "expired", "expires_on": int(time.time()) - 10}})),
    "lock file left behind": lambda cache: Path(str(cache) + ".lock").write_text("stale"),
    "corrupt metadata file": lambda cache: cache.with_name("metadata.json").write_bytes(b"\x00{[" * 50),
    "metadata of the wrong shape": lambda cache: cache.with_name("metadata.json").write_text(json.dumps(
        {key: {"version": {"at": "yesterday", "value": 1}, "tenants": "x"} for key in METADATA_KEYS})),
    "metadata scoped to a list": lambda cache: cache.with_name("metadata.json").write_text(json.dumps(
        {key: ["not", "a", "dict"] for key in METADATA_KEYS})),
}


# Known crashes, with the bug (strict: the fix turns the case into an XPASS failure).
KNOWN_BUGS: dict = {}


def _cases():
    for state in CACHE_STATES:
        marks = [pytest.mark.xfail(reason=KNOWN_BUGS[state], strict=True)] if state in KNOWN_BUGS else []
        yield pytest.param(state, id=state, marks=marks)


@pytest.mark.parametrize("state", list(_cases()))
def test_twenty_processes_make_one_token_request(emu, tmp_path, state):
    """20 processes, one cache file in a given state: one token request, no crash, file 0600"""
    cache = tmp_path / "cache" / "tokens.json"
    cache.parent.mkdir(mode=0o700)
    METADATA_KEYS[:] = [CippClient(ConnectionSettings(connection_options(emu)))._metadata_key]
    CACHE_STATES[state](cache)
    outcomes = run_forks(emu, cache)
    crashes = [o[1] for o in outcomes if o[0] != "ok"]
    assert crashes == [], crashes[0] if crashes else ""
    assert len(emu.control.token_requests()) == 1
    assert sum(o[1] for o in outcomes) == 1
    assert oct(cache.stat().st_mode & 0o777) == oct(0o600)
    assert isinstance(json.loads(cache.read_text()), dict)


def _unusable_dir(tmp_path: Path) -> Path:
    # The suite may run as root, which file modes do not stop: a cache "directory" that is a
    # regular file fails for everyone.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    return blocker / "tokens.json"


def test_unusable_cache_directory_never_crashes(emu, tmp_path, reliability_notes):
    """The cache directory cannot be created or written: every process still works, and says why"""
    outcomes = run_forks(emu, _unusable_dir(tmp_path))
    crashes = [o[1] for o in outcomes if o[0] != "ok"]
    assert crashes == [], crashes[0] if crashes else ""
    assert all(any("continuing without it" in w for w in o[2]) for o in outcomes), outcomes[0][2]
    # Without a shared file there is nothing to coordinate through: one token per process.
    assert len(emu.control.token_requests()) <= FORKS
    reliability_notes("With an unusable cache directory each process warns once and fetches its own token "
                      f"(up to {FORKS} token requests for {FORKS} processes); nothing fails.")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory anyway")
def test_read_only_cache_directory_never_crashes(emu, tmp_path):
    """A read-only cache directory: every process still works"""
    cache = tmp_path / "cache" / "tokens.json"
    cache.parent.mkdir(mode=0o500)
    try:
        outcomes = run_forks(emu, cache)
    finally:
        cache.parent.chmod(0o700)
    assert [o for o in outcomes if o[0] != "ok"] == []


def test_twenty_ansible_forks_with_a_corrupt_cache(emu, tmp_path):
    """ansible-playbook --forks 20 over 20 tenants with a corrupt cache file: one token request"""

    settings = ConnectionSettings(connection_options(emu))
    tenants = [row["defaultDomainName"] for row in TenantResolver(CippClient(settings)).list()][:FORKS]
    inventory = tmp_path / "tenants.ini"
    inventory.write_text("[tenants]\n" + "\n".join(tenants) + "\n")
    cache = tmp_path / "cache" / "tokens.json"
    cache.parent.mkdir(mode=0o700)
    half_written(cache)
    before = len(emu.control.token_requests())
    run = run_playbook(emu, "fanout.yml", "-i", str(inventory), "--forks", str(FORKS), token_cache=cache)
    assert run.rc == 0, run.output[-3000:]
    assert len(run.stats) == len(tenants) and run.failed == 0
    assert len(emu.control.token_requests()) - before == 1
