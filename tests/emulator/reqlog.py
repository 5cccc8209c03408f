"""The request log: every request the emulated services saw, for tests to assert on.

Thread-safe, bounded (oldest entries fall off), numbered with a sequence that never
restarts within a process (``clear()`` keeps counting, so ``since=`` stays meaningful).
Secrets never enter it: body and query fields whose names look secret are replaced by
``***``, and any known secret value (client secrets, passwords) is masked wherever it
appears in a logged string.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
from collections import deque
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl

from .http import HttpRequest

MASK = "***"
MAX_ENTRIES = 100_000
MAX_LOGGED_BODY = 1024 * 1024
_SENSITIVE_KEY = re.compile(
    r"pass(word|wd|phrase)|secret|assertion|token|authorization|private_?key|pfx|api_?key", re.I)


class RequestLog:
    """Bounded, sequence-numbered log entries (plain dicts, JSON-ready)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=max_entries)
        self._seq = 0

    def append(self, entry: dict[str, Any]) -> int:
        """Store ``entry`` with the next ``seq`` and a UTC ``ts``; return the seq."""
        with self._lock:
            self._seq += 1
            entry = {"seq": self._seq, "ts": _now_iso(), **entry}
            self._entries.append(entry)
            return self._seq

    def query(self, since: int | None = None, service: str | None = None,
              endpoint: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Entries with seq > ``since``, optionally one service / endpoint (case-insensitive)."""
        with self._lock:
            entries = list(self._entries)
        if since is not None:
            entries = [e for e in entries if e["seq"] > since]
        if service:
            entries = [e for e in entries if e["service"] == service.lower()]
        if endpoint:
            wanted = endpoint.lower()
            entries = [e for e in entries if (e.get("endpoint") or "").lower() == wanted]
        if limit is not None:
            entries = entries[-limit:] if limit > 0 else []
        return entries

    @property
    def last_seq(self) -> int:
        with self._lock:
            return self._seq

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def conformance(self) -> list[dict[str, Any]]:
        """Every conformance finding so far, flattened, each with its request's seq/endpoint."""
        findings = []
        for entry in self.query():
            for finding in entry.get("conformance") or []:
                item = finding if isinstance(finding, dict) else {"message": str(finding)}
                findings.append({"seq": entry["seq"], "service": entry["service"],
                                 "endpoint": entry.get("endpoint"), **item})
        return findings


def logged_body(req: HttpRequest, masker: Callable[[str], str] | None = None) -> Any:
    """The request body as the log keeps it: parsed JSON or form, secrets masked.
    Bodies over MAX_LOGGED_BODY are summarised, not kept (the log lives in memory)."""
    if not req.body:
        return None
    if len(req.body) > MAX_LOGGED_BODY:
        return {"_unparsed": f"{len(req.body)} bytes of {req.content_type or 'unknown type'}, too large to log"}
    text = req.body.decode("utf-8", "replace")
    if req.content_type == "application/x-www-form-urlencoded":
        return mask(dict(parse_qsl(text, keep_blank_values=True)), masker)
    try:
        return mask(json.loads(text), masker)
    except (ValueError, RecursionError):     # RecursionError: absurdly nested JSON
        return {"_unparsed": f"{len(req.body)} bytes of {req.content_type or 'unknown type'}, not JSON"}


def logged_query(req: HttpRequest, masker: Callable[[str], str] | None = None) -> dict[str, Any]:
    return mask(req.query, masker)


def mask(value: Any, masker: Callable[[str], str] | None = None) -> Any:
    """A copy of ``value`` with secret-looking keys replaced by ``***`` (recursively)."""
    masker = masker or (lambda text: text)
    if isinstance(value, dict):
        return {k: (MASK if isinstance(k, str) and _SENSITIVE_KEY.search(k) and v not in (None, "")
                    else mask(v, masker)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(item, masker) for item in value]
    if isinstance(value, str):
        return masker(value)
    return value


def bearer_app_id(req: HttpRequest) -> str | None:
    """The ``appid``/``azp`` claim of the request's bearer token, without verifying it
    (the log wants to know who called even when a fault stopped the request early)."""
    auth = req.headers.get("Authorization") or ""
    if not auth.lower().startswith("bearer "):
        return None
    parts = auth[7:].strip().split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    if not isinstance(claims, dict):
        return None
    return claims.get("appid") or claims.get("azp")


def make_masker(known_secrets: Iterable[str]) -> Callable[[str], str]:
    """A function replacing every occurrence of a known secret value with ``***``."""
    values = sorted({s for s in known_secrets if s}, key=len, reverse=True)
    if not values:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(v) for v in values))
    return lambda text: pattern.sub(MASK, text)


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
