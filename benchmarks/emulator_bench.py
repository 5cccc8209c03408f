"""Benchmark the emulator: start-up time and requests/s over keep-alive connections.

Not a test. Run from the repository root::

    .venv/bin/python benchmarks/emulator_bench.py [--threads 8] [--seconds 5] [--target auto]

Targets: ``auto`` (``ListUsers`` on the largest tenant when the CIPP side answers, else
``/_emulator/info``), ``listusers``, ``listuser`` (one user of the large tenant by Graph filter), ``listtenants`` (a small CIPP answer through the whole
auth path), ``info``, ``discovery`` (Entra GET), ``token`` (Entra client-credentials POST).
Prints one JSON document; ``megabytes_per_second`` shows when a big answer is the limit.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.emulator.control_client import emulator_session  # noqa: E402

LARGE_TENANT = "northwind.com"


def start(tmp: Path) -> tuple[subprocess.Popen, dict[str, Any], float, float]:
    """Start the emulator; return (process, info, seconds to info file, seconds to first answer)."""
    info_file = tmp / "info.json"
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "tests.emulator", "--info-file", str(info_file),
                                "--state-dir", str(tmp / "state"), "--log-level", "WARNING"],
                               cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not info_file.exists():
        if process.poll() is not None or time.perf_counter() - began > 15:
            raise SystemExit(f"emulator did not start (exit {process.poll()})")
        time.sleep(0.01)
    info_at = time.perf_counter() - began
    info = json.loads(info_file.read_text())
    emulator_session(info["ca_file"]).get(f"{info['control_url']}/health", timeout=5).raise_for_status()
    return process, info, info_at, time.perf_counter() - began


def make_target(name: str, info: dict[str, Any]) -> tuple[str, Callable[[Any], Any]]:
    """(label, one-request function taking a Session and returning the Response)."""
    http = emulator_session(info["ca_file"])
    editor = info["clients"]["editor"]
    token_url = f"{info['authority']}/{info['tenant_id']}/oauth2/v2.0/token"
    form = {"client_id": editor["client_id"], "client_secret": editor["client_secret"],
            "grant_type": "client_credentials", "scope": editor["scope"]}
    if name in ("auto", "listusers", "listuser", "listtenants"):
        token = http.post(token_url, data=form, timeout=10).json().get("access_token")
        headers = {"Authorization": f"Bearer {token}"}
        if name == "listtenants":
            url = f"{info['api_url']}/ListTenants"
            return "GET /api/ListTenants", lambda s: s.get(url, headers=headers, timeout=30)
        url = f"{info['api_url']}/ListUsers"
        if name == "listuser":  # one user of the large tenant, as the collection reads it
            params = {"tenantFilter": LARGE_TENANT, "graphFilter": f"userPrincipalName eq 'nancy.davolio@{LARGE_TENANT}'"}
            return (f"GET /api/ListUsers?tenantFilter={LARGE_TENANT}&graphFilter=<one UPN>",
                    lambda s: s.get(url, params=params, headers=headers, timeout=30))
        probe = http.get(url, params={"tenantFilter": LARGE_TENANT}, headers=headers, timeout=30)
        if probe.status_code == 200 or name == "listusers":
            return (f"GET /api/ListUsers?tenantFilter={LARGE_TENANT}",
                    lambda s: s.get(url, params={"tenantFilter": LARGE_TENANT}, headers=headers, timeout=30))
        name = "info"
    if name == "info":
        url = f"{info['control_url']}/info"
        return "GET /_emulator/info", lambda s: s.get(url, timeout=30)
    if name == "discovery":
        url = f"{info['authority']}/{info['tenant_id']}/v2.0/.well-known/openid-configuration"
        return "GET discovery (Entra)", lambda s: s.get(url, timeout=30)
    if name == "token":
        return "POST token (Entra, client credentials)", lambda s: s.post(token_url, data=form, timeout=30)
    raise SystemExit(f"unknown target {name!r}")


def hammer(call: Callable[[Any], Any], ca_file: str, threads: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors, received = [0], [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        session = emulator_session(ca_file)     # one keep-alive connection per thread
        call(session)                           # warm the connection (TLS handshake) untimed
        mine, bad, size = [], 0, 0
        while time.perf_counter() < stop_at:
            began = time.perf_counter()
            try:
                response = call(session)
                status, size = response.status_code, size + len(response.content)
            except OSError:
                status = 0
            mine.append(time.perf_counter() - began)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad
            received[0] += size

    pool = [threading.Thread(target=worker) for _thread in range(threads)]
    began = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2) if ordered else 0.0

    return {"requests": len(latencies), "errors": errors[0], "seconds": round(elapsed, 2),
            "requests_per_second": round(len(latencies) / elapsed, 1),
            "megabytes_per_second": round(received[0] / elapsed / 1e6, 1),
            "latency_ms": {"mean": round(statistics.fmean(latencies) * 1000, 2) if latencies else 0.0,
                           "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--target", default="auto", choices=["auto", "listusers", "listuser", "listtenants", "info", "discovery", "token"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="emu-bench-") as tmp:
        process, info, info_at, ready_at = start(Path(tmp))
        try:
            label, call = make_target(args.target, info)
            result = hammer(call, info["ca_file"], args.threads, args.seconds)
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(json.dumps({"startup_seconds": {"info_file": round(info_at, 3), "first_answer": round(ready_at, 3)},
                      "target": label, "threads": args.threads, "keep_alive": True, **result}, indent=2))


if __name__ == "__main__":
    main()
