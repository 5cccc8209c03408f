"""Transport-neutral request/response types shared by every emulated service."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


class CaseInsensitiveDict(dict):
    """A dict whose ``get``/``in`` ignore key case (HTTP headers, PowerShell property access)."""

    def __init__(self, data: dict | None = None):
        super().__init__()
        self._keys: dict[str, str] = {}
        for key, value in (data or {}).items():
            self[key] = value

    def __setitem__(self, key, value):
        lowered = key.lower()
        if lowered in self._keys and self._keys[lowered] != key:
            super().__delitem__(self._keys[lowered])
        self._keys[lowered] = key
        super().__setitem__(key, value)

    def __getitem__(self, key):
        return super().__getitem__(self._keys[key.lower()])

    def __contains__(self, key):
        return isinstance(key, str) and key.lower() in self._keys

    def __delitem__(self, key):
        real = self._keys.pop(key.lower())
        super().__delitem__(real)

    def get(self, key, default=None):
        if key in self:
            return self[key]
        return default

    def real_key(self, key: str) -> str | None:
        """The key as it was sent, for a case-insensitive name."""
        return self._keys.get(key.lower())


@dataclass
class HttpRequest:
    """One HTTP request as the emulator's services see it."""

    method: str
    path: str                      # path only, percent-decoded, no query string
    raw_query: str
    headers: CaseInsensitiveDict
    body: bytes
    client_ip: str = "127.0.0.1"
    client_port: int = 0           # with client_ip: which TCP connection carried the request
    service: str = ""              # "entra", "cipp", "powerplatform" or "control"; set by the server

    @property
    def query(self) -> dict[str, str]:
        """Query parameters, last value wins, names as sent."""
        return dict(parse_qsl(self.raw_query, keep_blank_values=True))

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def form(self) -> dict[str, str]:
        """The body parsed as application/x-www-form-urlencoded (token requests)."""
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))


@dataclass
class HttpResponse:
    """One HTTP response, plus the annotations the request log records."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Annotations for the request log (never sent on the wire):
    endpoint: str | None = None          # canonical CIPP endpoint name, when routed
    client_id: str | None = None         # app id of the caller, when known
    state_changed: bool = False          # True when the request changed emulator state
    conformance: list[dict[str, Any]] = field(default_factory=list)  # see cipp/framework.py
    note: str | None = None              # free text for the log (e.g. which AADSTS code)
    drop_connection: bool = False        # close the socket without answering (fault injection)
    log_extra: dict[str, Any] = field(default_factory=dict)  # more request-log fields (grant, scope, aadsts)

    @classmethod
    def json(cls, status: int, data: Any, **kwargs) -> "HttpResponse":
        body = json.dumps(data, separators=(",", ":")).encode()
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8"}, **kwargs)

    @classmethod
    def text(cls, status: int, text: str, **kwargs) -> "HttpResponse":
        return cls(status, text.encode(), {"Content-Type": "text/plain; charset=utf-8"}, **kwargs)

    @classmethod
    def html(cls, status: int, html: str, **kwargs) -> "HttpResponse":
        return cls(status, html.encode(), {"Content-Type": "text/html; charset=utf-8"}, **kwargs)
