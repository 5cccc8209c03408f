# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mail flow (transport) rules: ListTransportRules and the ``cipp.cipp.transport_rule``
resource over AddTransportRule / EditTransportRule / RemoveTransportRule.

AddTransportRule reads ``PowerShellCommand``, a JSON *string* of New-TransportRule
parameters (``Name`` included; null values removed), and ``selectedTenants`` as
``[{value: <default domain>}]`` (``.value``: a bare string deploys nowhere). It upserts by
name: an existing rule with that name gets Set-TransportRule with the same parameters, which
has no ``Enabled`` parameter, so enabling and disabling an existing rule goes through
EditTransportRule (``guid``, ``state`` = ``enable``/``disable``). It answers HTTP 200 with
one message per tenant, "Could not create ..." on failure, and nothing at all for a tenant
the API client may not manage. Private.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import json

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError, CippResultError
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource, differences
from ansible_collections.cipp.cipp.plugins.module_utils._shapes import label_value

MODES = {"enforce": "Enforce", "audit": "Audit", "audit_and_notify": "AuditAndNotify"}
PARAMETER_GROUPS = ("conditions", "exceptions", "actions")
# Managed by their own options (or by Exchange): never inside conditions/exceptions/actions.
RESERVED = frozenset(("name", "identity", "guid", "priority", "mode", "comments", "enabled", "state"))

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    enabled=dict(type="bool"),
    priority=dict(type="int"),
    mode=dict(type="str", choices=sorted(MODES)),
    comments=dict(type="str"),
    conditions=dict(type="dict"),
    exceptions=dict(type="dict"),
    actions=dict(type="dict"),
)


def list_rules(client, tenant: str) -> list:
    """The tenant's transport rules (Get-TransportRule objects; with AllTenants, each with ``Tenant``)."""
    data = client.call("ListTransportRules", params={"tenantFilter": tenant}).data
    rows = data.get("Results") if isinstance(data, dict) else data
    return [row for row in rows or [] if isinstance(row, dict) and row.get("Name")]


def summarise(rule: dict) -> dict:
    """A Get-TransportRule object in the collection's vocabulary (all its properties under ``properties``)."""
    mode = str(rule.get("Mode") or "")
    summary = {"name": rule.get("Name"), "guid": rule.get("Guid"), "enabled": str(rule.get("State")) == "Enabled",
               "priority": rule.get("Priority"), "mode": next((k for k, v in MODES.items() if v == mode), mode.lower()),
               "comments": rule.get("Comments") or "", "description": rule.get("Description") or "", "properties": rule}
    if rule.get("Tenant"):
        summary["tenant"] = rule["Tenant"]
    return summary


