"""Every playbook of the suite (tests/integration/playbooks/*.yml and playbooks/*.yml), run twice
against a freshly reset emulator: once with ``--check --diff -vvvv`` (check mode: the log must
show no write) and once for real with ``--diff -vvvv`` (secrets: no client secret, password,
generated password or bearer token in the output, the diffs, the request log or the token
cache; cache files 0600 in a 0700 directory, holding no secret and no refresh token).

What "no secret" means for the token cache: it may hold access tokens (short-lived, that is
its job); it must never hold a client secret, a certificate or its password, a user's password
or a refresh token, and its file names are fixed (``tokens.json``, ``metadata.json``), never
derived from a credential.

The runs are spread over two emulators (two workers) and done once per module of tests;
the parametrised tests then judge each playbook's runs. A playbook that cannot complete in
check mode (its later tasks assert on state that the check run did not create) still has to
send no write and crash nowhere; docs/reliability.md lists those with the first failed task.
"""
from __future__ import annotations

import json
import os
import queue
import re
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.integration.harness import PLAYBOOKS, REPO_ROOT, run_playbook

WORKERS = int(os.environ.get("CIPP_RELIABILITY_WORKERS", "2"))
INVENTORY = REPO_ROOT / "tests" / "integration" / "inventory" / "all.cipp.yml"
LIMIT = "contoso.com:fabrikam.com"
PLAYBOOK_FILES = sorted(PLAYBOOKS.glob("*.yml")) + sorted((REPO_ROOT / "playbooks").glob("*.yml"))
# Playbooks that need a particular client (the rest run as the editor client).
CLIENTS = {"power_platform.yml": "powerplatform"}
BEARER = (re.compile(r"Bearer\s+ey[A-Za-z0-9_-]{10,}"), re.compile(r"eyJ[A-Za-z0-9_-]{20,}\.eyJ[A-Za-z0-9_-]{10,}"))
# A password the emulator generates (CIPP's New-passwordString: 14 characters of its pool, one of each class).
GENERATED = re.compile(r"(?<![A-Za-z0-9$%&*#])(?=[A-Za-z0-9$%&*#]{0,13}[$%&*#])(?=[A-Za-z0-9$%&*#]{0,13}[0-9])"
                       r"(?=[A-Za-z0-9$%&*#]{0,13}[A-Z])(?=[A-Za-z0-9$%&*#]{0,13}[a-z])[A-Za-z0-9$%&*#]{14}"
                       r"(?![A-Za-z0-9$%&*#])")
PASSWORD_IN_YAML = re.compile(r"(?im)^\s*(?:[\w-]*_)?(?:password|passwd|secret)\s*:\s*[\"']?([^\"'\s{#][^\"'\n#]{5,})[\"']?\s*$")
TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Outcome:
    playbook: str
    mode: str
    rc: int
    output: str
    log: list
    cache_files: dict = field(default_factory=dict)   # name -> (mode, text)
    cache_dir_mode: int | None = None
    failed_task: str | None = None


def playbook_id(path: Path) -> str:
    return path.name if path.parent == PLAYBOOKS else f"playbooks/{path.name}"


def extra_args(path: Path, tmp: Path) -> list[str]:
    plays = yaml.safe_load(path.read_text()) or []
    hosts = {str(p.get("hosts", "localhost")) for p in plays if isinstance(p, dict) and "import_playbook" not in p}
    if hosts <= {"localhost", "127.0.0.1"}:
        return []
    if "tenants" in hosts:  # fanout.yml: a static group of tenant names
        inventory = tmp / "tenants.ini"
        inventory.write_text("[tenants]\ncontoso.com\nfabrikam.com\n")
        return ["-i", str(inventory)]
    # Playbooks that write files (drift_report.yml) write them into the test's temp dir, not the checkout.
    return ["-i", str(INVENTORY), "--limit", LIMIT, "-e", f"cipp_report_dir={tmp / 'report'}"]


def first_failed_task(output: str) -> str | None:
    task = None
    for line in output.splitlines():
        if line.startswith("TASK ["):
            task = line[6:].split("]")[0]
        elif (line.startswith("fatal:") or line.startswith("failed:")) and task:
            return task
    return None


def _run_one(emu, path: Path, mode: str, tmp: Path) -> Outcome:
    emu.control.reset()
    cache = tmp / f"{mode}-{path.stem}" / "cache" / "tokens.json"
    args = ["--diff", "-vvvv"] + (["--check"] if mode == "check" else []) + extra_args(path, tmp)
    env = {"CIPP_POWER_PLATFORM_URL": emu.info.get("powerplatform_url", "")}
    run = run_playbook(emu, str(path), *args, client=CLIENTS.get(path.name, "editor"), token_cache=cache, env=env)
    outcome = Outcome(playbook_id(path), mode, run.rc, run.output, emu.control.requests())
    outcome.failed_task = first_failed_task(run.output) if run.rc else None
    if cache.parent.exists():
        outcome.cache_dir_mode = stat.S_IMODE(cache.parent.stat().st_mode)
        for item in sorted(cache.parent.iterdir()):
            if item.is_file():
                outcome.cache_files[item.name] = (stat.S_IMODE(item.stat().st_mode),
                                                  item.read_text(errors="replace"))
    return outcome


