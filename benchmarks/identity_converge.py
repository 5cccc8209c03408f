"""Measure converging users that are already in their desired state (a script, not a test).

Starts the emulator, writes a playbook declaring N existing users of one tenant with
cipp.cipp.user (in a loop), runs it once to warm the run caches, then runs it again and
reports the wall time and the requests the warm run made (reads, writes, token requests).

    python benchmarks/identity_converge.py [--users 50] [--tenant contoso.com]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import collection_path  # noqa: E402  (needs the repo root on sys.path)
from tests.emulator.control_client import EmulatorControl  # noqa: E402
from tests.integration.harness import connection_options, run_playbook  # noqa: E402


class Emulator:
    """The emulator as a subprocess, with the attributes run_playbook needs."""

    def __init__(self, workdir: Path):
        info_file = workdir / "emulator.json"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.emulator", "--fixture", "default", "--port", "0", "--entra-port", "0",
             "--info-file", str(info_file), "--state-dir", str(workdir / "state")], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while not info_file.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit("the emulator did not start")
            time.sleep(0.05)
        self.info = json.loads(info_file.read_text())
        self.control = EmulatorControl(self.info)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def desired_users(emu, tenant: str, count: int) -> list:
    from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient
    from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings

    client = CippClient(ConnectionSettings(connection_options(emu)))
    users = client.call("ListUsers", params={"tenantFilter": tenant}).data
    return [{"upn": u["userPrincipalName"], "display_name": u["displayName"], "job_title": u.get("jobTitle") or "",
             "department": u.get("department") or ""} for u in users[:count]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--tenant", default="contoso.com")
    args = parser.parse_args()
    collection_path.ensure()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        emu = Emulator(workdir)
        try:
            people = desired_users(emu, args.tenant, args.users)
            playbook = workdir / "converge.yml"
            playbook.write_text(yaml.safe_dump([{
                "name": "Converge users", "hosts": "localhost", "connection": "local", "gather_facts": False,
                "vars": {"people": people},
                "tasks": [{"name": "User", "cipp.cipp.user": {
                    "tenant": args.tenant, "upn": "{{ item.upn }}", "display_name": "{{ item.display_name }}",
                    "job_title": "{{ item.job_title }}", "department": "{{ item.department }}"},
                    "loop": "{{ people }}"}]}]))
            cache = workdir / "cache" / "tokens.json"
            run_playbook(emu, str(playbook), token_cache=cache)
            before = emu.control.last_seq()
            started = time.monotonic()
            warm = run_playbook(emu, str(playbook), token_cache=cache)
            elapsed = time.monotonic() - started
            requests = emu.control.requests(since=before)
        finally:
            emu.stop()
    reads = [r for r in requests if r["service"] == "cipp" and not r.get("state_changed")]
    report = {
        "users": len(people), "tenant": args.tenant, "rc": warm.rc, "changed": warm.changed,
        "wall_seconds": round(elapsed, 2), "seconds_per_user": round(elapsed / max(1, len(people)), 3),
        "cipp_reads": len(reads), "cipp_writes": sum(1 for r in requests if r.get("state_changed")),
        "token_requests": sum(1 for r in requests if r["service"] == "entra" and r["path"].endswith("/token")),
        "reads_by_endpoint": {name: sum(1 for r in reads if r["endpoint"] == name) for name in {r["endpoint"] for r in reads}},
    }
    print(json.dumps(report, indent=2))
    return 0 if warm.rc == 0 and report["cipp_writes"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
