"""Conditional Access endpoints: policies, named locations and CA templates.

Sources (HF/Tenant/Conditional/): Invoke-ListConditionalAccessPolicies.ps1, Invoke-AddCAPolicy.ps1
(+ New-CIPPCAPolicy), Invoke-EditCAPolicy.ps1, Invoke-RemoveCAPolicy.ps1, Invoke-ListCAtemplates.ps1,
Invoke-AddCATemplate.ps1 (+ New-CIPPCATemplate), Invoke-RemoveCATemplate.ps1, Invoke-ListNamedLocations.ps1.

AddCAPolicy follows New-CIPPCAPolicy: RawJSON loses id/GUID/*time*/templateId keys, every empty array and
null (Remove-EmptyArrays) and a false disableResilienceDefaults; LocationInfo locations are matched by display
name or created, and policy location entries naming them get their ids; an existing policy is matched by
display name case-insensitively and, with overwrite ("true" counts, as `-ne $true` compares), PATCHed whole
per top-level property, keeping a "Vacation Exclusion - ..." group it excluded; a tenant CIPP does not manage
fails inside the 200. Stored policies carry Graph's full shape (unset properties as null or []).
Not emulated: replacename=displayName (user/group names to ids), CreateGroups, DisableSD, authentication
strengths and contexts, the service-principal filter of applications.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

from .. import psvalue
from ..framework import Ctx, handler, json_response, ps_response
from ...http import HttpResponse
from ..state import TenantData, is_guid, iso, now_utc, parse_when
from .common import HelperError, denied_text, normalize
from .core import pretty
from .exchange import _all_tenants_cached

# Built-in role templates and first-party apps CA policies commonly name (for display-name resolution).
ROLE_NAMES = {"62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
              "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
              "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
              "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
              "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
              "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator"}
APP_NAMES = {"00000002-0000-0ff1-ce00-000000000000": "Office 365 Exchange Online",
             "00000003-0000-0ff1-ce00-000000000000": "Office 365 SharePoint Online",
             "797f4846-ba00-4fd7-ba43-dac1f8f63013": "Windows Azure Service Management API",
             "00000003-0000-0000-c000-000000000000": "Microsoft Graph"}
# Config/*.CATemplate.json: imported on the first ListCAtemplates call, keyed by their file name.
BUILTIN_TEMPLATES = (("49a8069e-3b46-4680-a035-9250bc675446.CATemplate.json",
                      "CIPP: Enforce Multi factor authentication for each application"),
                     ("cba836bb-33b7-4c50-88be-ee80f74cbeac.CATemplate.json",
                      "CIPP: Enforce Multi-factor authentication for Static Web Apps"),
                     ("f8be7e58-2419-40a8-a739-714bf5deff90.CATemplate.json", "CIPP: Block Legacy Authentication"))


def seed(state: Any, data: dict[str, Any]) -> None:
    for tenant in state.tenants:
        spec = tenant.fixture or {}
        for loc in spec.get("named_locations") or []:
            add_location(tenant, loc, state.loaded_at)
        for policy in spec.get("ca_policies") or []:
            add_policy_record(tenant, dict(policy))
    templates = state.extra.setdefault("ca_templates", {})
    for spec in data.get("ca_templates") or []:
        spec = dict(spec)
        guid = spec.pop("GUID", None) or str(uuid.uuid4())
        templates[guid] = {"GUID": guid, "JSON": json.dumps(spec), "Source": None, "SHA": None, "Package": None}
    state.extra["ca_templates_imported"] = False


def add_location(tenant: TenantData, spec: dict[str, Any], base) -> dict[str, Any]:
    lid = spec.get("id") or str(uuid.uuid4())
    stamp = iso(parse_when(spec.get("created", "-200d"), base))
    if spec.get("type") == "country" or spec.get("countriesAndRegions") is not None:
        record = {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": lid, "displayName": spec["displayName"],
                  "modifiedDateTime": stamp, "createdDateTime": stamp,
                  "countriesAndRegions": list(spec.get("countriesAndRegions") or []),
                  "includeUnknownCountriesAndRegions": bool(spec.get("includeUnknownCountriesAndRegions", False)),
                  "countryLookupMethod": spec.get("countryLookupMethod", "clientIpAddress")}
    else:
        ranges = [r if isinstance(r, dict) else {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": r}
                  for r in spec.get("ipRanges") or []]
        record = {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": lid, "displayName": spec["displayName"],
                  "modifiedDateTime": stamp, "createdDateTime": stamp, "isTrusted": bool(spec.get("isTrusted", False)),
                  "ipRanges": ranges}
    tenant.named_locations[lid] = record
    return record


def add_policy_record(tenant: TenantData, body: dict[str, Any]) -> dict[str, Any]:
    pid = body.pop("id", None) or str(uuid.uuid4())
    stamp = iso(now_utc())
    record = {"id": pid, "templateId": None, "displayName": body.get("displayName"),
              "createdDateTime": body.pop("createdDateTime", stamp), "modifiedDateTime": body.pop("modifiedDateTime", None),
              "state": body.get("state", "enabled"), "sessionControls": None, "conditions": None, "grantControls": None}
    record.update(body)
    tenant.ca_policies[pid] = record
    return record


def _out_string(values: list[str]) -> str:
    """``... | Out-String``: one line per item, Windows line endings, trailing newline."""
    return "".join(f"{v}\r\n" for v in values)


def _names(values: Any, lookup) -> list[str]:
    return [lookup(v) for v in psvalue.as_list(values)]


def policy_row(ctx: Ctx, tenant: TenantData, cap: dict[str, Any], tenant_label: str) -> dict[str, Any]:
    cond = cap.get("conditions") or {}
    users = cond.get("users") or {}
    apps = cond.get("applications") or {}
    locs = cond.get("locations") or {}
    platforms = cond.get("platforms") or {}
    grant = cap.get("grantControls") or {}

    def location(i):
        if i == "All":
            return "All"
        loc = tenant.named_locations.get(i)
        return loc["displayName"] if loc else i

    def user_name(i):
        if i == "All":
            return "All"
        user = tenant.users.get(i)
        return user["displayName"] if user and user.get("displayName") else i

    def group_name(i):
        if i == "All":
            return "All"
        group = tenant.groups.get(i)
        return group["displayName"] if group and group.get("displayName") else "No Data"

    def role_name(i):
        return "All" if i == "All" else ROLE_NAMES.get(i, i)

    def app_name(i):
        return "All" if i == "All" else APP_NAMES.get(i, "")

    def location_field(value):
        # Get-LocationNameFromId receives the whole array: 'All' anywhere -> 'All'; a single id is
        # resolved (PowerShell compares the one-element array as a string); several come back as ids.
        values = psvalue.as_list(value)
        if "All" in values:
            return "All"
        if len(values) == 1:
            return location(values[0])
        return ",".join(values)

    return {
        "id": cap["id"], "displayName": cap.get("displayName"), "customer": None, "Tenant": tenant_label,
        "createdDateTime": cap.get("createdDateTime") or "", "modifiedDateTime": cap.get("modifiedDateTime") or "",
        "state": cap.get("state"),
        "clientAppTypes": ",".join(psvalue.as_list(cond.get("clientAppTypes"))),
        "includePlatforms": ",".join(psvalue.as_list(platforms.get("includePlatforms"))),
        "excludePlatforms": ",".join(psvalue.as_list(platforms.get("excludePlatforms"))),
        "includeLocations": location_field(locs.get("includeLocations")),
        "excludeLocations": location_field(locs.get("excludeLocations")),
        "includeApplications": ",".join(_names(apps.get("includeApplications"), app_name)),
        "excludeApplications": ",".join(_names(apps.get("excludeApplications"), app_name)),
        "includeUserActions": _out_string(psvalue.as_list(apps.get("includeUserActions"))),
        "includeAuthenticationContextClassReferences": _out_string(
            psvalue.as_list(apps.get("includeAuthenticationContextClassReferences"))),
        "includeUsers": _out_string(_names(users.get("includeUsers"), user_name)),
        "excludeUsers": _out_string(_names(users.get("excludeUsers"), user_name)),
        "includeGroups": _out_string(_names(users.get("includeGroups"), group_name)),
        "excludeGroups": _out_string(_names(users.get("excludeGroups"), group_name)),
        "includeRoles": _out_string(_names(users.get("includeRoles"), role_name)),
        "excludeRoles": _out_string(_names(users.get("excludeRoles"), role_name)),
        "grantControlsOperator": ",".join(psvalue.as_list(grant.get("operator"))),
        "builtInControls": ",".join(psvalue.as_list(grant.get("builtInControls"))),
        "customAuthenticationFactors": ",".join(psvalue.as_list(grant.get("customAuthenticationFactors"))),
        "termsOfUse": ",".join(psvalue.as_list(grant.get("termsOfUse"))),
        "rawjson": pretty(cap)}


@handler("ListConditionalAccessPolicies")
def list_ca_policies(ctx: Ctx):
    tenant_ref = ctx.q("tenantFilter")
    metadata = None
    if tenant_ref != "AllTenants":
        tenant = ctx.tenant(tenant_ref)
        if tenant is None:
            ctx.flag("unknown_tenant", "query.tenantFilter", "not in CIPP's tenant list: ListConditionalAccessPolicies "
                     "answers an empty Results (the Graph failure is filtered away).")
            rows = []
        else:
            rows = [policy_row(ctx, tenant, cap, tenant_ref) for cap in tenant.ca_policies.values()]
    else:
        rows, metadata = _all_tenants_cached(
            ctx, "CAPolicy", "Conditional Access Policies - All Tenants", "/tenant/conditional/list-policies?customerId=AllTenants",
            lambda t: [policy_row(ctx, t, cap, t.default_domain) for cap in t.ca_policies.values()],
            "Still loading data for all tenants. Please check back in a few more minutes",
            "Loading data for all tenants. Please check back in a few minutes")
    rows = sorted([r for r in rows if r.get("id") is not None], key=lambda r: r["id"], reverse=True)
    return json_response(200, {"Results": rows, "Metadata": metadata})


@handler("ListNamedLocations", extra_keys=("TenantFilter",))
def list_named_locations(ctx: Ctx):
    tenant = ctx.tenant(ctx.q("TenantFilter"))
    if tenant is None:
        ctx.flag("unknown_tenant", "query.TenantFilter", "not in CIPP's tenant list: ListNamedLocations answers [].")
        return json_response(200, [])
    rows = []
    for loc in tenant.named_locations.values():
        rng = (", ".join(r.get("cidrAddress") for r in loc["ipRanges"]) if loc.get("ipRanges")
               else ", ".join(loc.get("countriesAndRegions") or []))
        rows.append({**loc, "rangeOrLocation": rng})
    return json_response(200, rows)


def _parse_raw(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, str):
        raise HelperError("Conversion from JSON failed with error: Unexpected character encountered while parsing value: "
                          "@. Path '', line 0, position 0.")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise HelperError(f"Conversion from JSON failed with error: {exc}") from None
    if not isinstance(data, dict):
        raise HelperError("Conversion from JSON failed with error: Unexpected JSON token.")
    return data


def remove_empty_arrays(value: Any) -> None:
    """Remove-EmptyArrays: drops empty arrays and nulls from every object, recursively, in place."""
    if isinstance(value, list):
        for item in value:
            remove_empty_arrays(item)
    elif isinstance(value, dict):
        for key in list(value):
            if value[key] is None or (isinstance(value[key], list) and not value[key]):
                del value[key]
            else:
                remove_empty_arrays(value[key])


def _clean_policy(body: dict[str, Any], state: Any) -> dict[str, Any]:
    """New-CIPPCAPolicy's cleaning of RawJSON before anything is sent to Graph."""
    clean = {k: v for k, v in body.items() if k.lower() not in ("id", "guid") and "time" not in k.lower()}
    remove_empty_arrays(clean)
    grant = clean.get("grantControls")
    if isinstance(grant, dict):
        grant.pop("authenticationStrength@odata.context", None)
    clean.pop("templateId", None)
    session = clean.get("sessionControls")
    if isinstance(session, dict):
        if session.get("disableResilienceDefaults") is not True:
            session.pop("disableResilienceDefaults", None)
        if not session:
            clean.pop("sessionControls")
    if psvalue.truthy(state) and state != "donotchange":
        clean["state"] = state
    return clean


