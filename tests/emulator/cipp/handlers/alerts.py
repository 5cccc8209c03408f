"""Alerts: ListAlertsQueue, AddAlert, RemoveQueuedAlert.

Sources (HF/Tenant/Administration/Alerts/): Invoke-ListAlertsQueue.ps1, Invoke-AddAlert.ps1,
Invoke-RemoveQueuedAlert.ps1. Audit-log alerts live in the WebhookRules table
(``state.extra['webhook_rules']``); scripted alerts are hidden scheduled tasks whose command is
``Get-CippAlert*`` (``state.scheduled_tasks``).
"""
from __future__ import annotations

import json
import re
import uuid
from typing import Any

from .. import psvalue
from ..framework import Ctx, handler, json_response, ps_response
from .core import pretty
from .scheduler import _add_scheduled_item, check_task_body, task_out

OPERATORS = ("eq", "ne", "like", "notlike", "match", "notmatch", "gt", "lt", "ge", "le", "in", "notin", "contains",
             "notcontains")


def _stored_json(value: Any) -> str:
    """``$x | ConvertTo-Json -Compress -Depth 10 | Out-String`` (Windows newline at the end): an empty
    array sends nothing down the pipeline (empty text), ``$null`` becomes ``null``."""
    if value == []:
        return ""
    return json.dumps(value, separators=(",", ":")) + "\r\n"


def _listed(text: Any) -> list:
    """``@($text | ConvertFrom-Json)`` as ListAlertsQueue builds its arrays: ``null`` gives ``[null]``."""
    if isinstance(text, str) and text.strip() == "null":
        return [None]
    return psvalue.as_list(_load(text))


def seed(state: Any, data: dict[str, Any]) -> None:
    rules = state.extra.setdefault("webhook_rules", {})
    for spec in data.get("alerts") or []:
        if spec.get("type") == "scripted":
            row_key = spec.get("RowKey") or str(uuid.uuid4())
            state.scheduled_tasks[row_key] = {
                "PartitionKey": "ScheduledTask", "RowKey": row_key, "TaskState": "Planned",
                "Tenant": spec.get("Tenant", "AllTenants"), "excludedTenants": "", "excludedTenantGroups": "",
                "Name": spec.get("Name", ""), "Command": spec.get("Command", ""), "Parameters": "{}",
                "ScheduledTime": str(int(state.loaded_at.timestamp()) + 3600), "Recurrence": spec.get("Recurrence", "1d"),
                "PostExecution": spec.get("PostExecution", "Email"), "Reference": "", "AdditionalProperties": "{}",
                "Hidden": True, "Results": "Planned", "AlertComment": spec.get("AlertComment", ""), "CustomSubject": "",
                "PsaTicketStrategy": "", "Timestamp": state.loaded_at}
            continue
        row_key = spec.get("RowKey") or str(uuid.uuid4())
        rules[row_key] = {"Tenants": _stored_json(spec.get("Tenants")), "excludedTenants": _stored_json(spec.get("excludedTenants")),
                          "Conditions": _stored_json(spec.get("Conditions")), "Actions": _stored_json(spec.get("Actions")),
                          "type": spec.get("LogType"), "RowKey": row_key, "PartitionKey": "Webhookv2",
                          "AlertComment": spec.get("AlertComment", ""), "CustomSubject": spec.get("CustomSubject", "")}


def _load(text: Any) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def _check_label_values(ctx: Ctx, key: str, why: str) -> None:
    value = ctx.b(key)
    for index, item in enumerate(psvalue.as_list(value)):
        if item is not None and not isinstance(item, dict):
            ctx.flag("bare_labelvalue", f"body.{ctx.body_key(key)}[{index}]", f"{why}: a bare value is dropped.",
                     'send {"value": <value>, "label": <text>}')


