"""A small client for the emulator's control plane, for tests and benchmarks.

``EmulatorControl(info)`` takes the info-file dict. Every call raises
``EmulatorControlError`` (with the emulator's message) on a non-2xx answer.
"""
from __future__ import annotations

from typing import Any

import requests


class EmulatorControlError(RuntimeError):
    """The control plane refused a call."""


def emulator_session(ca_file: str) -> requests.Session:
    """A Session that trusts exactly the emulator's CA.

    ``trust_env=False`` matters: with REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE set (as on this
    machine), requests would otherwise ignore ``verify`` and fail TLS against the emulator.
    """
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_file
    return session


class EmulatorControl:
    """Typed helpers over ``/_emulator/*``."""

    def __init__(self, info: dict[str, Any], timeout: float = 15.0) -> None:
        self.info = info
        self.base = info["control_url"]
        self.timeout = timeout
        self.session = emulator_session(info["ca_file"])

    # -- plumbing --------------------------------------------------------------------
    def call(self, method: str, name: str, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        response = self.session.request(method, f"{self.base}/{name}", json=json,
                                        params={k: v for k, v in (params or {}).items() if v is not None},
                                        timeout=self.timeout)
        if not response.ok:
            raise EmulatorControlError(f"{method} /_emulator/{name} -> {response.status_code}: {response.text}")
        return response.json()

    # -- state -----------------------------------------------------------------------
    def reset(self, fixture: str | None = None, keep_log: bool = False, keep_faults: bool = False) -> dict:
        """Reload the fixture; clears the request log and the faults unless told to keep them."""
        body: dict[str, Any] = {"keep_log": keep_log, "keep_faults": keep_faults}
        if fixture:
            body["fixture"] = fixture
        return self.call("POST", "reset", body)

    def live_info(self) -> dict[str, Any]:
        return self.call("GET", "info")

    # -- request log -----------------------------------------------------------------
    def requests(self, service: str | None = None, endpoint: str | None = None,
                 since: int | None = None) -> list[dict[str, Any]]:
        return self.call("GET", "requests", params={"service": service, "endpoint": endpoint,
                                                    "since": since})["requests"]

    def last_seq(self) -> int:
        return self.call("GET", "requests", params={"limit": 0})["last_seq"]

    def clear_requests(self) -> None:
        self.call("DELETE", "requests")

    def writes(self, since: int | None = None) -> list[dict[str, Any]]:
        """CIPP requests that changed emulator state."""
        return [e for e in self.requests(service="cipp", since=since) if e.get("state_changed")]

    def token_requests(self, since: int | None = None) -> list[dict[str, Any]]:
        """Entra token POSTs that returned 200."""
        return [e for e in self.requests(service="entra", endpoint="token", since=since)
                if e["method"] == "POST" and e["status"] == 200]

    def conformance(self) -> list[dict[str, Any]]:
        return self.call("GET", "conformance")["findings"]

    # -- faults ----------------------------------------------------------------------
    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """Add one rule (see faults.py for its fields); returns it as stored, with its id."""
        return self.call("POST", "faults", rule)["added"][0]

    def add_faults(self, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.call("POST", "faults", rules)["added"]

    def faults(self) -> list[dict[str, Any]]:
        return self.call("GET", "faults")["faults"]

    def clear_faults(self) -> None:
        self.call("DELETE", "faults")

    # -- identities ------------------------------------------------------------------
    def rotate_secret(self, client: str, revoke_old: bool = False) -> str:
        """Add a new secret to ``client`` (name or app id); return the new secret value."""
        return self.call("POST", "clients", {"action": "rotate_secret", "client": client,
                                             "revoke_old": revoke_old})["client_secret"]

    def add_client(self, name: str, **options: Any) -> dict[str, Any]:
        return self.call("POST", "clients", {"action": "add_client", "name": name, **options})

    def set_token_lifetime(self, seconds: int, expired: bool = False) -> dict[str, Any]:
        """Lifetime of tokens issued from now on; ``expired`` signs them already dead."""
        return self.call("POST", "clients", {"action": "token_lifetime", "seconds": seconds,
                                             "expired": expired})

    def mint_federated_assertion(self, **options: Any) -> str:
        """A fresh assertion from the external issuer (options: client, subject, audience,
        lifetime, claims, write)."""
        return self.call("POST", "federated-assertion", options)["assertion"]
