"""Tenant endpoints: ListTenants, ListTenantDetails, ListDomains, ListLicenses, ListGDAPRoles.

Sources (HF/Tenant/...): Administration/Tenant/Invoke-ListTenants.ps1 (+ Get-Tenants,
Remove-CIPPCache), Administration/Tenant/Invoke-ListTenantDetails.ps1,
Administration/Domains/Invoke-ListDomains.ps1, Reports/Invoke-ListLicenses.ps1
(+ Get-CIPPLicenseOverview, Push-ListLicensesQueue), GDAP/Invoke-ListGDAPRoles.ps1.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from .. import graph as g
from .. import psvalue
from ..framework import Ctx, handler, json_response, ps_response
from ..state import TenantData, now_utc
from .common import normalize, token_error


def tenant_rows(ctx: Ctx, tenants: list[TenantData]) -> list[dict[str, Any]]:
    allowed = ctx.caller.allowed_tenants
    rows = []
    for tenant in tenants:
        if allowed is not None and tenant.customer_id.lower() not in allowed:
            continue
        rows.append(dict(tenant.row))
    return rows


@handler("ListTenants", extra_keys=("tenantFilter",))
def list_tenants(ctx: Ctx):
    state = ctx.state
    if psvalue.eq_true(ctx.b("ClearCache")):
        tenants_only = ctx.b("TenantsOnly")
        details = [f"Removed {sum(1 for t in state.managed_tenants() if t.row['delegatedPrivilegeStatus'] == 'granularDelegatedAdminPrivileges')} tenants"]
        if tenants_only is not None and not psvalue.truthy(tenants_only) or (isinstance(tenants_only, str) and tenants_only.lower() == "false"):
            details.append("Clearing all cached table data")
            for name in sorted(["cachelicenses"] + [f"cache{k[:8].lower()}" for k in state.graph_cache]):
                details.append(f"Removing cache table {name}")
            state.graph_cache.clear()
            state.license_cache = None
            details += ["Clearing Intune policy tracking data", "Clearing domain analyser results"]
            ctx.changed()
        details.append("Cache cleanup complete")
        ctx.changed()               # tenant rows removed and a refresh queued
        return json_response(200, {"Results": [{"Results": "Cache has been cleared and a tenant refresh is queued."}],
                                   "Metadata": {"Details": details}})
    tenant_filter = ctx.q("tenantFilter")
    tenants = state.managed_tenants()
    if tenant_filter and tenant_filter != "AllTenants":
        tenants = [t for t in tenants if t.matches(tenant_filter)]
        if not tenants and ctx.state.find_tenant(tenant_filter, include_excluded=True) is None:
            ctx.flag("unknown_tenant", "query.tenantFilter",
                     f"'{tenant_filter}' is not in CIPP's tenant list: ListTenants answers an empty list.")
    rows = tenant_rows(ctx, tenants)
    if (tenant_filter is None or tenant_filter == "null") or ctx.q("Mode") == "TenantList":
        if psvalue.eq_true(ctx.q("AllTenantSelector")):
            selector = {"customerId": "AllTenants", "defaultDomainName": "AllTenants", "displayName": "*All Tenants",
                        "domains": "AllTenants", "GraphErrorCount": 0}
            if ctx.q("IncludeOffboardingDefaults") == "true":
                selector["offboardingDefaults"] = None
            rows = [selector] + rows
        if ctx.q("Mode") == "TenantList":
            rows = [_with_portals(r) for r in rows]
    if ctx.q("IncludeOffboardingDefaults") == "true":
        for row in rows:
            row.setdefault("offboardingDefaults", None)
    return json_response(200, rows)


def _with_portals(row: dict[str, Any]) -> dict[str, Any]:
    initial, default, cid = row.get("initialDomainName"), row.get("defaultDomainName"), row.get("customerId")
    return {**row,
            "portal_m365": f"https://admin.cloud.microsoft/?delegatedOrg={initial or ''}",
            "portal_exchange": f"https://admin.cloud.microsoft/exchange?delegatedOrg={initial or ''}",
            "portal_entra": f"https://entra.microsoft.com/{default}",
            "portal_teams": f"https://admin.teams.microsoft.com?delegatedOrg={initial or ''}",
            "portal_azure": f"https://portal.azure.com/{default}",
            "portal_intune": f"https://intune.microsoft.com/{default}",
            "portal_security": f"https://security.microsoft.com/?tid={cid}",
            "portal_compliance": f"https://purview.microsoft.com/?tid={cid}",
            "portal_sharepoint": f"/api/ListSharePointAdminUrl?tenantFilter={default}",
            "portal_platform": f"https://admin.powerplatform.microsoft.com/account/login/{cid}",
            "portal_bi": f"https://app.powerbi.com/admin-portal?ctid={cid}"}


@handler("ListTenantDetails")
def list_tenant_details(ctx: Ctx):
    tenant_filter = ctx.q("tenantFilter")
    # /organization is exempt from Get-AuthorisedRequest: even an excluded tenant answers, an
    # unknown one fails at token time.
    tenant = ctx.state.find_tenant(tenant_filter, include_excluded=True) if tenant_filter else None
    if tenant is None:
        message = f"Failed to retrieve tenant details: {normalize('Could not get token: ' + token_error(tenant_filter, ctx))}"
        ctx.log(message, "Error")
        return ps_response(500, message)
    org = tenant.organization
    out = {k: org.get(k) for k in ("displayName", "id", "city", "country", "countryLetterCode", "street", "state",
                                   "postalCode")}
    out["businessPhones"] = ", ".join(org.get("businessPhones") or [])
    out["technicalNotificationMails"] = ", ".join(org.get("technicalNotificationMails") or [])
    for key in ("tenantType", "createdDateTime", "onPremisesLastPasswordSyncDateTime", "onPremisesLastSyncDateTime",
                "onPremisesSyncEnabled", "assignedPlans"):
        out[key] = org.get(key)
    out["customProperties"] = dict(ctx.state.extra.get("tenant_properties", {}).get(tenant.customer_id, {}))
    out["Groups"] = []
    return json_response(200, out)


@handler("ListDomains")
def list_domains(ctx: Ctx):
    tenant = ctx.tenant(ctx.q("tenantFilter"))
    if tenant is None:
        if ctx.q("tenantFilter"):
            ctx.flag("unknown_tenant", "query.tenantFilter",
                     f"'{ctx.q('tenantFilter')}' is not in CIPP's tenant list: ListDomains answers [] (the Graph "
                     "helper's refusal is non-terminating).")
        return json_response(200, [])
    rows = [{"id": d["id"], "isDefault": d["isDefault"], "isInitial": d["isInitial"]} for d in tenant.domains]
    rows.sort(key=lambda r: not r["isDefault"])
    return json_response(200, rows)


# --------------------------------------------------------------------------- licences

def license_overview(ctx: Ctx, tenant: TenantData, tenant_label: str, include_excluded: bool = False) -> list[dict[str, Any]]:
    """Get-CIPPLicenseOverview."""
    state = ctx.state
    users_by_sku: dict[str, list[dict[str, str]]] = {}
    for user in sorted(tenant.users.values(), key=lambda u: (u.get("displayName") or "").lower()):
        for lic in user["assignedLicenses"]:
            users_by_sku.setdefault(lic["skuId"].lower(), []).append(
                {"displayName": user.get("displayName") or "", "userPrincipalName": user["userPrincipalName"], "id": user["id"]})
    groups_by_sku: dict[str, list[dict[str, Any]]] = {}
    for group in tenant.groups.values():
        for lic in group.get("assignedLicenses") or []:
            from .common import group_type_name
            groups_by_sku.setdefault(lic["skuId"].lower(), []).append(
                {"displayName": group["displayName"], "calculatedGroupType": group_type_name(group), "id": group["id"],
                 "onPremisesSyncEnabled": bool(group.get("onPremisesSyncEnabled"))})
    rows = []
    subs = {s["id"]: s for s in tenant.subscriptions}
    for sku in g.subscribed_skus(state, tenant):
        if sku["skuId"].lower() in state.excluded_skus:
            continue        # excluded everywhere; none of them is ShowInLicenseDropdown in the default list
        catalog = state.sku_by_id.get(sku["skuId"])
        pretty = catalog.name if catalog else sku["skuPartNumber"]
        term_info = []
        for sub_id in sku["subscriptionIds"]:
            sub = subs.get(sub_id, {})
            created = _dt(sub.get("createdDateTime"))
            nxt = _dt(sub.get("nextLifecycleDateTime"))
            days = (nxt - created).days if created and nxt else 0
            term = "Term unknown or non-NCE license"
            if sub.get("isTrial"):
                term = "Trial"
            elif 36 <= days <= 1089:
                term = "Yearly"
            elif 1090 <= days <= 1100:
                term = "3 Year"
            elif 25 <= days <= 35:
                term = "Monthly"
            term_info.append({"Status": sub.get("status"), "Term": term, "TotalLicenses": sub.get("totalLicenses"),
                              "DaysUntilRenew": (nxt - now_utc()).days if nxt else None,
                              "NextLifecycle": sub.get("nextLifecycleDateTime"), "CreatedDateTime": sub.get("createdDateTime"),
                              "IsTrial": sub.get("isTrial"), "SubscriptionId": sub.get("id"),
                              "CSPSubscriptionId": sub.get("commerceSubscriptionId"), "OCPSubscriptionId": sub.get("ocpSubscriptionId")})
        enabled = sku["prepaidUnits"]["enabled"]
        consumed = sku["consumedUnits"]
        key = sku["skuId"].lower()
        rows.append({
            "Tenant": tenant_label, "License": pretty, "CountUsed": str(consumed), "CountAvailable": enabled - consumed,
            "TotalLicenses": str(enabled), "skuId": sku["skuId"], "skuPartNumber": pretty,
            "availableUnits": enabled - consumed, "TermInfo": term_info,
            "AssignedUsers": users_by_sku.get(key), "AssignedGroups": groups_by_sku.get(key),
            "ServicePlans": sku["servicePlans"]})
    rows.sort(key=lambda r: r["License"].lower())
    return rows


def _dt(text: Any) -> dt.datetime | None:
    if not text:
        return None
    return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))


@handler("ListLicenses")
def list_licenses(ctx: Ctx):
    state = ctx.state
    tenant_filter = ctx.q("tenantFilter")
    include_excluded = psvalue.eq_true(ctx.q("IncludeExcluded"))
    if tenant_filter != "AllTenants":
        tenant = ctx.tenant(tenant_filter)
        if tenant is None:
            if tenant_filter:
                ctx.flag("unknown_tenant", "query.tenantFilter",
                         f"'{tenant_filter}' is not in CIPP's tenant list: ListLicenses answers [].")
            return json_response(200, [])
        return json_response(200, license_overview(ctx, tenant, str(tenant_filter), include_excluded))
    cache = state.license_cache
    fresh = now_utc() - dt.timedelta(hours=1)
    rows = [data for stamp, data in (cache or {}).get("rows", {}).values() if stamp >= fresh] if cache else []
    if rows:
        out = []
        for data in rows:
            out.extend(data)
        return json_response(200, out)
    placeholder = {"Tenant": "Loading data for all tenants. Please check back in 1 minute",
                   "License": "Loading data for all tenants. Please check back in 1 minute"}
    tenants = state.managed_tenants()
    if tenants and not (cache and cache.get("queue") and not cache["queue"].finished):
        store: dict[str, Any] = {"rows": {}}

        def complete(domain: str) -> None:
            tenant = state.find_tenant(domain)
            if tenant:
                store["rows"][domain] = (now_utc(), license_overview(ctx, tenant, domain))
        store["queue"] = state.new_queue("Licenses (All Tenants)", "", [t.default_domain for t in tenants],
                                         on_complete=complete)
        state.license_cache = store
    return json_response(200, [placeholder])


@handler("ListGDAPRoles")
def list_gdap_roles(ctx: Ctx):
    return json_response(200, [{"GroupName": r.get("GroupName"), "GroupId": r.get("GroupId"), "RoleName": r.get("RoleName"),
                                "roleDefinitionId": r.get("roleDefinitionId")} for r in ctx.state.gdap_roles])
