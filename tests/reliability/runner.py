"""Run a cipp.cipp module in this process, the way Ansible runs it in a worker: arguments as
``ANSIBLE_MODULE_ARGS`` JSON, the result read from stdout, ``SystemExit`` as the end.

Hundreds of bad-input and fault cases cost milliseconds each this way instead of one
``ansible`` process (about two seconds) each. What Ansible would show as "MODULE FAILURE"
with a traceback is an exception escaping ``main()`` here, reported as ``traceback``.
"""
from __future__ import annotations

import contextlib
import importlib
import io
import json
import pkgutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests import collection_path

collection_path.ensure()

from ansible.module_utils import basic  # noqa: E402  (after the collection is on sys.path)
from ansible.module_utils.common import warnings as ansible_warnings  # noqa: E402

MODULES_DIR = collection_path.REPO_ROOT / "plugins" / "modules"
MODULE_PACKAGE = "ansible_collections.cipp.cipp.plugins.modules"


def module_names() -> list[str]:
    """Every module of the collection, found on disk (so modules added later are covered)."""
    return sorted(info.name for info in pkgutil.iter_modules([str(MODULES_DIR)]) if not info.name.startswith("_"))


def load_module(name: str):
    return importlib.import_module(f"{MODULE_PACKAGE}.{name}")


def argument_spec(name: str) -> dict[str, Any]:
    """The module's own options (connection and tenant options are added by CippModule)."""
    return dict(getattr(load_module(name), "ARGUMENT_SPEC", {}) or {})


@dataclass
class ModuleRun:
    name: str
    args: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)
    exit_code: int | None = None
    traceback: str | None = None
    stdout: str = ""
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.traceback) or bool(self.result.get("failed")) or self.exit_code not in (0, None)

    @property
    def changed(self) -> bool:
        return bool(self.result.get("changed"))

    @property
    def msg(self) -> str:
        return str(self.result.get("msg") or "")

    def describe(self) -> str:
        return (f"{self.name} {json.dumps(_short(self.args))[:600]} -> exit {self.exit_code} "
                f"{json.dumps(self.result, default=str)[:1500]}" + (f"\n{self.traceback}" if self.traceback else ""))


def run_module(name: str, args: dict[str, Any], *, check: bool = False, diff: bool = False) -> ModuleRun:
    """Run module ``name`` with ``args`` (connection options included) once."""
    module = load_module(name)
    payload = dict(args, _ansible_check_mode=check, _ansible_diff=diff, _ansible_verbosity=0,
                   _ansible_no_log=False, _ansible_debug=False, _ansible_keep_remote_files=False,
                   _ansible_remote_tmp="/tmp", _ansible_tmpdir=None)
    basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": payload}).encode()
    basic._ANSIBLE_PROFILE = "legacy"
    ansible_warnings._global_warnings.clear()
    ansible_warnings._global_deprecations.clear()
    run = ModuleRun(name, args)
    out = io.StringIO()
    started = time.monotonic()
    try:
        with contextlib.redirect_stdout(out):
            module.main()
    except SystemExit as exc:
        run.exit_code = exc.code if isinstance(exc.code, int) else 1
    except Exception:  # noqa: BLE001 - what Ansible would print as MODULE FAILURE
        run.traceback = traceback.format_exc()
    finally:
        basic._ANSIBLE_ARGS = None
        run.seconds = time.monotonic() - started
    run.stdout = out.getvalue()
    text = run.stdout.strip()
    if text:
        try:
            run.result = json.loads(text.splitlines()[-1])
        except ValueError:
            run.traceback = run.traceback or f"module printed something that is not a result:\n{text[-2000:]}"
    elif run.traceback is None:
        run.traceback = f"module exited ({run.exit_code}) without a result"
    return run


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 60:
        return f"{value[:20]}...<{len(value)} chars>"
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_short(v) for v in value[:5]]
    return value


class VirtualClock:
    """Stands in for the ``time`` module inside the collection's module_utils: ``sleep`` is
    recorded and advances a virtual offset that ``monotonic``/``time`` include, so retry
    back-offs and read-back deadlines play out at once while their length is still known."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.offset = 0.0

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.offset += max(0.0, seconds)

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def time(self) -> float:
        return time.time() + self.offset

    def __getattr__(self, name):
        return getattr(time, name)


@contextlib.contextmanager
def virtual_time():
    """Every ``time`` that a loaded cipp.cipp module_utils module uses is a VirtualClock
    while the block runs (the file lock of _cache keeps real time: it waits on other processes)."""
    import sys

    for info in pkgutil.iter_modules([str(collection_path.REPO_ROOT / "plugins" / "module_utils")]):
        importlib.import_module(f"ansible_collections.cipp.cipp.plugins.module_utils.{info.name}")
    clock = VirtualClock()
    prefix = "ansible_collections.cipp.cipp.plugins."
    patched = []
    for name, mod in list(sys.modules.items()):
        if name.startswith(prefix) and not name.endswith("._cache") and getattr(mod, "time", None) is time:
            patched.append(mod)
            mod.time = clock
    try:
        yield clock
    finally:
        for mod in patched:
            mod.time = time


def repo_path(*parts: str) -> Path:
    return collection_path.REPO_ROOT.joinpath(*parts)
