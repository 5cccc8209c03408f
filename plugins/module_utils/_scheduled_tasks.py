# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CIPP's scheduler: ListScheduledItems and the ``cipp.cipp.scheduled_task`` resource over
AddScheduledItem / RemoveScheduledItem.

AddScheduledItem stores the task row it builds from the body (``Add-CIPPScheduledTask``); with the
``RowKey`` of an existing task it replaces that row, which is how CIPP's own editor edits a task:
the state goes back to ``Planned`` and the last run time is dropped, so an update sends the current
scheduled time back to keep the next run where it was. ``Recurrence`` is ``0`` (once) or
``<n>m|h|d``; ``PostExecution`` is read from ``{Webhook, Email, PSA}`` booleans (bare strings are
dropped); excluded tenants (with ``AllTenants``) must be ``{value}`` objects. ListScheduledItems
answers the stored rows (hidden ones only with ``ShowHidden``) with ISO times, ``Recurrence``
``Once`` for one-off tasks, the tenant as ``{label, value, type}`` and the parameters without the
caller's headers. RemoveScheduledItem takes the RowKey as ``id`` and always reports success. Private.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource
from ansible_collections.cipp.cipp.plugins.module_utils._shapes import label_value
from ansible_collections.cipp.cipp.plugins.module_utils._tenants import ALL_TENANTS

RECURRENCE = re.compile(r"^([1-9][0-9]*)([mhd])$")
ONCE = "once"
POST_EXECUTION = ("webhook", "email", "psa")
POST_EXECUTION_FIELDS = {"webhook": "Webhook", "email": "Email", "psa": "PSA"}
COMMAND = re.compile(r"^[A-Za-z]+-[A-Za-z0-9]+$")
KEPT_FIELDS = ("Reference", "AlertComment", "CustomSubject", "PsaTicketStrategy", "Tag")

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    command=dict(type="str"),
    parameters=dict(type="dict"),
    recurrence=dict(type="str"),
    start_time=dict(type="str"),
    post_execution=dict(type="list", elements="str", choices=list(POST_EXECUTION)),
    excluded_tenants=dict(type="list", elements="str"),
)


# ---------------------------------------------------------------------------- values

def normalise_recurrence(value, option: str = "recurrence") -> str:
    """``once`` or ``<n>m|h|d`` (what CIPP's scheduler can repeat); raises naming ``option``."""
    text = str(value).strip().lower()
    if text in (ONCE, "0", ""):
        return ONCE
    if text.isdigit():  # the scheduler reads a bare number as days
        text += "d"
    if not RECURRENCE.match(text):
        raise CippConfigError(f"option '{option}': {value!r} is not a recurrence CIPP understands; use 'once' or a "
                              "number with m, h or d (for example 30m, 4h, 1d, 7d, 365d)", option=option)
    return text


def recurrence_to_cipp(value: str) -> str:
    return "0" if value == ONCE else value


def parse_start_time(value, option: str = "start_time") -> int:
    """Unix seconds from an ISO 8601 date-time (UTC unless it says otherwise) or from seconds."""
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CippConfigError(f"option '{option}': {value!r} is not an ISO 8601 date-time (for example "
                              "2026-12-24T02:00:00Z) nor Unix seconds", option=option) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp())


def iso_to_epoch(value) -> int | None:
    """ListScheduledItems' ISO time back to the Unix seconds AddScheduledItem stores."""
    if value in (None, ""):
        return None
    try:
        return parse_start_time(value)
    except CippConfigError:
        return None


def post_execution_list(text) -> list:
    """``"Webhook,Email"`` (as stored) to ``["email", "webhook"]``."""
    return sorted({part.strip().lower() for part in str(text or "").split(",") if part.strip()})


def post_execution_body(actions: list) -> dict:
    """The object Add-CIPPScheduledTask reads its booleans from (a bare list would be dropped)."""
    return {field: name in actions for name, field in POST_EXECUTION_FIELDS.items()}


def clean_parameters(parameters) -> dict:
    """Parameters as CIPP stores them: empty values (None, "", []) are dropped."""
    return {k: v for k, v in (parameters or {}).items() if v is not None and v != "" and v != []}


def tenant_value(tenant) -> str:
    if isinstance(tenant, dict):
        return str(tenant.get("value") or "")
    return "" if tenant in (None, "None") else str(tenant)


# ---------------------------------------------------------------------------- reads

def list_tasks(client, name: str | None = None, tenant: str | None = None, command: str | None = None,
               show_hidden: bool = False) -> list:
    """ListScheduledItems rows (filters applied by CIPP)."""
    params = {}
    if name:
        params["Name"] = name
    if tenant:
        params["tenantFilter"] = tenant
    if command:
        params["Type"] = command
    if show_hidden:
        params["ShowHidden"] = "true"
    data = client.call("ListScheduledItems", params=params or None).data
    if isinstance(data, dict):
        data = [data]
    return [row for row in data or [] if isinstance(row, dict) and row.get("RowKey")]


