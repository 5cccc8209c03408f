"""Handler registry, per-request context and response helpers for the CIPP emulator.

A handler is a function ``(ctx: Ctx) -> HttpResponse`` registered for one canonical endpoint
name with ``@handler("ListUsers", ...)``. It runs after routing, Easy Auth and RBAC, with
``world.lock`` held. It reads the request through ``ctx`` exactly the way its
``Invoke-<Name>.ps1`` reads ``$Request`` (``ctx.q`` = ``$Request.Query.x``, ``ctx.b`` =
``$Request.Body.x``, ``ctx.qb`` = ``Query.x ?? Body.x``), marks ``ctx.changed()`` when it
really changed state, and adds conformance findings for field-specific quirks with
``ctx.flag``. Exceptions:

* ``Escape(message)``  - an exception the handler does not catch: New-CippCoreRequest answers
  500 with the message as text/plain.
* ``psvalue.ConvertError`` - the same, raised by ``to_boolean``.
* ``HostCrash``        - the function itself fails (the Functions host answers a bare 500).

Conformance findings are dicts ``{"kind", "field", "message"}`` (plus ``fix`` when useful);
the kinds beyond the manifest's are listed in ``EMULATOR_KINDS``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from ..http import CaseInsensitiveDict, HttpRequest, HttpResponse
from . import psvalue

# Conformance kinds the emulator adds on top of plugins.module_utils._manifest's.
EMULATOR_KINDS = {
    "unimplemented": "a real CIPP endpoint this emulator does not implement (answered 501)",
    "body_ignored": "a body sent with a Content-Type other than application/json: the backend never parses it",
    "body_not_json": "a body that is not a JSON object or array: the backend sees a raw string",
    "malformed_json": "a JSON body that does not parse: the backend sees a raw string, every field is $null",
    "duplicate_key": "a JSON body with a repeated key: the worker drops the whole body",
    "duplicate_key_case": "a JSON body with keys differing only in case: the function crashes (bare 500)",
    "bare_labelvalue": "a bare value where the handler reads .value (spec types it otherwise): dropped",
    "bare_labelvalue_fallback": "a bare value where the handler reads .value ?? <bare>: accepted (informational)",
    "invalid_boolean": "a value [Convert]::ToBoolean cannot parse: 500",
    "missing_required": "a field the handler needs and does not validate",
    "ignored_field": "a field the handler reads only in combination with another one, so it had no effect",
    "unknown_tenant": "a tenant not in CIPP's tenant list where the backend still answers success",
    "wrong_id_kind": "an identifier of the wrong kind (e.g. a UPN where the handler needs an object id)",
    "wrong_date_format": "a date the handler accepts but compares as text in another format (matches nothing)",
}


class Escape(Exception):
    """An error that escapes the handler: 500 text/plain with this message."""


class HostCrash(Exception):
    """The function invocation fails outright: bare 500 from the Functions host."""


@dataclass
class Handler:
    name: str
    func: Callable[["Ctx"], HttpResponse]
    # Keys the backend reads that the spec does not list, or spells differently (verified in the
    # .ps1): no unknown_key for them, and no key_case when sent exactly so.
    extra_keys: frozenset[str] = frozenset()
    extra_exact: frozenset[str] = frozenset()
    # Field paths (e.g. "body.usageLocation") where the source reads `.value ?? $bare`:
    # the manifest's bare_labelvalue finding becomes bare_labelvalue_fallback.
    fallback_fields: frozenset[str] = frozenset()
    # Field paths the manifest calls LabelValue but the source accepts bare (no finding at all).
    bare_ok_fields: frozenset[str] = frozenset()


HANDLERS: dict[str, Handler] = {}


def handler(name: str, *, extra_keys: tuple[str, ...] = (), fallback: tuple[str, ...] = (),
            bare_ok: tuple[str, ...] = ()) -> Callable:
    """Register ``func`` as the implementation of endpoint ``name`` (its canonical spelling)."""

    def register(func: Callable[["Ctx"], HttpResponse]) -> Callable[["Ctx"], HttpResponse]:
        if name in HANDLERS:
            raise ValueError(f"duplicate CIPP handler for {name}")
        HANDLERS[name] = Handler(name, func, frozenset(k.lower() for k in extra_keys), frozenset(extra_keys),
                                 frozenset(f.lower() for f in fallback), frozenset(f.lower() for f in bare_ok))
        return func

    return register


@dataclass
class Caller:
    """Who is calling, as Test-CIPPAccess sees it."""

    kind: str                      # "APIClient" or "User"
    app_id: str                    # azp/appid of the token
    principal_name: str            # x-ms-client-principal-name (app id for clients, UPN for users)
    app_name: str | None = None    # ApiClients.AppName (for logs)
    role: str | None = None        # base role name or custom role name
    ip: str = ""
    allowed_tenants: list[str] | None = None  # None = all (customerIds otherwise)
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def log_username(self) -> str:
        """Write-LogMessage: idp 'aad' -> the ApiClients AppName of the principal name, else 'CIPP-API'."""
        return self.app_name or "CIPP-API"

    @property
    def user_details(self) -> str:
        """``userDetails`` of x-ms-client-principal as App Service injects it (claims format: none)."""
        return ""


class Ctx:
    """One request as a handler sees it."""

    def __init__(self, req: HttpRequest, world: Any, endpoint: str, path_name: str,
                 query: CaseInsensitiveDict, body: Any, caller: Caller) -> None:
        self.req = req
        self.world = world
        self.state = world.cipp
        self.endpoint = endpoint          # canonical name
        self.path_name = path_name        # $Request.Params.CIPPEndpoint (as sent)
        self.query = query
        self.body = body
        self.caller = caller
        self.findings: list[dict[str, Any]] = []
        self.state_changed = False

    # -- reading the request ------------------------------------------------------------
    def q(self, name: str) -> Any:
        """``$Request.Query.<name>`` (always a string or None)."""
        return self.query.get(name)

    def b(self, dotted: str) -> Any:
        """``$Request.Body.<a.b.c>`` ($null when the body is not an object, e.g. a raw string)."""
        if not isinstance(self.body, (dict, list)):
            return None
        return psvalue.path(self.body, dotted)

    def qb(self, name: str) -> Any:
        """``$Request.Query.<name> ?? $Request.Body.<name>``."""
        return psvalue.coalesce(self.q(name), self.b(name))

    def body_key(self, name: str) -> str:
        """The key as the client spelled it (for finding paths)."""
        if isinstance(self.body, CaseInsensitiveDict):
            return self.body.real_key(name) or name
        return name

    # -- annotations --------------------------------------------------------------------
    def flag(self, kind: str, fld: str, message: str, fix: str = "") -> None:
        finding = {"kind": kind, "field": fld, "message": message}
        if fix:
            finding["fix"] = fix
        if finding not in self.findings:
            self.findings.append(finding)

    def changed(self) -> None:
        self.state_changed = True
        self.state.touch()

    def log(self, message: str, sev: str = "Info", tenant: str | None = None, api: str | None = None,
            tenant_id: str | None = None, log_data: Any = None) -> None:
        """Write-LogMessage with this request's headers (Debug rows are dropped, as without DebugMode)."""
        self.state.write_log(message=message, sev=sev, tenant=tenant, api=api or self.endpoint,
                             username=self.caller.log_username, app_id=self.caller.principal_name,
                             ip=self.caller.ip, tenant_id=tenant_id, log_data=log_data)

    def to_bool(self, fld: str, value: Any) -> bool:
        """``[System.Convert]::ToBoolean($value)`` with an ``invalid_boolean`` finding before the 500."""
        if not psvalue.is_valid_boolean_text(value):
            self.flag("invalid_boolean", fld, f"[Convert]::ToBoolean({value!r}) throws: the request fails with 500.",
                      "send true or false")
        return psvalue.to_boolean(value)

    # -- tenants --------------------------------------------------------------------------
    def tenant(self, ref: Any):
        """``Get-Tenants -TenantFilter <ref>``: the managed (not excluded) tenant or None."""
        return self.state.find_tenant(ref)


