"""CIPP/Core endpoints: GetVersion, ListApiTest, PublicPing, ListLogs, ListCippQueue, ListGraphRequest.

Sources (KelvinTegelaar/CIPP-API, HF/CIPP/Core/): Invoke-GetVersion.ps1 (+ Assert-CippVersion),
Invoke-ListApiTest.ps1, Invoke-PublicPing.ps1, Invoke-ListLogs.ps1, Invoke-ListCippQueue.ps1
(+ Get-CIPPQueueData), Invoke-ListGraphRequest.ps1 (+ GraphRequests/Get-GraphRequestList.ps1,
Push-ListGraphRequestQueue.ps1).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import uuid
from typing import Any
from urllib.parse import quote

from .. import graph as g
from .. import psvalue
from ..framework import Ctx, Escape, encode_json, handler, json_response, ps_response, raw_json_response, text_response
from ..state import iso_table, now_utc
from .common import HelperError, denied_text, exception_at, normalize, resolve

# Lines in the built CIPPCore.psm1 that "Exception at ..." points to (not knowable exactly; fixed
# so that texts are stable). New-GraphGetRequest's `throw $Message`, and Get-GraphRequestList's
# call site for a Write-Error with -ErrorAction Stop.
LINE_GRAPH_THROW = 14688
LINE_REQUEST_LIST = 19327


# --------------------------------------------------------------------------- GetVersion

def _semver(text: str) -> tuple[int, ...] | None:
    match = re.fullmatch(r"\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?\s*", text or "")
    if not match:
        return None
    return tuple(int(p or 0) for p in match.groups())


@handler("GetVersion")
def get_version(ctx: Ctx):
    state = ctx.state
    local = ctx.q("LocalVersion")
    if state.remote_unreachable:
        raise Escape("No such host is known. (raw.githubusercontent.com:443)")
    remote_cipp, remote_api = state.remote_cipp_version, state.remote_api_version
    if local is not None and _semver(local) is None:
        raise Escape(f'Cannot convert value "{local}" to type "System.Management.Automation.SemanticVersion". '
                     f'Error: "The input string \'{local}\' was not in a correct format."')
    local_v = _semver(local) if local is not None else None
    # [semver]$remote -gt [semver]$null is True: a missing LocalVersion reads as out of date.
    out_cipp = True if local_v is None else _semver(remote_cipp) > local_v
    return json_response(200, {
        "LocalCIPPVersion": local, "RemoteCIPPVersion": remote_cipp,
        "LocalCIPPAPIVersion": state.api_version, "RemoteCIPPAPIVersion": remote_api,
        "OutOfDateCIPP": out_cipp, "OutOfDateCIPPAPI": _semver(remote_api) > _semver(state.api_version)})


# --------------------------------------------------------------------------- ListApiTest / PublicPing

def principal_headers(ctx: Ctx) -> dict[str, str]:
    """The headers App Service Easy Auth injects (claims format, no userDetails)."""
    claims = [{"typ": k, "val": v if isinstance(v, str) else json.dumps(v)} for k, v in ctx.caller.claims.items()]
    principal = {"auth_typ": "aad", "claims": claims,
                 "name_typ": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
                 "role_typ": "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"}
    return {
        "x-ms-client-principal": base64.b64encode(json.dumps(principal, separators=(",", ":")).encode()).decode(),
        "x-ms-client-principal-idp": "aad",
        "x-ms-client-principal-name": ctx.caller.principal_name,
        "x-ms-client-principal-id": str(ctx.caller.claims.get("oid") or ctx.caller.app_id),
    }


@handler("ListApiTest")
def list_api_test(ctx: Ctx):
    req = ctx.req
    headers = {k.lower(): v for k, v in req.headers.items()}
    headers.update(principal_headers(ctx))
    headers.setdefault("x-forwarded-for", f"{ctx.caller.ip}:0")
    host = req.headers.get("Host") or "localhost"
    url = f"https://{host}{req.path}" + (f"?{req.raw_query}" if req.raw_query else "")
    body = ctx.body
    request = {"Url": url, "Method": req.method.upper(), "Query": dict(ctx.query), "Headers": headers,
               "Params": {"CIPPEndpoint": ctx.path_name}, "Body": body,
               "RawBody": req.body.decode("utf-8", "replace") if req.body else None}
    invocation = str(uuid.uuid4())
    trigger = {"Query": dict(ctx.query), "Headers": headers, "Request": request,
               "CIPPEndpoint": ctx.path_name, "InvocationId": invocation, "FunctionName": "CIPPHttpTrigger",
               "FunctionDirectory": "C:\\home\\site\\wwwroot\\CIPPHttpTrigger"}
    context = {"AllowedTenants": ctx.caller.allowed_tenants, "AllowedGroups": None, "Headers": headers}
    return json_response(200, {"Request": request, "TriggerMetadata": trigger,
                               "AllowedTenants": ctx.caller.allowed_tenants, "AllowedGroups": None,
                               "RequestContext": context})


def ps_datetime(when: dt.datetime) -> str:
    """ConvertTo-Json of a UTC [datetime]."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}0Z"


