"""Turning runs into results: min/median, extrapolation, ratios, targets, the table and the chart."""
from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.scenarios import VARIANTS

COUNTS = ("requests", "reads", "writes", "state_changes", "token_requests", "errors", "conformance")


def meta(quick: bool, reps: int, latencies: list) -> dict:
    try:
        ansible = subprocess.run([str(Path(sys.executable).with_name("ansible")), "--version"], capture_output=True,
                                 text=True, check=False).stdout.splitlines()[0]
    except (OSError, IndexError):
        ansible = "unknown"
    return {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "quick": quick, "reps": reps,
            "latency_ms": latencies, "cpus": os.cpu_count(), "load_average": list(os.getloadavg()),
            "python": platform.python_version(), "ansible": ansible,
            "note": "shared machine: absolute seconds are noisy, ratios from the same run are the point"}


def _stats(values: list) -> dict:
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3)}


def combine(variant, points: list, full: int) -> dict:
    """One variant's result at the full object count, extrapolated from two sizes when measured at two."""
    ok = all(run["rc"] == 0 for point in points for run in point["runs"])
    summaries = [{"objects": p["objects"], "seconds": [r["seconds"] for r in p["runs"]],
                  **{k: p["runs"][-1][k] for k in COUNTS}, "by_kind": p["runs"][-1]["by_kind"]} for p in points]
    result = {"title": variant.title, "ours": variant.ours, "objects": full, "ok": ok, "points": summaries,
              "token_requests_per_run": sorted({r["token_requests"] for p in points for r in p["runs"]}),
              "writes_per_run": sorted({r["writes"] for p in points for r in p["runs"]})}
    if len(points) == 1:
        stats = _stats(summaries[0]["seconds"])
        result.update(extrapolated=False, seconds=stats,
                      seconds_per_object=round(stats["median"] / max(1, full), 4),
                      **{k: summaries[0][k] for k in COUNTS}, by_kind=summaries[0]["by_kind"])
        return result
    first, second = summaries
    span = second["objects"] - first["objects"]
    result.update(extrapolated=True, measured_at=[first["objects"], second["objects"]])
    extrapolate_seconds(result)

    def scale(a, b):
        return round(a + (b - a) / span * (full - first["objects"]))

    kinds = sorted(set(first["by_kind"]) | set(second["by_kind"]))
    result.update(**{k: scale(first[k], second[k]) for k in COUNTS if k != "token_requests"},
                  token_requests=second["token_requests"],
                  by_kind={k: scale(first["by_kind"].get(k, 0), second["by_kind"].get(k, 0)) for k in kinds})
    return result


def extrapolate_seconds(result: dict) -> None:
    """Full-size seconds of a variant measured at two sizes: repetition r at the small size and
    repetition r at the large one (interleaved, so taken under the same load) give one slope and one
    extrapolated time each; min and median are over those. A slope below zero (noise) counts as 0."""
    first, second = result["points"]
    span, full = second["objects"] - first["objects"], result["objects"]
    slopes = [(b - a) / span for a, b in zip(first["seconds"], second["seconds"])]
    times = [a + max(0.0, slope) * (full - first["objects"]) for a, slope in zip(first["seconds"], slopes)]
    result.update(seconds=_stats(times), seconds_per_object=round(max(0.0, statistics.median(slopes)), 4),
                  slope_clamped_to_zero=any(slope < 0 for slope in slopes))


def ratios(variants: dict) -> dict:
    """How many times faster ours is than each alternative (median wall time; > 1 = ours faster)."""
    out = {}
    for ours in ("a", "b"):
        if ours not in variants:
            continue
        for other in ("c1", "c2", "d2", "f"):
            if other in variants and variants[ours]["seconds"]["median"] > 0:
                out[f"{other}/{ours}"] = round(variants[other]["seconds"]["median"] / variants[ours]["seconds"]["median"], 2)
    if "b" in variants and "d2" in variants and variants["d2"]["seconds_per_object"] > 0:
        out["b_per_object/d2_per_object"] = round(variants["b"]["seconds_per_object"] / variants["d2"]["seconds_per_object"], 2)
    return out


