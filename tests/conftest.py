"""pytest fixtures shared by every test suite: the running emulator.

``emulator`` (session scope) starts ``python -m tests.emulator`` once per test session with
its own state directory; ``emu`` (function scope) resets its state, request log and faults
before each test and hands back the same object. ``forward_proxy`` and ``authenticated_proxy``
(function scope) are a running ``tests.emulator.proxy.ForwardProxy``, the second demanding
``PROXY_USER``/``PROXY_PASSWORD``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    # tests.emulator and plugins.module_utils._manifest import from the repository root.
    sys.path.insert(0, str(REPO_ROOT))

from tests.emulator.control_client import EmulatorControl, emulator_session  # noqa: E402
from tests.emulator.proxy import ForwardProxy  # noqa: E402

START_TIMEOUT = 10.0


@dataclass
class EmulatorHandle:
    """A running emulator, as tests see it."""

    info: dict[str, Any]
    control: EmulatorControl
    process: subprocess.Popen
    state_dir: Path
    ca_file: str = field(init=False)
    api_url: str = field(init=False)
    authority: str = field(init=False)
    tenant_id: str = field(init=False)
    clients: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.ca_file = self.info["ca_file"]
        self.api_url = self.info["api_url"]
        self.authority = self.info["authority"]
        self.tenant_id = self.info["tenant_id"]
        self.clients = self.info["clients"]

    def session(self) -> requests.Session:
        """A fresh requests.Session trusting exactly the emulator's CA (trust_env off)."""
        return emulator_session(self.ca_file)

    @property
    def log_file(self) -> Path:
        return Path(self.info["log_file"])


def _start(tmp: Path) -> EmulatorHandle:
    info_file, state_dir = tmp / "info.json", tmp / "state"
    log_path = tmp / "stdio.log"
    with log_path.open("wb") as stdio:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.emulator", "--fixture", "default", "--port", "0",
             "--entra-port", "0", "--info-file", str(info_file), "--state-dir", str(state_dir)],
            cwd=REPO_ROOT, stdout=stdio, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    deadline = time.monotonic() + START_TIMEOUT
    while not info_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"emulator did not start (exit {process.poll()}):\n"
                               f"{log_path.read_text(errors='replace')[-4000:]}")
        time.sleep(0.05)
    info = json.loads(info_file.read_text())
    return EmulatorHandle(info=info, control=EmulatorControl(info), process=process, state_dir=state_dir)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    handle = _start(tmp_path_factory.mktemp("emulator"))
    try:
        yield handle
    finally:
        handle.process.terminate()
        try:
            handle.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            handle.process.kill()
            handle.process.wait(timeout=5)


@pytest.fixture
def emu(emulator: EmulatorHandle) -> EmulatorHandle:
    """The session's emulator, reset to its fixture with an empty log and no faults."""
    emulator.control.reset()
    return emulator


PROXY_USER = "proxyuser"
PROXY_PASSWORD = "p@ss:word!"  # '@', ':' and '!' must be percent-encoded in a proxy URL


@pytest.fixture
def forward_proxy() -> Iterator[ForwardProxy]:
    """A forward proxy on 127.0.0.1 without authentication; ``log`` records what went through."""
    proxy = ForwardProxy().start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def authenticated_proxy() -> Iterator[ForwardProxy]:
    """A forward proxy demanding Basic ``PROXY_USER``/``PROXY_PASSWORD`` (else 407)."""
    proxy = ForwardProxy(PROXY_USER, PROXY_PASSWORD).start()
    try:
        yield proxy
    finally:
        proxy.stop()
