# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CIPP standards: templates (listStandardTemplates / AddStandardsTemplate / RemoveStandardTemplate),
compliance (ListStandardsCompare / ListTenantAlignment / ListTenantDrift) and runs
(ExecStandardsRun / ExecBaselineRun).

How the backend stores a template: AddStandardsTemplate keeps the whole request body as JSON under
its ``GUID`` (a new GUID when none is sent; the same GUID overwrites), after setting ``GUID``,
``createdAt`` (the one sent, else now), ``updatedBy`` (the caller's ``userDetails``, empty for API
clients) and ``updatedAt`` (now). listStandardTemplates answers that JSON plus ``GUID``, ``source``
and ``isSynced``, and ``excludedTenants`` as a list. Each standard is keyed by its name (``AuditLog``)
and holds ``action`` - a list of ``{label, value}`` with values ``Report``, ``warn`` (the UI's "Alert")
and ``Remediate`` - next to its own settings; Get-CIPPStandards runs a standard only when one of those
actions is present, and only templates whose ``runManually`` equals false run on the schedule.
Private: the interface may change in any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import copy
import json
import time

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError, CippResultError
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource
from ansible_collections.cipp.cipp.plugins.module_utils._standards_catalog import (
    DISABLED_ACTIONS, MULTIPLE, STANDARD_NAMES)
from ansible_collections.cipp.cipp.plugins.module_utils._tenants import ALL_TENANTS

#: the module's action names -> the LabelValue CIPP's UI stores
ACTIONS = {
    "report": {"label": "Report", "value": "Report"},
    "alert": {"label": "Alert", "value": "warn"},
    "remediate": {"label": "Remediate", "value": "Remediate"},
}
ACTION_ALIASES = {"warn": "alert", "warning": "alert"}
#: keys AddStandardsTemplate / listStandardTemplates add to a stored template (never compared)
SERVER_KEYS = ("GUID", "createdAt", "updatedAt", "updatedBy", "source", "isSynced")
STANDARD_KEYS = ("action", "settings")
#: the stamps in the module's vocabulary (returned, never diffed)
STAMPS = ("created_at", "updated_at", "updated_by")
ALL_TENANTS_LABEL = "*All Tenants"

TEMPLATE_ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True, aliases=["template_name"]),
    description=dict(type="str"),
    tenants=dict(type="list", elements="str"),
    excluded_tenants=dict(type="list", elements="str"),
    standards=dict(type="dict"),
    run_manually=dict(type="bool"),
    drift=dict(type="bool"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


# ----------------------------------------------------------------------------- reading templates
def list_templates(client, guid: str | None = None) -> list:
    """The stored standards templates (listStandardTemplates), optionally the one with ``guid``."""
    params = {"id": guid} if guid else None
    data = client.call("listStandardTemplates", params=params).data
    if isinstance(data, dict):
        data = [data]
    return [row for row in data or [] if isinstance(row, dict) and row.get("GUID")]


def _values(selection) -> list:
    """The ``value``s of a LabelValue list (a bare string counts as its own value)."""
    if selection in (None, "", "excludedTenants", "tenantFilter"):
        return []
    items = selection if isinstance(selection, list) else [selection]
    out = []
    for item in items:
        value = item.get("value") if isinstance(item, dict) else item
        if value not in (None, ""):
            out.append(str(value))
    return out


def action_names(action) -> list:
    """A stored ``action`` as the module's names, in the canonical order."""
    stored = {str(v).lower() for v in _values(action)}
    return [name for name, shape in ACTIONS.items() if shape["value"].lower() in stored]


def _standard_entry(config) -> dict:
    if not isinstance(config, dict):
        return {"action": [], "settings": {}}
    settings = {k: v for k, v in config.items() if k.lower() != "action"}
    return {"action": action_names(config.get("action", config.get("Action"))), "settings": settings}


def normalise_standards(standards) -> dict:
    """A stored ``standards`` object as the module's option: {name: {action, settings}} (a list for MULTIPLE)."""
    out = {}
    for name, config in (standards or {}).items() if isinstance(standards, dict) else ():
        if isinstance(config, list):
            out[name] = [_standard_entry(item) for item in config]
        else:
            out[name] = _standard_entry(config)
    return out


def summarise(row: dict) -> dict:
    """A stored template in the module's vocabulary (the keys are ``standards_template``'s options)."""
    return {
        "guid": row.get("GUID"),
        "name": row.get("templateName"),
        "description": row.get("description"),
        "tenants": _values(row.get("tenantFilter")),
        "excluded_tenants": _values(row.get("excludedTenants")),
        "standards": normalise_standards(row.get("standards")),
        "run_manually": bool(row.get("runManually")),
        "drift": str(row.get("type") or "").lower() == "drift",
        "created_at": row.get("createdAt"),
        "updated_at": row.get("updatedAt"),
        "updated_by": row.get("updatedBy"),
    }


# ----------------------------------------------------------------------------- validating input
def _action_list(value, where: str) -> list:
    if value is None:
        raise CippConfigError(f"option '{where}.action' is required: give one or more of report, alert, remediate",
                              option=f"{where}.action")
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = ACTION_ALIASES.get(str(item).strip().lower(), str(item).strip().lower())
        if name not in ACTIONS:
            raise CippConfigError(f"option '{where}.action': {item!r} is not an action; use report, alert (warn) "
                                  "or remediate", option=f"{where}.action")
        if name not in names:
            names.append(name)
    if not names:
        raise CippConfigError(f"option '{where}.action' is empty: a standard without an action never runs; "
                              "give report, alert or remediate, or leave the standard out", option=f"{where}.action")
    return [n for n in ACTIONS if n in names]


def _entry(name: str, spec, where: str) -> dict:
    if not isinstance(spec, dict):
        raise CippConfigError(f"option '{where}' must be a dict with 'action' and optional 'settings', got "
                              f"{type(spec).__name__}", option=where)
    unknown = sorted(set(spec) - set(STANDARD_KEYS))
    if unknown:
        raise CippConfigError(f"option '{where}': unknown key(s) {', '.join(unknown)}; a standard takes 'action' "
                              "and 'settings' (the standard's own fields go under 'settings')", option=f"{where}.{unknown[0]}")
    actions = _action_list(spec.get("action"), where)
    disabled = [a for a in actions if a in DISABLED_ACTIONS.get(name, ())]
    if disabled:
        raise CippConfigError(f"option '{where}.action': standard {name} does not implement {', '.join(disabled)}",
                              option=f"{where}.action")
    settings = spec.get("settings") or {}
    if not isinstance(settings, dict):
        raise CippConfigError(f"option '{where}.settings' must be a dict of the standard's fields", option=f"{where}.settings")
    bad = sorted(k for k in settings if str(k).lower() in ("action", "templateid", "standards"))
    if bad:
        raise CippConfigError(f"option '{where}.settings': {bad[0]!r} is set by CIPP, not a setting; use '{where}.action' "
                              "for the actions", option=f"{where}.settings.{bad[0]}")
    return {"action": actions, "settings": copy.deepcopy(settings)}


def validate_standards(standards: dict) -> dict:
    """The ``standards`` option checked and normalised ({name: {action, settings}}), before any request."""
    out = {}
    for name, spec in standards.items():
        where = f"standards.{name}"
        if name not in STANDARD_NAMES:
            lowered = {n.lower(): n for n in STANDARD_NAMES}
            hint = f" Did you mean {lowered[name.lower()]}?" if name.lower() in lowered else ""
            if name.lower().startswith("standards."):
                hint = f" Leave out the 'standards.' prefix: {name.split('.', 1)[1]}."
            raise CippConfigError(f"option 'standards': {name!r} is not a CIPP standard.{hint} Names are as in CIPP's "
                                  "standards list (e.g. AuditLog, DisableBasicAuthSMTP, EnableMailTips)", option=where)
        if isinstance(spec, list):
            if name not in MULTIPLE:
                raise CippConfigError(f"option '{where}': only {', '.join(sorted(MULTIPLE))} take a list of instances",
                                      option=where)
            out[name] = [_entry(name, item, f"{where}[{i}]") for i, item in enumerate(spec)]
        else:
            out[name] = _entry(name, spec, where)
    return out


def stored_standard(entry: dict) -> dict:
    """One standard as AddStandardsTemplate receives it from CIPP's UI."""
    return dict(copy.deepcopy(entry["settings"]), action=[dict(ACTIONS[a]) for a in entry["action"]])


def stored_standards(standards: dict) -> dict:
    return {name: ([stored_standard(e) for e in entry] if isinstance(entry, list) else stored_standard(entry))
            for name, entry in standards.items()}


def _tenant_selection(value: str, row: dict | None) -> dict:
    if row is None:
        return {"label": ALL_TENANTS_LABEL, "value": ALL_TENANTS, "type": "Tenant"}
    label = f"{row.get('displayName') or row['defaultDomainName']} ({row['defaultDomainName']})"
    return {"label": label, "value": row["defaultDomainName"], "type": "Tenant"}


# ----------------------------------------------------------------------------- the resource
class StandardsTemplateResource(StatefulResource):
    """A standards template, found by name; updates keep its GUID and createdAt."""

    result_key = "template"
    unordered_fields = ("tenants", "excluded_tenants")
    case_insensitive_fields = ("name", "tenants", "excluded_tenants")  # the name finds the template case-insensitively

    def __init__(self, cipp):
        super().__init__(cipp)
        p = self.params
        self.name = p["name"].strip()
        if not self.name:
            raise CippConfigError("option 'name' is empty", option="name")
        self.standards = validate_standards(p["standards"]) if p["standards"] is not None else None
        self.tenants = self.excluded = None
        self.tenant_rows = {}
        if p["state"] == "present":
            if p["tenants"] is not None:
                if not [t for t in p["tenants"] if str(t).strip()]:
                    raise CippConfigError("option 'tenants' is empty: a standards template applies to at least one tenant "
                                          "(or AllTenants)", option="tenants")
                self.tenants = self._resolve(p["tenants"], "tenants")
            if p["excluded_tenants"] is not None:
                self.excluded = self._resolve(p["excluded_tenants"], "excluded_tenants", allow_all=False)
        self._raw = None

    def _resolve(self, names: list, option: str, allow_all: bool = True) -> list:
        out = []
        for name in names:
            name = str(name).strip()
            if name.lower() == ALL_TENANTS.lower():
                if not allow_all:
                    raise CippConfigError(f"option '{option}': AllTenants cannot be excluded", option=option)
                value = ALL_TENANTS
                self.tenant_rows[value] = None
            else:
                row = self.cipp.tenants.resolve(name, endpoint="AddStandardsTemplate", option=option)
                value = row["defaultDomainName"]
                self.tenant_rows[value] = row
            if value not in out:
                out.append(value)
        return out

    def read(self):
        rows = [r for r in list_templates(self.client) if str(r.get("templateName") or "").strip().lower() == self.name.lower()]
        if len(rows) > 1:
            raise CippConfigError(f"{len(rows)} standards templates are named {self.name!r} (GUIDs "
                                  f"{', '.join(r['GUID'] for r in rows)}); rename or remove the extra ones first", option="name")
        if not rows:
            self._raw = None
            return None
        self._raw = rows[0]
        return summarise(rows[0])

    def desired(self) -> dict:
        p = self.params
        return {"name": self.name, "description": p["description"], "tenants": self.tenants,
                "excluded_tenants": self.excluded, "standards": self.standards,
                "run_manually": p["run_manually"], "drift": p["drift"]}

    def validate(self, current, desired: dict) -> None:
        if current is None:
            if desired["tenants"] is None:
                raise CippConfigError("option 'tenants' is required to create a standards template (the tenants it "
                                      "applies to, or AllTenants)", option="tenants")
            if desired["standards"] is None:
                raise CippConfigError("option 'standards' is required to create a standards template", option="standards")

    def _selection(self, values: list, current_raw) -> list:
        """``values`` as LabelValue objects, reusing the stored objects (labels, types) where they match."""
        stored = {}
        for item in current_raw if isinstance(current_raw, list) else []:
            if isinstance(item, dict) and item.get("value"):
                stored[str(item["value"]).lower()] = item
        return [stored.get(v.lower()) or _tenant_selection(v, self.tenant_rows.get(v)) for v in values]

    def _body(self, desired: dict, raw: dict | None) -> dict:
        body = {k: v for k, v in copy.deepcopy(raw or {}).items() if k not in SERVER_KEYS}
        if str(body.get("templateName") or "").strip().lower() != self.name.lower():
            body["templateName"] = self.name
        if desired["description"] is not None:
            body["description"] = desired["description"]
        if desired["tenants"] is not None:
            body["tenantFilter"] = self._selection(desired["tenants"], body.get("tenantFilter"))
        if desired["excluded_tenants"] is not None:
            body["excludedTenants"] = self._selection(desired["excluded_tenants"], body.get("excludedTenants"))
        body.setdefault("excludedTenants", [])
        if desired["standards"] is not None:
            body["standards"] = stored_standards(desired["standards"])
        if desired["run_manually"] is not None:
            body["runManually"] = desired["run_manually"]
        body.setdefault("runManually", False)  # Get-CIPPStandards runs only runManually == false on the schedule
        if desired["drift"] is True:
            body["type"] = "drift"
        elif desired["drift"] is False and str(body.get("type") or "").lower() == "drift":
            body.pop("type")
        if raw:
            body["GUID"] = raw["GUID"]
            if raw.get("createdAt"):
                body["createdAt"] = raw["createdAt"]  # else AddStandardsTemplate stamps a new one
        return body

    def create(self, desired: dict) -> None:
        self._save(self._body(desired, None))

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        self._save(self._body(desired, self._raw))

    def _save(self, body: dict) -> None:
        response = self.client.call("AddStandardsTemplate", body=body)
        metadata = response.data.get("Metadata") if isinstance(response.data, dict) else None
        if body.get("GUID") and isinstance(metadata, dict) and metadata.get("id") not in (None, body["GUID"]):
            raise CippResultError(f"AddStandardsTemplate stored the template under {metadata.get('id')} instead of "
                                  f"{body['GUID']}", endpoint="AddStandardsTemplate")

    def delete(self, current: dict) -> None:
        self.client.call("RemoveStandardTemplate", body={"ID": current["guid"]})

    def _result(self, changed: bool, before, after, obj, changes=None) -> dict:
        result = super()._result(changed, before, after, obj, changes)
        if "diff" in result:  # CIPP's stamps change on every write: keep them out of the diff
            result["diff"] = {side: {k: v for k, v in (result["diff"][side] or {}).items() if k not in STAMPS}
                              for side in ("before", "after")}
        return result


# ----------------------------------------------------------------------------- compliance
SECTIONS = ("alignment", "standards", "compare", "drift")
COMPLIANCE = {"compliant": "compliant", "non-compliant": "non_compliant", "license missing": "license_missing",
              "reporting disabled": "reporting_disabled", "accepted deviation": "accepted_deviation",
              "customer specific": "customer_specific"}
DRIFT_STATUS = {"new": "new", "accepted": "accepted", "denied": "denied", "customerspecific": "customer_specific",
                "deniedremediate": "denied_remediate", "denieddelete": "denied_delete"}
ACCEPTED_STATUSES = ("accepted", "customer_specific")


def _snake(value, table: dict):
    if value in (None, ""):
        return None
    return table.get(str(value).strip().lower(), str(value).strip().lower().replace(" ", "_"))


def _parsed(value):
    """ListTenantAlignment and ListTenantDrift pass the stored JSON text of current/expected values on as is."""
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _short(standard_id) -> str:
    text = str(standard_id or "")
    return text[len("standards."):] if text.startswith("standards.") else text


def _as_list(data) -> list:
    if isinstance(data, dict):
        if "error" in data:
            raise CippResultError(f"CIPP could not read standards data: {data['error']}")
        return [data]
    return [row for row in data or [] if isinstance(row, dict)]


def template_actions(templates: list) -> dict:
    """{(template GUID lower, standard id): [actions]} from stored templates."""
    out = {}
    for row in templates:
        guid = str(row.get("GUID")).lower()
        for name, config in (row.get("standards") or {}).items() if isinstance(row.get("standards"), dict) else ():
            if isinstance(config, list):
                for item in config:
                    actions = action_names((item or {}).get("action") if isinstance(item, dict) else None)
                    ref = item.get("TemplateList") if isinstance(item, dict) else None
                    ref = ref.get("value") if isinstance(ref, dict) else ref
                    if ref:
                        out[(guid, f"standards.{name}.{ref}")] = actions
            else:
                out[(guid, f"standards.{name}")] = action_names(config.get("action") if isinstance(config, dict) else None)
    return out


class ComplianceReader:
    """Reads and shapes the compliance sections for a set of tenants (None = every tenant)."""

    def __init__(self, client, tenants: list | None, template: str | None = None):
        self.client = client
        self.tenants = tenants
        self.wanted = {t.lower() for t in tenants} if tenants else None
        self.template = template
        self._templates = None

    def _in_scope(self, tenant) -> bool:
        return self.wanted is None or str(tenant or "").lower() in self.wanted

    def _template_ok(self, name, guid) -> bool:
        if not self.template:
            return True
        wanted = self.template.lower()
        return wanted in (str(name or "").lower(), str(guid or "").lower())

    @property
    def templates(self) -> list:
        if self._templates is None:
            self._templates = list_templates(self.client)
        return self._templates

    def actions(self, guid, standard_id):
        return template_actions(self.templates).get((str(guid).lower(), standard_id))

    def _single(self) -> str | None:
        return self.tenants[0] if self.tenants and len(self.tenants) == 1 else None

    def alignment(self) -> list:
        rows = _as_list(self.client.call("ListTenantAlignment").data)
        return [{"tenant": r.get("tenantFilter"), "template": r.get("standardName"), "template_id": r.get("standardId"),
                 "template_type": "drift" if str(r.get("standardType")).lower() == "drift" else "classic",
                 "alignment_score": r.get("alignmentScore"), "license_missing_percentage": r.get("LicenseMissingPercentage"),
                 "combined_score": r.get("combinedAlignmentScore"), "pending_deviations": r.get("pendingDeviationsCount"),
                 "denied_deviations": r.get("deniedDeviationsCount"), "latest_data_collection": r.get("latestDataCollection")}
                for r in rows if self._in_scope(r.get("tenantFilter")) and self._template_ok(r.get("standardName"), r.get("standardId"))]

    def standards(self) -> list:
        rows = _as_list(self.client.call("ListTenantAlignment", params={"granular": "true"}).data)
        out = []
        for r in rows:
            if not self._in_scope(r.get("tenantFilter")) or not self._template_ok(r.get("templateName"), r.get("templateId")):
                continue
            actions = self.actions(r.get("templateId"), r.get("standardId")) or []
            out.append({"tenant": r.get("tenantFilter"), "template": r.get("templateName"), "template_id": r.get("templateId"),
                        "template_type": "drift" if str(r.get("templateType")).lower() == "drift" else "classic",
                        "standard": _short(r.get("standardId")), "standard_id": r.get("standardId"),
                        "display_name": r.get("standardName"), "actions": actions, "remediate": "remediate" in actions,
                        "compliant": r.get("compliant") is True,
                        "status": _snake(r.get("complianceStatus"), COMPLIANCE),
                        "deviation_status": _snake(r.get("deviationStatus"), DRIFT_STATUS),
                        "license_available": r.get("licenseAvailable"), "current_value": _parsed(r.get("currentValue")),
                        "expected_value": _parsed(r.get("expectedValue")), "latest_data_collection": r.get("latestDataCollection")})
        return out

    def compare(self) -> list:
        single = self._single()
        params = {"tenantFilter": single} if single else None
        if self.template and _looks_like_guid(self.template):
            params = dict(params or {}, templateId=self.template)
        rows = _as_list(self.client.call("ListStandardsCompare", params=params).data)
        names = {str(t.get("GUID")).lower(): t.get("templateName") for t in self.templates} if self.template else {}
        out = []
        for r in rows:
            if not self._in_scope(r.get("tenantFilter")):
                continue
            for key, field in sorted(r.items()):
                if not key.startswith("standards.") or not isinstance(field, dict):
                    continue
                guid = field.get("TemplateId")
                if not self._template_ok(names.get(str(guid).lower()), guid):
                    continue
                out.append({"tenant": r.get("tenantFilter"), "standard": _short(key), "standard_id": key, "template_id": guid,
                            "value": field.get("Value"), "current_value": field.get("CurrentValue"),
                            "expected_value": field.get("ExpectedValue"), "license_available": field.get("LicenseAvailable"),
                            "last_refresh": field.get("LastRefresh")})
        return out

    def drift(self) -> list:
        single = self._single()
        data = self.client.call("ListTenantDrift", params={"tenantFilter": single} if single else None).data
        out = []
        for r in _as_list(data):
            if not self._in_scope(r.get("tenantFilter")) or not self._template_ok(r.get("standardName"), r.get("standardId")):
                continue
            for dev in r.get("allDeviations") or []:
                if not isinstance(dev, dict):
                    continue
                status = _snake(dev.get("Status"), DRIFT_STATUS) or "new"
                actions = self.actions(r.get("standardId"), dev.get("standardName")) or []
                out.append({"tenant": r.get("tenantFilter"), "template": r.get("standardName"), "template_id": r.get("standardId"),
                            "standard": _short(dev.get("standardName")), "standard_id": dev.get("standardName"),
                            "display_name": dev.get("standardDisplayName"), "status": status,
                            "accepted": status in ACCEPTED_STATUSES, "actions": actions, "remediate": "remediate" in actions,
                            "policy_only": not str(dev.get("standardName") or "").startswith("standards."),
                            "compliance_status": _snake(dev.get("ComplianceStatus"), COMPLIANCE),
                            "reason": dev.get("Reason"), "changed_by": dev.get("lastChangedByUser"),
                            "current_value": _parsed(dev.get("CurrentValue")), "expected_value": _parsed(dev.get("ExpectedValue")),
                            "received_value": dev.get("receivedValue")})
        return out


def _looks_like_guid(value: str) -> bool:
    parts = str(value).split("-")
    return len(parts) == 5 and all(c in "0123456789abcdefABCDEF" for c in "".join(parts))


def compliance_report(client, tenants: list | None, sections: list, template: str | None = None) -> dict:
    """``{tenants: [{tenant, <section>: [...]}], summary: {...}}`` for the sections asked for."""
    reader = ComplianceReader(client, tenants, template)
    data = {section: getattr(reader, section)() for section in SECTIONS if section in sections}
    names = list(tenants or [])
    for rows in data.values():
        for row in rows:
            if row["tenant"] and row["tenant"].lower() not in {n.lower() for n in names}:
                names.append(row["tenant"])
    per_tenant = []
    for name in sorted(names, key=str.lower) if not tenants else names:
        entry = {"tenant": name}
        for section, rows in data.items():
            entry[section] = [{k: v for k, v in row.items() if k != "tenant"} for row in rows
                              if str(row["tenant"]).lower() == name.lower()]
        per_tenant.append(entry)
    summary = {"tenants": len(per_tenant)}
    if "alignment" in data:
        scores = [r["alignment_score"] for r in data["alignment"] if isinstance(r["alignment_score"], (int, float))]
        summary["lowest_alignment_score"] = min(scores) if scores else None
    if "standards" in data:
        summary["non_compliant"] = sum(1 for r in data["standards"] if r["status"] == "non_compliant")
    if "drift" in data:
        open_drift = [r for r in data["drift"] if not r["accepted"]]
        summary["open_drift"] = len(open_drift)
        summary["open_remediate_drift"] = sum(1 for r in open_drift if r["remediate"])
    return {"tenants": per_tenant, "summary": summary}


# ----------------------------------------------------------------------------- runs
WAIT_POLL_START, WAIT_POLL_MAX = 2.0, 15.0


def refresh_marks(client, tenant: str | None, template_id: str | None) -> dict:
    """{(tenant, standard id): LastRefresh} from ListStandardsCompare, for the run's scope."""
    params = {}
    if tenant:
        params["tenantFilter"] = tenant
    if template_id:
        params["templateId"] = template_id
    marks = {}
    for row in _as_list(client.call("ListStandardsCompare", params=params or None).data):
        for key, field in row.items():
            if key.startswith("standards.") and isinstance(field, dict):
                marks[(str(row.get("tenantFilter")).lower(), key)] = field.get("LastRefresh")
    return marks


def wait_for_refresh(client, tenant: str | None, template_id: str | None, before: dict, timeout: float,
                     sleep=time.sleep, clock=time.monotonic) -> dict:
    """Poll ListStandardsCompare until every standard in scope has a newer LastRefresh than ``before``."""
    deadline = clock() + timeout
    wait = WAIT_POLL_START
    polls = 0
    while True:
        now = refresh_marks(client, tenant, template_id)
        polls += 1
        stale = sorted(f"{t}/{k}" for (t, k), stamp in now.items() if before.get((t, k)) == stamp)
        if now and not stale:
            return {"refreshed": len(now), "polls": polls, "marks": now}
        if clock() + wait > deadline:
            waiting = ", ".join(stale[:5]) + (" ..." if len(stale) > 5 else "") if stale else "no results at all"
            raise CippResultError(f"the standards run was queued, but its results did not arrive within "
                                  f"{int(timeout)}s (option 'wait_timeout'); still waiting for: {waiting}. The run may "
                                  "still complete: read the results later with cipp.cipp.standards_info",
                                  timed_out=True, polls=polls, waiting=stale)
        sleep(wait)
        wait = min(WAIT_POLL_MAX, wait * 2)
