"""The CIPP Function App as an API client reaches it: ``CippService.handle(HttpRequest)``.

Order of events, as on a real deployment:

1. Not under ``/api/``: the UI host's HTML (a base-URL mistake must be visible as HTML).
2. Easy Auth (``auth.easy_auth``): 401 / 403 before any CIPP code runs.
3. ``Receive-CippHttpTrigger``: the worker's body parsing (JSON only for an absent or
   ``application/json`` Content-Type) and the ``ConvertTo-Json | ConvertFrom-Json`` round trip
   (case-insensitive from here on; keys differing only in case crash the function: bare 500).
4. ``New-CippCoreRequest``: ``Invoke-<Name>`` lookup (404 ``Endpoint not found``), then
   ``Test-CIPPAccess`` (403 text), then the handler; an exception escaping the handler is a 500
   with its message as text.

Every response carries the log annotations (``endpoint``, ``client_id``, ``state_changed``,
``conformance``).
"""
from __future__ import annotations

import traceback
from typing import Any

from plugins.module_utils._manifest import check_request, endpoint_role, find_endpoint

from ..http import CaseInsensitiveDict, HttpRequest, HttpResponse
from . import auth, psvalue
from .framework import HANDLERS, Caller, Ctx, Escape, HostCrash, json_response, text_response
from . import handlers as _registers_handlers  # noqa: F401  (imported for its side effect: registers every handler)