def _resolve_location_info(ctx: Ctx, tenant: TenantData, clean: dict[str, Any], overwrite: bool) -> None:
    """LocationInfo: every location it describes is matched by display name (PATCHed with overwrite) or
    created; includeLocations/excludeLocations entries naming it (display name or template id) get its id."""
    lookup = []
    for loc in psvalue.as_list(clean.get("LocationInfo")):
        if not isinstance(loc, dict) or not loc.get("displayName"):
            continue
        existing = next((x for x in tenant.named_locations.values() if str(x["displayName"]).lower()
                         == str(loc["displayName"]).lower()), None)
        if existing is None:
            spec = {k: v for k, v in loc.items() if k != "id" and "@odata" not in k}
            existing = add_location(tenant, spec, now_utc())
            ctx.log(f"Created new Named Location: {loc['displayName']}", "Info", tenant=tenant.default_domain)
        elif overwrite:
            existing.update({k: v for k, v in loc.items() if k not in ("id", "@odata.type") and "time" not in k.lower()})
        lookup.append((existing["id"], str(loc["displayName"]), loc.get("id")))
    locations = (clean.get("conditions") or {}).get("locations")
    if not lookup or not isinstance(locations, dict):
        return
    for key in ("includeLocations", "excludeLocations"):
        values = psvalue.as_list(locations.get(key))
        for index, value in enumerate(values):
            match = next((lid for lid, name, template_id in lookup if value in (name, template_id)), None)
            if match:
                values[index] = match
        if key in locations:
            locations[key] = values


