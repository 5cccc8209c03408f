"""Running the collection against the emulator: connection settings from the emulator's
info file, and ``ansible-playbook`` runs whose recap and output tests can inspect."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests import collection_path

REPO_ROOT = collection_path.REPO_ROOT
PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"
ANSIBLE_PLAYBOOK = str(Path(sys.executable).with_name("ansible-playbook"))
RECAP = re.compile(r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                   r"\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)"
                   r"\s+ignored=(?P<ignored>\d+)", re.MULTILINE)


def connection_env(emu, client: str = "editor", token_cache: Path | None = None) -> dict:
    """CIPP_* variables as an AWX credential would inject them, for one emulator client."""
    creds = emu.info["clients"][client]
    env = {
        "CIPP_API_URL": emu.info["api_url"],
        "CIPP_TENANT_ID": emu.info["tenant_id"],
        "CIPP_CLIENT_ID": creds["client_id"],
        "CIPP_AUTHORITY": emu.info["authority"],
        "CIPP_CA_PATH": emu.info["ca_file"],
        "CIPP_TOKEN_CACHE": str(token_cache) if token_cache else "off",
    }
    if creds.get("client_secret"):
        env["CIPP_CLIENT_SECRET"] = creds["client_secret"]
    return env


def connection_options(emu, client: str = "editor", token_cache: Path | None = None, **extra) -> dict:
    """The same settings as ConnectionSettings option values (for Python-level tests)."""
    creds = emu.info["clients"][client]
    values = {
        "api_url": emu.info["api_url"], "tenant_id": emu.info["tenant_id"], "client_id": creds["client_id"],
        "client_secret": creds.get("client_secret"), "authority": emu.info["authority"],
        "ca_path": emu.info["ca_file"], "token_cache": str(token_cache) if token_cache else "off",
    }
    values.update(extra)
    return values


@dataclass
class PlaybookRun:
    rc: int
    output: str
    stats: dict

    @property
    def changed(self) -> int:
        return sum(host["changed"] for host in self.stats.values())

    @property
    def failed(self) -> int:
        return sum(host["failed"] for host in self.stats.values())


def run_playbook(emu, playbook: str, *args: str, env: dict | None = None, client: str = "editor",
                 token_cache: Path | None = None, timeout: int = 600) -> PlaybookRun:
    """Run ``tests/integration/playbooks/<playbook>`` (or a path) against the emulator."""
    path = Path(playbook) if os.path.isabs(playbook) else PLAYBOOKS / playbook
    full_env = dict(os.environ)
    full_env.update(connection_env(emu, client=client, token_cache=token_cache))
    full_env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(collection_path.ensure()),
        "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_HOST_KEY_CHECKING": "0", "ANSIBLE_LOCALHOST_WARNING": "0", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "CIPP_EMULATOR_CONTROL": emu.info["control_url"], "CIPP_EMULATOR_CA": emu.info["ca_file"],
    })
    full_env.update(env or {})
    command = [ANSIBLE_PLAYBOOK, str(path), *args]
    done = subprocess.run(command, env=full_env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout,
                          check=False)
    output = done.stdout + done.stderr
    stats = {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"} for m in RECAP.finditer(output)}
    return PlaybookRun(done.returncode, output, stats)
