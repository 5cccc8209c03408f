"""The Power Platform API front (``api.powerplatform.com``), as its callers meet it.

Routes (every one needs ``api-version``):

==============================================================================  ==================
``GET    /environmentmanagement/environments``                                   list, paged with
                                                                                 ``@odata.nextLink``;
                                                                                 ``$top $skip
                                                                                 $filter $select``
``GET    /environmentmanagement/environments/{id}``                              one environment
``GET    /environmentmanagement/environmentGroups``                              list, paged
``POST   /environmentmanagement/environmentGroups``                              create (a write)
``GET|DELETE /environmentmanagement/environmentGroups/{id}``                     one / delete
``GET    /providers/Microsoft.BusinessAppPlatform/scopes/admin/environments``    the BAP admin list
                                                                                 (``nextLink``)
==============================================================================  ==================

Checks, in the order the service makes them, each with the API's ``{"error": {"code",
"message"}}`` shape: a bearer token signed by the emulated Entra ID and still valid (401
``AuthenticationFailed`` / ``InvalidAuthenticationToken`` / ``ExpiredAuthenticationToken``),
an audience the route accepts (401 ``InvalidAuthenticationAudience``: a CIPP token is
refused here), a known route (404) and method (405), an ``api-version`` (400
``MissingApiVersionParameter`` / ``InvalidApiVersionParameter``), then - for app-only
tokens - a service principal registered as a Power Platform management application in the
token's tenant (403 ``Forbidden``, "The service principal with id ... does not have
permission to access the path ..."). The token's ``tid`` selects the tenant's data.
"""
from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .http import HttpRequest, HttpResponse
from .tokens import TokenError

PP_AUDIENCES = ("https://api.powerplatform.com", "https://api.powerplatform.com/",
                "8578e004-a5c6-46e7-913e-12f58912df43")
BAP_AUDIENCES = ("https://service.powerapps.com/", "https://apps.powerapps.com", "https://apps.powerapps.com/",
                 "https://apihub.azure.com", "https://api.powerplatform.com")
ENVIRONMENTS = "/environmentmanagement/environments"
GROUPS = "/environmentmanagement/environmentGroups"
BAP_ENVIRONMENTS = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments"
INTERNAL_HOST = "https://10.0.1.23:23477"   # BAP names its own node in 403 texts; callers must not match it
CRM_SUFFIX = {"unitedstates": "crm", "europe": "crm4", "unitedkingdom": "crm11", "australia": "crm6",
              "asia": "crm5", "canada": "crm3", "india": "crm8", "japan": "crm7"}
_NAMESPACE = uuid.UUID("5e0c2f7a-7a35-4b1d-9f55-30c0ffee0001")
_FILTER = re.compile(r"^\s*(\w+)\s+eq\s+'([^']*)'\s*$")


@dataclass
class PowerPlatformTenant:
    tenant_id: str
    management_apps: set[str] = field(default_factory=set)
    environments: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PowerPlatformState:
    page_size: int = 10
    api_versions: tuple[str, ...] = ("2022-03-01-preview", "2024-10-01")
    bap_api_versions: tuple[str, ...] = ("2020-10-01",)
    tenants: dict[str, PowerPlatformTenant] = field(default_factory=dict)

    def tenant(self, tenant_id: str) -> PowerPlatformTenant:
        """The tenant's data; a tenant the fixture does not name has none (and no registrations)."""
        key = (tenant_id or "").lower()
        if key not in self.tenants:
            self.tenants[key] = PowerPlatformTenant(key)
        return self.tenants[key]