def new_ca_policy(ctx: Ctx, tenant_ref: str, raw: Any, state: Any, overwrite: Any, replace: Any) -> str:
    """New-CIPPCAPolicy (display-name match, overwrite, state override); raises HelperError."""
    body = _parse_raw(raw)
    display = body.get("displayName")
    clean = _clean_policy(body, state)
    overwrite = psvalue.eq_true(overwrite)  # `$Overwrite -ne $true`: "true" and "True" count too
    tenant = ctx.tenant(tenant_ref)
    try:
        if replace == "AllUsers":
            users = (clean.get("conditions") or {}).get("users") or {}
            if users.get("includeUsers") != ["All"]:
                users["includeUsers"] = ["All"]
            for key in ("excludeUsers", "includeGroups", "excludeGroups"):
                if users.get(key):
                    users[key] = []
        # replacename=displayName (user/group names to ids from Graph) is not emulated: names are kept.
        if tenant is not None and clean.get("LocationInfo"):
            _resolve_location_info(ctx, tenant, clean, overwrite)
        clean.pop("LocationInfo", None)
        clean.pop("AuthContextInfo", None)
        users = (clean.get("conditions") or {}).get("users")
        if isinstance(users, dict):
            for key in list(users):
                if all(psvalue.is_blank(v) for v in psvalue.as_list(users[key])):
                    users[key] = []
        matches = [p for p in tenant.ca_policies.values()
                   if str(p.get("displayName") or "").lower() == str(display or "").lower()] if tenant else []
        existing = matches[0] if matches else None
        if existing:
            if not overwrite:
                raise HelperError(f"Conditional Access Policy with Display Name {display} Already exists")
            if state == "donotchange":
                clean["state"] = existing.get("state")
            vacation = [gid for gid in psvalue.as_list(((existing.get("conditions") or {}).get("users") or {}).get(
                "excludeGroups")) if str((tenant.groups.get(gid) or {}).get("displayName") or "").startswith("Vacation Exclusion")]
            new_users = (clean.get("conditions") or {}).get("users")
            if vacation and isinstance(new_users, dict) and vacation[0] not in psvalue.as_list(new_users.get("excludeGroups")):
                new_users["excludeGroups"] = psvalue.as_list(new_users.get("excludeGroups")) + [vacation[0]]
            _graph_check(clean, patch=True)
            existing.update(clean)  # Graph PATCH: every top-level property sent replaces the old one whole
            existing["modifiedDateTime"] = iso(now_utc())
            graph_shape(existing)
            ctx.changed()
            ctx.log(f"Updated Conditional Access Policy {display} to the template standard.", "Info", tenant=tenant_ref)
            return f"Updated policy {display} for {tenant_ref}"
        if tenant is not None:
            _graph_check(clean, patch=False)
            graph_shape(add_policy_record(tenant, clean))
            ctx.changed()
        ctx.log(f"Added Conditional Access Policy {display}", "Info", tenant=tenant_ref)
        return f"Created policy {display} for {tenant_ref}"
    except HelperError as exc:
        message = f"Failed to create or update conditional access rule {display}: {normalize(str(exc))}"
        ctx.log(message, "Error", tenant=tenant_ref)
        raise HelperError(message) from None