def pretty(data: Any) -> str:
    """ConvertTo-Json without -Compress (Windows line endings)."""
    return json.dumps(data, indent=2, ensure_ascii=False).replace("\n", "\r\n")


@handler("PublicPing")
def public_ping(ctx: Ctx):
    body = {"Results": {"Message": "Pong", "ColdStart": ctx.req.headers.get("x-ms-coldstart") == "1",
                        "Timestamp": ps_datetime(now_utc()), "RequestId": str(uuid.uuid4())}}
    return ps_response(200, pretty(body))


# --------------------------------------------------------------------------- ListLogs

DEFAULT_LEVELS = ("Info", "Warn", "Warning", "Error", "Critical", "Alert")


def _log_out(row: dict[str, Any], standard_key: str = "StandardInfo") -> dict[str, Any]:
    log_data = row.get("LogData")
    if isinstance(log_data, str) and psvalue.looks_like_json(log_data):
        try:
            log_data = json.loads(log_data)
        except ValueError:
            pass
    return {"DateTime": iso_table(row["Timestamp"]), "Tenant": row.get("Tenant"), "API": row.get("API"),
            "Message": row.get("Message"), "User": row.get("Username"), "Severity": row.get("Severity"),
            "LogData": log_data, "TenantID": row["TenantID"] if row.get("TenantID") is not None else "None",
            "AppId": row.get("AppId"), "IP": row.get("IP"), "RowKey": row["RowKey"], standard_key: {},
            "DateFilter": row["PartitionKey"]}


# ConvertTo-CIPPODataFilterValue -Type Date / -Type Guid: the value is validated (PowerShell -notmatch,
# so case-insensitive) and returned unchanged; an invalid one throws out of the handler (500).
_ODATA_DATE = re.compile(r"^\d{4}-?\d{2}-?\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$", re.IGNORECASE)
_ODATA_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_PARTITION_DAY = re.compile(r"^\d{8}$")


def _odata_date(ctx: Ctx, name: str, value: str) -> str:
    """A StartDate/EndDate/DateFilter as the handler puts it into ``PartitionKey ge|le|eq '<value>'``."""
    if not _ODATA_DATE.match(value):
        raise Escape("Invalid date format for OData filter. Expected ISO 8601 (e.g. yyyy-MM-dd or "
                     f"yyyy-MM-ddTHH:mm:ssZ), got: '{value}'")
    if not _PARTITION_DAY.match(value):
        # The validator accepts yyyy-MM-dd, but the value is compared as text with PartitionKeys
        # written as yyyyMMdd: '20261201' sorts after '2026-12-01' and '2026-12-31' alike.
        ctx.flag("wrong_date_format", f"query.{ctx.query.real_key(name) or name}",
                 f"ListLogs compares {name}={value!r} as text with log PartitionKeys written as yyyyMMdd: "
                 "a dashed date or a date-time matches no log day.", "send the day as yyyyMMdd")
    return value


