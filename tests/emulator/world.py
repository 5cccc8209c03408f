"""The emulator's whole mutable world: fixture data, identities, CIPP state, keys, URLs.

One ``World`` lives per emulator process. Services read and change it under ``world.lock``.
``reset()`` rebuilds everything from the fixture, so each test starts from the same state.

A fixture is a folder ``fixtures/<name>/`` with two files:
``identity.yaml`` (read by ``identity.load_identity``: partner tenant, app registrations,
secrets, certificates, users, federated issuers) and ``cipp.yaml`` (read by
``cipp.state.load_cipp_state``: version, API clients, tenants and their objects), plus an
optional ``powerplatform.yaml`` (read by ``powerplatform.load_powerplatform_state``:
environments and management-app registrations per tenant).
"""
from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

import yaml

from .credentials import CredentialStore
from .tokens import TokenSigner

FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_parsed: dict[Path, tuple[int, Any]] = {}


class World:
    def __init__(self, fixture: str = "default") -> None:
        self.lock = threading.RLock()
        self.signer = TokenSigner()
        # Key material for certificate and federated apps; kept across reset() because the
        # files written from it (PEM/PFX, assertion) are what the tests hold.
        self.credentials = CredentialStore()
        self.generation = 0          # bumped by every reset(); lets servers drop per-state caches
        self.fixture_name = fixture
        self.entra_url = ""          # e.g. https://127.0.0.1:PORT  (set by the server)
        self.cipp_url = ""           # e.g. https://127.0.0.1:PORT  (no /api)
        self.powerplatform_url = ""  # set by the server when that front runs
        self.raw_fixture: dict[str, Any] = {}
        self.identity: Any = None    # identity.IdentityDirectory
        self.cipp: Any = None        # cipp.state.CippState
        self.powerplatform: Any = None  # powerplatform.PowerPlatformState
        self.reset(fixture)

    def reset(self, fixture: str | None = None) -> None:
        """Reload the fixture (the same one unless ``fixture`` names another)."""
        # Imported here so world.py stays importable while the services evolve.
        from .identity import load_identity
        from .powerplatform import load_powerplatform_state

        with self.lock:
            name = fixture or self.fixture_name
            folder = FIXTURE_DIR / name
            if not folder.is_dir():
                known = sorted(p.name for p in FIXTURE_DIR.iterdir() if p.is_dir())
                raise ValueError(f"unknown fixture {name!r}; known fixtures: {known}")
            self.fixture_name = name
            self.raw_fixture = {
                part: _parsed_yaml(folder / f"{part}.yaml")
                for part in ("identity", "cipp", "powerplatform")
                if (folder / f"{part}.yaml").exists() or part == "identity"
            }
            self.identity = load_identity(self.raw_fixture["identity"], self.credentials)
            self.cipp = _load_cipp(self.raw_fixture.get("cipp"), self)
            self.powerplatform = load_powerplatform_state(self.raw_fixture.get("powerplatform"))
            self.generation += 1

    @property
    def partner_tenant_id(self) -> str:
        return self.identity.partner_tenant_id


def _load_cipp(data: dict[str, Any] | None, world: World) -> Any:
    """The CIPP side's state, or None while that side (cipp/state.py, cipp.yaml) is absent.

    Only a missing module counts as absent: an import error *inside* the CIPP code is a bug
    and must surface.
    """
    try:
        from .cipp.state import load_cipp_state
    except ModuleNotFoundError as exc:
        if exc.name in (f"{__package__}.cipp", f"{__package__}.cipp.state"):
            return None
        raise
    if data is None:
        raise ValueError(f"fixture {world.fixture_name!r} has no cipp.yaml")
    return load_cipp_state(data, world)


def _parsed_yaml(path: Path) -> Any:
    """A private copy of ``path`` parsed. Every test resets the world, so the parse is
    cached (until the file changes) and only the copy is paid per reset."""
    mtime = path.stat().st_mtime_ns
    cached = _parsed.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, yaml.load(path.read_text(), Loader=_YAML_LOADER) or {})  # noqa: S506 - a safe loader
        _parsed[path] = cached
    return copy.deepcopy(cached[1])
