#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: alert_info
short_description: Read CIPP's alert rules
version_added: 1.0.0
description:
  - Returns CIPP's alert rules - audit-log alerts and scripted alerts - from C(ListAlertsQueue), each with the
    options of M(cipp.cipp.alert) as keys, so an exported alert can be fed back to that module unchanged.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  kind:
    description: Only alerts of this kind.
    type: str
    choices: [audit, scripted]
  tenant:
    description:
      - Only alerts whose tenants include this one (default domain, initial domain or tenant ID); C(AllTenants)
        returns the alerts for all tenants.
    type: str
    aliases: [tenant_filter]
  id:
    description: Only the alert with this id.
    type: str
  query:
    description: A JMESPath expression applied to RV(alerts); the outcome is returned as RV(result).
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: Every alert rule
  cipp.cipp.alert_info:
  register: alerts

- name: Contoso's audit alerts
  cipp.cipp.alert_info:
    kind: audit
    tenant: contoso.com
  register: contoso_audit

- name: Commands of the scripted alerts
  cipp.cipp.alert_info:
    kind: scripted
    query: "[].command"
  register: commands

- name: Feed the export back (changes nothing)
  cipp.cipp.alert:
    id: "{{ item.id }}"
    kind: "{{ item.kind }}"
    tenants: "{{ item.tenants }}"
    excluded_tenants: "{{ item.excluded_tenants }}"
    command: "{{ item.command }}"
    input: "{{ item.input }}"
    recurrence: "{{ item.recurrence }}"
    log_type: "{{ item.log_type }}"
    conditions: "{{ item.conditions }}"
    actions: "{{ item.actions }}"
    alert_comment: "{{ item.alert_comment }}"
    custom_subject: "{{ item.custom_subject }}"
  loop: "{{ alerts.alerts }}"
'''

RETURN = r'''
alerts:
  description:
    - The alerts, audit alerts first, then by tenants; the same fields as RV(cipp.cipp.alert#module:alert) (options that do
      not apply to an alert's kind are null).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The alert's id in CIPP (RowKey).
      type: str
      sample: 2f3e4d5c-0001-4c31-8c31-000000000901
    kind:
      description: C(audit) or C(scripted).
      type: str
      sample: audit
    name:
      description: Scripted alerts - the name of CIPP's task.
      type: str
      sample: null
    tenants:
      description: Tenants (default domains) or C([AllTenants]).
      type: list
      elements: str
      sample: [contoso.com]
    excluded_tenants:
      description: Excluded tenants.
      type: list
      elements: str
      sample: []
    command:
      description: Scripted alerts - the CIPP alert command.
      type: str
      sample: null
    input:
      description: Scripted alerts - the alert's input.
      type: raw
      sample: null
    recurrence:
      description: Scripted alerts - C(once) or the interval.
      type: str
      sample: null
    log_type:
      description: Audit alerts - the audit log.
      type: str
      sample: Audit.Exchange
    conditions:
      description: Audit alerts - the conditions (C(property), C(operator), C(value)).
      type: list
      elements: dict
      sample: [{"property": "Operation", "operator": "eq", "value": "New-InboxRule"}]
    actions:
      description: Actions, sorted.
      type: list
      elements: str
      sample: [email]
    alert_comment:
      description: Comment.
      type: str
      sample: Inbox rules created
    custom_subject:
      description: Custom subject.
      type: str
      sample: ""
    also_runs_for:
      description:
        - Scripted alerts for several tenants - tenants CIPP runs the alert for although they are not listed (tenants
          added to CIPP after the alert was written, which CIPP's stored exclusions do not cover). Null for other alerts.
      type: list
      elements: str
      sample: null
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: ["Get-CIPPAlertOverusedLicenses"]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._alerts import list_alerts, public, runs_also_for
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule

ARGUMENT_SPEC = dict(
    kind=dict(type="str", choices=["audit", "scripted"]),
    id=dict(type="str"),
    query=dict(type="str"),
)


def run(cipp: CippModule) -> dict:
    p = cipp.params
    tenant = cipp.resolve_tenant(endpoint="ListAlertsQueue")["defaultDomainName"].lower() if p["tenant"] else None
    alerts = []
    for alert in list_alerts(cipp.client):
        if p["kind"] and alert["kind"] != p["kind"]:
            continue
        if p["id"] and str(alert["id"]).lower() != p["id"].strip().lower():
            continue
        if tenant and tenant not in [str(t).lower() for t in alert["tenants"] or []]:
            continue
        if alert.get("stored_exclusions") is not None:
            alert["also_runs_for"] = runs_also_for(alert, [t.get("defaultDomainName") for t in cipp.tenants.list()])
        alerts.append(public(alert))
    alerts.sort(key=lambda a: (a["kind"] != "audit", [str(t).lower() for t in a["tenants"] or []], str(a["id"])))
    result = {"changed": False, "alerts": alerts}
    if p["query"]:
        result["result"] = evaluate(p["query"], alerts, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant=True).run(run)


if __name__ == "__main__":
    main()