# What Graph answers for properties a policy does not set (GET .../conditionalAccess/policies).
GRAPH_DEFAULTS = {"templateId": None, "partialEnablementStrategy": None, "sessionControls": None}
CONDITION_DEFAULTS = {"userRiskLevels": [], "signInRiskLevels": [], "clientAppTypes": ["all"], "servicePrincipalRiskLevels": [],
                      "insiderRiskLevels": None, "platforms": None, "locations": None, "times": None, "deviceStates": None,
                      "devices": None, "clientApplications": None, "authenticationFlows": None}
APPLICATION_DEFAULTS = {"includeApplications": [], "excludeApplications": [], "includeUserActions": [],
                        "includeAuthenticationContextClassReferences": [], "applicationFilter": None}
USER_DEFAULTS = {"includeUsers": [], "excludeUsers": [], "includeGroups": [], "excludeGroups": [], "includeRoles": [],
                 "excludeRoles": [], "includeGuestsOrExternalUsers": None, "excludeGuestsOrExternalUsers": None}
GRANT_DEFAULTS = {"operator": "OR", "builtInControls": [], "customAuthenticationFactors": [], "termsOfUse": [],
                  "authenticationStrength@odata.context": "https://graph.microsoft.com/beta/$metadata#identity/conditionalAccess"
                                                          "/policies('{id}')/grantControls/authenticationStrength/$entity",
                  "authenticationStrength": None}