def _odata_guid(value: str) -> str:
    if not _ODATA_GUID.match(value):
        raise Escape(f"Invalid GUID format for OData filter: '{value}'")
    return value


# Query keys the filtered branch reads (flagged as ignored without Filter=true).
_FILTER_KEYS = ("Tenant", "User", "Severity", "API", "DateFilter", "StartDate", "EndDate", "StandardTemplateId",
                "ScheduledTaskId", "BaselineRunId")
# Columns of the table-side filters: query key -> CippLogs column.
_ID_FILTERS = (("StandardTemplateId", "StandardTemplateId"), ("ScheduledTaskId", "ScheduledTaskId"),
               ("BaselineRunId", "BaselineRunId"))


def _visible(row: dict[str, Any], allowed: list[str] | None, allowed_domains: set[str]) -> bool:
    """The tenant scope check of both branches (-contains: case-insensitive)."""
    if allowed is None:
        return True
    return ((row.get("Tenant") or "").lower() in allowed_domains or row.get("Tenant") == "CIPP"
            or (row.get("TenantID") or "").lower() in allowed)


@handler("ListLogs")
def list_logs(ctx: Ctx):
    state = ctx.state
    today = now_utc().strftime("%Y%m%d")          # CIPP_TIMEZONE unset: UTC
    allowed = ctx.caller.allowed_tenants
    allowed_domains = set()
    if allowed is not None:
        allowed_domains = {t.default_domain.lower() for t in state.managed_tenants() if t.customer_id.lower() in allowed}
    if ctx.q("ListLogs"):
        keys = sorted({r["PartitionKey"] for r in state.logs})
        return json_response(200, [{"value": k, "label": k} for k in keys])
    if ctx.q("logentryid"):
        part = _odata_date(ctx, "DateFilter", psvalue.coalesce(ctx.q("DateFilter"), today))
        row_key = _odata_guid(ctx.q("logentryid"))
        rows = [r for r in state.logs if r["RowKey"] == row_key and r["PartitionKey"] == part]
        return json_response(200, [_log_out(r, "Standard") for r in rows if _visible(r, allowed, allowed_domains)])
    table_filters: list[tuple[str, str]] = []
    if psvalue.eq_true(ctx.q("Filter")):
        levels = ctx.q("Severity").split(",") if ctx.q("Severity") else list(DEFAULT_LEVELS)
        username = psvalue.coalesce(ctx.q("User"), "*")
        tenant_filter = ctx.q("Tenant")
        api_filter = ctx.q("API")
        start = psvalue.coalesce(ctx.q("StartDate"), ctx.q("DateFilter"))
        end = psvalue.coalesce(ctx.q("EndDate"), ctx.q("DateFilter"))
        start = _odata_date(ctx, "StartDate" if ctx.q("StartDate") is not None else "DateFilter", start) if start else None
        end = _odata_date(ctx, "EndDate" if ctx.q("EndDate") is not None else "DateFilter", end) if end else None
        if start and end:
            def parts(p):
                return start <= p <= end
        elif start:
            def parts(p):
                return p == start
        else:
            if end:
                ctx.flag("ignored_field", f"query.{ctx.query.real_key('EndDate') or 'EndDate'}",
                         "ListLogs reads EndDate only together with StartDate (or DateFilter): today's log is returned.",
                         "send StartDate too")

            def parts(p):
                return p == today
        for key, column in _ID_FILTERS:
            if ctx.q(key):
                table_filters.append((column, _odata_guid(ctx.q(key))))
    else:
        for name in _FILTER_KEYS:
            if ctx.q(name) is not None:
                ctx.flag("ignored_field", f"query.{ctx.query.real_key(name) or name}",
                         f"ListLogs reads {name} only together with Filter=true; without it the filter is ignored "
                         "and today's log is returned.", "add Filter=true")
        levels, username, tenant_filter, api_filter = list(DEFAULT_LEVELS), "*", None, None

        def parts(p):
            return p == today
    wanted_levels = {level.lower() for level in levels}     # -in compares strings case-insensitively
    try:
        api_pattern = re.compile(api_filter, re.IGNORECASE) if api_filter else None
    except re.error as exc:
        raise Escape(f"Invalid pattern '{api_filter}' at offset {exc.pos or 0}. {exc.msg}.") from None
    out = []
    for row in state.logs:
        if not parts(row["PartitionKey"]) or any(row.get(column) != value for column, value in table_filters):
            continue
        if str(row.get("Severity") or "").lower() not in wanted_levels:
            continue
        if username != "*" and not _like(row.get("Username") or "", username):
            continue
        if tenant_filter and tenant_filter != "AllTenants" and not (
                _like(row.get("Tenant") or "", f"*{tenant_filter}*")
                or (row.get("TenantID") or "").lower() == tenant_filter.lower()):
            continue
        if api_pattern and not api_pattern.search(row.get("API") or ""):
            continue
        if not _visible(row, allowed, allowed_domains):
            continue
        out.append(_log_out(row))
    out.sort(key=lambda r: r["DateTime"], reverse=True)
    return json_response(200, out)


