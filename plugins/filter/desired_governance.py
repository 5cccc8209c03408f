# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of playbooks/export.yml for the governance kinds: what the _info modules read, as
entries of the variables playbooks/converge.yml (and the tenant_baseline role) apply -
Conditional Access policies and templates, standards templates, alerts and scheduled tasks.
Each entry keeps only options of the module that applies it, drops what the server sets (ids
where the module does not need them, timestamps, run state) and is sorted, so an export is
deterministic and converging it changes nothing. Documentation: the .yml files of the same
names beside this file."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.cipp.cipp.plugins.filter.converge import has_value
from ansible_collections.cipp.cipp.plugins.module_utils._bulk import matches_any

ALERT_OPTIONS = ("id", "kind", "tenants", "excluded_tenants", "command", "input", "recurrence", "log_type",
                 "conditions", "actions", "alert_comment", "custom_subject")
TASK_OPTIONS = ("name", "tenant", "command", "parameters", "recurrence", "post_execution", "excluded_tenants")
STANDARDS_TEMPLATE_OPTIONS = ("name", "description", "tenants", "excluded_tenants", "standards", "run_manually", "drift")
ALL_TENANTS = "alltenants"
FINISHED_STATES = ("completed", "failed")


def _rows(rows, what: str, source: str) -> list:
    if not isinstance(rows, list):
        raise AnsibleFilterError(f"{what} expects a list ({source})")
    return [row for row in rows if isinstance(row, dict)]


def _pick(row: dict, options) -> dict:
    return {key: row[key] for key in options if has_value(row.get(key))}


def _tenant_key(tenant) -> str:
    if not isinstance(tenant, str) or not tenant.strip():
        raise AnsibleFilterError("the tenant argument must be the tenant's default domain, e.g. contoso.com")
    return tenant.strip().lower()


def desired_ca_policies(policies, exclude=None):
    """cipp.cipp.ca_policy_info policies as cipp_ca_policies entries ``{display_name, definition}``."""
    items = []
    for row in _rows(policies, "desired_ca_policies", "cipp.cipp.ca_policy_info's policies"):
        name = row.get("display_name") or (row.get("definition") or {}).get("displayName")
        if not name or not isinstance(row.get("definition"), dict) or matches_any(name, exclude):
            continue
        items.append({"display_name": name, "definition": row["definition"]})
    return sorted(items, key=lambda i: i["display_name"].lower())


def desired_ca_templates(templates, exclude=None):
    """cipp.cipp.ca_template_info templates as cipp_ca_templates entries ``{name, definition}``.
    Templates CIPP keeps in step with a community repository (``is_synced``) are that sync's to
    manage, not Git's: they are left out."""
    items = []
    for row in _rows(templates, "desired_ca_templates", "cipp.cipp.ca_template_info's templates"):
        if not row.get("name") or not isinstance(row.get("definition"), dict) or matches_any(row["name"], exclude):
            continue
        if row.get("is_synced"):
            continue
        items.append({"name": row["name"], "definition": row["definition"]})
    return sorted(items, key=lambda i: i["name"].lower())


def desired_standards_templates(templates, exclude=None):
    """cipp.cipp.standards_template_info templates as cipp_standards_templates entries."""
    items = []
    for row in _rows(templates, "desired_standards_templates", "cipp.cipp.standards_template_info's templates"):
        if not row.get("name") or matches_any(row["name"], exclude):
            continue
        item = _pick(row, STANDARDS_TEMPLATE_OPTIONS)
        for flag in ("run_manually", "drift"):
            if isinstance(row.get(flag), bool):
                item[flag] = row[flag]
        items.append(item)
    return sorted(items, key=lambda i: i["name"].lower())


def _alert_is_tenants(row: dict, tenant: str) -> bool:
    return [str(t).lower() for t in row.get("tenants") or []] == [tenant]


def desired_alerts(alerts, tenant=None, shared=False):
    """cipp.cipp.alert_info alerts as entries of cipp_alerts (the alerts of exactly ``tenant``,
    without ``tenants``: the host's tenant is the default) or, with ``shared=true``, of
    cipp_shared_alerts (alerts for several tenants or AllTenants, with their ``tenants``)."""
    rows = _rows(alerts, "desired_alerts", "cipp.cipp.alert_info's alerts")
    key = None if shared else _tenant_key(tenant)
    items = []
    for row in rows:
        tenants = [str(t).lower() for t in row.get("tenants") or []]
        single = len(tenants) == 1 and tenants[0] != ALL_TENANTS
        if shared and single or not shared and not _alert_is_tenants(row, key):
            continue
        item = _pick(row, ALERT_OPTIONS)
        if not shared:
            item.pop("tenants", None)
        items.append(item)
    return sorted(items, key=lambda i: (i.get("kind") != "audit", [str(t).lower() for t in i.get("tenants") or []],
                                        str(i.get("id") or "")))


def desired_scheduled_tasks(tasks, tenant=None, shared=False, exclude=None):
    """cipp.cipp.scheduled_task_info tasks as entries of cipp_scheduled_tasks (the tasks of
    ``tenant``, without ``tenant``) or, with ``shared=true``, of cipp_shared_scheduled_tasks (the
    AllTenants tasks, with ``tenant``). Hidden tasks (CIPP's own, such as scripted alerts) and
    one-off tasks that already ran are history, not desired state: they are left out."""
    rows = _rows(tasks, "desired_scheduled_tasks", "cipp.cipp.scheduled_task_info's tasks")
    key = ALL_TENANTS if shared else _tenant_key(tenant)
    items = []
    for row in rows:
        if row.get("hidden") or not row.get("name") or matches_any(row["name"], exclude):
            continue
        if str(row.get("tenant") or "").lower() != key:
            continue
        if row.get("recurrence") == "once" and str(row.get("task_state") or "").lower() in FINISHED_STATES:
            continue
        item = _pick(row, TASK_OPTIONS)
        if not shared:
            item.pop("tenant", None)
        items.append(item)
    return sorted(items, key=lambda i: i["name"].lower())


class FilterModule:
    def filters(self):
        return {"desired_ca_policies": desired_ca_policies, "desired_ca_templates": desired_ca_templates,
                "desired_standards_templates": desired_standards_templates, "desired_alerts": desired_alerts,
                "desired_scheduled_tasks": desired_scheduled_tasks}