def load_powerplatform_state(data: dict[str, Any] | None) -> PowerPlatformState:
    """``powerplatform.yaml`` as the service's state (an empty state for None)."""
    data = data or {}
    settings = data.get("settings") or {}
    state = PowerPlatformState(
        page_size=int(settings.get("page_size", 10)),
        api_versions=tuple(str(v) for v in settings.get("api_versions") or PowerPlatformState.api_versions),
        bap_api_versions=tuple(str(v) for v in settings.get("bap_api_versions") or PowerPlatformState.bap_api_versions))
    if state.page_size < 1:
        raise ValueError("powerplatform.yaml: settings.page_size must be at least 1")
    for tenant_id, spec in (data.get("tenants") or {}).items():
        spec = spec or {}
        tenant = PowerPlatformTenant(str(tenant_id).lower(),
                                     {str(a).lower() for a in spec.get("management_apps") or []})
        tenant.groups = [_group(g, tenant.tenant_id) for g in spec.get("groups") or []]
        tenant.environments = [_environment(e, tenant.tenant_id) for e in spec.get("environments") or []]
        ids = [e["id"].lower() for e in tenant.environments]
        if len(ids) != len(set(ids)):
            raise ValueError(f"powerplatform.yaml: duplicate environment id in tenant {tenant_id}")
        state.tenants[tenant.tenant_id] = tenant
    return state


def endpoint_of(path: str) -> str:
    """The fault/log name of a path: environments, environment, environmentGroups,
    environmentGroup, bapEnvironments or unknown."""
    lowered = path.rstrip("/").lower()
    for prefix, many, one in ((ENVIRONMENTS.lower(), "environments", "environment"),
                              (GROUPS.lower(), "environmentGroups", "environmentGroup")):
        if lowered == prefix:
            return many
        if lowered.startswith(prefix + "/") and "/" not in lowered[len(prefix) + 1:]:
            return one
    if lowered == BAP_ENVIRONMENTS.lower():
        return "bapEnvironments"
    return "unknown"