def _like(value: str, pattern: str) -> bool:
    import fnmatch
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())


# --------------------------------------------------------------------------- ListCippQueue

def queue_rows(ctx: Ctx, queue_id: str | None = None, reference: str | None = None) -> list[dict[str, Any]]:
    """Get-CIPPQueueData."""
    state = ctx.state
    cutoff = now_utc() - dt.timedelta(hours=3)
    rows = []
    for queue in sorted(state.queues.values(), key=lambda q: q.timestamp, reverse=True):
        if queue_id is not None:
            if queue.row_key != queue_id:
                continue
        elif reference is not None:
            if queue.reference != reference or queue.timestamp < cutoff:
                continue
        elif queue.timestamp < cutoff:
            continue
        queue.advance()
        rows.append(_queue_row(queue))
    return rows


def _queue_row(queue) -> dict[str, Any]:
    done = [n for n in queue.task_names if n in queue.done]
    failed = [n for n in done if n in queue.failed]
    completed = [n for n in done if n not in failed]
    running = [n for n in queue.task_names if n not in queue.done][:1] if len(done) < len(queue.task_names) else []
    tasks = [{"Timestamp": iso_table(queue.timestamp), "Name": n,
              "Status": "Failed" if n in failed else "Completed"} for n in done]
    tasks += [{"Timestamp": iso_table(now_utc()), "Name": n, "Status": "Running"} for n in running]
    total = len(queue.task_names) or 1
    if tasks:
        if not running and len(done) >= len(queue.task_names):
            status = "Completed (with errors)" if failed else "Completed"
        else:
            status = "Running"
    else:
        status = "Queued"
    return {"PartitionKey": "CippQueue", "RowKey": queue.row_key, "Name": queue.name, "Link": queue.link,
            "Reference": queue.reference, "TotalTasks": total, "CompletedTasks": len(done),
            "RunningTasks": len(running), "FailedTasks": len(failed),
            "PercentComplete": round(len(done) / total * 100, 1), "PercentFailed": round(len(failed) / total * 100, 1),
            "PercentRunning": round(len(running) / total * 100, 1),
            "Tasks": sorted(tasks, key=lambda t: t["Timestamp"], reverse=True), "Status": status,
            "Timestamp": iso_table(queue.timestamp)}


@handler("ListCippQueue", extra_keys=("QueueId", "Reference"))
def list_cipp_queue(ctx: Ctx):
    queue_id, reference = ctx.q("QueueId"), ctx.q("Reference")
    for queue in ctx.state.queues.values():
        if (queue_id is None or queue.row_key == queue_id) and (reference is None or queue.reference == reference):
            queue.polls += 1
    return json_response(200, queue_rows(ctx, queue_id, reference))


# --------------------------------------------------------------------------- ListGraphRequest

SINGLE_TENANT_THRESHOLD = 8000


