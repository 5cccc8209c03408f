"""Every plugin's documentation renders with ansible-doc (as users will read it)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests import collection_path

ROOT = collection_path.REPO_ROOT
ANSIBLE_DOC = str(Path(sys.executable).with_name("ansible-doc"))
PLUGINS = [("module", p.stem) for p in sorted((ROOT / "plugins" / "modules").glob("*.py"))] + \
          [("lookup", p.stem) for p in sorted((ROOT / "plugins" / "lookup").glob("*.py"))] + \
          [("inventory", p.stem) for p in sorted((ROOT / "plugins" / "inventory").glob("*.py"))]


@pytest.mark.parametrize("kind,name", PLUGINS)
def test_ansible_doc_renders(kind, name):
    env = {"ANSIBLE_COLLECTIONS_PATH": str(collection_path.ensure()), "PATH": "/usr/bin:/bin", "HOME": str(ROOT / ".tmp")}
    rendered = subprocess.run([ANSIBLE_DOC, "-t", kind, f"cipp.cipp.{name}"], env=env, capture_output=True,
                              text=True, check=False)
    assert rendered.returncode == 0, rendered.stderr
    assert "ERROR" not in rendered.stderr and "WARNING" not in rendered.stderr, rendered.stderr
    as_json = subprocess.run([ANSIBLE_DOC, "-t", kind, "--json", f"cipp.cipp.{name}"], env=env, capture_output=True,
                             text=True, check=True)
    doc = json.loads(as_json.stdout)[f"cipp.cipp.{name}"]
    assert doc["doc"]["short_description"]
    assert doc["examples"].strip()
    if kind == "module":
        assert doc["return"], "modules document their return values"