# --------------------------------------------------------------------------- responses

def encode_json(data: Any) -> bytes:
    """Compressed JSON as ConvertTo-Json -Compress writes it (non-ASCII kept)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=_default).encode("utf-8")


def _default(value: Any) -> Any:
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"


def json_response(status: int, data: Any) -> HttpResponse:
    return HttpResponse(status, encode_json(data), {"Content-Type": JSON_TYPE})


def raw_json_response(status: int, body: bytes) -> HttpResponse:
    return HttpResponse(status, body, {"Content-Type": JSON_TYPE})


def text_response(status: int, text: str) -> HttpResponse:
    return HttpResponse(status, text.encode("utf-8"), {"Content-Type": TEXT_TYPE})


def ps_response(status: int | None, body: Any) -> HttpResponse:
    """What the worker makes of ``[HttpResponseContext]@{StatusCode; Body}``.

    A $null StatusCode never reaches the wire: Receive-CippHttpTrigger replaces the response
    with its generic 500. A $null body is an empty text/plain 200-ish response; a string is
    JSON when it parses as a JSON object/array, else text/plain; anything else is JSON.
    """
    if not status:
        return json_response(500, {"error": {"code": "InternalServerError",
                                             "message": "An error occurred processing the request"}})
    if body is None:
        return HttpResponse(status, b"", {"Content-Type": TEXT_TYPE})
    if isinstance(body, str):
        if psvalue.looks_like_json(body):
            try:
                json.loads(body)
                return HttpResponse(status, body.encode("utf-8"), {"Content-Type": JSON_TYPE})
            except ValueError:
                pass
        return text_response(status, body)
    return json_response(status, body)


def results(status: int, value: Any) -> HttpResponse:
    """``@{ Results = <value> }``."""
    return json_response(status, {"Results": value})


def result_object(text: str, copy: Any = None, state: str = "success") -> dict[str, Any]:
    """A ``{resultText, copyField, state}`` entry (the UI renders it with a copy button)."""
    return {"resultText": text, "copyField": copy, "state": state}