class PowerPlatformService:
    """Answers Power Platform API requests from ``world.powerplatform``."""

    def __init__(self, world: Any) -> None:
        self.world = world

    def handle(self, req: HttpRequest) -> HttpResponse:
        endpoint = endpoint_of(req.path)
        response = self._handle(req, endpoint)
        response.endpoint = endpoint
        return response

    def _handle(self, req: HttpRequest, endpoint: str) -> HttpResponse:
        claims = self._claims(req, endpoint)
        if isinstance(claims, HttpResponse):
            return claims
        app_id = str(claims.get("appid") or claims.get("azp") or "").lower() or None
        routes = {
            "environments": {"GET": self._list_environments},
            "environment": {"GET": self._get_environment},
            "environmentGroups": {"GET": self._list_groups, "POST": self._create_group},
            "environmentGroup": {"GET": self._get_group, "DELETE": self._delete_group},
            "bapEnvironments": {"GET": self._bap_environments},
        }
        if endpoint not in routes:
            return _error(404, "NotFound", f"The requested resource '{req.path}' does not exist.", app_id)
        handler = routes[endpoint].get(req.method)
        if handler is None:
            return _error(405, "MethodNotAllowed",
                          f"The HTTP method '{req.method}' is not supported on '{req.path}'.", app_id)
        with self.world.lock:
            state = self.world.powerplatform or PowerPlatformState()
            versions = state.bap_api_versions if endpoint == "bapEnvironments" else state.api_versions
            problem = _api_version_problem(req, versions)
            if problem is not None:
                problem.client_id = app_id
                return problem
            tenant = state.tenant(str(claims.get("tid") or ""))
            if not claims.get("scp") and app_id not in tenant.management_apps:
                return self._not_registered(req, endpoint, claims, app_id)
            response = handler(req, state, tenant)
        response.client_id = app_id
        response.log_extra = {**response.log_extra, "tenant": tenant.tenant_id,
                              "caller": "user" if claims.get("scp") else "app"}
        return response

    # -- the gate --------------------------------------------------------------------
    def _claims(self, req: HttpRequest, endpoint: str) -> dict[str, Any] | HttpResponse:
        header = req.headers.get("Authorization") or ""
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _unauthorized(self.world, "AuthenticationFailed",
                                 "Authentication failed. The 'Authorization' header is missing.", "no bearer token")
        try:
            claims = self.world.signer.decode(token.strip())
        except TokenError as exc:
            if exc.reason == "expired":
                now = dt.datetime.now(dt.timezone.utc).strftime("%m/%d/%Y %H:%M:%S")
                return _unauthorized(self.world, "ExpiredAuthenticationToken",
                                     f"The access token expiry UTC time is earlier than current UTC time '{now}'.",
                                     "token expired")
            return _unauthorized(self.world, "InvalidAuthenticationToken", "The access token is invalid.",
                                 f"token {exc.reason}")
        audience = str(claims.get("aud") or "")
        allowed = BAP_AUDIENCES if endpoint == "bapEnvironments" else PP_AUDIENCES
        if audience not in allowed:
            listed = ",".join(f"'{a}'" for a in allowed if not _is_guid(a))
            response = _unauthorized(
                self.world, "InvalidAuthenticationAudience",
                f"The received access token has been obtained from wrong audience or resource '{audience}'. It "
                f"should exactly match (including forward slash) with one of the allowed audiences {listed}.",
                f"audience {audience!r} refused")
            response.client_id = str(claims.get("appid") or claims.get("azp") or "") or None
            return response
        return claims

    def _not_registered(self, req: HttpRequest, endpoint: str, claims: dict[str, Any], app_id: str | None) -> HttpResponse:
        # The environment routes are served by BAP behind the API; its text names BAP's path.
        inner = f"{BAP_ENVIRONMENTS}?api-version=2020-10-01" if endpoint in ("environments", "environment") \
            else f"{req.path}?api-version={req.query.get('api-version', '')}"
        sp_id = claims.get("oid") or "?"
        response = _error(403, "Forbidden",
                          f"The service principal with id '{sp_id}' for application {app_id} does not have "
                          f"permission to access the path '{INTERNAL_HOST}{inner}' in tenant {claims.get('tid')}.",
                          app_id, note="service principal not registered as a management application")
        response.log_extra = {"tenant": str(claims.get("tid") or ""), "caller": "app"}
        return response

    # -- environments ----------------------------------------------------------------
    def _list_environments(self, req: HttpRequest, state: PowerPlatformState, tenant: PowerPlatformTenant) -> HttpResponse:
        rows = [e for e in tenant.environments if not e.get("deletedDateTime")]
        return _paged(req, state, rows, "@odata.nextLink", self.world)

    def _get_environment(self, req: HttpRequest, state: PowerPlatformState, tenant: PowerPlatformTenant) -> HttpResponse:
        wanted = req.path.rstrip("/").rsplit("/", 1)[-1].lower()
        found = next((e for e in tenant.environments if e["id"].lower() == wanted), None)
        if found is None:
            return _error(404, "EnvironmentNotFound",
                          f"The environment '{wanted}' could not be found in the tenant '{tenant.tenant_id}'.", None)
        selected = _select(req, [found])
        if isinstance(selected, HttpResponse):
            return selected
        return HttpResponse.json(200, selected[0], note="environment")

    def _bap_environments(self, req: HttpRequest, state: PowerPlatformState, tenant: PowerPlatformTenant) -> HttpResponse:
        rows = [_bap_shape(e, tenant) for e in tenant.environments if not e.get("deletedDateTime")]
        return _paged(req, state, rows, "nextLink", self.world, odata=False)

    # -- environment groups (the writes) ---------------------------------------------
    def _list_groups(self, req: HttpRequest, state: PowerPlatformState, tenant: PowerPlatformTenant) -> HttpResponse:
        return _paged(req, state, tenant.groups, "@odata.nextLink", self.world)

    def _create_group(self, req: HttpRequest, state: PowerPlatformState, tenant: PowerPlatformTenant) -> HttpResponse:
        try:
            body = json.loads(req.body or b"{}")
        except ValueError:
            return _error(400, "InvalidRequestContent", "The request content is not valid JSON.", None)
        name = body.get("displayName") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name.strip():
            return _error(400, "InvalidRequestContent", "The property 'displayName' is required.", None)
        group = _group({"id": str(uuid.uuid4()), "name": name.strip(), "description": body.get("description") or ""},
                       tenant.tenant_id)
        tenant.groups.append(group)
        response = HttpResponse.json(201, group, note=f"created environment group {group['id']}")
        response.state_changed = True
        return response

    def _get_group(self, req: HttpRequest, state: PowerPlatformState, tenant: PowerPlatformTenant) -> HttpResponse:
        found = _find_group(req, tenant)
        if found is None:
            return _group_not_found(req)
        return HttpResponse.json(200, found, note="environment group")

    def _delete_group(self, req: HttpRequest, state: PowerPlatformState, tenant: PowerPlatformTenant) -> HttpResponse:
        found = _find_group(req, tenant)
        if found is None:
            return _group_not_found(req)
        tenant.groups.remove(found)
        for environment in tenant.environments:
            if environment.get("environmentGroupId") == found["id"]:
                environment.pop("environmentGroupId", None)
        response = HttpResponse(204, note=f"deleted environment group {found['id']}")
        response.state_changed = True
        return response