def _canonical(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return sorted(str(_canonical(v)) for v in value)
    if isinstance(value, dict):
        return {str(k).lower(): _canonical(v) for k, v in value.items()}
    return value if value is None else str(value)


def same_value(wanted, have) -> bool:
    """Exchange parameter values compared as Exchange returns them: lists as sets, a one-element
    list equal to its element, booleans and numbers as text."""
    want, got = _canonical(wanted), _canonical(have)
    if isinstance(want, list) and got is not None and not isinstance(got, list):
        got = [got]
    if isinstance(got, list) and not isinstance(want, list):
        want = [want]
    return want == got


def _lookup(rule: dict, key: str):
    for name, value in rule.items():
        if name.lower() == key.lower():
            return value
    return None


class TransportRuleResource(StatefulResource):
    result_key = "rule"

    def __init__(self, cipp):
        super().__init__(cipp)
        self.groups = self._parameter_groups()
        self.tenant_row = cipp.resolve_tenant(endpoint="AddTransportRule")
        self.tenant = self.tenant_row["defaultDomainName"]

    def _parameter_groups(self) -> dict:
        """``{group: {Exchange parameter: value}}`` for the groups set; exceptions get their ExceptIf prefix."""
        groups, seen = {}, {}
        for group in PARAMETER_GROUPS:
            given = self.params[group]
            if given is None:
                continue
            params = {}
            for key, value in given.items():
                name = str(key)
                if group == "exceptions" and not name.lower().startswith("exceptif"):
                    name = f"ExceptIf{name}"
                if name.lower() in RESERVED:
                    raise CippConfigError(f"option '{group}': {key} is set by its own option (name, priority, mode, "
                                          "comments, enabled), not here", option=group)
                if name.lower() in seen:
                    raise CippConfigError(f"option '{group}': {name} is also given in {seen[name.lower()]}", option=group)
                seen[name.lower()] = group
                params[name] = value
            groups[group] = params
        return groups

    def read(self):
        rule = next((r for r in list_rules(self.client, self.tenant)
                     if str(r.get("Name")).lower() == self.params["name"].lower()), None)
        if rule is None:
            return None
        summary = summarise(rule)
        current = {k: summary[k] for k in ("name", "guid", "enabled", "priority", "mode", "comments")}
        for group, params in self.groups.items():
            current[group] = {name: _lookup(rule, name) for name in params}
        return current

    def desired(self) -> dict:
        p = self.params
        wanted = {"name": p["name"], "enabled": p["enabled"], "priority": p["priority"], "mode": p["mode"],
                  "comments": p["comments"]}
        wanted.update(self.groups)
        return wanted

    def compare(self, current: dict, desired: dict) -> dict:
        plain = {k: v for k, v in desired.items() if k not in PARAMETER_GROUPS}
        changes = differences(current, plain, case_insensitive=("name",))
        for group in self.groups:
            have = current.get(group) or {}
            if any(not same_value(value, have.get(name)) for name, value in desired[group].items()):
                changes[group] = desired[group]
        return changes

    def validate(self, current, desired: dict) -> None:
        if self.params["priority"] is not None and self.params["priority"] < 0:
            raise CippConfigError("option 'priority' must be 0 (first) or more", option="priority")

    # ------------------------------------------------------------------ writes
    def _deploy(self, parameters: dict) -> None:
        """AddTransportRule to this tenant; an answer without a message for it deployed nothing."""
        body = {"PowerShellCommand": json.dumps(parameters),
                "selectedTenants": [label_value(self.tenant, self.tenant_row.get("displayName") or self.tenant)]}
        data = self.client.call("AddTransportRule", body=body).data
        if not (data.get("Results") if isinstance(data, dict) else None):
            raise CippResultError(f"AddTransportRule deployed the rule to no tenant: the API client's role may not "
                                  f"include {self.tenant}", endpoint="AddTransportRule", cipp_message=data)

    def _parameters(self, values: dict) -> dict:
        parameters = {"Name": self.params["name"]}
        for group in PARAMETER_GROUPS:
            parameters.update(values.get(group) or {})
        if values.get("priority") is not None:
            parameters["Priority"] = values["priority"]
        if values.get("mode") is not None:
            parameters["Mode"] = MODES[values["mode"]]
        if values.get("comments") is not None:
            parameters["Comments"] = values["comments"]
        return parameters

    def create(self, desired: dict) -> None:
        parameters = self._parameters(desired)
        if desired.get("enabled") is not None:
            parameters["Enabled"] = desired["enabled"]  # New-TransportRule has -Enabled (Set-TransportRule has not)
        self._deploy(parameters)

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        settings = {k: v for k, v in changes.items() if k not in ("enabled", "name")}
        if settings:
            self._deploy(self._parameters(settings))
        if "enabled" in changes:
            self.client.call("EditTransportRule", body={"tenantFilter": self.tenant, "guid": current["guid"],
                                                        "state": "enable" if changes["enabled"] else "disable"})

    def delete(self, current: dict) -> None:
        self.client.call("RemoveTransportRule", body={"tenantFilter": self.tenant, "guid": current["guid"]})