LANDING_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>CIPP</title>
<link rel="icon" href="/favicon.ico">
</head>
<body>
<noscript>You need to enable JavaScript to run this app.</noscript>
<div id="__next"></div>
<script src="/_next/static/chunks/main-app.js" async></script>
</body>
</html>
"""


class CippService:
    """Routes ``/api/<Endpoint>`` requests to the emulated handlers."""

    def __init__(self, world: Any) -> None:
        self.world = world

    # ------------------------------------------------------------------------------------
    def handle(self, req: HttpRequest) -> HttpResponse:
        path = req.path or "/"
        if not (path.lower() == "/api" or path.lower().startswith("/api/")):
            resp = HttpResponse(200, LANDING_PAGE.encode(), {"Content-Type": "text/html"})
            resp.note = "not under /api/: the CIPP web UI answers with its HTML page"
            return resp
        with self.world.lock:
            caller = auth.easy_auth(req, self.world)
        if isinstance(caller, HttpResponse):
            return caller
        name = path[5:] if len(path) > 5 else ""
        findings: list[dict[str, Any]] = []
        query = _merged_query(req.raw_query)
        try:
            body = self._parse_body(req, findings)
        except HostCrash as exc:
            resp = HttpResponse(500, b"", {"Content-Length": "0"}, client_id=caller.app_id,
                                note=f"function crashed: {exc}")
            match = find_endpoint(name) if name and "/" not in name else None
            resp.endpoint = match[0] if match else None
            resp.conformance = findings
            return resp
        resp = self._dispatch(req, name, query, body, caller, findings)
        resp.client_id = caller.app_id
        return resp

    # ------------------------------------------------------------------------------------
    def _parse_body(self, req: HttpRequest, findings: list[dict[str, Any]]) -> Any:
        raw = req.body or b""
        if not raw:
            return None
        text = raw.decode("utf-8", "replace")
        content_type = (req.headers.get("Content-Type") or "")
        media = content_type.split(";")[0].strip().lower()
        if content_type and media != "application/json":
            findings.append({"kind": "body_ignored", "field": "body",
                             "message": f"Content-Type is {content_type!r}: the backend passes the body through as a "
                                        "raw string and every $Request.Body.<field> is $null.",
                             "fix": "send Content-Type: application/json"})
            return text
        if not psvalue.looks_like_json(text):
            if text.strip()[:1] in ("{", "["):
                findings.append({"kind": "malformed_json", "field": "body",
                                 "message": "the body is not valid JSON: the backend sees a raw string and every "
                                            "$Request.Body.<field> is $null.", "fix": "send valid JSON"})
            elif text.strip():
                findings.append({"kind": "body_not_json", "field": "body",
                                 "message": "the body is not a JSON object or array: the backend sees a raw string.",
                                 "fix": "send a JSON object"})
            return text
        try:
            return psvalue.parse_json_body(text)
        except psvalue.CaseDuplicateKeys as exc:
            findings.append({"kind": "duplicate_key_case", "field": f"body.{exc.second}",
                             "message": f"keys '{exc.first}' and '{exc.second}' differ only in case: ConvertFrom-Json "
                                        "throws in Receive-CippHttpTrigger and the function fails (500, empty body).",
                             "fix": "send each key once"})
            raise HostCrash(str(exc)) from None
        except psvalue.ExactDuplicateKeys as exc:
            findings.append({"kind": "duplicate_key", "field": f"body.{exc}",
                             "message": "a key appears twice: the worker cannot convert the body and passes $null.",
                             "fix": "send each key once"})
            return None
        except ValueError as exc:
            findings.append({"kind": "malformed_json", "field": "body",
                             "message": f"the body is not valid JSON ({exc}): the backend sees a raw string and "
                                        "every $Request.Body.<field> is $null.", "fix": "send valid JSON"})
            return text

    # ------------------------------------------------------------------------------------
    def _dispatch(self, req: HttpRequest, name: str, query: CaseInsensitiveDict, body: Any,
                  caller: Caller, findings: list[dict[str, Any]]) -> HttpResponse:
        if not name or "/" in name:
            resp = text_response(404, "Endpoint not found")
            resp.note = "no Invoke-<Name> function for this path"
            resp.conformance = findings + [{"kind": "unknown_endpoint", "field": "endpoint",
                                            "message": f"'/api/{name}' is not an endpoint (the catch-all route "
                                                       "takes the whole rest of the path as the name)."}]
            return resp
        if name.lower() == "me":
            return self._me(caller, findings)
        if name == "$batch":
            return self._batch(req, body, caller, findings)
        match = find_endpoint(name)
        check_body = body if isinstance(body, (dict, list)) else None
        manifest = [f.to_dict() for f in check_request(name, dict(query), check_body)]
        if match is None:
            resp = text_response(404, "Endpoint not found")
            resp.conformance = findings + [_slim(f) for f in manifest]
            return resp
        canonical, spec = match
        handler = HANDLERS.get(canonical)
        findings = findings + [_slim(f) for f in _filter_manifest(manifest, handler)]
        role = endpoint_role(canonical) or ""
        with self.world.lock:
            try:
                auth.test_access(self.world.cipp, caller, role, bool(spec.get("any_tenant")), name, query,
                                 body if isinstance(body, dict) else None)
            except auth.Denied as exc:
                resp = text_response(403, str(exc))
                resp.endpoint, resp.conformance = canonical, findings
                resp.note = "Test-CIPPAccess denied the request"
                return resp
            if handler is None:
                resp = text_response(501, f"Emulator: endpoint {canonical} is not implemented")
                resp.endpoint = canonical
                resp.conformance = findings + [{"kind": "unimplemented", "field": "endpoint",
                                                "message": f"{canonical} exists in CIPP but this emulator does not "
                                                           "implement it."}]
                return resp
            ctx = Ctx(req, self.world, canonical, name, query, body, caller)
            try:
                resp = handler.func(ctx)
            except (Escape, psvalue.ConvertError) as exc:
                resp = text_response(500, str(exc))
                resp.note = "exception escaped the handler"
            except HostCrash as exc:
                resp = HttpResponse(500, b"", {"Content-Length": "0"}, note=f"function crashed: {exc}")
            except Exception as exc:  # an emulator bug: make it loud in the log, CIPP-like on the wire
                resp = text_response(500, f"Emulator error in {canonical}: {exc}")
                resp.note = "EMULATOR BUG: " + traceback.format_exc(limit=6)
            resp.endpoint = canonical
            resp.state_changed = ctx.state_changed
            resp.conformance = findings + ctx.findings
            return resp

    def _batch(self, req: HttpRequest, body: Any, caller: Caller, findings: list[dict[str, Any]]) -> HttpResponse:
        """``/api/$batch`` (Receive-CippHttpTrigger): up to 20 items, each through New-CippCoreRequest."""
        import json as _json
        items = psvalue.member(body, "requests") if isinstance(body, dict) else None
        items = psvalue.as_list(items)
        if not items:
            resp = json_response(400, {"error": {"message": "No requests found in batch body"}})
            resp.conformance = findings
            return resp
        if len(items) > 20:
            resp = json_response(400, {"error": {"message": "Batch request limit exceeded. Maximum 20 requests allowed per batch."}})
            resp.conformance = findings
            return resp
        responses = []
        changed = False
        all_findings = list(findings)
        for index, item in enumerate(items):
            name = psvalue.ps_str(psvalue.member(item, "url"))
            query = CaseInsensitiveDict({k: psvalue.ps_str(v) for k, v in (psvalue.member(item, "query") or {}).items()}) \
                if isinstance(psvalue.member(item, "query"), dict) else CaseInsensitiveDict()
            inner = self._dispatch(req, name, query, psvalue.member(item, "body"), caller, [])
            changed = changed or inner.state_changed
            for f in inner.conformance or []:
                all_findings.append({**f, "field": f"requests[{index}].{f['field']}"})
            content_type = inner.headers.get("Content-Type", "")
            text = inner.body.decode("utf-8", "replace")
            value: Any = text
            if content_type.startswith("application/json"):
                try:
                    value = _json.loads(text)
                except ValueError:
                    value = text
            elif not text:
                value = None
            responses.append({"id": psvalue.member(item, "id"), "status": inner.status, "body": value})
        resp = json_response(200, {"responses": responses})
        resp.endpoint, resp.state_changed, resp.conformance = "$batch", changed, all_findings
        return resp

    def _me(self, caller: Caller, findings: list[dict[str, Any]]) -> HttpResponse:
        """``/api/me`` lives inside Test-CIPPAccess (there is no Invoke-Me)."""
        state = self.world.cipp
        if caller.kind == "APIClient":
            client = state.api_clients.get(caller.app_id)
            role = client.role if client else None
            custom = [role] if role and role not in auth.DEFAULT_ROLES else ([] if role else ["cipp-api"])
            if not custom:
                # Get-CippAllowedPermissions -UserRoles $null: mandatory parameter binding fails.
                resp = text_response(403, "Cannot bind argument to parameter 'UserRoles' because it is null.")
            else:
                resp = json_response(200, {"clientPrincipal": {"appId": caller.principal_name, "appRole": custom},
                                           "permissions": _permissions(state, custom)})
        else:
            roles = state.portal_users.get(caller.principal_name.lower(), ["authenticated", "anonymous"])
            resp = json_response(200, {"clientPrincipal": {"identityProvider": "aad", "userId": caller.claims.get("oid"),
                                                           "userDetails": caller.principal_name, "userRoles": roles},
                                       "permissions": _permissions(state, roles), "initialSetupComplete": True,
                                       "samAppPresent": True})
        resp.conformance = findings
        return resp


def _permissions(state: Any, roles: list[str]) -> list[str]:
    from plugins.module_utils._manifest import ENDPOINTS
    perms = sorted({spec["role"] for spec in ENDPOINTS.values() if spec["role"] != "Public"})
    out: set[str] = set()
    for role in roles:
        base = auth.BASE_ROLES.get(role.lower())
        if base:
            for perm in perms:
                if any(auth.like(perm, i) for i in base["include"]) and not any(auth.like(perm, e) for e in base["exclude"]):
                    out.add(perm)
        definition = state.custom_roles.get(role.lower())
        if definition:
            out |= set(definition.get("Permissions") or [])
    return sorted(out)


def _merged_query(raw_query: str) -> CaseInsensitiveDict:
    """The host's query collection: names case-insensitive, repeated names joined with ','."""
    from urllib.parse import parse_qsl
    merged: CaseInsensitiveDict = CaseInsensitiveDict()
    for key, value in parse_qsl(raw_query or "", keep_blank_values=True):
        if key in merged:
            real = merged.real_key(key) or key
            merged[real] = f"{merged[real]},{value}"
        else:
            merged[key] = value
    return merged