def targets(results: dict) -> list:
    found = []
    for name, scenario in results["scenarios"].items():
        for latency, data in scenario["latency"].items():
            variants, where = data["variants"], {"scenario": name, "latency_ms": int(latency)}
            for key in ("a", "b"):
                if key in variants:
                    tokens = variants[key]["token_requests_per_run"]
                    found.append({"target": f"({key}) token requests = 1 per credential per run", **where,
                                  "value": tokens, "passed": tokens == [1]})
                    if scenario["state"] == "warm":
                        writes = variants[key]["writes_per_run"]
                        found.append({"target": f"({key}) warm run writes = 0", **where, "value": writes,
                                      "passed": writes == [0]})
                    if not variants[key]["ok"]:
                        found.append({"target": f"({key}) every run succeeded", **where, "value": False, "passed": False})
            if name == "large_warm" and "a" in variants and "c1" in variants:
                value = data["ratios"].get("c1/a", 0)
                found.append({"target": "(a) warm bulk plan >= 15x faster than (c1)", **where, "value": value,
                              "passed": value >= 15})
            if scenario["samples"] and "b_per_object/d2_per_object" in data["ratios"]:
                value = data["ratios"]["b_per_object/d2_per_object"]
                found.append({"target": "(b) per object <= 1.25x (d2) per object", **where, "value": value,
                              "passed": value <= 1.25})
    return found


def merge(old: dict, new: dict) -> dict:
    """``old`` results with ``new``'s variants added or replaced (ratios recomputed); meta notes both runs."""
    for scenario in old["scenarios"].values():
        for data in scenario["latency"].values():
            for result in data["variants"].values():
                if result.get("extrapolated"):
                    extrapolate_seconds(result)      # results of older runs: the current method
            data["ratios"] = ratios(data["variants"])
    for name, scenario in new["scenarios"].items():
        target = old["scenarios"].setdefault(name, scenario)
        for latency, data in scenario["latency"].items():
            into = target["latency"].setdefault(latency, {"variants": {}, "ratios": {}})
            into["variants"].update(data["variants"])
            ordered = {k: into["variants"][k] for k in VARIANTS if k in into["variants"]}
            into["variants"], into["ratios"] = ordered, ratios(ordered)
    old["meta"].setdefault("merged_runs", []).append(new["meta"])
    return old


def one_line(result: dict) -> str:
    flag = f" (extrapolated from {result['measured_at'][0]} and {result['measured_at'][1]} objects)" if result["extrapolated"] else ""
    return (f"{result['objects']} objects: median {result['seconds']['median']}s min {result['seconds']['min']}s{flag}; "
            f"requests {result['requests']} (reads {result['reads']}, writes {result['writes']}, "
            f"tokens {result['token_requests']}){'' if result['ok'] else '  FAILED RUNS'}")


def table(results: dict) -> str:
    lines = []
    for name, scenario in results["scenarios"].items():
        lines.append(f"\n== {name}: {scenario['title']}")
        for latency, data in scenario["latency"].items():
            lines.append(f"-- injected latency {latency} ms per CIPP request")
            lines.append(f"{'variant':<44} {'objects':>7} {'min s':>8} {'median s':>9} {'s/object':>9} "
                         f"{'requests':>8} {'reads':>6} {'writes':>6} {'tokens':>6}")
            for key, res in data["variants"].items():
                star = "*" if res["extrapolated"] else " "
                lines.append(f"{key + ' ' + res['title']:<44} {res['objects']:>7} {res['seconds']['min']:>7.2f}{star} "
                             f"{res['seconds']['median']:>8.2f}{star} {res['seconds_per_object']:>9.4f} "
                             f"{res['requests']:>8} {res['reads']:>6} {res['writes']:>6} {res['token_requests']:>6}"
                             + ("" if res["ok"] else "  FAILED"))
            for key, res in data["variants"].items():
                if res["ours"]:
                    kinds = ", ".join(f"{k}: {v}" for k, v in res["by_kind"].items())
                    lines.append(f"   requests of {key}: {kinds}")
            if data["ratios"]:
                lines.append("   ratios (other/ours, median; > 1 = ours faster): "
                             + ", ".join(f"{k} = {v}" for k, v in data["ratios"].items()))
        if any(r["extrapolated"] for d in scenario["latency"].values() for r in d["variants"].values()):
            lines.append("   * extrapolated to the full size from the per-object slope between the two measured sizes")
    lines.append("\n== targets")
    for target in results["targets"]:
        lines.append(f"{'PASS' if target['passed'] else 'FAIL'}  {target['target']:<46} {target['scenario']:<11} "
                     f"{target['latency_ms']:>3} ms  value {target['value']}")
    return "\n".join(lines)


