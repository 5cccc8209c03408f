"""CIPP's scheduler: AddScheduledItem, ListScheduledItems, RemoveScheduledItem, and the
``Add-CIPPScheduledTask`` helper other handlers schedule through (ExecOffboardUser, AddUser
and EditUser with ``Scheduled.Enabled``, AddUser's group retries).

Sources: HF/CIPP/Scheduler/Invoke-AddScheduledItem.ps1, Invoke-ListScheduledItems.ps1,
Invoke-RemoveScheduledItem.ps1, Core/Add-CIPPScheduledTask.ps1.

Tasks for a few commands the emulator can run (``RUNNERS``) execute at once when queued
with RunNow (the real orchestrator starts within seconds): their effects land in the state and
``TaskState``/``Results`` show the outcome. Everything else stays ``Planned``.
"""
from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from typing import Any, Callable

from .. import psvalue
from ..commands import BLOCKED, COMMANDS
from ..framework import Ctx, handler, json_response
from ..state import iso, iso_table, now_utc, parse_when

RUNNERS: dict[str, Callable[[Ctx, dict[str, Any], dict[str, Any]], Any]] = {}


def runner(command: str):
    def register(func):
        RUNNERS[command.lower()] = func
        return func
    return register


def seed(state: Any, data: dict[str, Any]) -> None:
    for spec in data.get("scheduled_tasks") or []:
        row_key = spec.get("RowKey") or str(uuid.uuid4())
        when = parse_when(spec.get("ScheduledTime", "+1d"), state.loaded_at)
        state.scheduled_tasks[row_key] = {
            "PartitionKey": "ScheduledTask", "RowKey": row_key, "TaskState": spec.get("TaskState", "Planned"),
            "Tenant": spec.get("Tenant", ""), "excludedTenants": "", "excludedTenantGroups": "",
            "Name": spec.get("Name", ""), "Command": spec.get("Command", ""),
            "Parameters": json.dumps(spec.get("Parameters") or {}, separators=(",", ":")),
            "ScheduledTime": str(int(when.timestamp())), "Recurrence": str(spec.get("Recurrence", "")),
            "PostExecution": "", "Reference": spec.get("Reference", ""), "AdditionalProperties": "{}",
            "Hidden": bool(spec.get("Hidden", False)), "Results": spec.get("Results", "Planned"),
            "AlertComment": spec.get("AlertComment", ""), "CustomSubject": "", "PsaTicketStrategy": "",
            "Timestamp": state.loaded_at}


