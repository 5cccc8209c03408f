"""Helpers for the CIPP emulator tests: real msal tokens and a thin HTTP client for /api/<Endpoint>.

Tokens come from the running emulator's Entra side through msal, exactly as the collection
gets them (``ConfidentialClientApplication``, ``instance_discovery=False``, a requests session
that trusts only the emulator's CA). They are cached per (client, scope) for the whole test
session: resets do not rotate the signing key.
"""
from __future__ import annotations

from typing import Any

import msal
import requests

from tests.emulator.control_client import emulator_session

EDITOR = "11111111-1111-4111-8111-111111111111"
READONLY = "22222222-2222-4222-8222-222222222222"
ADMIN = "33333333-3333-4333-8333-333333333333"
NOURI = "55555555-5555-4555-8555-555555555555"
UNLISTED = "77777777-7777-4777-8777-777777777777"
BARE_AUDIENCE = "88888888-8888-4888-8888-888888888888"
HELPDESK = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
IP_RESTRICTED = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
DISABLED_UNSAVED = "12121212-1212-4121-8121-121212121212"

CONTOSO = "contoso.com"
CONTOSO_ID = "5a1b2c3d-0000-4000-8000-00000000c001"
ALEX = "alex.wilber@contoso.com"
ALEX_ID = "2b4c1d7e-0001-4a1a-9a1a-00000000c102"
MEGAN_ID = "2b4c1d7e-0001-4a1a-9a1a-00000000c101"
DIEGO = "diego.siciliani@contoso.com"     # on-premises synced
E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"   # Office 365 E3: free seats
E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"   # Microsoft 365 E5: no free seat
GROUP_MARKETING = "9c0f0a01-0001-4b01-8b01-00000000c202"
GROUP_VPN = "9c0f0a01-0001-4b01-8b01-00000000c204"
GROUP_FINANCE_DL = "9c0f0a01-0001-4b01-8b01-00000000c205"

_TOKENS: dict[tuple[str, str, str], str] = {}


def authority(emu: Any) -> str:
    return f"{emu.authority}/{emu.tenant_id}"


def msal_session(emu: Any) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = emu.ca_file
    return session


def client_token(emu: Any, client: str = "editor", scope: str | None = None, secret: str | None = None,
                 client_id: str | None = None, cache: bool = True) -> str:
    """An access token for an info-file client via msal client credentials."""
    info = emu.clients.get(client, {}) if client in emu.clients else {}
    cid = client_id or info["client_id"]
    credential = secret or info["client_secret"]
    scope = scope or f"api://{cid}/.default"
    key = (cid, credential, scope)
    if cache and key in _TOKENS:
        return _TOKENS[key]
    app = msal.ConfidentialClientApplication(cid, client_credential=credential, authority=authority(emu),
                                             instance_discovery=False, http_client=msal_session(emu))
    result = app.acquire_token_for_client(scopes=[scope])
    if "access_token" not in result:
        raise AssertionError(f"no token for {client}: {result}")
    if cache:
        _TOKENS[key] = result["access_token"]
    return result["access_token"]


def runtime_client_token(emu: Any, name: str, app_id: str) -> str:
    """Register ``app_id`` at the emulator's Entra side (control plane) and get a token for it.

    For CIPP API clients the fixture's cipp.yaml lists but identity.yaml does not (custom role,
    IP-restricted, ...). Registrations vanish with the next reset, so this is per test."""
    added = emu.control.add_client(name, client_id=app_id)
    secret = added["client_secret"]
    return client_token(emu, client="", client_id=app_id, secret=secret, cache=False)


class Cipp:
    """``/api/<Endpoint>`` calls with one bearer token."""

    def __init__(self, emu: Any, token: str | None = None, client: str = "editor") -> None:
        self.emu = emu
        self.base = emu.api_url.rstrip("/")
        self.token = token if token is not None else client_token(emu, client)
        self.http = emulator_session(emu.ca_file)

    def url(self, path: str) -> str:
        root = self.base[:-4] if self.base.endswith("/api") else self.base
        return f"{root}{path}"

    def call(self, method: str, endpoint: str, params: dict[str, Any] | None = None, body: Any = None,
             headers: dict[str, str] | None = None, data: bytes | str | None = None, path: str | None = None,
             auth: bool = True) -> requests.Response:
        sent = dict(headers or {})
        if auth and self.token:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        kwargs: dict[str, Any] = {"params": params, "headers": sent, "timeout": 30}
        if body is not None:
            kwargs["json"] = body
        if data is not None:
            kwargs["data"] = data
        return self.http.request(method, self.url(path or f"/api/{endpoint}"), **kwargs)

    def get(self, endpoint: str, **params: Any) -> requests.Response:
        return self.call("GET", endpoint, params=params or None)

    def post(self, endpoint: str, body: Any = None, params: dict[str, Any] | None = None) -> requests.Response:
        return self.call("POST", endpoint, params=params, body=body)


def last_entry(emu: Any, endpoint: str | None = None) -> dict[str, Any]:
    entries = emu.control.requests(service="cipp", endpoint=endpoint)
    assert entries, f"no request logged for {endpoint}"
    return entries[-1]


def kinds(entry: dict[str, Any]) -> list[str]:
    return [f["kind"] for f in entry.get("conformance") or []]


def user(cipp: Cipp, tenant: str, ref: str) -> dict[str, Any]:
    response = cipp.get("ListUsers", tenantFilter=tenant, UserID=ref)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list) and len(body) == 1, body
    return body[0]
