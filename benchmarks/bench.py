"""Run the scenarios x variants x latencies against the bundled emulator and report.

``python -m benchmarks [--quick] [--reps 3] [--latency-ms 0 50] [--scenarios ...] [--variants ...]``

Per run the emulator's request log (everything after the run's first sequence number) gives
the requests by endpoint, the token requests and the writes. Per-item variants run at two
smaller sizes where a scenario says so and are extrapolated to the full size from the slope.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import report  # noqa: E402
from benchmarks.scenarios import PLAYBOOKS, VARIANTS, scenarios, validate  # noqa: E402
from tests.emulator.control_client import EmulatorControl, emulator_session  # noqa: E402
from tests.integration.harness import connection_env, run_playbook  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
WORK = ROOT / ".tmp" / "benchmarks"
FLOOR = Path(__file__).resolve().parent / "floor.py"


class Emulator:
    """``python -m tests.emulator`` as a subprocess, with what run_playbook needs (info, control)."""

    def __init__(self, workdir: Path):
        info_file = workdir / "emulator.json"
        info_file.unlink(missing_ok=True)
        self.log = (workdir / "emulator-stdio.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.emulator", "--fixture", "default", "--port", "0", "--entra-port", "0",
             "--info-file", str(info_file), "--state-dir", str(workdir / "emulator"), "--log-level", "WARNING"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not info_file.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise SystemExit(f"the emulator did not start; see {workdir / 'emulator-stdio.log'}")
            time.sleep(0.05)
        self.info = json.loads(info_file.read_text())
        self.control = EmulatorControl(self.info, timeout=120)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


class Api:
    """Untimed set-up reads (desired state, warm-up) with the editor client."""

    def __init__(self, emu):
        info, creds = emu.info, emu.info["clients"]["editor"]
        self.http = emulator_session(info["ca_file"])
        self.api = info["api_url"]
        token = self.http.post(f"{info['authority']}/{info['tenant_id']}/oauth2/v2.0/token", timeout=30, data={
            "grant_type": "client_credentials", "client_id": creds["client_id"],
            "client_secret": creds["client_secret"], "scope": creds["scope"]}).json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"

    def get(self, endpoint: str, **params):
        response = self.http.get(f"{self.api}/{endpoint}", params=params, timeout=120)
        response.raise_for_status()
        return response.json()


# ----------------------------------------------------------------------------- desired state
def warm_user(row: dict) -> dict:
    user = {"user_principal_name": row["userPrincipalName"], "display_name": row["displayName"]}
    for option, graph in (("given_name", "givenName"), ("surname", "surname"), ("job_title", "jobTitle"),
                          ("department", "department"), ("usage_location", "usageLocation")):
        if row.get(graph):
            user[option] = row[graph]
    return user


def group_type(row: dict) -> str:
    if "Unified" in (row.get("groupTypes") or []):
        return "m365"
    if row.get("securityEnabled"):
        return "mail_enabled_security" if row.get("mailEnabled") else "security"
    return "distribution"


def desired_state(emu, scenario) -> dict:
    """{tenant: {"users": [...], "groups": [...]}} in cipp.cipp.user / cipp.cipp.group option names."""
    api, state = Api(emu), {}
    for tenant in scenario.tenants:
        if scenario.state == "cold":
            users = [{"user_principal_name": f"bench.new{n:04d}@{tenant}", "display_name": f"Bench New {n:04d}",
                      "given_name": "Bench", "surname": f"New {n:04d}", "job_title": "Analyst",
                      "department": "Benchmark", "usage_location": "US"} for n in range(1, scenario.users + 1)]
            groups = []
        else:
            rows = sorted(api.get("ListUsers", tenantFilter=tenant), key=lambda r: r["userPrincipalName"].lower())
            users = [warm_user(r) for r in rows[:scenario.users] if r.get("displayName")]
            groups = []
            if scenario.groups:
                rows = sorted(api.get("ListGroups", tenantFilter=tenant), key=lambda r: r["displayName"].lower())
                groups = [{"display_name": r["displayName"], "group_type": group_type(r),
                           "description": r.get("description") or ""} for r in rows[:scenario.groups]]
                for group in groups:
                    if not group["description"]:
                        group.pop("description")
        state[tenant] = {"users": users, "groups": groups}
    return state


def write_inventory(path: Path, desired: dict, users: int | None, groups: int | None) -> int:
    """An inventory with one host per tenant (vars bench_tenant, bench_users, bench_groups); returns the object count."""
    hosts, count = {}, 0
    for index, (tenant, objects) in enumerate(desired.items(), start=1):
        chosen_users = objects["users"] if users is None else objects["users"][:users]
        chosen_groups = objects["groups"] if groups is None else objects["groups"][:groups]
        hosts[f"tenant{index:02d}"] = {"bench_tenant": tenant, "bench_users": chosen_users, "bench_groups": chosen_groups}
        count += len(chosen_users) + len(chosen_groups)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"all": {"hosts": hosts, "vars": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}))
    return count


# ----------------------------------------------------------------------------- one run
def summarise(entries: list) -> dict:
    cipp = [e for e in entries if e["service"] == "cipp"]
    tokens = [e for e in entries if e["service"] == "entra" and e.get("endpoint") == "token" and e["method"] == "POST"]
    writes = [e for e in cipp if not str(e.get("endpoint") or "").startswith(("List", "Get"))]
    by_kind = Counter(f"{e['method']} {e.get('endpoint') or e['path']}" for e in cipp)
    if tokens:
        by_kind["POST token (entra)"] = len(tokens)
    return {"requests": len(cipp) + len(tokens), "reads": len(cipp) - len(writes), "writes": len(writes),
            "state_changes": sum(1 for e in cipp if e.get("state_changed")), "token_requests": len(tokens),
            "errors": sum(1 for e in cipp if e["status"] >= 400), "by_kind": dict(sorted(by_kind.items()))}


def run_once(emu, variant, inventory: Path, forks: int, workdir: Path) -> dict:
    cache = workdir / "token-cache" / "tokens.json"
    shutil.rmtree(cache.parent, ignore_errors=True)          # every run starts without a token
    since = emu.control.last_seq()
    started = time.perf_counter()
    if variant.playbook:
        done = run_playbook(emu, str(PLAYBOOKS / variant.playbook), "-i", str(inventory), "-f", str(forks),
                            token_cache=cache, timeout=3600)
        rc, output = done.rc, done.output
    else:
        env = dict(os.environ, **connection_env(emu, token_cache=cache))
        done = subprocess.run([sys.executable, str(FLOOR), str(inventory), "--forks", str(forks)], env=env,
                              capture_output=True, text=True, timeout=3600, check=False, cwd=ROOT)
        rc, output = done.returncode, done.stdout + done.stderr
    seconds = time.perf_counter() - started
    summary = summarise(emu.control.requests(since=since))
    summary["conformance"] = sum(1 for f in emu.control.conformance() if f.get("seq", 0) > since)
    (workdir / f"{variant.key}.log").write_text(output)
    if rc != 0:
        print(f"    !! {variant.key} failed (rc={rc}); last lines:\n" + "\n".join(output.splitlines()[-15:]), flush=True)
    return {"seconds": round(seconds, 3), "rc": rc, **summary}


def prepare(emu, scenario, latency_ms: int) -> None:
    emu.control.reset(fixture=scenario.fixture)
    emu.control.clear_faults()
    if latency_ms:
        emu.control.add_fault(kind="latency", latency_ms=latency_ms, service="cipp", endpoint="*", count=None)


def warm_up(emu, scenario) -> None:
    """Read each tenant once, untimed: the emulator generates large tenants on first use."""
    api = Api(emu)
    for tenant in scenario.tenants:
        api.get("ListUsers", tenantFilter=tenant)


def plan(scenario, variant, desired: dict, workdir: Path) -> list:
    """[(objects, inventory)] a variant runs at: full size, or the scenario's two samples."""
    sizes = list(scenario.samples) if (variant.per_item and scenario.samples) else [(None, None)]
    points = []
    for users, groups in sizes:
        inventory = workdir / f"{variant.key}-{users}-{groups}" / "inventory.json"
        points.append((write_inventory(inventory, desired, users, groups), inventory))
    return points