def _param_collection(params: dict[str, Any]) -> list[tuple[str, str]]:
    """Get-GraphRequestList: parameters sorted by key, falsy values dropped, $select normalised."""
    out = []
    for key in sorted(params):
        value = params[key]
        if isinstance(value, bool):
            value = "true" if value else "false"
        if not psvalue.truthy(value):
            continue
        if key.lower() in ("$select", "select"):
            cols = sorted({c.split(".")[0] for c in str(value).split(",")}, key=str.lower)
            value = ",".join(cols)
        out.append((key, str(value)))
    return out


def _query_string(pairs: list[tuple[str, str]]) -> str:
    """HttpUtility.ParseQueryString(...).ToString(): URL-encoded, lower-case %xx."""
    def enc(text: str) -> str:
        return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(text, safe="-_.!*()"))
    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)


def _partition_key(endpoint: str, pairs: list[tuple[str, str]]) -> str:
    return hashlib.sha256("-".join([endpoint, _query_string(pairs), "v2"]).encode()).hexdigest()[:32].upper()


def _queue_name(endpoint: str) -> str:
    display = endpoint.split("/")[0]
    words = [w for w in re.split(r"(?=[A-Z])", display) if w]
    return " ".join(w[:1].upper() + w[1:].lower() for w in " ".join(words).split())


def _text_replace(text: str, tenant) -> str:
    if not tenant or "%" not in text:
        return text
    for key, value in (("%tenantid%", tenant.customer_id), ("%tenantfilter%", tenant.default_domain),
                       ("%defaultdomain%", tenant.default_domain), ("%initialdomain%", tenant.initial_domain),
                       ("%tenantname%", tenant.display_name)):
        text = re.sub(re.escape(key), value, text, flags=re.IGNORECASE)
    return text


def _single_tenant(ctx: Ctx, tenant_filter: str, endpoint: str, version: str, pairs: list[tuple[str, str]],
                   no_pagination: bool, next_link: str | None, manual: bool) -> list[dict[str, Any]] | tuple:
    """The default branch of Get-GraphRequestList: (results, nextLink)."""
    tenant = resolve(ctx, tenant_filter)
    if tenant is not None and ("%" in endpoint or any("%" in v for _key, v in pairs)):
        endpoint = _text_replace(endpoint, tenant)
        pairs = [(k, _text_replace(v, tenant)) for k, v in pairs]
    uri = f"{g.GRAPH}/{version}/{endpoint}" + (f"?{_query_string(pairs)}" if pairs else "")
    if manual and next_link and re.match(r"^https://.+", next_link):
        host = re.match(r"^https://([^/?#:]+)", next_link)
        if not host or host.group(1).lower() != "graph.microsoft.com":
            raise HelperError(exception_at(LINE_REQUEST_LIST, f"Invalid nextLink URL: {next_link}"))
        uri = next_link
    if tenant is None:
        raise HelperError(exception_at(LINE_REQUEST_LIST, denied_text(tenant_filter, ctx)))
    try:
        items, link = g.follow_all(ctx.state, tenant, uri, no_pagination=no_pagination)
    except g.GraphError as exc:
        raise HelperError(exception_at(LINE_GRAPH_THROW, exc.message)) from None
    out = []
    for item in items:
        if isinstance(item, dict):
            if any(k.lower() in ("tenant", "cippstatus") for k in item):
                raise HelperError(exception_at(LINE_REQUEST_LIST, 'The property cannot be processed because the '
                                               'property "Tenant" already exists.'))
            out.append({**item, "Tenant": tenant_filter, "CippStatus": "Good"})
        else:
            out.append(item)
    return out, link


def _tenant_rows(ctx: Ctx, tenant, endpoint: str, version: str, pairs: list[tuple[str, str]],
                 no_pagination: bool) -> list[dict[str, Any]] | None:
    """Push-ListGraphRequestQueue for one tenant: the cached rows, or None when the activity fails
    (errors, and also an empty result: `$Results[-1]` on $null throws there)."""
    try:
        rows, _next_link = _single_tenant(ctx, tenant.default_domain, endpoint, version, pairs, no_pagination, None, False)
    except HelperError:
        return None
    return rows or None


