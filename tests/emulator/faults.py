"""Fault injection: make a matching request fail the way Azure's front ends fail.

A rule (``POST /_emulator/faults``)::

    {"service": "cipp" | "entra" | "powerplatform" | "*", "endpoint": "ListUsers" | "token" | "*",
     "method": "GET" (optional), "tenant": "contoso.com" (optional), "kind": "status" | "latency" | "drop" | "html" | "timeout",
     "status": 503, "retry_after": 1, "latency_ms": 50, "count": 1 (null = forever),
     "after": 0, "body": <str or JSON> (optional), "after_handler": false}

Kinds: ``status`` answers ``status`` (429 always carries ``Retry-After``); ``html`` answers an
Azure-style HTML error page; ``drop`` closes the socket without a response; ``timeout``
holds the connection ``latency_ms`` (default 30 s) and then drops it; ``latency`` delays
the request by ``latency_ms`` and then lets the service answer. ``after`` lets that many
matching requests through first; ``count`` is how often the rule fires. With
``after_handler: true`` (kind ``status`` only) the service handles the request - state
changes! - and the front end then replaces its answer: a 502/504 after the write happened. ``tenant``
limits a rule to requests whose ``tenantFilter`` (query string or JSON body, any casing of the
name, a ``{value, label}`` object's value too) equals it, case-insensitively: one failing tenant
of a fan-out.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import uuid
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Any

from .http import HttpResponse

KINDS = ("status", "latency", "drop", "html", "timeout")
SERVICES = ("cipp", "entra", "powerplatform", "*")
DEFAULT_TIMEOUT_MS = 30_000
_ids = itertools.count(1)


@dataclass
class FaultRule:
    kind: str
    service: str = "cipp"
    endpoint: str = "*"
    method: str | None = None
    tenant: str | None = None
    status: int | None = None
    retry_after: int | None = None
    latency_ms: int | None = None
    count: int | None = 1
    after: int = 0
    body: Any = None
    after_handler: bool = False
    id: int = field(default_factory=lambda: next(_ids))
    fired: int = 0
    passed: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FaultRule":
        """Validate a rule as posted; raise ValueError with a message a test author can act on."""
        if not isinstance(data, dict):
            raise ValueError("a fault rule must be a JSON object")
        known = {"kind", "service", "endpoint", "method", "tenant", "status", "retry_after", "latency_ms",
                 "count", "after", "body", "after_handler"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields {sorted(unknown)}; known: {sorted(known)}")
        kind = data.get("kind")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {list(KINDS)}, got {kind!r}")
        service = str(data.get("service", "cipp")).lower()
        if service not in SERVICES:
            raise ValueError(f"service must be one of {list(SERVICES)}, got {service!r}")
        rule = cls(kind=kind, service=service, endpoint=str(data.get("endpoint") or "*"),
                   method=(data.get("method") or None) and str(data["method"]).upper(),
                   tenant=(data.get("tenant") or None) and str(data["tenant"]).lower(),
                   status=_opt_int(data, "status"), retry_after=_opt_int(data, "retry_after"),
                   latency_ms=_opt_int(data, "latency_ms"),
                   count=_opt_int(data, "count") if "count" in data else 1,
                   after=_opt_int(data, "after") or 0, body=data.get("body"),
                   after_handler=bool(data.get("after_handler", False)))
        if rule.after_handler and rule.kind != "status":
            raise ValueError("after_handler is only meaningful for kind 'status'")
        if rule.status is not None and not 100 <= rule.status <= 599:
            raise ValueError(f"status {rule.status} is not an HTTP status")
        if rule.count is not None and rule.count < 1:
            raise ValueError("count must be >= 1 or null (forever)")
        return rule

    def matches(self, service: str, endpoint: str, method: str, tenant: str | None = None) -> bool:
        return ((self.service == "*" or self.service == service)
                and (self.endpoint == "*" or self.endpoint.lower() == (endpoint or "").lower())
                and (self.method is None or self.method == method.upper())
                and (self.tenant is None or self.tenant == (tenant or "").lower()))

    @property
    def exhausted(self) -> bool:
        return self.count is not None and self.fired >= self.count

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["remaining"] = None if self.count is None else max(self.count - self.fired, 0)
        return data

    @property
    def hold_seconds(self) -> float:
        """How long ``latency``/``timeout`` hold the request."""
        default = DEFAULT_TIMEOUT_MS if self.kind == "timeout" else 1000
        return (self.latency_ms if self.latency_ms is not None else default) / 1000


class FaultSet:
    """The active rules; ``take`` decides (atomically) whether a request is faulted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rules: list[FaultRule]) -> None:
        with self._lock:
            self._rules.extend(rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.to_dict() for rule in self._rules]

    def wants_tenant(self) -> bool:
        """Whether a live rule matches on the tenant (only then is the request's tenant looked up)."""
        with self._lock:
            return any(rule.tenant is not None and not rule.exhausted for rule in self._rules)

    def take(self, service: str, endpoint: str, method: str, tenant: str | None = None) -> FaultRule | None:
        """The first live rule that fires for this request (counting ``after`` and ``count``)."""
        with self._lock:
            for rule in self._rules:
                if rule.exhausted or not rule.matches(service, endpoint, method, tenant):
                    continue
                if rule.passed < rule.after:
                    rule.passed += 1
                    continue
                rule.fired += 1
                return rule
        return None