def measure_all(emu, scenario, keys: list, latency_ms: int, reps: int, desired: dict, workdir: Path, began: float) -> dict:
    """Every variant's runs, repetitions interleaved (rep 1 of every variant, then rep 2, ...)
    so that a change in the machine's load hits all variants alike; then min/median/extrapolation."""
    plans = {key: plan(scenario, VARIANTS[key], desired, workdir) for key in keys}
    runs = {key: [[] for _point in plans[key]] for key in keys}
    for rep in range(reps):
        for key in keys:
            print(f"[{time.perf_counter() - began:6.0f}s] {scenario.name} latency={latency_ms}ms rep {rep + 1}/{reps} "
                  f"{key}: {VARIANTS[key].title}", flush=True)
            for index, (_objects, inventory) in enumerate(plans[key]):
                if scenario.reset_each_run:
                    prepare(emu, scenario, latency_ms)
                    warm_up(emu, scenario)
                runs[key][index].append(run_once(emu, VARIANTS[key], inventory, scenario.forks, inventory.parent))
    full = write_inventory(workdir / "full" / "inventory.json", desired, None, None)
    results = {}
    for key in keys:
        points = [{"objects": objects, "runs": runs[key][index]} for index, (objects, _inv) in enumerate(plans[key])]
        results[key] = report.combine(VARIANTS[key], points, full)
        print(f"         {key}: " + report.one_line(results[key]), flush=True)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and one repetition: a smoke check")
    parser.add_argument("--reps", type=int, help="repetitions per measurement (default 3, --quick 1)")
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[0, 50],
                        help="injected latency per CIPP request, one pass each (default 0 50)")
    parser.add_argument("--scenarios", nargs="+", help="only these scenarios")
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), help="only these variants")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where latest.json/latest.png go")
    parser.add_argument("--markdown", type=Path, metavar="JSON", help="only print the results in JSON as Markdown")
    parser.add_argument("--merge", action="store_true",
                        help="add these measurements to the existing latest.json (e.g. re-measure one variant)")
    args = parser.parse_args(argv)
    if args.markdown:
        print(report.markdown(json.loads(args.markdown.read_text())))
        return 0
    reps = args.reps or (1 if args.quick else 3)
    chosen = [s for s in scenarios(args.quick) if not args.scenarios or s.name in args.scenarios]
    problems = validate(chosen)
    if problems or not chosen:
        print("\n".join(problems or ["no scenario chosen"]), file=sys.stderr)
        return 2
    from tests import collection_path
    collection_path.ensure()
    WORK.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))   # stop the emulator on kill too
    emu = Emulator(WORK)
    results = {"meta": report.meta(args.quick, reps, args.latency_ms), "scenarios": {}}
    began = time.perf_counter()
    try:
        for scenario in chosen:
            entry = results["scenarios"][scenario.name] = {
                "title": scenario.title, "tenants": len(scenario.tenants), "state": scenario.state,
                "forks": scenario.forks, "samples": [list(s) for s in scenario.samples], "latency": {}}
            for latency in args.latency_ms:
                prepare(emu, scenario, latency)
                desired = desired_state(emu, scenario)
                warm_up(emu, scenario)
                keys = [k for k in scenario.variants if not args.variants or k in args.variants]
                variants = measure_all(emu, scenario, keys, latency, reps, desired,
                                       WORK / scenario.name / f"{latency}ms", began)
                entry["latency"][str(latency)] = {"variants": variants, "ratios": report.ratios(variants)}
    finally:
        emu.stop()
    results["meta"]["total_seconds"] = round(time.perf_counter() - began, 1)
    if args.merge and (args.output / "latest.json").is_file():
        results = report.merge(json.loads((args.output / "latest.json").read_text()), results)
    results["targets"] = report.targets(results)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(report.table(results))
    chart = report.chart(results, args.output / "latest.png")
    print(f"\nwritten: {args.output / 'latest.json'}" + (f", {chart}" if chart else " (no chart: matplotlib missing)"))
    return 0 if all(t["passed"] for t in results["targets"]) else 1