def _all_tenants(ctx: Ctx, endpoint: str, version: str, pairs: list[tuple[str, str]], no_pagination: bool,
                 skip_cache: bool, link: str) -> Any:
    state = ctx.state
    pk = _partition_key(endpoint, pairs)
    reference = f"AllTenants-{pk}"
    tenants = state.managed_tenants()
    if skip_cache:
        # The -Parallel block re-selects Tenant onto rows that already carry it: every tenant that
        # returns anything yields the error row instead.
        out = []
        for tenant in tenants:
            rows = _tenant_rows(ctx, tenant, endpoint, version, pairs, no_pagination)
            if rows:
                out.append({"Tenant": tenant.default_domain, "CippStatus": 'Could not connect to tenant. The property '
                            'cannot be processed because the property "Tenant" already exists.'})
        return out
    cache = state.graph_cache.setdefault(pk, {})
    fresh = now_utc() - dt.timedelta(hours=1)
    running = [q for q in state.queues.values() if q.reference == reference and q.timestamp >= now_utc() - dt.timedelta(hours=3)]
    for queue in running:
        queue.polls += 1
        queue.advance()
    managed = {t.default_domain for t in tenants}
    rows = [(domain, data) for domain, (stamp, data) in sorted(cache.items()) if stamp >= fresh and domain in managed]
    if rows:
        parts = []
        for _tenant, data in rows:
            d = data.strip()
            if len(d) > 2 and d[0] == "[" and d[-1] == "]":
                parts.append(d[1:-1])
            elif d and d != "[]":
                parts.append(d)
        return "[" + ",".join(parts) + "]"
    active = [q for q in running if not q.finished]
    if active:
        return {"QueueMessage": "Data still processing, please wait", "QueueId": active[0].row_key, "Queued": True}

    def complete(domain: str) -> None:
        tenant = state.find_tenant(domain)
        result = _tenant_rows(ctx, tenant, endpoint, version, pairs, no_pagination) if tenant else None
        if result is None:
            queue.failed.add(domain)
            return
        data = result[0] if len(result) == 1 else result
        cache[domain] = (now_utc(), encode_json(data).decode("utf-8"))

    queue = state.new_queue(f"{_queue_name(endpoint)} (All Tenants)", reference, [t.default_domain for t in tenants],
                            link=link, on_complete=complete)
    return {"QueueMessage": "Loading data for all tenants. Please check back after the job completes",
            "Queued": True, "QueueId": queue.row_key}