def graph_shape(policy: dict[str, Any]) -> dict[str, Any]:
    """The policy as Graph stores and answers it: every unset property present as null or []."""
    for key, value in GRAPH_DEFAULTS.items():
        policy.setdefault(key, value)
    conditions = policy.get("conditions")
    if isinstance(conditions, dict):
        for key, value in CONDITION_DEFAULTS.items():
            conditions.setdefault(key, list(value) if isinstance(value, list) else value)
        for key, defaults in (("applications", APPLICATION_DEFAULTS), ("users", USER_DEFAULTS)):
            if isinstance(conditions.get(key), dict):
                for sub, value in defaults.items():
                    conditions[key].setdefault(sub, list(value) if isinstance(value, list) else value)
    grant = policy.get("grantControls")
    if isinstance(grant, dict):
        for key, value in GRANT_DEFAULTS.items():
            grant.setdefault(key, value.replace("{id}", str(policy.get("id"))) if isinstance(value, str) and "{id}" in value
                             else list(value) if isinstance(value, list) else value)
    else:
        policy.setdefault("grantControls", None)
    return policy


def _graph_check(policy: dict[str, Any], patch: bool) -> None:
    """What Graph refuses in a conditionalAccessPolicy body."""
    if not patch and not policy.get("displayName"):
        raise HelperError("1003: The request body is missing a required property: displayName.")
    if not patch and not isinstance(policy.get("conditions"), dict):
        raise HelperError("1002: The request body is missing a required property: conditions.")
    if policy.get("state") is not None and policy["state"] not in ("enabled", "disabled", "enabledForReportingButNotEnforced"):
        raise HelperError(f"Invalid value '{policy['state']}' for property 'state'.")


@handler("AddCAPolicy")
def add_ca_policy(ctx: Ctx):
    tenant_value = ctx.b("tenantFilter")
    for index, item in enumerate(psvalue.as_list(tenant_value)):
        if not isinstance(item, dict):
            ctx.flag("bare_labelvalue", f"body.tenantFilter[{index}]" if isinstance(tenant_value, list) else "body.tenantFilter",
                     f"AddCAPolicy reads tenantFilter.value; the bare {item!r} deploys the policy nowhere.",
                     '[{"value": "<tenant domain>"}]')
    tenants = [psvalue.ps_str(t) for t in psvalue.as_list(psvalue.member(tenant_value, "value"))]
    if "AllTenants" in tenants:
        tenants = [t.default_domain for t in ctx.state.managed_tenants()]
    results = []
    for tenant_ref in tenants:
        if ctx.tenant(tenant_ref) is None:
            # New-CIPPCAPolicy's first Graph read (the existing policies) is refused for a tenant CIPP does not manage.
            results.append(f"Failed to fetch existing CA policies: {denied_text(tenant_ref, ctx)}")
            continue
        try:
            results.append(new_ca_policy(ctx, tenant_ref, ctx.b("RawJSON"), ctx.b("NewState"), ctx.b("overwrite"),
                                         ctx.b("replacename")))
        except HelperError as exc:
            results.append(str(exc))
    return json_response(200, {"Results": results})