# ---------------------------------------------------------------------- shapes
def _environment(spec: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    """The 2024-10-01 ``EnvironmentResponse`` for one fixture line."""
    env_id = str(spec["id"])
    geo = str(spec.get("geo") or "unitedstates")
    created = str(spec.get("created") or "2021-01-01T00:00:00Z")
    env: dict[str, Any] = {
        "id": env_id, "displayName": str(spec["name"]), "type": str(spec.get("type") or "Sandbox"),
        "geo": geo, "azureRegion": str(spec.get("region") or "westus"), "state": str(spec.get("state") or "Ready"),
        "tenantId": tenant_id, "createdDateTime": created,
        "adminMode": "Enabled" if spec.get("state") == "Disabled" else "Disabled",
        "backgroundOperationsState": "Enabled", "protectionLevel": "Standard",
        "retentionDetails": {"retentionPeriod": "P7D", "availableFromDateTime": created},
    }
    if spec.get("domain"):
        domain = str(spec["domain"])
        env.update(domainName=domain, url=f"https://{domain}.{CRM_SUFFIX.get(geo, 'crm')}.dynamics.com/",
                   dataverseId=str(uuid.uuid5(_NAMESPACE, f"dataverse:{env_id}")), version="9.2.25044.00184")
    if spec.get("group"):
        env["environmentGroupId"] = str(spec["group"])
    return env


def _bap_shape(env: dict[str, Any], tenant: PowerPlatformTenant) -> dict[str, Any]:
    """The same environment as BAP's admin list answers it."""
    props: dict[str, Any] = {
        "tenantId": tenant.tenant_id, "azureRegion": env["azureRegion"], "displayName": env["displayName"],
        "createdTime": env["createdDateTime"], "provisioningState": "Succeeded", "creationType": "User",
        "environmentSku": env["type"], "isDefault": env["type"] == "Default",
        "states": {"management": {"id": "Ready" if env["state"] == "Ready" else "Disabled"},
                   "runtime": {"id": "Enabled" if env["state"] == "Ready" else "Disabled"}},
    }
    if env.get("domainName"):
        props["linkedEnvironmentMetadata"] = {
            "type": "Dynamics365Instance", "resourceId": env["dataverseId"], "domainName": env["domainName"],
            "instanceUrl": env["url"], "version": env["version"]}
    if env.get("environmentGroupId"):
        props["parentEnvironmentGroup"] = {"id": env["environmentGroupId"]}
    return {"id": f"{BAP_ENVIRONMENTS}/{env['id']}", "type": "Microsoft.BusinessAppPlatform/scopes/environments",
            "location": env["geo"], "name": env["id"], "properties": props}


def _group(spec: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {"id": str(spec["id"]), "displayName": str(spec["name"]), "description": str(spec.get("description") or ""),
            "parentGroupId": None, "tenantId": tenant_id, "createdTime": now, "lastModifiedTime": now}


def _find_group(req: HttpRequest, tenant: PowerPlatformTenant) -> dict[str, Any] | None:
    wanted = req.path.rstrip("/").rsplit("/", 1)[-1].lower()
    return next((g for g in tenant.groups if g["id"].lower() == wanted), None)


def _group_not_found(req: HttpRequest) -> HttpResponse:
    wanted = req.path.rstrip("/").rsplit("/", 1)[-1]
    return _error(404, "EnvironmentGroupNotFound", f"The environment group '{wanted}' was not found.", None)


# ---------------------------------------------------------------------- paging and OData
def _paged(req: HttpRequest, state: PowerPlatformState, rows: list[dict[str, Any]], link_key: str, world: Any,
           odata: bool = True) -> HttpResponse:
    """One page of ``rows`` after ``$filter``/``$skip``/``$top``, with a next link when more remain."""
    query = req.query
    if odata:
        rows = _filtered(query.get("$filter"), rows)
        if isinstance(rows, HttpResponse):
            return rows
    try:
        skip = max(0, int(query.get("$skip") or 0))
        top = int(query["$top"]) if query.get("$top") not in (None, "") else None
        offset = _offset(query.get("$skiptoken"))
    except ValueError:
        return _error(400, "BadRequest", "The query parameters $skip, $top and $skiptoken must be valid.", None)
    chosen = rows[skip:] if top is None else rows[skip:skip + max(top, 0)]
    page = chosen[offset:offset + state.page_size]
    if odata:
        page = _select(req, page)
        if isinstance(page, HttpResponse):
            return page
    body: dict[str, Any] = {"value": copy.deepcopy(page)}
    page_number = offset // state.page_size + 1
    if offset + state.page_size < len(chosen):
        params = {k: v for k, v in query.items() if k != "$skiptoken"}
        params["$skiptoken"] = base64.urlsafe_b64encode(
            json.dumps({"o": offset + state.page_size}).encode()).decode().rstrip("=")
        host = req.headers.get("Host") or world.powerplatform_url.split("://", 1)[-1]
        body[link_key] = f"https://{host}{req.path}?{urlencode(params)}"
    response = HttpResponse.json(200, body, note=f"page {page_number} ({len(page)} of {len(chosen)})")
    response.log_extra = {"page": page_number}
    return response


def _offset(token: str | None) -> int:
    if not token:
        return 0
    data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    return max(0, int(data["o"]))


def _filtered(expression: str | None, rows: list[dict[str, Any]]) -> list[dict[str, Any]] | HttpResponse:
    """``prop eq 'value' [and ...]`` (case-insensitive values), the subset of OData callers use."""
    if not expression:
        return rows
    terms = []
    for part in re.split(r"\s+and\s+", expression.strip(), flags=re.I):
        match = _FILTER.match(part)
        if match is None:
            return _error(400, "BadRequest", f"The $filter expression '{expression}' is not supported.", None)
        terms.append((match.group(1), match.group(2).lower()))
    return [r for r in rows if all(str(r.get(k) or "").lower() == v for k, v in terms)]


def _select(req: HttpRequest, rows: list[dict[str, Any]]) -> list[dict[str, Any]] | HttpResponse:
    wanted = [s.strip() for s in (req.query.get("$select") or "").split(",") if s.strip()]
    if not wanted:
        return rows
    return [{k: r[k] for k in wanted if k in r} for r in rows]


# ---------------------------------------------------------------------- errors
def _api_version_problem(req: HttpRequest, versions: tuple[str, ...]) -> HttpResponse | None:
    version = next((v for k, v in req.query.items() if k.lower() == "api-version"), None)
    if not version:
        return _error(400, "MissingApiVersionParameter",
                      "The api-version query parameter (?api-version=) is required for all requests.", None)
    if version not in versions:
        return _error(400, "InvalidApiVersionParameter",
                      f"The api-version '{version}' is invalid. The supported versions are '{','.join(versions)}'.",
                      None)
    return None


def _error(status: int, code: str, message: str, client_id: str | None, note: str | None = None) -> HttpResponse:
    response = HttpResponse.json(status, {"error": {"code": code, "message": message}}, client_id=client_id,
                                 note=note or code)
    response.headers["x-ms-service-request-id"] = str(uuid.uuid4())
    return response


def _unauthorized(world: Any, code: str, message: str, note: str) -> HttpResponse:
    response = _error(401, code, message, None, note=note)
    authority = (world.entra_url or "https://login.microsoftonline.com").rstrip("/")
    response.headers["WWW-Authenticate"] = (f'Bearer authorization_uri="{authority}/common/oauth2/authorize", '
                                            'error="invalid_token"')
    return response


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
