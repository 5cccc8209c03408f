"""Runs lookup and inventory plugins through Ansible's own plugin loader, in a fresh process
(the loader must own ``ansible_collections`` from the start, which a pytest process that
imported module_utils directly no longer allows).

``python -m tests.reliability.plugin_probe options`` prints every plugin's documented
options; ``... run`` reads cases as JSON on stdin and prints one outcome per case:
``{"id", "error_type", "message"}`` (error_type null when the plugin returned normally).
"""
from __future__ import annotations

import json
import os
import pkgutil
import sys
import traceback

from tests import collection_path

ROOT = collection_path.REPO_ROOT / "plugins"


def _setup():
    from ansible.plugins.loader import init_plugin_loader

    path = str(collection_path.COLLECTIONS_PATH)
    collection_path.ensure()
    sys.path[:] = [p for p in sys.path if p != path]  # the loader finds the collection itself
    init_plugin_loader([path])


def names(kind: str) -> list[str]:
    return sorted(i.name for i in pkgutil.iter_modules([str(ROOT / kind)]) if not i.name.startswith("_"))


def options() -> dict:
    from ansible import constants as C
    from ansible.plugins.loader import inventory_loader, lookup_loader

    out = {"lookup": {}, "inventory": {}}
    for kind, loader in (("lookup", lookup_loader), ("inventory", inventory_loader)):
        for name in names(kind):
            plugin = loader.get(f"cipp.cipp.{name}")
            defs = C.config.get_configuration_definitions(kind, plugin._load_name) or {}
            out[kind][name] = {k: {"type": str(v.get("type", "str"))} for k, v in defs.items()}
    return out


def run_case(case: dict) -> dict:
    from ansible.errors import AnsibleError
    from ansible.inventory.data import InventoryData
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import inventory_loader, lookup_loader

    outcome = {"id": case["id"], "error_type": None, "message": ""}
    try:
        if case["kind"] == "lookup":
            plugin = lookup_loader.get(f"cipp.cipp.{case['name']}")
            plugin.run(case["terms"], variables={}, **case["kwargs"])
        else:
            plugin = inventory_loader.get(f"cipp.cipp.{case['name']}")
            if not plugin.verify_file(case["source"]):
                raise RuntimeError(f"verify_file refused {case['source']}")
            plugin.parse(InventoryData(), DataLoader(), case["source"], cache=False)
    except AnsibleError as exc:
        outcome.update(error_type="AnsibleError", message=str(exc))
    except Exception:  # noqa: BLE001 - a traceback is what the test looks for
        outcome.update(error_type="traceback", message=traceback.format_exc())
    return outcome


def main() -> None:
    _setup()
    if sys.argv[1] == "options":
        print(json.dumps(options()))
        return
    cases = json.load(sys.stdin)
    env = cases.pop(0)
    os.environ.update(env)
    print(json.dumps([run_case(case) for case in cases]))


if __name__ == "__main__":
    main()
