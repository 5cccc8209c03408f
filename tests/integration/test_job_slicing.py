"""AWX job slicing, reproduced: one converge over N tenant hosts, and the same converge split into
K slices the way AWX splits an inventory (slice k runs hosts k, k+K, k+2K, ... through --limit),
each slice its own ansible-playbook process tree with its own token cache, all running at once.
Both must leave the emulator in the same state; every slice makes one token request; a second
pass of the slices changes nothing.

The connection comes from the environment the AWX credential type (docs/awx/credential_type.yml)
injects, rendered from its injectors, so the plugins read it with no extra glue."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import yaml

from tests import collection_path
from tests.integration.harness import ANSIBLE_PLAYBOOK, RECAP, REPO_ROOT, connection_options
from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient
from ansible_collections.cipp.cipp.plugins.module_utils._directory import group_links
from ansible_collections.cipp.cipp.plugins.module_utils._graph_pages import graph_pages
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings

TENANTS = [f"tenant{n:02d}.example" for n in range(1, 13)]   # N = 12
SLICES = 3                                                    # K = 3
CREDENTIAL_TYPE = REPO_ROOT / "docs" / "awx" / "credential_type.yml"
# The play under test: the collection's converge, from host_vars (cipp_users, cipp_groups).
CONVERGE = REPO_ROOT / "playbooks" / "converge.yml"


def awx_environment(emu) -> dict:
    """The env AWX builds from the credential type's injectors for a credential of the editor client."""
    spec = yaml.safe_load(CREDENTIAL_TYPE.read_text())
    creds = emu.info["clients"]["editor"]
    inputs = {"api_url": emu.info["api_url"], "tenant_id": emu.info["tenant_id"], "client_id": creds["client_id"],
              "client_secret": creds["client_secret"], "authority": emu.info["authority"]}
    env = {name: jinja2.Environment(undefined=jinja2.ChainableUndefined).from_string(template).render(**inputs)
           for name, template in spec["injectors"]["env"].items()}
    env["CIPP_CA_PATH"] = emu.info["ca_file"]  # the emulator's private CA (in AWX: the EE's trust store)
    return env


def write_project(root: Path) -> Path:
    """An inventory source (cipp.cipp.tenants, the small tenants only) with host_vars beside it."""
    inventory = root / "inventory"
    (inventory / "host_vars").mkdir(parents=True)
    (inventory / "slicing.cipp.yml").write_text(yaml.safe_dump({"plugin": "cipp.cipp.tenants", "include": TENANTS}))
    for tenant in TENANTS:
        host_vars = {
            "cipp_users": [{"user_principal_name": f"slice.joiner@{tenant}", "display_name": "Slice Joiner",
                            "department": "Operations", "job_title": "Operator", "usage_location": "US"}],
            "cipp_groups": [{"display_name": "Sliced Team", "group_type": "security", "description": "Job slicing test",
                             "members": [f"slice.joiner@{tenant}"]}],
        }
        (inventory / "host_vars" / f"{tenant}.yml").write_text(yaml.safe_dump(host_vars))
    return inventory / "slicing.cipp.yml"


def playbook() -> str:
    return str(CONVERGE)


def start(emu, inventory: Path, cache_dir: Path, limit: list | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(awx_environment(emu))
    env.update({"CIPP_TOKEN_CACHE": str(cache_dir / "tokens.json"),
                "ANSIBLE_COLLECTIONS_PATH": str(collection_path.ensure()), "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_RETRY_FILES_ENABLED": "0", "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1",
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable})
    args = [ANSIBLE_PLAYBOOK, playbook(), "-i", str(inventory), "--forks", "5"]
    if limit:
        args += ["--limit", ",".join(limit)]
    return subprocess.Popen(args, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process: subprocess.Popen) -> tuple[int, str, dict]:
    output, _unused = process.communicate(timeout=900)
    stats = {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"} for m in RECAP.finditer(output)}
    assert "localhost" not in stats or stats["localhost"]["failed"] == 0, output  # the converge's summary play
    stats.pop("localhost", None)
    return process.returncode, output, stats


def snapshot(emu) -> dict:
    """What the converge manages, per tenant: the joiner's fields and the group's members."""
    cipp = CippClient(ConnectionSettings(connection_options(emu)))
    state = {}
    for tenant in TENANTS:
        query = {"$filter": f"userPrincipalName eq 'slice.joiner@{tenant}'",
                 "$select": "userPrincipalName,displayName,department,jobTitle"}
        users, _pages = graph_pages(cipp, tenant, "users", query)
        groups, _pages = graph_pages(cipp, tenant, "groups", {"$filter": "displayName eq 'Sliced Team'"})
        members = sorted(str(m.get("userPrincipalName")).lower() for g in groups for m in group_links(cipp, tenant, g["id"], "members"))
        state[tenant] = {"users": [{k: u.get(k) for k in ("userPrincipalName", "displayName", "department", "jobTitle")}
                                   for u in users],
                         "groups": [(g.get("displayName"), g.get("securityEnabled"), g.get("description")) for g in groups],
                         "members": members}
    return state


def awx_slices(hosts: list, count: int) -> list:
    """AWX's split: slice k (1-based) gets hosts[k-1::count] of the inventory's host order."""
    return [hosts[k::count] for k in range(count)]


def test_sliced_converge_ends_like_one_run(emu, tmp_path):
    inventory = write_project(tmp_path)

    # One run over all N tenants.
    code, output, stats = finish(start(emu, inventory, tmp_path / "single"))
    assert code == 0, output
    assert sorted(stats) == TENANTS and all(s["changed"] > 0 and s["failed"] == 0 for s in stats.values()), output
    assert len(emu.control.token_requests()) == 1
    one_run = snapshot(emu)
    assert all(entry["members"] == [f"slice.joiner@{tenant}"] for tenant, entry in one_run.items())

    # The same desired state from a fresh emulator, as K concurrent slices.
    emu.control.reset()
    slices = awx_slices(TENANTS, SLICES)
    assert sorted(sum(slices, [])) == TENANTS and all(len(s) == len(TENANTS) // SLICES for s in slices)
    runs = [start(emu, inventory, tmp_path / f"slice{k}", limit=hosts) for k, hosts in enumerate(slices, 1)]
    results = [finish(process) for process in runs]
    for (code, output, stats), hosts in zip(results, slices):
        assert code == 0, output
        assert sorted(stats) == sorted(hosts), output   # a slice runs its own hosts only
        assert all(s["failed"] == 0 and s["changed"] > 0 for s in stats.values()), output
    assert len(emu.control.token_requests()) == SLICES  # one token request per slice (its own cache)
    for k in range(1, SLICES + 1):
        assert (tmp_path / f"slice{k}" / "tokens.json").exists()
    assert snapshot(emu) == one_run

    # Second pass of the slices: nothing to change, and the cached tokens are reused.
    mark = emu.control.last_seq()
    runs = [start(emu, inventory, tmp_path / f"slice{k}", limit=hosts) for k, hosts in enumerate(slices, 1)]
    for code, output, stats in (finish(process) for process in runs):
        assert code == 0, output
        assert all(s["changed"] == 0 and s["failed"] == 0 for s in stats.values()), output
    assert [r for r in emu.control.requests(service="cipp", since=mark) if r.get("state_changed")] == []
    assert emu.control.token_requests(since=mark) == []
    assert emu.control.conformance() == []