@handler("EditCAPolicy")
def edit_ca_policy(ctx: Ctx):
    tenant_ref = ctx.qb("tenantFilter")
    pid = psvalue.ps_str(ctx.qb("GUID"))
    state = ctx.qb("State")
    name = ctx.qb("newDisplayName")
    tenant = ctx.tenant(tenant_ref)
    try:
        if tenant is None:
            ctx.flag("unknown_tenant", "tenantFilter", "not in CIPP's tenant list: EditCAPolicy reports success.")
        else:
            policy = tenant.ca_policies.get(pid)
            if policy is None:
                raise HelperError(f"The requested resource '{pid}' was not found." if pid else "Request_BadRequest")
            if state:
                if state not in ("enabled", "disabled", "enabledForReportingButNotEnforced"):
                    raise HelperError(f"Invalid value '{state}' for property 'state'.")
                policy["state"] = state
            if name:
                policy["displayName"] = name
            policy["modifiedDateTime"] = iso(now_utc())
            ctx.changed()
        result = f"Successfully updated CA policy {pid}"
        if state:
            result += f" state to {state}"
        if name:
            result += f" name to '{name}'"
        ctx.log(result, "Info", tenant=psvalue.ps_str(tenant_ref))
        return json_response(200, {"Results": result})
    except HelperError as exc:
        return json_response(500, {"Results": f"Failed to update CA policy {pid}: {normalize(str(exc))}"})


@handler("RemoveCAPolicy")
def remove_ca_policy(ctx: Ctx):
    tenant_ref = ctx.qb("tenantFilter")
    pid = ctx.qb("GUID")
    if not psvalue.truthy(pid):
        ctx.flag("missing_required", "GUID", "RemoveCAPolicy calls `exit` without GUID: no response.")
        return HttpResponse(204, b"", {}, note="Invoke-RemoveCAPolicy: `if (!$policyId) { exit }`")
    tenant = ctx.tenant(tenant_ref)
    try:
        if tenant is None:
            ctx.flag("unknown_tenant", "tenantFilter", "not in CIPP's tenant list: RemoveCAPolicy reports success.")
        else:
            if tenant.ca_policies.pop(psvalue.ps_str(pid), None) is None:
                raise HelperError(f"The requested resource '{psvalue.ps_str(pid)}' was not found.")
            ctx.changed()
        result = f"Deleted CA Policy {psvalue.ps_str(pid)}"
        ctx.log(result, "Info", tenant=psvalue.ps_str(tenant_ref))
        return json_response(200, {"Results": result})
    except HelperError as exc:
        return json_response(403, {"Results": f"Could not delete CA policy with ID {psvalue.ps_str(pid)} : {normalize(str(exc))}"})


# --------------------------------------------------------------------------- templates

