"""The two gates in front of every CIPP handler.

1. **App Service Authentication ("Easy Auth")** on the Function App, configured by
   ``Set-CippApiAuth``: ``unauthenticatedClientAction = Return401``, issuer the partner tenant,
   ``allowedAudiences`` = ``api://<id>`` of every saved client, ``allowedApplications`` = their ids.
   No/garbled/expired/badly signed token, another tenant, or an audience not in the list -> 401
   (empty body, ``WWW-Authenticate: Bearer ...``); a valid token from an app not in
   ``allowedApplications`` -> 403 with App Service's page text. CIPP code never sees the token,
   only the ``x-ms-client-principal*`` headers Easy Auth injects.
2. **Test-CIPPAccess** (``Modules/CIPPCore/Public/Authentication/Test-CIPPAccess.ps1``): API client
   (principal idp ``aad`` and a GUID name) or user; IP range; base role from ``Config/cipp-roles.json``
   matched with ``-like``; custom roles (``-match``, BlockedEndpoints, tenant scope). Denials are
   403 text/plain with the thrown message.
"""
from __future__ import annotations

import fnmatch
import re
from typing import Any

from ..http import HttpRequest, HttpResponse
from ..tokens import TokenError
from . import psvalue
from .framework import Caller, text_response

BASE_ROLES: dict[str, dict[str, list[str]]] = {
    # Config/cipp-roles.json (order matters: Test-CIPPAccess walks the file's properties).
    "readonly": {"include": ["*.Read"], "exclude": ["CIPP.SuperAdmin.*", "CIPP.Admin.*", "CIPP.AppSettings.*"]},
    "editor": {"include": ["*.Read", "*.ReadWrite"],
               "exclude": ["CIPP.SuperAdmin.*", "CIPP.Admin.*", "CIPP.AppSettings.*", "Tenant.Standards.ReadWrite"]},
    "admin": {"include": ["*"], "exclude": ["CIPP.SuperAdmin.*"]},
    "superadmin": {"include": ["*"], "exclude": []},
}
DEFAULT_ROLES = ("superadmin", "admin", "editor", "readonly", "anonymous", "authenticated")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
FORBIDDEN_PAGE = "You do not have permission to view this directory or page."


class Denied(Exception):
    """Test-CIPPAccess threw: New-CippCoreRequest answers 403 with the message."""


def like(value: str, pattern: str) -> bool:
    """PowerShell ``-like`` (case-insensitive wildcards)."""
    return fnmatch.fnmatchcase((value or "").lower(), pattern.lower())


def client_ip(req: HttpRequest) -> str:
    """The first x-forwarded-for entry as App Service sets it (client's own header first), port stripped."""
    forwarded = req.headers.get("x-forwarded-for")
    first = forwarded.split(",")[0].strip() if forwarded else req.client_ip
    match = re.match(r"^(?P<IP>(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[0-9a-fA-F:]+))(?::\d+)?$", first or "")
    ip = match.group("IP") if match else (first or "")
    return ip.replace("[", "").replace("]", "")


# --------------------------------------------------------------------------- Easy Auth

def _unauthorized(world: Any, req: HttpRequest, note: str) -> HttpResponse:
    host = req.headers.get("Host") or "localhost"
    state = world.cipp
    authority = (world.entra_url or "https://login.microsoftonline.com").rstrip("/")
    header = (f'Bearer realm="{host}" authorization_uri="{authority}/{world.partner_tenant_id}/oauth2/authorize" '
              f'resource_id="{state.easy_auth_client_id}"')
    return HttpResponse(401, b"", {"WWW-Authenticate": header, "Content-Length": "0"}, note=note)


def easy_auth(req: HttpRequest, world: Any) -> Caller | HttpResponse:
    """Validate the bearer token like App Service would; returns the caller or the 401/403."""
    state = world.cipp
    header = req.headers.get("Authorization") or ""
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized(world, req, "easy-auth: no bearer token")
    try:
        claims = world.signer.decode(token.strip())
    except TokenError as exc:
        return _unauthorized(world, req, f"easy-auth: token {exc.reason}")
    tid = str(claims.get("tid") or "").lower()
    if tid != world.partner_tenant_id.lower():
        return _unauthorized(world, req, f"easy-auth: token from tenant {tid or '?'} (allowed: the partner tenant)")
    aud = str(claims.get("aud") or "")
    if aud.lower() not in state.allowed_audiences:
        return _unauthorized(world, req, f"easy-auth: audience {aud!r} not in allowedAudiences")
    app_id = str(claims.get("azp") or claims.get("appid") or "").lower()
    if app_id not in state.allowed_applications:
        resp = text_response(403, FORBIDDEN_PAGE)
        resp.note = f"easy-auth: application {app_id or '?'} not in allowedApplications"
        resp.client_id = app_id or None
        return resp
    ip = client_ip(req)
    if claims.get("scp"):
        upn = str(claims.get("upn") or claims.get("preferred_username") or claims.get("unique_name") or claims.get("oid") or "")
        return Caller(kind="User", app_id=app_id, principal_name=upn, ip=ip, claims=claims)
    client = state.api_clients.get(app_id)
    return Caller(kind="APIClient", app_id=app_id, principal_name=app_id,
                  app_name=(client.app_name if client else None), role=(client.role if client else None),
                  ip=ip, claims=claims)


# --------------------------------------------------------------------------- Test-CIPPAccess

