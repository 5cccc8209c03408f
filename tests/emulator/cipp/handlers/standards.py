"""Standards and drift: templates, runs, comparison, alignment and drift.

Sources (HF/Tenant/Standards/): Invoke-listStandardTemplates.ps1, Invoke-AddStandardsTemplate.ps1,
Invoke-RemoveStandardTemplate.ps1, Invoke-ExecStandardsRun.ps1, Invoke-ListStandardsCompare.ps1,
Invoke-ListTenantAlignment.ps1 (+ Get-CIPPTenantAlignment), Invoke-ListTenantDrift.ps1 (+ Get-CIPPDrift),
Invoke-ExecBaselineRun.ps1 (+ Start-CIPPBaselineOrchestrator: only the count of queued checks).

The fixture's optional ``standards.yaml`` (same keys as cipp.yaml: standards_templates[], standards_compare[],
drift[], plus baselines[] ``{id, name, tenants: [domain | AllTenants], standards: [name]}``) adds to cipp.yaml's.
ExecStandardsRun results land ``RUN_DELAY`` seconds after the run (the reports' refresh time moves then).

Tables kept in ``state.extra``: ``standards_templates`` (GUID -> stored JSON text, the
StandardsTemplateV2 partition), ``standards_reports`` (CippStandardsReports rows: PartitionKey =
tenant default domain, RowKey = ``standards.<Name>``) and ``drift_states`` (tenantDrift:
(tenant, standard) -> Status/Reason/User).
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from .. import psvalue
from ..framework import Ctx, Escape, handler, json_response
from ..state import iso, now_utc

#: seconds between ExecStandardsRun and its results showing in the reports table
RUN_DELAY = 1.0
STATUS_NAMES = {"new": "New", "accepted": "Accepted", "denied": "Denied", "customerspecific": "CustomerSpecific",
                "deniedremediate": "DeniedRemediate", "denieddelete": "DeniedDelete"}


def _fixture_extra(state: Any) -> dict[str, Any]:
    """``standards.yaml`` of the fixture, if any: more templates, results and drift in cipp.yaml's schema."""
    from ...world import FIXTURE_DIR, _parsed_yaml
    path = FIXTURE_DIR / str(getattr(state.world, "fixture_name", "default")) / "standards.yaml"
    return _parsed_yaml(path) if path.exists() else {}


def seed(state: Any, data: dict[str, Any]) -> None:
    extra = _fixture_extra(state)
    if extra:
        data = dict(data)
        for key in ("standards_templates", "standards_compare", "drift", "baselines"):
            data[key] = list(data.get(key) or []) + list(extra.get(key) or [])
    state.extra["baselines"] = [dict(b) for b in data.get("baselines") or []]
    templates = state.extra.setdefault("standards_templates", {})
    for spec in data.get("standards_templates") or []:
        spec = dict(spec)
        guid = spec.get("GUID") or str(uuid.uuid4())
        spec["GUID"] = guid
        templates[guid] = {"JSON": json.dumps(spec, separators=(",", ":")), "Source": None, "SHA": None,
                           "Timestamp": state.loaded_at}
    reports = state.extra.setdefault("standards_reports", [])
    refreshed = state.loaded_at - dt.timedelta(hours=6)
    for spec in data.get("standards_compare") or []:
        for name, result in (spec.get("results") or {}).items():
            reports.append({"PartitionKey": spec["tenant"], "RowKey": f"standards.{name}", "Value": result.get("value"),
                            "TemplateId": spec.get("template"), "LicenseAvailable": result.get("licenseAvailable", True),
                            "CurrentValue": json.dumps(result.get("current"), separators=(",", ":")),
                            "ExpectedValue": json.dumps(result.get("expected"), separators=(",", ":")),
                            "Timestamp": refreshed})
    drift = state.extra.setdefault("drift_states", {})
    for spec in data.get("drift") or []:
        key = f"standards.{spec['standard']}" if "." not in spec["standard"] else spec["standard"]
        drift[(spec["tenant"].lower(), key)] = {"StandardName": key, "Status": STATUS_NAMES.get(str(spec.get("status", "new")).lower(), "New"),
                                                "Reason": spec.get("reason"), "User": spec.get("user"),
                                                "LastModified": iso(refreshed)}
    for tenant in state.tenants:
        for pid, policy in tenant.ca_policies.items():
            key = f"ConditionalAccessTemplates.{pid}"
            drift.setdefault((tenant.default_domain.lower(), key), {
                "StandardName": key, "Status": "CustomerSpecific", "Reason": "Tenant-specific policy, kept on purpose",
                "User": "admin@msp-partner.onmicrosoft.com", "LastModified": iso(refreshed)})