@handler("ListAlertsQueue")
def list_alerts_queue(ctx: Ctx):
    state = ctx.state
    out = []
    allowed = ctx.caller.allowed_tenants
    for rule in state.extra.get("webhook_rules", {}).values():
        conditions = _load(rule.get("Conditions"))
        actions = _load(rule.get("Actions"))
        tenants = _load(rule.get("Tenants"))
        translated = " and ".join(
            f"When {psvalue.ps_str(psvalue.path(c, 'Property.label'))} is {psvalue.ps_str(psvalue.path(c, 'Operator.label'))} "
            f"{psvalue.ps_str(psvalue.path(c, 'input.value'))}" for c in psvalue.as_list(psvalue.ci(conditions)))
        entry = {"Tenants": list(psvalue.as_list(psvalue.member(psvalue.ci(tenants), "label"))),
                 "Conditions": translated, "excludedTenants": _listed(rule.get("excludedTenants")),
                 "Actions": ",".join(psvalue.ps_str(a) for a in psvalue.as_list(psvalue.member(psvalue.ci(actions), "label"))),
                 "LogType": rule.get("type"), "EventType": "Audit log Alert", "RowKey": rule["RowKey"],
                 "PartitionKey": rule["PartitionKey"], "RepeatsEvery": "When received",
                 "AlertComment": rule.get("AlertComment"), "CustomSubject": rule.get("CustomSubject"),
                 "RawAlert": {"Conditions": _listed(rule.get("Conditions")), "Actions": _listed(rule.get("Actions")),
                              "Tenants": _listed(rule.get("Tenants")), "type": rule.get("type"), "RowKey": rule["RowKey"],
                              "PartitionKey": rule["PartitionKey"], "AlertComment": rule.get("AlertComment"),
                              "CustomSubject": rule.get("CustomSubject")}}
        if allowed is not None and not any(str(psvalue.member(t, "customerId") or "").lower() in allowed
                                           for t in psvalue.as_list(psvalue.ci(tenants))):
            continue
        out.append(entry)
    for task in state.scheduled_tasks.values():
        if not (task.get("Hidden") is True and str(task.get("Command", "")).lower().startswith("get-cippalert")):
            continue
        excluded: list[Any] = [e for e in str(task.get("excludedTenants") or "").split(",") if e]
        groups = _load(task.get("excludedTenantGroups"))
        if groups:
            excluded += psvalue.as_list(groups)
        multi = _load(task.get("Tenants")) if task.get("Tenants") else None
        if multi is not None:
            # Multi-tenant alert: the selection as stored; the computed exclusions are not shown.
            shown = [{"label": psvalue.coalesce(psvalue.member(t, "label"), psvalue.member(t, "value")),
                      "value": psvalue.member(t, "value"), "type": psvalue.member(t, "type") or "Tenant"}
                     for t in psvalue.as_list(psvalue.ci(multi))]
            excluded = []
        elif task.get("TenantGroup"):
            group = _load(task["TenantGroup"]) or {}
            shown = [{"label": group.get("label"), "value": group.get("value"), "type": "Group"}]
        else:
            shown = [{"label": task.get("Tenant"), "value": task.get("Tenant"), "type": "Tenant"}]
        params = _load(task.get("Parameters"))
        script = psvalue.path(psvalue.ci(params), "InputValue.ScriptGuid.label") if isinstance(params, dict) else None
        entry = {"RowKey": task["RowKey"], "PartitionKey": task["PartitionKey"], "excludedTenants": excluded,
                 "Tenants": shown, "Conditions": task.get("Name"), "Actions": task.get("PostExecution"), "LogType": "Scripted",
                 "EventType": "Scheduled Task", "RepeatsEvery": task.get("Recurrence"),
                 "AlertComment": task.get("AlertComment"),
                 # RawAlert is the table row itself: Parameters is still the JSON string (with the Headers).
                 "RawAlert": {**{k: v for k, v in task.items() if k != "Timestamp"},
                              "Timestamp": task_out(state, task)["Timestamp"]}, "ScriptName": script}
        if allowed is not None:
            names = [psvalue.ps_str(t["value"]) for t in shown] if multi is not None else [task.get("Tenant")]
            tenants = [ctx.tenant(n) for n in names]
            if not any(t and t.customer_id.lower() in allowed for t in tenants):
                continue
        out.append(entry)
    return ps_response(200, pretty(out))