@handler("ListGraphRequest", extra_keys=("TenantFilter",))
def list_graph_request(ctx: Ctx):
    q = ctx.q
    params: dict[str, Any] = {}
    if q("$filter"):
        params["$filter"] = q("$filter")
    if not q("$filter") and q("graphFilter"):
        params["$filter"] = q("graphFilter")
    for name in ("$select", "$expand", "expand", "$top"):
        if q(name):
            params[name] = q(name)
    if q("$count"):
        params["$count"] = "true" if ctx.to_bool("query.$count", q("$count")) else "false"
    for name in ("$orderby", "$search", "$format"):
        if q(name):
            params[name] = q(name)
    endpoint_raw = q("Endpoint")
    meta: dict[str, Any] = {"Endpoint": endpoint_raw, "Parameters": params, "CippLink": None}
    tenant_filter = q("TenantFilter") if q("TenantFilter") else None
    if tenant_filter:
        meta["TenantFilter"] = tenant_filter
    if q("QueueId"):
        meta["QueueId"] = q("QueueId")
    if q("Version"):
        meta["Version"] = q("Version")
    flags: dict[str, bool] = {}
    for name, key in (("NoPagination", "NoPagination"), ("manualPagination", "ManualPagination")):
        if q(name):
            flags[key] = ctx.to_bool(f"query.{name}", q(name))
            meta[key] = flags[key]
    if q("nextLink"):
        meta["nextLink"] = q("nextLink")
    if q("CountOnly"):
        flags["CountOnly"] = meta["CountOnly"] = ctx.to_bool("query.CountOnly", q("CountOnly"))
    if q("QueueNameOverride"):
        meta["QueueNameOverride"] = str(q("QueueNameOverride"))
    for name in ("ReverseTenantLookup", "SkipCache", "AsApp"):
        if q(name):
            flags[name] = meta[name] = ctx.to_bool(f"query.{name}", q(name))
    if q("ReverseTenantLookupProperty"):
        meta["ReverseTenantLookupProperty"] = q("ReverseTenantLookupProperty")
    if q("ListProperties"):
        flags["NoPagination"] = True
        meta["NoPagination"] = True
        params["$select"] = ""
        if q("TenantFilter") == "AllTenants":
            first = ctx.state.managed_tenants()
            tenant_filter = first[0].customer_id if first else None
            meta["TenantFilter"] = tenant_filter
    use_raw = q("TenantFilter") == "AllTenants" and not q("ListProperties") and not q("Sort") and not q("QueueId")
    if use_raw:
        meta["RawJsonArray"] = True
    endpoint_name = q("Endpoint") or ""
    try:
        if not endpoint_name:
            raise HelperError("Cannot bind argument to parameter 'Endpoint' because it is an empty string.")
        version = q("Version") or "beta"
        if version.lower() not in ("v1.0", "beta"):
            raise HelperError(f"Cannot validate argument on parameter 'Version'. The argument \"{version}\" does not "
                              "belong to the set \"v1.0,beta\" specified by the ValidateSet attribute. Supply an "
                              "argument that is in the set and then try the command again.")
        version = version.lower()
        endpoint = endpoint_name.lstrip("/")
        pairs = _param_collection(params)
        tenant = tenant_filter or ctx.state.partner_tenant_id
        manual = flags.get("ManualPagination", False)
        no_pag = flags.get("NoPagination", False) or manual
        results: Any
        next_link = None
        if tenant != "AllTenants":
            count = 0
            if ("$count" in params and not manual) or flags.get("CountOnly"):
                target = resolve(ctx, tenant)
                if target is None:
                    raise HelperError(denied_text(tenant, ctx))
                try:
                    uri = f"{g.GRAPH}/{version}/{endpoint}?{_query_string(pairs)}"
                    count = g.count_only(ctx.state, target, uri) or 0
                except g.GraphError as exc:
                    raise HelperError(exc.message) from None
                if flags.get("CountOnly"):
                    return _graph_ok(ctx, [count], meta)
            if count > SINGLE_TENANT_THRESHOLD and not no_pag:
                raise HelperError(exception_at(LINE_REQUEST_LIST, "Queueing of more than 8000 rows is not emulated."))
            results, next_link = _single_tenant(ctx, tenant, endpoint, version, pairs, no_pag, q("nextLink"), manual)
        else:
            results = _all_tenants(ctx, endpoint, version, pairs, flags.get("NoPagination", False),
                                   flags.get("SkipCache", False), "")
            if isinstance(results, str):
                body = '{"Results":' + results + ',"Metadata":' + encode_json(meta).decode("utf-8") + "}"
                return raw_json_response(200, body.encode("utf-8"))
        if next_link and tenant != "AllTenants":
            meta["nextLink"] = next_link
        else:
            meta.pop("nextLink", None)
        if q("ListProperties"):
            first = results[0] if results else {}
            results = [k for k in (first.keys() if isinstance(first, dict) else []) if k not in ("Tenant", "CippStatus")]
        elif isinstance(results, dict) and results.get("Queued") is True:
            meta["Queued"] = True
            meta["QueueMessage"] = results["QueueMessage"]
            meta["QueueId"] = results["QueueId"]
            results = []
        return _graph_ok(ctx, results, meta)
    except HelperError as exc:
        text = f"Graph Error: {normalize(str(exc))} - Endpoint: {endpoint_name}"
        return text_response(200 if q("IgnoreErrors") else 400, text)


def _graph_ok(ctx: Ctx, results: Any, meta: dict[str, Any]):
    results = psvalue.as_list(results)
    sort = ctx.q("Sort")
    if sort:
        results = sorted(results, key=lambda r: (str(psvalue.member(r, sort) or "").lower()))
    return json_response(200, {"Results": results, "Metadata": meta})