def _slim(finding: dict[str, Any]) -> dict[str, Any]:
    out = {"kind": finding["kind"], "field": finding["field"], "message": finding["message"]}
    if finding.get("fix"):
        out["fix"] = finding["fix"]
    return out


def _strip_index(fld: str) -> str:
    import re
    return re.sub(r"\[\d+\]", "", fld).lower()


def _filter_manifest(findings: list[dict[str, Any]], handler: Any) -> list[dict[str, Any]]:
    """Apply what the handler's source shows on top of the spec-derived findings."""
    if handler is None:
        return findings
    out = []
    for f in findings:
        fld = _strip_index(f["field"])
        top = fld.split(".", 1)[1] if "." in fld else fld
        if f["kind"] == "unknown_key" and top in handler.extra_keys:
            continue
        raw_top = f["field"].split(".", 1)[1] if "." in f["field"] else f["field"]
        if f["kind"] == "key_case" and raw_top in handler.extra_exact:
            continue
        if f["kind"] in ("bare_labelvalue", "labelvalue_without_value") and fld in handler.bare_ok_fields:
            continue
        if f["kind"] == "bare_labelvalue" and fld in handler.fallback_fields:
            f = dict(f, kind="bare_labelvalue_fallback",
                     message=f["message"].replace("is silently dropped", "is accepted: the handler falls back to the bare value"),
                     fix="informational: the backend accepts it; send {\"value\": ...} for the UI's shape")
        out.append(f)
    return out