def _templates(state: Any) -> list[dict[str, Any]]:
    out = []
    for guid, row in state.extra.get("standards_templates", {}).items():
        text = row["JSON"].replace('"Action":', '"action":')
        try:
            data = json.loads(text)
        except ValueError:
            continue
        data["GUID"] = guid
        data["source"] = row.get("Source")
        data["isSynced"] = bool(row.get("SHA"))
        excluded = data.get("excludedTenants")
        data["excludedTenants"] = psvalue.as_list(excluded) if excluded and excluded != "excludedTenants" else []
        out.append(data)
    return sorted(out, key=lambda t: str(t.get("templateName") or "").lower())


@handler("listStandardTemplates")
def list_standard_templates(ctx: Ctx):
    templates = _templates(ctx.state)
    template_id = ctx.q("id")
    if template_id:
        templates = [t for t in templates if str(t.get("GUID")).lower() == template_id.lower()]
    return json_response(200, templates)


@handler("AddStandardsTemplate")
def add_standards_template(ctx: Ctx):
    body = ctx.body if isinstance(ctx.body, dict) else None
    if psvalue.ps_str(ctx.b("tenantFilter")) == "tenantFilter":
        raise Escape("Invalid Tenant Selection. A standard must be assigned to at least 1 tenant.")
    if body is None:
        raise Escape("You cannot call a method on a null-valued expression.")
    guid = ctx.b("GUID") if psvalue.truthy(ctx.b("GUID")) else str(uuid.uuid4())
    stored = json.loads(json.dumps(body))
    for key in [k for k in stored if k.lower() in ("guid", "createdat", "updatedby", "updatedat")]:
        stored.pop(key)
    stamp = now_utc().strftime("%Y-%m-%dT%H:%M:%S.") + f"{now_utc().microsecond:06d}0Z"
    stored["GUID"] = guid
    stored["createdAt"] = ctx.b("createdAt") if psvalue.truthy(ctx.b("createdAt")) else stamp
    stored["updatedBy"] = ctx.caller.user_details or None
    stored["updatedAt"] = stamp
    ctx.state.extra.setdefault("standards_templates", {})[str(guid)] = {
        "JSON": json.dumps(stored, separators=(",", ":")), "Source": None, "SHA": None, "Timestamp": now_utc()}
    ctx.changed()
    ctx.log(f"Standards Template {psvalue.ps_str(ctx.b('templateName'))} with GUID {guid} added/edited.", "Info")
    return json_response(200, {"Results": "Successfully added template", "Metadata": {"id": guid}})


@handler("RemoveStandardTemplate")
def remove_standard_template(ctx: Ctx):
    template_id = psvalue.ps_str(psvalue.coalesce(ctx.b("ID"), ctx.q("ID")))
    templates = ctx.state.extra.setdefault("standards_templates", {})
    row = next((v for k, v in templates.items() if k.lower() == template_id.lower()), None)
    name = ""
    if row:
        try:
            name = json.loads(row["JSON"]).get("templateName") or ""
        except ValueError:
            name = ""
        templates.pop(next(k for k in templates if k.lower() == template_id.lower()))
        ctx.changed()
    reports = ctx.state.extra.setdefault("standards_reports", [])
    orphaned = [r for r in reports if str(r.get("TemplateId") or "").lower() == template_id.lower()]
    for r in orphaned:
        reports.remove(r)
    result = f"Removed Standards Template named: '{name}' with id: {template_id}"
    if orphaned:
        result += f" Cleaned up {len(orphaned)} orphaned standards comparison row(s)."
        ctx.changed()
    ctx.log(result, "Info")
    return json_response(200, {"Results": result})