def _relative(seconds: float) -> str:
    minutes = seconds / 60
    if minutes >= 1440:
        days = int(seconds // 86400)
        hours = int((seconds % 86400) // 3600)
        text = f"{days} day{'s' if days != 1 else ''}"
        if hours > 0:
            text += f" and {hours} hour{'s' if hours != 1 else ''}"
        return text
    if minutes >= 60:
        hours = int(seconds // 3600)
        mins = int((seconds % 3600) // 60)
        text = f"{hours} hour{'s' if hours != 1 else ''}"
        if mins > 0:
            text += f" and {mins} minute{'s' if mins != 1 else ''}"
        return text
    if minutes >= 2:
        return f"about {round(minutes)} minutes"
    if minutes >= 1:
        return "about 1 minute"
    return "less than a minute"


def add_scheduled_task(ctx: Ctx, task: Any, *, hidden: bool = False, disallow_duplicate: Any = False,
                       run_now: bool = False, row_key: str | None = None, desired_start: Any = None) -> str:
    """Add-CIPPScheduledTask; returns its result string (most failures are returned, not thrown)."""
    state = ctx.state
    if run_now and row_key:
        existing = state.scheduled_tasks.get(row_key)
        if not existing:
            return "Could not run task: You cannot call a method on a null-valued expression."
        existing["ScheduledTime"] = str(int(time.time()))
        existing["TaskState"] = "Planned"
        ctx.log(f"Task {existing['Name']} scheduled to run now", "Info", api="RunNow", tenant=existing.get("Tenant"))
        ctx.changed()
        _maybe_run(ctx, existing)
        return f"Task {existing['Name']} scheduled to run now"

    def get(name):
        return psvalue.member(task, name)

    key = get("RowKey") or str(uuid.uuid4())
    name = psvalue.ps_str(get("Name"))
    if psvalue.truthy(disallow_duplicate):
        for row in state.scheduled_tasks.values():
            if row["Name"] == name and row["TaskState"] not in ("Completed", "Failed"):
                return f"Task with name {name} already exists"
    command = psvalue.coalesce(psvalue.member(get("Command"), "value"), get("Command"))
    command_text = psvalue.ps_str(command)
    known = {c.lower(): c for c in COMMANDS}
    if command_text.lower() not in known:
        from plugins.module_utils._manifest import ENDPOINTS
        if command_text.lower() in {f"invoke-{e}".lower() for e in ENDPOINTS}:
            ctx.log(f"Blocked attempt to schedule command from unauthorized module: CIPPHTTP\\{command_text}", "Warning",
                    api="ScheduledTask")
            return f"Error - The command '{command_text}' is not permitted to run as a scheduled task."
        ctx.log(f"Blocked attempt to schedule non-existent command: {command_text}", "Warning", api="ScheduledTask")
        return f"Error - The command '{command_text}' does not exist and cannot be scheduled."
    if command_text.lower() in {b.lower() for b in BLOCKED}:
        ctx.log(f"Blocked attempt to schedule restricted command: {command_text}", "Warning", api="ScheduledTask")
        return f"Error - The command '{command_text}' is not permitted to run as a scheduled task."
    post = get("PostExecution")
    chosen = [p for p in ("Webhook", "Email", "PSA") if psvalue.eq_true(psvalue.member(post, p))]
    post_text = ",".join(chosen) if chosen else ",".join(psvalue.ps_str(v) for v in psvalue.as_list(psvalue.member(post, "value")))
    params_in = get("Parameters")
    params: dict[str, Any] = {}
    if isinstance(params_in, dict):
        for pname, pvalue in params_in.items():
            if pvalue is None or pvalue == "" or pvalue == []:
                continue
            params[pname] = pvalue
    params["Headers"] = {"x-forwarded-for": ctx.caller.ip, "x-ms-client-principal-idp": "aad",
                         "x-ms-client-principal-name": ctx.caller.principal_name}
    recurrence = get("Recurrence")
    recurrence = recurrence if psvalue.is_blank(psvalue.member(recurrence, "value")) else psvalue.member(recurrence, "value")
    scheduled = get("ScheduledTime")
    now = int(time.time())
    if desired_start:
        try:
            scheduled = int(desired_start)
        except (TypeError, ValueError):
            pass  # keeps the task's ScheduledTime
    try:
        scheduled_int = int(float(psvalue.ps_str(scheduled))) if not psvalue.is_blank(scheduled) else 0
    except ValueError:
        scheduled_int = 0
    if scheduled_int == 0:
        scheduled_int = now
    tenant = get("TenantFilter")
    tenant_value = psvalue.member(tenant, "value") if psvalue.truthy(psvalue.member(tenant, "value")) else tenant
    excluded = [e for e in psvalue.as_list(get("excludedTenants")) if psvalue.member(e, "value")]
    entity = {
        "PartitionKey": "ScheduledTask", "TaskState": "Planned", "RowKey": str(key), "Tenant": psvalue.ps_str(tenant_value),
        "excludedTenants": ",".join(psvalue.ps_str(psvalue.member(e, "value")) for e in excluded
                                    if psvalue.member(e, "type") != "Group"),
        "excludedTenantGroups": json.dumps([{"value": psvalue.member(e, "value"), "label": psvalue.member(e, "label"),
                                             "type": "Group"} for e in excluded if psvalue.member(e, "type") == "Group"],
                                           separators=(",", ":"))
        if any(psvalue.member(e, "type") == "Group" for e in excluded) else "", "Name": name, "Command": known.get(command_text.lower(), command_text),
        "Parameters": json.dumps(params, separators=(",", ":"), default=str), "ScheduledTime": str(scheduled_int),
        "Recurrence": psvalue.ps_str(recurrence), "PostExecution": post_text, "Reference": psvalue.ps_str(get("Reference")),
        "AdditionalProperties": "{}", "Hidden": bool(hidden), "Results": "Planned",
        "AlertComment": psvalue.ps_str(get("AlertComment")), "CustomSubject": psvalue.ps_str(get("CustomSubject")),
        "PsaTicketStrategy": psvalue.ps_str(psvalue.coalesce(psvalue.member(get("PsaTicketStrategy"), "value"),
                                                             get("PsaTicketStrategy"))),
        "Timestamp": now_utc()}
    if isinstance(tenant, dict) and psvalue.member(tenant, "type") == "Group":
        entity["TenantGroup"] = json.dumps(tenant, separators=(",", ":"))
    if desired_start:
        entity["DesiredStartTime"] = str(desired_start)
    if psvalue.truthy(get("Trigger")):
        # Stored as JSON (the delta query a DeltaQuery trigger creates is not emulated).
        entity["Trigger"] = json.dumps(json.loads(json.dumps(get("Trigger"))), separators=(",", ":"))
    if psvalue.truthy(get("Tag")):
        entity["Tag"] = psvalue.ps_str(get("Tag"))
    state.scheduled_tasks[str(key)] = entity
    ctx.changed()
    ctx.log(f"Added task {entity['Name']} with ID {entity['RowKey']}", "Info", api="ScheduledTask", tenant=entity["Tenant"])
    if scheduled_int <= now:
        current = now_utc()
        minutes_to_add = 15 - (current.minute % 15)
        next_run = (current + dt.timedelta(minutes=minutes_to_add)).replace(second=0, microsecond=0)
        until = (next_run - current).total_seconds()
    else:
        until = scheduled_int - time.time()
    if run_now:
        _maybe_run(ctx, entity)
        return f"Task {entity['Name']} scheduled to run now"
    return f"Successfully added task: {entity['Name']}. It will run in {_relative(until)}."


def _maybe_run(ctx: Ctx, entity: dict[str, Any]) -> None:
    run = RUNNERS.get(entity["Command"].lower())
    if not run:
        entity["TaskState"] = "Pending"
        return
    params = json.loads(entity["Parameters"] or "{}")
    entity["TaskState"] = "Running"
    try:
        results = run(ctx, entity, params)
        entity["TaskState"] = "Completed"
    except Exception as exc:  # a runner failing is a task failure, as in CIPP
        results = [f"Task failed: {exc}"]
        entity["TaskState"] = "Failed"
    entity["Results"] = json.dumps(results, separators=(",", ":"), default=str) if not isinstance(results, str) else results
    entity["ExecutedTime"] = str(int(time.time()))
    ctx.changed()


# --------------------------------------------------------------------------- endpoints

# The task fields Invoke-AddScheduledItem / Add-CIPPScheduledTask read off the body (the spec
# calls the body passthrough and lists only four): anything else is stored nowhere.
TASK_KEYS = frozenset(k.lower() for k in (
    "TenantFilter", "Name", "Command", "Parameters", "ScheduledTime", "Recurrence", "PostExecution", "Reference",
    "excludedTenants", "Trigger", "RunNow", "RowKey", "DesiredStartTime", "AlertComment", "CustomSubject",
    "PsaTicketStrategy", "Tag", "AdditionalProperties", "DisallowDuplicateName"))


def check_task_body(ctx: Ctx, extra: tuple[str, ...] = ()) -> None:
    """Conformance findings for a task body: keys Add-CIPPScheduledTask never reads, and values
    its ``.value`` reads drop (bare PostExecution entries, bare excluded tenants)."""
    if not isinstance(ctx.body, dict):
        return
    known = TASK_KEYS | {k.lower() for k in extra}
    for key in ctx.body:
        if str(key).lower() not in known:
            ctx.flag("unknown_key", f"body.{key}", f"{ctx.endpoint} never reads {key}: it is not stored with the task.",
                     "remove it")
    post = ctx.b("PostExecution")
    if isinstance(post, list):
        for index, entry in enumerate(post):
            if not isinstance(entry, dict):
                ctx.flag("bare_labelvalue", f"body.PostExecution[{index}]",
                         "Add-CIPPScheduledTask reads PostExecution.value (or the Webhook/Email/PSA booleans of an "
                         "object): a bare string is dropped.", 'send {"Webhook": true, "Email": false, "PSA": false}')
    excluded = ctx.b("excludedTenants")
    for index, entry in enumerate(psvalue.as_list(excluded)):
        if entry is not None and not isinstance(entry, dict):
            ctx.flag("bare_labelvalue", f"body.excludedTenants[{index}]",
                     "Add-CIPPScheduledTask keeps only excluded tenants with a .value: a bare string is dropped.",
                     'send {"value": "<domain>", "label": "<domain>"}')


@handler("AddScheduledItem", extra_keys=("hidden", "DisallowDuplicateName"))
def add_scheduled_item(ctx: Ctx):
    check_task_body(ctx)
    return _add_scheduled_item(ctx, hidden_query=ctx.q("hidden"))


def _add_scheduled_item(ctx: Ctx, hidden_query: Any):
    """Invoke-AddScheduledItem (also what AddScriptedAlert forwards to, with ``hidden=true``)."""
    state = ctx.state
    disallow = psvalue.coalesce(ctx.q("DisallowDuplicateName"), ctx.b("DisallowDuplicateName"))
    existing = state.scheduled_tasks.get(psvalue.ps_str(ctx.b("RowKey"))) if ctx.b("RowKey") else None
    if hidden_query is None:
        hidden = bool(existing["Hidden"]) if existing else False
    else:
        hidden = True
        if str(hidden_query).lower() == "false":
            ctx.flag("ignored_field", "query.hidden",
                     "AddScheduledItem treats any 'hidden' query value (even 'false') as hidden=true.", "omit hidden")
    if existing and psvalue.eq_true(ctx.b("RunNow")):
        existing["ExecutedTime"] = ""
        result = add_scheduled_task(ctx, None, run_now=True, row_key=existing["RowKey"])
    else:
        result = add_scheduled_task(ctx, ctx.body if isinstance(ctx.body, dict) else None, hidden=hidden,
                                    disallow_duplicate=disallow, run_now=psvalue.eq_true(ctx.b("RunNow")),
                                    desired_start=ctx.b("DesiredStartTime"))
    return json_response(200, {"Results": result})


def task_out(state: Any, task: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in task.items() if k != "Timestamp"}
    out["Timestamp"] = iso_table(task["Timestamp"])
    try:
        params = json.loads(task.get("Parameters") or "")
    except ValueError:
        params = None
    if isinstance(params, dict):
        params.pop("Headers", None)
        out["Parameters"] = params
    elif not task.get("Parameters"):
        out["Parameters"] = {}
    recurrence = task.get("Recurrence")
    if not recurrence or recurrence in ("0", 0):
        out["Recurrence"] = "Once"
    for key in ("ExecutedTime", "ScheduledTime"):
        try:
            out[key] = iso(dt.datetime.fromtimestamp(int(task.get(key)), dt.timezone.utc))
        except (TypeError, ValueError):
            pass
    if task.get("Trigger"):
        try:
            out["Trigger"] = json.loads(task["Trigger"])
        except ValueError:
            pass
    lookup = {t.customer_id: t.default_domain for t in state.managed_tenants()}
    if task.get("TenantGroup"):
        group = json.loads(task["TenantGroup"])
        out["TenantGroupInfo"] = {"label": group.get("label"), "value": group.get("value"), "type": "Group"}
        out["Tenant"] = out["TenantGroupInfo"]
    elif not task.get("Tenant"):
        out["Tenant"] = "None"
    else:
        value = lookup.get(task["Tenant"], task["Tenant"])
        out["Tenant"] = {"label": value, "value": value, "type": "Tenant"}
    return out


@handler("ListScheduledItems")
def list_scheduled_items(ctx: Ctx):
    state = ctx.state
    task_id = ctx.qb("Id")
    tenant_filter = ctx.qb("tenantFilter")
    tasks = list(state.scheduled_tasks.values())
    if task_id:
        tasks = [t for t in tasks if t["RowKey"] == task_id]
    else:
        show_hidden = psvalue.eq_true(ctx.q("ShowHidden")) or psvalue.eq_true(ctx.b("ShowHidden"))
        tasks = [t for t in tasks if bool(t["Hidden"]) == show_hidden]
        name, kind = ctx.qb("Name"), ctx.qb("Type")
        if name:
            tasks = [t for t in tasks if t["Name"] == name]
        if kind:
            tasks = [t for t in tasks if t["Command"] == kind]
    if tenant_filter and tenant_filter != "AllTenants":
        tenant = ctx.tenant(tenant_filter)
        ids = {tenant.default_domain, tenant.customer_id} if tenant else {tenant_filter}
        tasks = [t for t in tasks if t.get("Tenant") in ids]
    search = ctx.qb("SearchTitle")
    if search:
        import fnmatch
        tasks = [t for t in tasks if fnmatch.fnmatchcase(t["Name"].lower(), str(search).lower())]
    allowed = ctx.caller.allowed_tenants
    if allowed is not None:
        ok = set(allowed) | {t.default_domain.lower() for t in state.managed_tenants() if t.customer_id.lower() in allowed}
        tasks = [t for t in tasks if str(t.get("Tenant") or "").lower() in ok]
    out = [task_out(state, t) for t in tasks if t.get("Command")]
    out.sort(key=lambda t: (str(t.get("ScheduledTime") or ""), str(t.get("ExecutedTime") or "")), reverse=True)
    return json_response(200, out)


@handler("RemoveScheduledItem")
def remove_scheduled_item(ctx: Ctx):
    row_key = ctx.q("id") if psvalue.truthy(ctx.q("id")) else ctx.b("id")
    if ctx.state.scheduled_tasks.pop(psvalue.ps_str(row_key), None) is not None:
        ctx.changed()
    ctx.log(f"Task removed: {psvalue.ps_str(row_key)}", "Info")
    return json_response(200, {"Results": "Task removed successfully."})


@handler("ListScheduledItemDetails")
def list_scheduled_item_details(ctx: Ctx):
    from .core import pretty
    from ..framework import ps_response
    row_key = ctx.qb("RowKey")
    if not row_key:
        return ps_response(400, "Required parameter 'RowKey' is missing")
    task = ctx.state.scheduled_tasks.get(psvalue.ps_str(row_key))
    if task is None:
        return ps_response(404, f"Task with RowKey '{psvalue.ps_str(row_key)}' not found")
    full = task_out(ctx.state, task)
    keys = ("RowKey", "Name", "TaskState", "Command", "Parameters", "Recurrence", "ExecutedTime", "ScheduledTime",
            "PostExecution", "Tenant", "TenantGroup", "Hidden", "Results", "Timestamp", "Trigger")
    shown = {k: full.get(k) for k in keys}
    raw = task.get("Results")
    parsed: Any = raw
    if isinstance(raw, str) and raw.strip()[:1] in ("[", "{"):
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw
    results = [] if parsed is None or parsed == "null" else psvalue.as_list(parsed)
    # RowKey = $Task.Tenant after it was replaced by the {label, value, type} display object.
    details = [{"Timestamp": shown["Timestamp"], "Tenant": shown["Tenant"], "Results": results}]
    return ps_response(200, pretty({"Task": shown, "Details": details}))