def _base_role_check(base: str, api_role: str) -> None:
    rules = BASE_ROLES[base]
    allowed = any(like(api_role, inc) for inc in rules["include"])
    if any(like(api_role, exc) for exc in rules["exclude"]):
        allowed = False
    if not allowed:
        raise Denied(f"Access to this CIPP API endpoint is not allowed, the '{base}' base role does not have the "
                     f"required permission: {api_role}")


def _match_base(roles: list[str]) -> str | None:
    for name in BASE_ROLES:                       # file order, first match wins
        for role in roles:
            if name == (role or "").lower():
                return name
    return None


def test_access(state: Any, caller: Caller, api_role: str, any_tenant: bool, path_name: str,
                query: dict, body: Any) -> None:
    """Raise Denied with CIPP's message, or return (access granted). Fills caller.allowed_tenants."""
    if api_role == "Public":
        return
    if caller.kind == "APIClient":
        client = state.api_clients.get(caller.app_id)
        if client:
            if not client.ip_allowed(caller.ip):
                raise Denied("Access to this CIPP API endpoint is not allowed, the API Client does not have the "
                             "required permission")
            if client.role:
                roles = [client.role]
                custom = [r for r in roles if r not in DEFAULT_ROLES]
                base = _match_base(roles)
            else:
                custom, base = ["cipp-api"], None
        else:
            custom, base = ["cipp-api"], None
    else:
        roles = list(state.portal_users.get(caller.principal_name.lower(), ["authenticated", "anonymous"]))
        if "superadmin" in roles:
            roles = ["superadmin"]
        elif "admin" in roles:
            roles = ["admin"]
        custom = [r for r in roles if r not in DEFAULT_ROLES]
        base = _match_base(roles)
    if base is not None:
        _base_role_check(base, api_role)
    if base is None and caller.kind == "User" and not custom:
        raise Denied("Access to this CIPP API endpoint is not allowed, the user does not have the required permission")
    if not custom or base in ("admin", "superadmin"):
        return
    _custom_roles(state, caller, custom, api_role, any_tenant, path_name, query, body)


def _custom_roles(state: Any, caller: Caller, custom: list[str], api_role: str, any_tenant: bool,
                  path_name: str, query: dict, body: Any) -> None:
    definitions = [state.custom_roles[r.lower()] for r in custom if r.lower() in state.custom_roles]
    if not definitions:
        raise Denied("Access to this CIPP API endpoint is not allowed, the user does not have the required permission")
    managed = state.managed_tenants()
    allowed_ids: set[str] = set()
    for role in definitions:
        allowed = [str(t) for t in role.get("AllowedTenants") or []]
        blocked = {str(t).lower() for t in role.get("BlockedTenants") or []}
        ids = [t.customer_id for t in managed] if "AllTenants" in allowed else allowed
        allowed_ids |= {i.lower() for i in ids if i.lower() not in blocked}
        if "AllTenants" in allowed and not blocked:
            allowed_ids = {"alltenants"}
            break
    caller.allowed_tenants = None if "alltenants" in allowed_ids else sorted(allowed_ids)

    api_allowed = False
    tenant_allowed = False
    tenant_filter = psvalue.coalesce(
        query.get("tenantFilter"), psvalue.path(body, "tenantFilter.value") if isinstance(body, dict) else None,
        psvalue.member(body, "tenantFilter") if isinstance(body, dict) else None,
        query.get("tenantId"), psvalue.path(body, "tenantId.value") if isinstance(body, dict) else None,
        psvalue.member(body, "tenantId") if isinstance(body, dict) else None, state.partner_tenant_id)
    for role in definitions:
        for perm in role.get("Permissions") or []:
            try:
                hit = re.search(api_role, str(perm), re.IGNORECASE) is not None
            except re.error:
                hit = False
            if hit:
                blocked_endpoints = [str(e).lower() for e in role.get("BlockedEndpoints") or []]
                if path_name.lower() in blocked_endpoints:
                    raise Denied(f"Access to this CIPP API endpoint is not allowed, the custom role "
                                 f"'{role['RoleName']}' has blocked this endpoint: {path_name}")
                api_allowed = True
                break
        if not api_allowed:
            continue
        allowed = [str(t) for t in role.get("AllowedTenants") or []]
        blocked = {str(t).lower() for t in role.get("BlockedTenants") or []}
        text = psvalue.ps_str(tenant_filter)
        if not blocked and "AllTenants" in allowed:
            tenant_allowed = True
        elif text.lower() == "alltenants" and re.search(r"Write$", api_role, re.IGNORECASE):
            tenant_allowed = False
        elif text.lower() == "alltenants" and re.search(r"Read$", api_role, re.IGNORECASE):
            tenant_allowed = True
        else:
            # customerId or defaultDomainName only (-eq): an initial domain is "not found" -> allowed.
            match = next((t for t in state.tenants if text.lower() in (t.customer_id.lower(), t.default_domain.lower())), None)
            ids = [t.customer_id.lower() for t in managed] if "AllTenants" in allowed else [a.lower() for a in allowed]
            if match:
                tenant_allowed = match.customer_id.lower() in ids and match.customer_id.lower() not in blocked
                if not tenant_allowed:
                    continue
                break
            tenant_allowed = True
            break
    if not api_allowed:
        raise Denied(f"Access to this CIPP API endpoint is not allowed, you do not have the required permission: {api_role}")
    if not tenant_allowed and not any_tenant:
        raise Denied("Access to this tenant is not allowed")