@handler("ExecStandardsRun")
def exec_standards_run(ctx: Ctx):
    tenant_filter = psvalue.coalesce(ctx.q("tenantFilter"), "allTenants")
    template_id = psvalue.coalesce(ctx.q("templateId"), ctx.q("TemplateId"), "*")
    import fnmatch
    matched = [t for t in _templates(ctx.state) if fnmatch.fnmatchcase(str(t.get("GUID")).lower(), str(template_id).lower())]
    manual = psvalue.truthy(psvalue.member(matched, "runManually"))
    if template_id == "*":
        name = "All"
    else:
        name = f"{psvalue.ps_str(psvalue.member(matched, 'templateName'))} ({psvalue.ps_str(psvalue.member(matched, 'GUID'))})"
    result = (f"Successfully started Standards Run for tenant: {tenant_filter} - Template: {name}"
              f"{' (Manual Only)' if manual else ''}")
    # The run is queued: its results land RUN_DELAY later (Push-CIPPStandard rewrites each row).
    refreshed = now_utc() + dt.timedelta(seconds=RUN_DELAY)
    for row in ctx.state.extra.get("standards_reports", []):
        if tenant_filter.lower() in ("alltenants", row["PartitionKey"].lower()) and (
                template_id == "*" or str(row.get("TemplateId")).lower() == str(template_id).lower()):
            row["RefreshAt"] = refreshed
    ctx.log(result, "Info", tenant=tenant_filter)
    return json_response(200, {"Results": result})


def _report_rows(ctx: Ctx, tenant: str | None = None, template: str | None = None) -> list[dict[str, Any]]:
    managed = {t.default_domain for t in ctx.state.managed_tenants()}
    out = []
    now = now_utc()
    for row in ctx.state.extra.get("standards_reports", []):
        if row.get("RefreshAt") is not None and row["RefreshAt"] <= now:
            row["Timestamp"] = row.pop("RefreshAt")
        if tenant is not None and row["PartitionKey"] != tenant:
            continue
        if template is not None and str(row.get("TemplateId")) != template:
            continue
        if row["PartitionKey"] not in managed:
            continue
        out.append(row)
    return out


def _parse(value: Any) -> Any:
    if isinstance(value, str) and psvalue.looks_like_json(value):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@handler("ListStandardsCompare")
def list_standards_compare(ctx: Ctx):
    tenants: dict[str, dict[str, Any]] = {}
    for row in _report_rows(ctx, ctx.q("tenantFilter"), ctx.q("templateId")):
        value = row.get("Value")
        value = value if isinstance(value, bool) else (_parse(value) if isinstance(value, str) else psvalue.ps_str(value))
        tenants.setdefault(row["PartitionKey"], {})[row["RowKey"]] = {
            "Value": value, "LastRefresh": row["Timestamp"].astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "TemplateId": row.get("TemplateId"), "LicenseAvailable": row.get("LicenseAvailable"),
            "CurrentValue": _parse(row.get("CurrentValue")), "ExpectedValue": _parse(row.get("ExpectedValue"))}
    return json_response(200, [{"tenantFilter": tenant, **fields} for tenant, fields in tenants.items()])


# --------------------------------------------------------------------------- alignment and drift

def _template_tenants(ctx: Ctx, template: dict[str, Any]) -> list[str]:
    values = [psvalue.ps_str(psvalue.coalesce(psvalue.member(t, "value"), t)) for t in psvalue.as_list(template.get("tenantFilter"))]
    excluded = {psvalue.ps_str(psvalue.coalesce(psvalue.member(t, "value"), t)).lower()
                for t in psvalue.as_list(template.get("excludedTenants"))}
    managed = ctx.state.managed_tenants()
    if any(v.lower() == "alltenants" for v in values):
        domains = [t.default_domain for t in managed]
    else:
        domains = [t.default_domain for v in values for t in managed if t.matches(v)]
    return [d for d in dict.fromkeys(domains) if d.lower() not in excluded]


def _reporting(config: Any) -> bool:
    """Get-CIPPTenantAlignment: a standard reports only if an action value is report or remediate."""
    actions = psvalue.member(config, "action") if isinstance(config, dict) else None
    return any(str(psvalue.member(a, "value") or "").lower() in ("report", "remediate") for a in psvalue.as_list(actions))


def _standard_keys(template: dict[str, Any]) -> list[tuple[str, bool]]:
    """(standard id, reporting enabled) of each standard of ``template``."""
    keys = []
    for name, config in (template.get("standards") or {}).items():
        if name in ("IntuneTemplate", "ConditionalAccessTemplate"):
            for item in psvalue.as_list(config):
                guid = psvalue.path(item, "TemplateList.value")
                if guid:
                    keys.append((f"standards.{name}.{guid}", _reporting(item)))
        else:
            keys.append((f"standards.{name}", _reporting(config)))
    return keys