def chart(results: dict, path: Path):
    """A PNG: median wall time per variant, per scenario, both latencies; None without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    names = list(results["scenarios"])
    fig, axes = plt.subplots(1, len(names), figsize=(6 * len(names), 5), squeeze=False)
    for axis, name in zip(axes[0], names):
        scenario = results["scenarios"][name]
        latencies = list(scenario["latency"])
        keys = [k for k in VARIANTS if any(k in d["variants"] for d in scenario["latency"].values())]
        width = 0.8 / max(1, len(latencies))
        for index, latency in enumerate(latencies):
            variants = scenario["latency"][latency]["variants"]
            xs = [i + index * width for i, k in enumerate(keys) if k in variants]
            ys = [variants[k]["seconds"]["median"] for k in keys if k in variants]
            bars = axis.bar(xs, ys, width=width, label=f"{latency} ms latency")
            for patch, key in zip(bars, [k for k in keys if k in variants]):
                if variants[key]["extrapolated"]:
                    patch.set_hatch("//")
        axis.set_xticks([i + width * (len(latencies) - 1) / 2 for i in range(len(keys))], keys)
        axis.set_yscale("log")
        axis.set_ylabel("median wall time, s (log; hatched = extrapolated)")
        axis.set_title(name, fontsize=10)
        axis.legend(fontsize=8)
    fig.suptitle("cipp.cipp benchmarks (a = bulk, b = per-object; c1/c2 uri; d1 debug, d2 ping; f Python)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def markdown(results: dict) -> str:
    """The results as Markdown tables (for benchmarks/README.md)."""
    meta_ = results["meta"]
    lines = [f"Run {meta_['date']} ({'quick' if meta_['quick'] else 'full'}, {meta_['reps']} repetitions, "
             f"{meta_['cpus']} CPUs, load average at start {', '.join(str(round(x, 1)) for x in meta_['load_average'])}; "
             f"{meta_['ansible']}; total {meta_.get('total_seconds', '?')} s). {meta_['note']}.", ""]
    for name, scenario in results["scenarios"].items():
        lines += [f"### {name}: {scenario['title']}", "",
                  "| variant | latency | objects | min s | median s | s/object | requests | reads | writes | tokens |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for latency, data in scenario["latency"].items():
            for key, res in data["variants"].items():
                star = "*" if res["extrapolated"] else ""
                lines.append(f"| {key} {res['title']} | {latency} ms | {res['objects']} | {res['seconds']['min']:.2f}{star} | "
                             f"{res['seconds']['median']:.2f}{star} | {res['seconds_per_object']:.4f} | {res['requests']}{star} | "
                             f"{res['reads']}{star} | {res['writes']} | {res['token_requests']} |")
        lines.append("")
        for latency, data in scenario["latency"].items():
            for key, res in data["variants"].items():
                if res["ours"]:
                    lines.append(f"- {key} at {latency} ms, requests: " + ", ".join(f"{k} {v}" for k, v in res["by_kind"].items()))
            if data["ratios"]:
                lines.append(f"- ratios at {latency} ms (other/ours, median; > 1 = ours faster): "
                             + ", ".join(f"{k} = {v}" for k, v in data["ratios"].items()))
        lines.append("")
    lines += ["`*` = extrapolated from the per-object slope between the two measured sizes.", "",
              "| target | scenario | latency | value | result |", "|---|---|---|---|---|"]
    for target in results["targets"]:
        lines.append(f"| {target['target']} | {target['scenario']} | {target['latency_ms']} ms | {target['value']} | "
                     f"{'PASS' if target['passed'] else 'FAIL'} |")
    return "\n".join(lines)