@pytest.fixture(scope="module")
def second_emulator(tmp_path_factory):
    from tests.conftest import _start

    handle = _start(tmp_path_factory.mktemp("emulator-b"))
    try:
        yield handle
    finally:
        handle.process.terminate()
        handle.process.wait(timeout=10)


@pytest.fixture(scope="module")
def outcomes(emulator, second_emulator, tmp_path_factory) -> dict:
    """Every playbook run in check mode and for real, on two emulators in parallel."""
    tmp = tmp_path_factory.mktemp("playbook-runs")
    jobs: queue.Queue = queue.Queue()
    for path in PLAYBOOK_FILES:
        for mode in ("check", "real"):
            jobs.put((path, mode))
    results: dict = {}
    errors: list = []

    def work(emu):
        while True:
            try:
                path, mode = jobs.get_nowait()
            except queue.Empty:
                return
            try:
                results[(playbook_id(path), mode)] = _run_one(emu, path, mode, tmp)
            except Exception as exc:  # noqa: BLE001 - reported by the test of that playbook
                errors.append(exc)
                results[(playbook_id(path), mode)] = exc

    threads = [threading.Thread(target=work, args=(emu,)) for emu in [emulator, second_emulator][:max(1, WORKERS)]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    emulator.control.reset()
    return results


def known_secrets(emu, path: Path) -> list[str]:
    """Client secrets and passwords of the emulator, and passwords written in the playbook."""
    values = {c.get("client_secret") for c in emu.info["clients"].values()}
    values |= {c.get("certificate_password") for c in emu.info["clients"].values()}
    identity = yaml.safe_load((REPO_ROOT / "tests" / "emulator" / "fixtures" / "default" / "identity.yaml").read_text())
    values |= set(PASSWORD_IN_YAML.findall(yaml.safe_dump(identity)))
    values |= set(PASSWORD_IN_YAML.findall(path.read_text()))
    return sorted(v for v in values if isinstance(v, str) and len(v) >= 6 and "{{" not in v)


def leaks(text: str, secrets: list[str]) -> list[str]:
    found = [f"known secret {s[:3]}...({len(s)} chars)" for s in secrets if s in text]
    found += [f"bearer token ({p.pattern[:20]})" for p in BEARER if p.search(text)]
    found += [f"generated password {m[:3]}..." for m in GENERATED.findall(text)]
    return found


@pytest.mark.reliability("Check mode")
@pytest.mark.parametrize("path", PLAYBOOK_FILES, ids=playbook_id)
def test_check_mode_writes_nothing(outcomes, reliability_notes, path):
    """A playbook run with --check sends no write and crashes nowhere"""
    outcome = outcomes[(playbook_id(path), "check")]
    if not path.exists():
        pytest.skip("the playbook was removed during the run")
    if isinstance(outcome, Exception):
        raise outcome
    writes = [(r["service"], r.get("endpoint"), r["method"]) for r in outcome.log if r.get("state_changed")]
    assert writes == [], f"{outcome.playbook} wrote in check mode: {writes}"
    assert TRACEBACK not in outcome.output, outcome.output[-4000:]
    if outcome.rc:
        reliability_notes(f"`{outcome.playbook}` does not complete in check mode (a later step asserts on state a "
                          "real run creates, or on a `uri` read Ansible skips in check mode); first failed task: "
                          f"\"{outcome.failed_task}\". It still wrote nothing.")


@pytest.mark.reliability("Secrets")
@pytest.mark.parametrize("mode", ["check", "real"])
@pytest.mark.parametrize("path", PLAYBOOK_FILES, ids=playbook_id)
def test_no_secret_at_vvvv(outcomes, emulator, path, mode):
    """At -vvvv with --diff: no secret, password or bearer token in output, request log or token cache"""
    outcome = outcomes[(playbook_id(path), mode)]
    if not path.exists():
        pytest.skip("the playbook was removed during the run")
    if isinstance(outcome, Exception):
        raise outcome
    assert TRACEBACK not in outcome.output, outcome.output[-4000:]
    secrets = known_secrets(emulator, path)
    assert leaks(outcome.output, secrets) == [], f"{outcome.playbook} ({mode}) output"
    assert leaks(json.dumps(outcome.log), secrets) == [], f"{outcome.playbook} ({mode}) emulator request log"
    if outcome.cache_dir_mode is not None:
        assert outcome.cache_dir_mode & 0o077 == 0, oct(outcome.cache_dir_mode)
    for name, (mode_bits, text) in outcome.cache_files.items():
        assert mode_bits == 0o600 or name.endswith(".lock") and mode_bits & 0o077 == 0, (name, oct(mode_bits))
        assert name in ("tokens.json", "metadata.json", "tokens.json.lock", "metadata.json.lock"), name
        assert not [s for s in secrets if s in text or s in name], f"a secret in the cache file {name}"
        assert "refresh_token" not in text and "client_secret" not in text, name
        assert not GENERATED.findall(text), name