def alignment(ctx: Ctx, tenant_filter: str | None = None, template_id: str | None = None) -> list[dict[str, Any]]:
    """Get-CIPPTenantAlignment."""
    drift_states = ctx.state.extra.get("drift_states", {})
    results = []
    for template in _templates(ctx.state):
        if template_id and str(template.get("GUID")).lower() != template_id.lower():
            continue
        is_drift = template.get("type") == "drift"
        for tenant in _template_tenants(ctx, template):
            if tenant_filter and tenant.lower() != tenant_filter.lower():
                continue
            reports = {r["RowKey"]: r for r in _report_rows(ctx, tenant)}
            statuses = {k[1]: v["Status"] for k, v in drift_states.items() if k[0] == tenant.lower()}
            comparisons = []
            latest = None
            for key, reporting in _standard_keys(template):
                report = reports.get(key)
                if report is not None:
                    value = report.get("Value")
                    latest = max(latest, report["Timestamp"]) if latest else report["Timestamp"]
                    compliant = value is True or (bool(report.get("CurrentValue")) and report.get("CurrentValue") == report.get("ExpectedValue"))
                    license_missing = isinstance(value, str) and value.lower().startswith("license missing:")
                    status = "Compliant" if compliant else ("License Missing" if license_missing else "Non-Compliant")
                    status = status if reporting else "Reporting Disabled"
                    comparisons.append({"StandardName": key, "Compliant": compliant,
                                        "StandardValue": json.dumps(_parse(value), separators=(",", ":")),
                                        "ComplianceStatus": status, "ReportingDisabled": not reporting,
                                        "LicenseAvailable": report.get("LicenseAvailable"),
                                        "CurrentValue": report.get("CurrentValue"), "ExpectedValue": report.get("ExpectedValue")})
                else:
                    comparisons.append({"StandardName": key, "Compliant": False, "StandardValue": "NOT FOUND",
                                        "ComplianceStatus": "Non-Compliant" if reporting else "Reporting Disabled",
                                        "ReportingDisabled": not reporting,
                                        "LicenseAvailable": None, "CurrentValue": None, "ExpectedValue": None})
            total = len(comparisons)
            compliant_count = non_compliant = license_missing_count = disabled_count = 0
            pending = denied = (0 if is_drift else None)
            for item in comparisons:
                deviation = None
                if is_drift and item["ComplianceStatus"] == "Non-Compliant":
                    deviation = statuses.get(item["StandardName"])
                    if deviation in ("Accepted", "CustomerSpecific"):
                        item["ComplianceStatus"] = "Accepted Deviation" if deviation == "Accepted" else "Customer Specific"
                if deviation:
                    item["DeviationStatus"] = deviation
                if item["ComplianceStatus"] in ("Compliant", "Accepted Deviation", "Customer Specific"):
                    compliant_count += 1
                elif item["ComplianceStatus"] == "Non-Compliant":
                    non_compliant += 1
                    if is_drift:
                        if not deviation or deviation == "New":
                            pending += 1
                        elif deviation in ("Denied", "DeniedRemediate", "DeniedDelete"):
                            denied += 1
                elif item["ComplianceStatus"] == "License Missing":
                    license_missing_count += 1
                if item["ReportingDisabled"]:
                    disabled_count += 1
            if is_drift:
                for key, status in statuses.items():
                    if key.startswith(("IntuneTemplates.", "ConditionalAccessTemplates.")):
                        total += 1
                        if status in ("Accepted", "CustomerSpecific"):
                            compliant_count += 1
                        else:
                            non_compliant += 1
                            if status == "New":
                                pending += 1
                            else:
                                denied += 1
            score = _ps_round(compliant_count / (total - disabled_count) * 100) if total - disabled_count > 0 else 0
            missing_pct = _ps_round(license_missing_count / total * 100) if total > 0 else 0
            results.append({"TenantFilter": tenant, "StandardName": template.get("templateName"),
                            "StandardId": template.get("GUID"), "standardType": template.get("type"),
                            "standardSettings": template.get("standards"), "AlignmentScore": score,
                            "LicenseMissingPercentage": missing_pct, "CombinedScore": score + missing_pct,
                            "CompliantStandards": compliant_count, "NonCompliantStandards": non_compliant,
                            "LicenseMissingStandards": license_missing_count, "TotalStandards": total,
                            "ReportingDisabledCount": disabled_count,
                            "PendingDeviationsCount": pending, "DeniedDeviationsCount": denied,
                            "LatestDataCollection": latest.strftime("%Y-%m-%dT%H:%M:%SZ") if latest else None,
                            "ComparisonDetails": comparisons})
    return results


