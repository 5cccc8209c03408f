"""Bad input for every lookup and inventory plugin, generated from its documented options
(doc fragments included): unknown options, wrong types, empty, 10,000-character and unicode
terms, an unknown tenant, AllTenants, a write without allow_writes. Each must raise an
AnsibleError (what Ansible shows as a clean task or inventory failure) naming the option or
term, never another exception, and send no write. Plugins run in this process through
Ansible's own plugin loader; plugins added later are listed from disk.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from tests import collection_path
from tests.integration.harness import connection_env, connection_options
from tests.reliability.specs import LONG, UNICODE, UNKNOWN_OPTION, UNKNOWN_TENANT

pytestmark = pytest.mark.reliability("Bad input")

PROBE = [sys.executable, "-m", "tests.reliability.plugin_probe"]


def _options() -> dict:
    done = subprocess.run([*PROBE, "options"], cwd=collection_path.REPO_ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout)


OPTIONS = _options()


WRONG = {"int": "not-a-number", "integer": "not-a-number", "bool": "maybe", "boolean": "maybe",
         "dict": "not a dict", "dictionary": "not a dict", "list": {"a": "dict"}, "float": "not-a-number"}
# A term that must be a CIPP endpoint name (so odd strings must be refused, not sent).
FIRST_TERM = {"api": "ListUsers", "power_platform_api": "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments",
              "token": "https://graph.microsoft.com/.default"}


def _lookup_cases():
    for name, options in OPTIONS["lookup"].items():
        yield pytest.param(name, {UNKNOWN_OPTION: "x"}, None, [UNKNOWN_OPTION], id=f"{name}-unknown_option")
        for option, entry in options.items():
            bad = WRONG.get(str(entry.get("type", "str")).lower())
            if bad is not None and not option.startswith("_"):
                yield pytest.param(name, {option: bad}, None, [option], id=f"{name}-wrong_type-{option}")
        for label, term in (("empty", ""), ("10k", LONG), ("unicode", UNICODE)):
            yield pytest.param(name, {}, [term], None, id=f"{name}-{label}-term")
        if "tenant" in options:
            yield pytest.param(name, {"tenant": UNKNOWN_TENANT}, None, ["tenant"], id=f"{name}-unknown_tenant")
        if "allow_writes" in options and name == "api":
            yield pytest.param(name, {}, ["ExecDisableUser"], ["allow_writes"], id=f"{name}-write_without_allow_writes")


LOOKUP_CASES = list(_lookup_cases())


@pytest.fixture(scope="module")
def probe(emulator, tmp_path_factory):
    """Every plugin case in one fresh process; outcomes by case id, and the writes they sent."""
    tmp = tmp_path_factory.mktemp("plugin-bad-input")
    cache = tmp / "cache" / "tokens.json"
    direct = {k: v for k, v in connection_options(emulator, token_cache=cache).items() if v is not None}
    pp_direct = dict(direct, power_platform_url=emulator.info.get("powerplatform_url"))
    cases = []
    for param in LOOKUP_CASES:
        name, kwargs, terms, _named = param.values
        base = pp_direct if name.startswith("power_platform") else direct
        cases.append({"id": param.id, "kind": "lookup", "name": name, "kwargs": dict(base, **kwargs),
                      "terms": terms if terms is not None else [FIRST_TERM.get(name, "ListUsers")]})
    for param in INVENTORY_CASES:
        name, config, _named = param.values
        source = tmp / f"{param.id}.cipp.yml"
        source.write_text(yaml.safe_dump(dict({"plugin": f"cipp.cipp.{name}"}, **config)))
        cases.append({"id": param.id, "kind": "inventory", "name": name, "source": str(source)})
    emulator.control.reset()
    env = connection_env(emulator, token_cache=cache)
    done = subprocess.run([*PROBE, "run"], input=json.dumps([env, *cases]), cwd=collection_path.REPO_ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    outcomes = {o["id"]: o for o in json.loads(done.stdout.strip().splitlines()[-1])}
    return outcomes, emulator.control.writes()


def _judge(outcome: dict, named, what: str) -> None:
    assert outcome["error_type"] != "traceback", outcome["message"]
    if named:
        assert outcome["error_type"] == "AnsibleError", f"{what} was accepted"
    if outcome["error_type"] == "AnsibleError":
        assert "Traceback" not in outcome["message"]
        if named:
            assert any(n in outcome["message"] for n in named), outcome["message"]


@pytest.mark.parametrize(("name", "kwargs", "terms", "named"), LOOKUP_CASES)
def test_lookup_bad_input(probe, request, name, kwargs, terms, named):
    """A lookup given bad input raises AnsibleError naming the option (never a traceback)"""
    outcomes, writes = probe
    _judge(outcomes[request.node.callspec.id], named, f"lookup {name} {kwargs or terms}")
    assert writes == [], writes


def _inventory_cases():
    for name, options in OPTIONS["inventory"].items():
        yield pytest.param(name, {UNKNOWN_OPTION: "x"}, [UNKNOWN_OPTION], id=f"{name}-unknown_option")
        for option, entry in options.items():
            bad = WRONG.get(str(entry.get("type", "str")).lower())
            if bad is not None and option != "plugin":
                yield pytest.param(name, {option: bad}, [option], id=f"{name}-wrong_type-{option}")
        for label, value in (("empty", ""), ("10k", LONG), ("unicode", UNICODE)):
            if "include" in options:
                yield pytest.param(name, {"include": [value]}, None, id=f"{name}-{label}-include")
        if "tenant" in options:
            yield pytest.param(name, {"tenant": UNKNOWN_TENANT}, ["tenant"], id=f"{name}-unknown_tenant")


INVENTORY_CASES = list(_inventory_cases())


@pytest.mark.parametrize(("name", "config", "named"), INVENTORY_CASES)
def test_inventory_bad_input(probe, request, name, config, named):
    """An inventory source with bad input fails with AnsibleError naming the option (never a traceback)"""
    outcomes, writes = probe
    _judge(outcomes[request.node.callspec.id], named, f"inventory {name} {config}")
    assert writes == [], writes
