"""The bytecode cache of module_utils loaded from a zip, as AnsiballZ ships them: each case runs
a fresh Python process over a real zip (the collection's cache module plus a probe module) and
counts what Python compiles."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "ansible_collections/cipp/cipp/plugins/module_utils"
PROBE = "ansible_collections.cipp.cipp.plugins.module_utils._probe"

# Runs in the child: counts compiles of the probe, imports it, and reports what it saw.
CHILD = r"""
import builtins, json, sys, traceback
zip_path = sys.argv[1]
compiled = []
real_compile = builtins.compile
def counting_compile(source, filename, *args, **kwargs):
    if str(filename).endswith("_probe.py"):
        compiled.append(str(filename))
    return real_compile(source, filename, *args, **kwargs)
builtins.compile = counting_compile
sys.path.insert(0, zip_path)
from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache
from ansible_collections.cipp.cipp.plugins.module_utils import _probe
try:
    _probe.fail()
except ValueError:
    where = traceback.extract_tb(sys.exc_info()[2])[-1].filename
print(json.dumps({"installed": _bytecode_cache.INSTALLED, "value": _probe.VALUE, "compiled": len(compiled),
                  "file": _probe.__file__, "traceback_file": where}))
"""


def build_zip(path: Path, value: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for package in ("ansible_collections", "ansible_collections/cipp", "ansible_collections/cipp/cipp",
                        "ansible_collections/cipp/cipp/plugins", PACKAGE):
            archive.writestr(f"{package}/__init__.py", "")
        for name in ("_bytecode_cache.py", "_cache_dir.py"):
            archive.write(REPO_ROOT / "plugins" / "module_utils" / name, f"{PACKAGE}/{name}")
        archive.writestr(f"{PACKAGE}/_probe.py", f"VALUE = {value}\n\n\ndef fail():\n    raise ValueError('probe')\n")
    return path


def run_child(zip_path: Path, cache_home: Path, **extra_env) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CIPP_BYTECODE_CACHE", "PYTHONPATH")}
    env.update(XDG_CACHE_HOME=str(cache_home), **extra_env)
    done = subprocess.run([sys.executable, "-c", CHILD, str(zip_path)], env=env, capture_output=True, text=True,
                          check=False, cwd=str(zip_path.parent))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def cache_files(cache_home: Path) -> dict:
    directory = cache_home / "cipp.cipp" / "bytecode"
    return {p.name: p.stat() for p in directory.iterdir()} if directory.is_dir() else {}


def test_second_process_runs_cached_bytecode_without_compiling(tmp_path):
    home = tmp_path / "xdg"
    first = run_child(build_zip(tmp_path / "first.zip", 1), home)
    assert first["installed"] is True and first["value"] == 1 and first["compiled"] == 1
    files = cache_files(home)
    assert len(files) == 1, files  # the probe; the cache module and _cache_dir load before the hook
    directory = home / "cipp.cipp" / "bytecode"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(directory.parent.stat().st_mode) == 0o700  # the token cache's directory too
    assert all(stat.S_IMODE(info.st_mode) == 0o600 for info in files.values())
    second = run_child(build_zip(tmp_path / "second.zip", 1), home)
    assert second["value"] == 1 and second["compiled"] == 0
    assert cache_files(home) == files  # a hit rewrites nothing


def test_tracebacks_and_file_name_point_at_this_runs_zip(tmp_path):
    home = tmp_path / "xdg"
    run_child(build_zip(tmp_path / "first.zip", 1), home)
    later = run_child(build_zip(tmp_path / "later.zip", 1), home)
    assert later["compiled"] == 0
    assert later["file"] == str(tmp_path / "later.zip" / PACKAGE / "_probe.py")
    assert later["traceback_file"] == later["file"]


def test_changed_source_never_runs_stale_code(tmp_path):
    home = tmp_path / "xdg"
    run_child(build_zip(tmp_path / "v1.zip", 1), home)
    changed = run_child(build_zip(tmp_path / "v2.zip", 2), home)
    assert changed["value"] == 2 and changed["compiled"] == 1
    assert len(cache_files(home)) == 2


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated"])
def test_corrupt_or_truncated_entry_is_compiled_again_and_replaced(tmp_path, damage):
    home = tmp_path / "xdg"
    run_child(build_zip(tmp_path / "a.zip", 1), home)
    (entry,) = (home / "cipp.cipp" / "bytecode").iterdir()
    intact = entry.read_bytes()
    header = len(b"cipp.cipp bytecode 1\n") + 4 + 32  # magic, Python's magic number, source digest
    entry.write_bytes({"empty": b"", "garbage": b"garbage" * 20, "truncated": intact[:header + 10]}[damage])
    again = run_child(build_zip(tmp_path / "b.zip", 1), home)
    assert again["value"] == 1 and again["compiled"] == 1
    assert entry.read_bytes()[:header] == intact[:header]  # written again, whole
    assert run_child(build_zip(tmp_path / "c.zip", 1), home)["compiled"] == 0


def test_a_miss_removes_entries_older_than_thirty_days_and_stale_temporary_files(tmp_path):
    home = tmp_path / "xdg"
    run_child(build_zip(tmp_path / "a.zip", 1), home)
    directory = home / "cipp.cipp" / "bytecode"
    (current,) = directory.iterdir()
    old_entry, recent_entry = directory / ("0" * 64 + ".cpython-311.bin"), directory / ("1" * 64 + ".cpython-311.bin")
    stale_temporary, other = directory / ".tmp-abandoned", directory / "README"
    for path in (old_entry, recent_entry, stale_temporary, other):
        path.write_bytes(b"x")
    month_and_more, two_hours = time.time() - 31 * 86400, time.time() - 7200
    os.utime(old_entry, (month_and_more, month_and_more))
    os.utime(stale_temporary, (two_hours, two_hours))
    os.utime(other, (month_and_more, month_and_more))
    run_child(build_zip(tmp_path / "b.zip", 1), home)  # a hit: nothing is pruned
    assert old_entry.exists()
    run_child(build_zip(tmp_path / "c.zip", 2), home)  # a miss: the new entry, and the old ones go
    left = {p.name for p in directory.iterdir()}
    assert {current.name, recent_entry.name, other.name} < left and len(left) == 4, left
    assert not old_entry.exists() and not stale_temporary.exists()


def test_directory_others_can_write_is_not_used(tmp_path):
    home = tmp_path / "xdg"
    directory = home / "cipp.cipp" / "bytecode"
    directory.mkdir(parents=True)
    directory.chmod(0o777)
    for name in ("a.zip", "b.zip"):
        result = run_child(build_zip(tmp_path / name, 1), home)
        assert result["value"] == 1 and result["compiled"] == 1
    assert not list(directory.iterdir())


def test_unwritable_cache_home_only_means_compiling(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache home should be")
    result = run_child(build_zip(tmp_path / "a.zip", 1), blocker)
    assert result["value"] == 1 and result["compiled"] == 1


@pytest.mark.parametrize("switch", ["off", "0", "false", "no"])
def test_switched_off_writes_nothing(tmp_path, switch):
    home = tmp_path / "xdg"
    result = run_child(build_zip(tmp_path / "a.zip", 1), home, CIPP_BYTECODE_CACHE=switch)
    assert result["installed"] is False and result["compiled"] >= 1  # zipimport's own compile (twice on 3.11)
    assert not (home / "cipp.cipp").exists()


def test_modules_loaded_from_files_are_left_to_python(tmp_path):
    """Outside a zip (tests, sanity, an installed collection) the hook steps aside."""
    home = tmp_path / "xdg"
    env = dict(os.environ, XDG_CACHE_HOME=str(home), PYTHONPATH=str(REPO_ROOT / ".tmp" / "collections"))
    from tests import collection_path
    collection_path.ensure()
    done = subprocess.run([sys.executable, "-c", (
        "import sys\n"
        "before = list(sys.meta_path)\n"
        "from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache\n"
        "from ansible_collections.cipp.cipp.plugins.module_utils import _errors\n"
        "print(_bytecode_cache.INSTALLED, sys.meta_path == before, type(_errors.__loader__).__name__)")],
        env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "SourceFileLoader"]  # ansible-test's import sanity forbids hooks
    assert not (home / "cipp.cipp" / "bytecode").exists() or not list((home / "cipp.cipp" / "bytecode").iterdir())


def test_every_module_installs_the_cache_before_its_other_collection_imports():
    for module in sorted((REPO_ROOT / "plugins" / "modules").glob("*.py")):
        imports = [line for line in module.read_text().splitlines()
                   if line.startswith("from ansible_collections.cipp.cipp.plugins.module_utils")]
        assert imports and "import _bytecode_cache" in imports[0], module.name