def _ps_round(value: float) -> int:
    """[Math]::Round: banker's rounding, as Python's round()."""
    return int(round(value))


@handler("ListTenantAlignment")
def list_tenant_alignment(ctx: Ctx):
    data = alignment(ctx)
    if psvalue.eq_true(ctx.q("granular")):
        rows = []
        for row in data:
            for detail in row["ComparisonDetails"]:
                rows.append({"tenantFilter": row["TenantFilter"], "templateName": row["StandardName"],
                             "templateId": row["StandardId"], "templateType": row["standardType"],
                             "standardType": row["standardType"] or "Classic Standard", "standardId": detail["StandardName"],
                             "standardName": detail["StandardName"], "complianceStatus": detail["ComplianceStatus"],
                             "compliant": detail["Compliant"], "deviationStatus": detail.get("DeviationStatus"),
                             "licenseAvailable": detail["LicenseAvailable"], "currentValue": detail["CurrentValue"],
                             "expectedValue": detail["ExpectedValue"], "latestDataCollection": row["LatestDataCollection"]})
        return json_response(200, rows)
    return json_response(200, [{"tenantFilter": r["TenantFilter"], "standardName": r["StandardName"],
                                "standardType": r["standardType"] or "Classic Standard", "standardId": r["StandardId"],
                                "alignmentScore": r["AlignmentScore"], "LicenseMissingPercentage": r["LicenseMissingPercentage"],
                                "combinedAlignmentScore": r["CombinedScore"],
                                "pendingDeviationsCount": r["PendingDeviationsCount"],
                                "deniedDeviationsCount": r["DeniedDeviationsCount"],
                                "latestDataCollection": r["LatestDataCollection"]} for r in data])


def _ca_capable(ctx: Ctx, tenant) -> bool:
    return any(name.upper().startswith("AAD_PREMIUM") for entry in tenant.licenses for name, _status in entry["sku"].plans)


