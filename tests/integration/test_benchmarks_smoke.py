"""The benchmark (benchmarks/, a script, not a test) must not rot: its scenario definitions
are valid, its playbooks are well formed, its arithmetic holds, and a tiny run of three
variants against the session's emulator converges with the request counts it reports."""
from __future__ import annotations

from pathlib import Path

import yaml

from benchmarks import bench, report
from benchmarks.scenarios import PLAYBOOKS, VARIANTS, Scenario, scenarios, validate


def test_scenario_definitions_are_valid():
    for quick in (False, True):
        assert validate(scenarios(quick)) == []
    names = {s.name for s in scenarios()}
    assert names == {"large_warm", "large_cold", "msp_warm"}
    msp = next(s for s in scenarios() if s.name == "msp_warm")
    assert (len(msp.tenants), msp.users, msp.groups, msp.forks) == (20, 50, 10, 10)
    assert validate([Scenario("x", "x", "default", ("a",), "lukewarm", 1, variants=("zz",))]) != []


def test_playbooks_are_well_formed():
    for variant in VARIANTS.values():
        if not variant.playbook:
            continue
        plays = yaml.safe_load((PLAYBOOKS / variant.playbook).read_text())
        for play in plays:
            assert play["name"] and play["gather_facts"] is False
            for task in play["tasks"]:
                assert task["name"][0].isupper(), task
                module = next(k for k in task if "." in k)
                assert module.startswith(("ansible.builtin.", "cipp.cipp.")), module


def test_extrapolation_and_targets():
    def run(seconds, reads, tokens=1, writes=0):
        return {"seconds": seconds, "rc": 0, "requests": reads + tokens + writes, "reads": reads, "writes": writes,
                "state_changes": writes, "token_requests": tokens, "errors": 0, "conformance": 0,
                "by_kind": {"GET ListUsers": reads}}

    per_item = report.combine(VARIANTS["b"], [{"objects": 10, "runs": [run(5.0, 10)] * 3},
                                              {"objects": 50, "runs": [run(25.0, 50)] * 3}], 1010)
    assert per_item["extrapolated"] and per_item["seconds_per_object"] == 0.5
    assert per_item["seconds"]["median"] == 5.0 + 0.5 * 1000 and per_item["reads"] == 1010
    floor = report.combine(VARIANTS["d2"], [{"objects": 10, "runs": [run(2.0, 0, 0)]},
                                            {"objects": 50, "runs": [run(18.0, 0, 0)]}], 1010)
    bulk = report.combine(VARIANTS["a"], [{"objects": 1010, "runs": [run(3.0, 2), run(2.0, 2), run(4.0, 2)]}], 1010)
    assert bulk["seconds"] == {"min": 2.0, "median": 3.0} and not bulk["extrapolated"]
    uri = report.combine(VARIANTS["c1"], [{"objects": 1010, "runs": [run(60.0, 1)]}], 1010)
    variants = {"a": bulk, "b": per_item, "c1": uri, "d2": floor}
    ratios = report.ratios(variants)
    assert ratios["c1/a"] == 20.0 and ratios["b_per_object/d2_per_object"] == 1.25
    results = {"scenarios": {"large_warm": {"title": "t", "state": "warm", "samples": [[10, 0], [50, 0]],
                                            "latency": {"0": {"variants": variants, "ratios": ratios}}}}}
    results["targets"] = report.targets(results)
    assert results["targets"] and all(t["passed"] for t in results["targets"])
    assert "PASS" in report.table(results)


def test_quick_run_of_three_variants(emu, tmp_path: Path):
    """c2 (uri per item), d1 (debug loop) and f (Python floor) on a few contoso users, warm."""
    scenario = Scenario("smoke", "smoke", "default", ("contoso.com",), "warm", users=3, forks=1,
                        samples=((1, 0), (2, 0)), variants=("c2", "d1", "f"))
    assert validate([scenario]) == []
    bench.prepare(emu, scenario, 0)
    desired = bench.desired_state(emu, scenario)
    assert len(desired["contoso.com"]["users"]) == 3
    results = bench.measure_all(emu, scenario, list(scenario.variants), 0, 1, desired, tmp_path, began=0.0)
    for key, result in results.items():
        assert result["ok"], key
        assert result["writes_per_run"] == [0], key
        assert result["conformance"] == 0, key
    assert results["f"]["by_kind"] == {"GET ListUsers": 1, "POST token (entra)": 1}
    assert results["c2"]["token_requests_per_run"] == [1]
    assert results["c2"]["extrapolated"] and results["c2"]["by_kind"]["GET ListUsers"] == 3
    assert results["d1"]["requests"] == 0
