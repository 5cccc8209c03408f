"""meta/runtime.yml lists every module in the cipp action group, and only modules."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_action_group_lists_every_module():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    modules = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if not p.name.startswith("_"))
    assert sorted(runtime["action_groups"]["cipp"]) == modules


def test_every_module_declares_the_action_group_attribute():
    for path in (ROOT / "plugins" / "modules").glob("*.py"):
        assert "cipp.cipp.attributes" in path.read_text(), f"{path.name} lacks the attributes fragment"


def test_requirements_match_execution_environment():
    ee = yaml.safe_load((ROOT / "meta" / "execution-environment.yml").read_text())
    assert ee["dependencies"]["python"] == "requirements.txt"
    names = {line.split(">")[0].split("=")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")}
    assert names == {"requests", "msal", "jmespath"}