def drift(ctx: Ctx, tenant_filter: str) -> list[dict[str, Any]]:
    """Get-CIPPDrift for one tenant (drift templates only)."""
    tenant = ctx.tenant(tenant_filter)
    states = ctx.state.extra.setdefault("drift_states", {})
    results = []
    for row in alignment(ctx, tenant_filter):
        if row["standardType"] != "drift":
            continue
        existing = {k[1]: v for k, v in states.items() if k[0] == tenant_filter.lower()}
        deviations = []
        for item in row["ComparisonDetails"]:
            if item["Compliant"] is True:
                continue
            state = existing.get(item["StandardName"], {})
            deviations.append({"standardName": item["StandardName"], "standardDisplayName": None,
                               "standardDescription": None, "receivedValue": item["StandardValue"], "state": "current",
                               "Status": state.get("Status", "New"), "Reason": state.get("Reason"),
                               "lastChangedByUser": state.get("User"), "ComplianceStatus": item["ComplianceStatus"],
                               "LicenseAvailable": False if item["ComplianceStatus"] == "License Missing" else item["LicenseAvailable"],
                               "CurrentValue": item["CurrentValue"], "ExpectedValue": item["ExpectedValue"]})
        if tenant is not None and _ca_capable(ctx, tenant):
            for policy in tenant.ca_policies.values():
                name = str(policy.get("displayName") or "")
                if name.startswith("[SharePoint admin center]"):
                    continue
                key = f"ConditionalAccessTemplates.{policy['id']}"
                state = existing.get(key, {})
                deviations.append({"standardName": key, "standardDisplayName": f"Conditional Access - {name}",
                                   "expectedValue": "This policy only exists in the tenant, not in the template.",
                                   "receivedValue": json.dumps(policy, separators=(",", ":")), "state": "current",
                                   "Status": state.get("Status", "New"), "Reason": state.get("Reason"),
                                   "lastChangedByUser": state.get("User")})
        for dev in deviations:
            states.setdefault((tenant_filter.lower(), dev["standardName"]), {
                "StandardName": dev["standardName"], "Status": "New", "Reason": None, "User": None,
                "LastModified": now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")})
        missing = [x for x in deviations if x.get("ComplianceStatus") == "License Missing"]
        countable = [x for x in deviations if x.get("ComplianceStatus") != "License Missing"]
        accepted = [x for x in countable if x["Status"] == "Accepted"]
        denied = [x for x in countable if str(x["Status"]).startswith("Denied")]
        specific = [x for x in countable if x["Status"] == "CustomerSpecific"]
        new = [x for x in countable if x["Status"] == "New"]
        current = [x for x in countable if x["Status"] in ("New", "Denied")]
        results.append({"tenantFilter": tenant_filter, "standardName": row["StandardName"], "standardId": row["StandardId"],
                        "alignmentScore": row["AlignmentScore"], "acceptedDeviationsCount": len(accepted),
                        "currentDeviationsCount": len(current), "deniedDeviationsCount": len(denied),
                        "customerSpecificDeviationsCount": len(specific), "newDeviationsCount": len(new),
                        "licenseMissingDeviationsCount": len(missing),
                        "alignedCount": row["CompliantStandards"] - len(accepted) - len(specific),
                        "currentDeviations": current, "acceptedDeviations": accepted,
                        "customerSpecificDeviations": specific, "deniedDeviations": denied,
                        "licenseMissingDeviations": missing, "allDeviations": deviations,
                        "latestDataCollection": row["LatestDataCollection"]})
    return results


@handler("ListTenantDrift", extra_keys=("TenantFilter",))
def list_tenant_drift(ctx: Ctx):
    tenant_filter = ctx.q("TenantFilter")
    if tenant_filter:
        return json_response(200, drift(ctx, tenant_filter))
    out = []
    for tenant in ctx.state.managed_tenants():
        out.extend(drift(ctx, tenant.default_domain))
    return json_response(200, out)


# --------------------------------------------------------------------------- baselines

def _baseline_tenants(ctx: Ctx, baseline: dict[str, Any]) -> list[str]:
    values = [psvalue.ps_str(v) for v in psvalue.as_list(baseline.get("tenants"))]
    managed = ctx.state.managed_tenants()
    if not values or any(v.lower() == "alltenants" for v in values):
        return [t.default_domain for t in managed]
    return [t.default_domain for v in values for t in managed if t.matches(v)]


@handler("ExecBaselineRun")
def exec_baseline_run(ctx: Ctx):
    """Invoke-ExecBaselineRun + Start-CIPPBaselineOrchestrator: counts the (tenant, standard) work items."""
    try:
        mode = psvalue.ps_str(psvalue.coalesce(ctx.b("mode"), "run"))
        if mode.lower() not in ("run", "compare", "oneoff"):
            raise ValueError(f"Unknown mode '{mode}'. Use run, compare, or oneoff.")
        selection = ctx.b("tenantFilter")
        tenant = psvalue.coalesce(psvalue.member(selection, "value"), selection)
        tenant = None if psvalue.ps_str(tenant).lower() == "alltenants" else (psvalue.ps_str(tenant) or None)
        standard = psvalue.ps_str(ctx.b("standard")) or None
        template_id = psvalue.ps_str(ctx.b("templateId")) or None
        if mode.lower() == "oneoff" and not (tenant and standard):
            raise ValueError("A oneoff run requires tenantFilter and standard.")
        if not (tenant or template_id):
            raise ValueError("Provide a tenantFilter or a templateId to scope the run.")
    except ValueError as exc:
        ctx.log(f"Failed to start baseline run: {exc}", "Error")
        return json_response(500, {"Results": f"Failed to start baseline run: {exc}"})
    queued = 0
    for baseline in ctx.state.extra.get("baselines", []):
        if template_id and str(baseline.get("id")).lower() != template_id.lower():
            continue
        tenants = [t for t in _baseline_tenants(ctx, baseline) if not tenant or t.lower() == tenant.lower()]
        standards = [s for s in psvalue.as_list(baseline.get("standards")) if not standard or str(s).lower() == standard.lower()]
        queued += len(tenants) * len(standards)
    target = f"baseline {template_id}" if template_id else f"{standard + ' on ' if standard else ''}{tenant}"
    if queued == 0:
        ctx.log(f"Baseline {mode} for {target} resolved nothing - no checks queued.", "Warning")
        message = (f"Nothing ran: no assigned baseline (or tenant override) resolves {target}. "
                   "Check the baseline's standards, assignment, and exclusions.")
        return json_response(200, {"Results": message})
    run = {"mode": mode, "tenant": tenant, "standard": standard, "templateId": template_id, "queued": queued}
    ctx.state.extra.setdefault("baseline_runs", []).append(run)
    ctx.log(f"Started baseline {mode} for {target} ({queued} checks).", "Info")
    return json_response(200, {"Results": f"Started the {mode}: {queued} check{'' if queued == 1 else 's'} queued. "
                                          "Results appear on the alignment page as each check completes."})