def normalise(row: dict) -> dict:
    """A ListScheduledItems row in the module's vocabulary."""
    parameters = row.get("Parameters") if isinstance(row.get("Parameters"), dict) else {}
    excluded = row.get("excludedTenants")
    excluded = [e for e in excluded.split(",") if e] if isinstance(excluded, str) else [tenant_value(e) for e in excluded or []]
    return {
        "id": row.get("RowKey"),
        "name": row.get("Name"),
        "tenant": tenant_value(row.get("Tenant")),
        "command": row.get("Command"),
        "parameters": {k: v for k, v in parameters.items() if k != "Headers"},
        "recurrence": _read_recurrence(row.get("Recurrence")),
        "post_execution": post_execution_list(row.get("PostExecution")),
        "excluded_tenants": sorted(excluded, key=str.lower),
        "scheduled_time": row.get("ScheduledTime") or None,
        "last_run": row.get("ExecutedTime") or None,
        "task_state": row.get("TaskState"),
        "hidden": bool(row.get("Hidden")),
        "reference": row.get("Reference") or None,
    }


def _read_recurrence(value) -> str:
    """A stored recurrence in the module's vocabulary (an odd stored value is shown as it is)."""
    try:
        return normalise_recurrence(value or ONCE)
    except CippConfigError:
        return str(value)


# ---------------------------------------------------------------------------- the resource

class ScheduledTaskResource(StatefulResource):
    result_key = "task"
    case_insensitive_fields = ("tenant", "command", "excluded_tenants")
    unordered_fields = ("post_execution", "excluded_tenants")

    def __init__(self, cipp):
        super().__init__(cipp)
        p = self.params
        self.name = p["name"].strip()
        if not self.name:
            raise CippConfigError("option 'name' is empty", option="name")
        self.recurrence = normalise_recurrence(p["recurrence"]) if p["recurrence"] is not None else None
        self.start_time = parse_start_time(p["start_time"]) if p["start_time"] else None
        if p["command"] is not None and not COMMAND.match(p["command"].strip()):
            raise CippConfigError(f"option 'command': {p['command']!r} is not a CIPP command name such as "
                                  "Get-CIPPLicenseOverview", option="command")
        self.tenant = None
        self._row = None
        self.excluded = []
        if p["state"] == "present":
            if not p["tenant"]:
                raise CippConfigError("option 'tenant' is required with state=present (a tenant or AllTenants)",
                                      option="tenant")
            self.tenant = cipp.resolve_tenant(endpoint="ListScheduledItems")["defaultDomainName"]
            self.excluded = [cipp.tenants.resolve(t, option="excluded_tenants")["defaultDomainName"]
                             for t in p["excluded_tenants"] or []]
            if self.excluded and self.tenant != ALL_TENANTS:
                raise CippConfigError("option 'excluded_tenants' applies only with tenant=AllTenants", option="excluded_tenants")

    def read(self):
        rows = [r for r in list_tasks(self.client, name=self.name) if r.get("Name") == self.name and not r.get("Hidden")]
        if len(rows) > 1:
            raise CippConfigError(f"{len(rows)} scheduled tasks are named {self.name!r} (ids "
                                  f"{', '.join(r['RowKey'] for r in rows)}); remove the extra ones first", option="name")
        self._row = rows[0] if rows else None
        return normalise(rows[0]) if rows else None

    def desired(self) -> dict:
        p = self.params
        return {
            "name": self.name, "tenant": self.tenant,
            "command": p["command"].strip() if p["command"] else None,
            "parameters": clean_parameters(p["parameters"]) if p["parameters"] is not None else None,
            "recurrence": self.recurrence,
            "post_execution": sorted(set(p["post_execution"])) if p["post_execution"] is not None else None,
            "excluded_tenants": sorted(self.excluded, key=str.lower) if p["excluded_tenants"] is not None else None,
        }

    def validate(self, current, desired: dict) -> None:
        if current is None and self.params["state"] == "present" and not desired["command"]:
            raise CippConfigError("option 'command' is required to create a scheduled task", option="command")
        if current is not None and (self._row or {}).get("Trigger") and self.compare(current, desired):
            raise CippConfigError(f"scheduled task {self.name!r} is a triggered task (it runs on directory changes); "
                                  "this module cannot rewrite its trigger - change it in CIPP, or delete it and create a "
                                  "scheduled task", option="name")

    def _body(self, values: dict, row_key: str | None, scheduled: int | None) -> dict:
        body = {
            "TenantFilter": label_value(values["tenant"]), "Name": self.name,
            "Command": label_value(values["command"]), "Parameters": values.get("parameters") or {},
            "ScheduledTime": scheduled or 0, "Recurrence": recurrence_to_cipp(values.get("recurrence") or ONCE),
            "PostExecution": post_execution_body(values.get("post_execution") or []),
        }
        if values.get("excluded_tenants"):
            body["excludedTenants"] = [label_value(t) for t in values["excluded_tenants"]]
        # CIPP's own fields of the task, kept on a rewrite (it replaces the whole row).
        for key in KEPT_FIELDS:
            if row_key and (self._row or {}).get(key):
                body[key] = self._row[key]
        if row_key:
            body["RowKey"] = row_key
        return body

    def create(self, desired: dict) -> None:
        self.client.call("AddScheduledItem", body=self._body(desired, None, self.start_time))

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        # AddScheduledItem with the RowKey replaces the whole row: send every field, and the current
        # scheduled time so the next run does not move to "now".
        values = dict(current, **changes)
        self.client.call("AddScheduledItem", body=self._body(values, current["id"], iso_to_epoch(current.get("scheduled_time"))))

    def delete(self, current: dict) -> None:
        self.client.call("RemoveScheduledItem", body={"id": current["id"]})