def request_tenant(query: dict[str, str], body: bytes) -> str | None:
    """The ``tenantFilter`` a request names: in the query string, else in a JSON object body."""
    for key, value in query.items():
        if key.lower() == "tenantfilter" and value:
            return value
    if not body or not body.lstrip().startswith(b"{"):
        return None
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for key, value in data.items():
        if key.lower() == "tenantfilter":
            if isinstance(value, dict):
                value = value.get("value")
            return str(value) if value else None
    return None


def fault_response(rule: FaultRule, service: str) -> HttpResponse:
    """The answer a ``status``/``html``/``drop``/``timeout`` rule gives (no handler involved)."""
    if rule.kind in ("drop", "timeout"):
        return HttpResponse(0, drop_connection=True)
    if rule.kind == "html":
        status = rule.status or 502
        response = HttpResponse.html(status, rule.body if isinstance(rule.body, str) else _html_page(status))
    else:
        status = rule.status or 503
        response = _status_response(status, rule.body, service)
    if status == 429 or rule.retry_after is not None:
        response.headers["Retry-After"] = str(rule.retry_after if rule.retry_after is not None else 1)
    return response


def _status_response(status: int, body: Any, service: str) -> HttpResponse:
    if body is not None:
        if isinstance(body, str):
            return HttpResponse.text(status, body)
        return HttpResponse.json(status, body)
    if service == "entra":
        # Entra's own transient-failure shape (msal returns it as a dict for 4xx, and
        # raises MsalServiceError for 5xx without reading it).
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
        return HttpResponse.json(status, {
            "error": "temporarily_unavailable",
            "error_description": f"AADSTS90033: A transient error has occurred. Please try again.\r\n"
                                 f"Trace ID: {trace}\r\nCorrelation ID: {corr}\r\nTimestamp: {now}",
            "error_codes": [90033], "timestamp": now, "trace_id": trace, "correlation_id": corr,
            "error_uri": "https://login.microsoftonline.com/error?code=90033"})
    if service == "powerplatform":
        # The Power Platform API's error shape: {"error": {"code", "message"}}.
        return HttpResponse.json(status, {"error": {"code": _phrase(status).replace(" ", ""),
                                                    "message": f"{status} {_phrase(status)}"}})
    return HttpResponse.text(status, f"{status} {_phrase(status)}")


def _html_page(status: int) -> str:
    """An Azure Front Door / App Service style error page."""
    if status == 502:
        title = "502 - Web server received an invalid response while acting as a gateway or proxy server."
        detail = ("There is a problem with the page you are looking for, and it cannot be displayed. "
                  "When the Web server (while acting as a gateway or proxy) contacted the upstream "
                  "content server, it received an invalid response from the content server.")
    elif status in (503, 504):
        title = "Our services aren't available right now"
        detail = ("We're working to restore all services as soon as possible. Please check back soon.")
    else:
        title, detail = f"{status} - {_phrase(status)}", "The service could not answer this request."
    ref = uuid.uuid4().hex.upper()
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + title + "</title>"
            "<style>body{font-family:Segoe UI,Arial,sans-serif}</style></head><body>"
            f"<h2>{title}</h2><p>{detail}</p><p>Ref A: {ref} Ref B: EMU01EDGE Ref C: "
            f"{dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')}</p></body></html>")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _opt_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{key} must be an integer, got {value!r}")
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{key} must be an integer, got {value!r}") from exc


def parse_rules(payload: Any) -> list[FaultRule]:
    """One rule or a list of rules, as posted."""
    items = payload if isinstance(payload, list) else [payload]
    return [FaultRule.from_dict(item) for item in items]
