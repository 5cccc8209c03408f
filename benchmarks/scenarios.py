"""What the benchmark runs: the variants (a, b, c1, c2, d1, d2, f) and the scenarios.

Plain data, importable without an emulator, so tests/unit/test_benchmarks.py can check it.
A variant is either a playbook under benchmarks/playbooks/ or the Python floor script; a
scenario names the emulator fixture, the tenants, the desired state (warm: what is there,
cold: users that do not exist yet) and, for the per-item variants, the two smaller sizes
whose per-item slope extrapolates them to the full size.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLAYBOOKS = HERE / "playbooks"


@dataclass(frozen=True)
class Variant:
    key: str
    title: str
    playbook: str | None       # under benchmarks/playbooks/; None = the Python floor (floor.py)
    per_item: bool             # one task (or module run) per object: measured small, extrapolated
    ours: bool = False


VARIANTS = {v.key: v for v in (
    Variant("a", "cipp.cipp bulk (users/groups items)", "a_bulk.yml", per_item=False, ours=True),
    Variant("b", "cipp.cipp per-object (user/group loop)", "b_loop.yml", per_item=True, ours=True),
    Variant("c1", "uri: one list, compare in memory", "c1_uri_bulk.yml", per_item=False),
    Variant("c2", "uri: one GET per object in a loop", "c2_uri_per_item.yml", per_item=True),
    Variant("d1", "debug loop (no module)", "d1_debug.yml", per_item=True),
    Variant("d2", "ansible.builtin.ping loop", "d2_ping.yml", per_item=True),
    Variant("f", "Python + requests (physical floor)", None, per_item=False),
)}


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    fixture: str
    tenants: tuple            # default domain names; each becomes one inventory host
    state: str                # "warm" (desired = what is there) or "cold" (users to create)
    users: int | None         # users per tenant in the desired state; None = all the tenant has
    groups: int = 0           # groups per tenant in the desired state (warm only)
    forks: int = 5
    # (users, groups) per tenant at which the per-item variants run; () = run them at full size.
    samples: tuple = ()
    variants: tuple = tuple(VARIANTS)
    notes: str = ""
    reset_each_run: bool = field(default=False)


MSP_TENANTS = tuple(f"bench{n:02d}.example" for n in range(1, 21))


def scenarios(quick: bool = False) -> list:
    """The scenarios of a full run, or of ``--quick`` (small sizes, for a smoke check)."""
    cold_users = 3 if quick else 20
    return [
        Scenario("large_warm", "Large tenant (northwind.com, 2,532 users), warm: nothing to change",
                 fixture="default", tenants=("northwind.com",), state="warm", users=None, forks=1,
                 samples=((2, 0), (8, 0)) if quick else ((5, 0), (25, 0))),
        Scenario("large_cold", f"Large tenant, cold: {cold_users} new users created (all variants measured at that size)",
                 fixture="default", tenants=("northwind.com",), state="cold", users=cold_users, forks=1,
                 reset_each_run=True),
        Scenario("msp_warm", ("3" if quick else "20") + " tenants x (50 users + 10 groups), warm, forks 10",
                 fixture="msp20", tenants=MSP_TENANTS[:3] if quick else MSP_TENANTS, state="warm", users=50,
                 groups=10, forks=10, samples=((1, 0), (1, 1)) if quick else ((1, 0), (2, 1))),
    ]


def validate(items: list) -> list:
    """Problems with scenario definitions (empty list = fine)."""
    problems = []
    names = [s.name for s in items]
    if len(set(names)) != len(names):
        problems.append(f"duplicate scenario names: {names}")
    for scenario in items:
        where = f"scenario {scenario.name}"
        if scenario.state not in ("warm", "cold"):
            problems.append(f"{where}: state must be warm or cold")
        if scenario.state == "cold" and (not scenario.users or scenario.groups or scenario.samples):
            problems.append(f"{where}: a cold scenario creates a fixed number of users, no groups, no samples")
        if not scenario.tenants:
            problems.append(f"{where}: no tenants")
        if len(scenario.samples) not in (0, 2):
            problems.append(f"{where}: samples needs two sizes (for a slope) or none")
        elif scenario.samples:
            (u1, g1), (u2, g2) = scenario.samples
            if u1 + g1 >= u2 + g2 or u1 + g1 < 1:
                problems.append(f"{where}: the second sample must hold more objects than the first")
            if scenario.users is not None and u2 > scenario.users or g2 > scenario.groups:
                problems.append(f"{where}: a sample is larger than the scenario")
        for key in scenario.variants:
            variant = VARIANTS.get(key)
            if variant is None:
                problems.append(f"{where}: unknown variant {key}")
            elif variant.playbook and not (PLAYBOOKS / variant.playbook).is_file():
                problems.append(f"{where}: variant {key} playbook {variant.playbook} is missing")
    return problems