def _import_builtins(state: Any) -> None:
    if state.extra.get("ca_templates_imported"):
        return
    templates = state.extra.setdefault("ca_templates", {})
    for guid, name in BUILTIN_TEMPLATES:
        body = {"displayName": name, "state": "enabled",
                "conditions": {"clientAppTypes": ["all"], "applications": {"includeApplications": ["All"]},
                               "users": {"includeUsers": ["All"], "excludeUsers": [], "excludeGroups": []}},
                "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}
        templates.setdefault(guid, {"GUID": guid, "JSON": json.dumps(body), "Source": None, "SHA": None, "Package": None})
    state.extra["ca_templates_imported"] = True


def _template_out(row: dict[str, Any]) -> dict[str, Any] | None:
    try:
        data = json.loads(row["JSON"])
    except ValueError:
        return None
    data["GUID"] = row["GUID"]
    data["source"] = row.get("Source")
    data["isSynced"] = bool(row.get("SHA"))
    data["package"] = row.get("Package")
    return data


@handler("ListCAtemplates", extra_keys=("ID", "guid", "GUID"))
def list_ca_templates(ctx: Ctx):
    state = ctx.state
    _import_builtins(state)
    templates = state.extra["ca_templates"]
    guid = psvalue.coalesce(ctx.q("id"), ctx.q("guid"))
    if ctx.q("mode") == "Tag":
        out = []
        packages: dict[str, list] = {}
        for row in templates.values():
            if row.get("Package"):
                packages.setdefault(row["Package"], []).append(row)
        for package, rows in sorted(packages.items()):
            out.append({"label": f"{package} ({len(rows)} Templates)", "value": package, "type": "tag",
                        "templateCount": len(rows), "templates": [t for t in map(_template_out, rows) if t]})
        return ps_response(200, pretty(out))
    rows = [r for r in templates.values() if not guid or r["GUID"].lower() == str(guid).lower()]
    out = sorted((t for t in map(_template_out, rows) if t), key=lambda t: str(t.get("displayName") or "").lower())
    return ps_response(200, pretty(out))


@handler("AddCATemplate")
def add_ca_template(ctx: Ctx):
    body = ctx.body if isinstance(ctx.body, dict) else {}
    tenant = ctx.tenant(ctx.b("tenantFilter"))
    if tenant is None and not psvalue.is_blank(ctx.b("tenantFilter")):
        # New-CIPPCATemplate reads the tenant's users first; Graph refuses a tenant CIPP does not manage.
        return json_response(500, {"Results": f"Failed to create CA Template: {denied_text(ctx.b('tenantFilter'), ctx)}"})
    data = {k: v for k, v in body.items() if v is not None}
    users = ((data.get("conditions") or {}).get("users") or {}) if isinstance(data.get("conditions"), dict) else {}
    if tenant is not None and isinstance(users, dict):
        for key in ("includeUsers", "excludeUsers"):
            if users.get(key) is not None:
                users[key] = [v if v in ("All", "None", "GuestsOrExternalUsers") else
                              ((tenant.users.get(v) or {}).get("displayName") or v) for v in psvalue.as_list(users[key])]
        for key in ("includeGroups", "excludeGroups"):
            if users.get(key) is not None:
                users[key] = [v if not is_guid(v) else ((tenant.groups.get(v) or {}).get("displayName") or v)
                              for v in psvalue.as_list(users[key])]
    location_info = []
    if tenant is not None:
        locs = (data.get("conditions") or {}).get("locations") or {} if isinstance(data.get("conditions"), dict) else {}
        for key in ("includeLocations", "excludeLocations"):
            names = []
            for lid in psvalue.as_list(locs.get(key)):
                loc = tenant.named_locations.get(lid)
                names.append(loc["displayName"] if loc else lid)
                if loc and not any(x["displayName"] == loc["displayName"] for x in location_info):  # unique by name
                    location_info.append({k: v for k, v in loc.items() if k != "id" and "time" not in k.lower()})
            if names:
                locs[key] = names
    data["LocationInfo"] = location_info
    guid = str(uuid.uuid4())
    ctx.state.extra.setdefault("ca_templates", {})[guid] = {"GUID": guid, "JSON": json.dumps(data), "Source": None,
                                                            "SHA": None, "Package": None}
    ctx.changed()
    return json_response(200, {"Results": f"Created CA Template {psvalue.ps_str(ctx.b('name'))} with GUID {guid}"})


@handler("RemoveCATemplate")
def remove_ca_template(ctx: Ctx):
    template_id = psvalue.ps_str(ctx.qb("ID"))
    templates = ctx.state.extra.setdefault("ca_templates", {})
    if templates.pop(template_id, None) is None:
        return json_response(500, {"Results": f"Failed to remove Conditional Access template {template_id}: Cannot bind "
                                              "argument to parameter 'Entity' because it is null."})
    ctx.changed()
    result = f"Removed Conditional Access Template with ID {template_id}"
    ctx.log(result, "Info")
    return json_response(200, {"Results": result})