# Test-CIPPAuditLogRules / Invoke-CIPPWebhookProcessing read each condition's Input.value (the spec
# lists only Property.label and Operator); Property.value is the UI's type hint (stored, harmless).
@handler("AddAlert", extra_keys=("conditions.Input", "conditions.Property.value"))
def add_alert(ctx: Ctx):
    conditions = ctx.b("conditions")
    _check_label_values(ctx, "tenantFilter", "Expand-CIPPTenantGroups and the rule matching read each tenant's .value")
    _check_label_values(ctx, "excludedTenants", "the rule matching reads each excluded tenant's .value")
    _check_label_values(ctx, "actions", "Invoke-CIPPWebhookProcessing reads each action's .value")
    for index, condition in enumerate(psvalue.as_list(conditions)):
        given = psvalue.member(condition, "Input")
        for item in (given if isinstance(given, list) else [given]):
            if item is not None and not isinstance(item, dict):
                ctx.flag("bare_labelvalue", f"body.conditions[{index}].Input",
                         "the alert engine reads Input.value: a bare value matches nothing (the condition is dropped).",
                         'send {"value": <text>} (a list of them for in / notin)')
    for condition in psvalue.as_list(conditions):
        op = psvalue.path(condition, "Operator.value")
        if op and psvalue.ps_str(op).lower() not in OPERATORS:
            return json_response(400, {"error": f"Invalid operator: {psvalue.ps_str(op)}"})
        label = psvalue.path(condition, "Property.label")
        if label and not re.fullmatch(r"[a-zA-Z0-9_.]+", psvalue.ps_str(label)):
            return json_response(400, {"error": f"Invalid property name: {psvalue.ps_str(label)}"})
    tenants = ctx.b("tenantFilter")
    row_key = ctx.b("RowKey") if psvalue.truthy(ctx.b("RowKey")) else str(uuid.uuid4())
    plain = json.loads(json.dumps(ctx.body)) if isinstance(ctx.body, dict) else {}

    def get(key):
        return next((v for k, v in plain.items() if k.lower() == key.lower()), None)

    rule = {"Tenants": _stored_json(get("tenantFilter")), "excludedTenants": _stored_json(get("excludedTenants")),
            "Conditions": _stored_json(get("conditions")), "Actions": _stored_json(get("actions")),
            "type": ctx.b("logbook.value"), "RowKey": psvalue.ps_str(row_key), "PartitionKey": "Webhookv2",
            "AlertComment": psvalue.ps_str(ctx.b("AlertComment")), "CustomSubject": psvalue.ps_str(ctx.b("CustomSubject"))}
    ctx.state.extra.setdefault("webhook_rules", {})[psvalue.ps_str(row_key)] = rule
    ctx.changed()
    count = len(tenants) if isinstance(tenants, list) else (0 if tenants is None else 1)
    result = (f"Added Audit Log Alert for {count} tenants. It may take up to four hours before Microsoft starts "
              "delivering these alerts.")
    ctx.log(result, "Info", api="AddAlert")
    return json_response(200, {"Results": [result]})


@handler("RemoveQueuedAlert")
def remove_queued_alert(ctx: Ctx):
    event_type = ctx.qb("EventType")
    alert_id = psvalue.ps_str(ctx.qb("ID"))
    table = (ctx.state.extra.setdefault("webhook_rules", {}) if psvalue.ps_str(event_type).lower() == "audit log alert"
             else ctx.state.scheduled_tasks)
    if table.pop(alert_id, None) is None:
        return json_response(500, {"Results": f"Failed to remove alert from queue {alert_id}. Cannot bind argument to "
                                              "parameter 'Entity' because it is null."})
    ctx.changed()
    result = f"Successfully removed alert {alert_id} from queue"
    ctx.log(result, "Info")
    return json_response(200, {"Results": result})


@handler("AddScriptedAlert")
def add_scripted_alert(ctx: Ctx):
    """Invoke-AddScriptedAlert: one selected tenant becomes the task's tenant; several become AllTenants
    with every other tenant excluded (computed now) and the selection stored as ``Tenants``; then
    Invoke-AddScheduledItem with ``hidden=true``."""
    check_task_body(ctx)
    body = ctx.body if isinstance(ctx.body, dict) else None
    stored_tenants = None
    if body is not None:
        real = ctx.body_key("tenantFilter")
        selection = body.get(real) if real in body else None
        if isinstance(selection, list) and len(selection) == 1:
            body[real] = selection[0]
        elif isinstance(selection, list) and len(selection) > 1:
            stored_tenants = json.dumps(selection, separators=(",", ":"))
            if not any(psvalue.member(t, "value") == "AllTenants" for t in selection):
                targets = {psvalue.ps_str(psvalue.member(t, "value")) for t in selection}
                computed = [t.default_domain for t in ctx.state.managed_tenants() if t.default_domain not in targets]
                given = psvalue.as_list(body.get(ctx.body_key("excludedTenants")))
                group_entries = [e for e in given if psvalue.member(e, "type") == "Group"]
                plain = [psvalue.coalesce(psvalue.member(e, "value"), e) for e in given if psvalue.member(e, "type") != "Group"]
                merged = list(dict.fromkeys(psvalue.ps_str(v) for v in plain + computed if v))
                body[ctx.body_key("excludedTenants")] = [{"value": v, "label": v} for v in merged] + group_entries
            if not psvalue.truthy(body.get(ctx.body_key("RowKey"))):
                body[ctx.body_key("RowKey")] = str(uuid.uuid4())
            body[real] = {"value": "AllTenants", "label": "*All Tenants", "type": "Tenant"}
    response = _add_scheduled_item(ctx, hidden_query="true")
    if stored_tenants is not None:
        task = ctx.state.scheduled_tasks.get(psvalue.ps_str(body.get(ctx.body_key("RowKey"))))
        if task is not None:
            task["Tenants"] = stored_tenants
    return response
