"""Where one module process spends its time: cipp.cipp.user next to ansible.builtin.ping.

Starts the emulator, runs one warm cipp.cipp.user task and one ping with
ANSIBLE_KEEP_REMOTE_FILES=1, then runs each kept AnsiballZ payload directly (process wall
time, median of 5) and once under ``python -X importtime``, and prints the slowest imports
(cumulative, microseconds) and the requests one module run sends.

    .venv/bin/python -m benchmarks.profile_module [--module user] [--top 15]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.bench import WORK, Emulator
from tests import collection_path
from tests.integration.harness import connection_env

PLAY = """- name: One task of each
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Module under test
      cipp.cipp.user:
        tenant: northwind.com
        user_principal_name: {upn}
        display_name: {name}
    - name: Ping
      ansible.builtin.ping:
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    work = WORK / "profile"
    keep = work / "keep"
    keep.mkdir(parents=True, exist_ok=True)
    emu = Emulator(work)
    try:
        from benchmarks.bench import Api
        row = sorted(Api(emu).get("ListUsers", tenantFilter="northwind.com"), key=lambda r: r["userPrincipalName"])[0]
        playbook = work / "one.yml"
        playbook.write_text(PLAY.format(upn=row["userPrincipalName"], name=json.dumps(row["displayName"])))
        env = dict(os.environ, **connection_env(emu, token_cache=work / "cache" / "tokens.json"),
                   ANSIBLE_COLLECTIONS_PATH=str(collection_path.ensure()), ANSIBLE_KEEP_REMOTE_FILES="1",
                   ANSIBLE_REMOTE_TMP=str(keep), ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING="0")
        subprocess.run([str(Path(sys.executable).with_name("ansible-playbook")), str(playbook)], env=env, check=True,
                       capture_output=True)
        payloads = {p.name: p for p in sorted(keep.glob("*/AnsiballZ_*.py"), key=lambda p: p.stat().st_mtime)}
        report = {}
        for name, path in payloads.items():
            times = []
            for _run in range(5):
                since = emu.control.last_seq()
                began = time.perf_counter()
                subprocess.run([sys.executable, str(path)], env=env, capture_output=True, check=False)
                times.append(time.perf_counter() - began)
            requests = [f"{e['method']} {e['endpoint']}" for e in emu.control.requests(since=since)]
            trace = subprocess.run([sys.executable, "-X", "importtime", str(path)], env=env, capture_output=True,
                                   text=True, check=False).stderr
            imports = []
            for line in trace.splitlines():
                if line.startswith("import time:") and "|" in line:
                    _self, cumulative, module = line[len("import time:"):].split("|")
                    if cumulative.strip().isdigit():
                        imports.append((int(cumulative), int(_self), module.rstrip()))
            imports.sort(reverse=True)
            report[name] = {"process_seconds_median": round(statistics.median(times), 3), "requests": requests,
                            "slowest_imports_us (cumulative, self, module)": imports[:args.top]}
        for name, data in report.items():
            print(f"{name}: process wall time {data['process_seconds_median']} s (median of 5); "
                  f"requests: {', '.join(data['requests']) or 'none'}")
            for cumulative, own, module in data["slowest_imports_us (cumulative, self, module)"]:
                print(f"  {cumulative / 1000:7.1f} ms cumulative  {own / 1000:6.1f} ms self  {module.strip()}")
        out = Path(__file__).resolve().parent / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "profile.json").write_text(json.dumps(report, indent=1) + "\n")
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
