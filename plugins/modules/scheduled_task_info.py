#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: scheduled_task_info
short_description: Read CIPP's scheduled tasks
version_added: 1.0.0
description:
  - Returns the tasks of CIPP's scheduler from C(ListScheduledItems), in the vocabulary of M(cipp.cipp.scheduled_task),
    so a task read here can be fed back to that module.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  name:
    description: Only the task with this name.
    type: str
  tenant:
    description:
      - Only tasks for this tenant (default domain, initial domain or tenant ID); CIPP filters on the task's own
        tenant, so C(AllTenants) tasks are not among them. C(AllTenants) returns every task.
    type: str
    aliases: [tenant_filter]
  command:
    description: Only tasks running this command.
    type: str
  show_hidden:
    description: Return CIPP's hidden tasks (scripted alerts, offboarding steps, ...) instead of the visible ones.
    type: bool
    default: false
  query:
    description: A JMESPath expression applied to RV(tasks); the outcome is returned as RV(result).
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: Every visible task
  cipp.cipp.scheduled_task_info:
  register: tasks

- name: Names of Contoso's failed tasks
  cipp.cipp.scheduled_task_info:
    tenant: contoso.com
    query: "[?task_state=='Failed'].name"
  register: failed

- name: One task, fed back unchanged
  cipp.cipp.scheduled_task_info:
    name: Weekly licence overview
  register: one

- name: Apply it again
  cipp.cipp.scheduled_task:
    name: "{{ one.tasks[0].name }}"
    tenant: "{{ one.tasks[0].tenant }}"
    command: "{{ one.tasks[0].command }}"
    parameters: "{{ one.tasks[0].parameters }}"
    recurrence: "{{ one.tasks[0].recurrence }}"
    post_execution: "{{ one.tasks[0].post_execution }}"
    excluded_tenants: "{{ one.tasks[0].excluded_tenants }}"
'''

RETURN = r'''
tasks:
  description: The tasks, sorted by name; the same fields as RV(cipp.cipp.scheduled_task#module:task).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The task's id in CIPP (RowKey).
      type: str
      sample: 3a4b5c6d-0001-4d41-8d41-000000000a01
    name:
      description: Name.
      type: str
      sample: Weekly licence report
    tenant:
      description: Tenant (default domain) or C(AllTenants).
      type: str
      sample: contoso.com
    command:
      description: The CIPP command.
      type: str
      sample: Get-CIPPLicenseOverview
    parameters:
      description: The command's parameters (without the caller's request headers CIPP stores with them).
      type: dict
      sample: {}
    recurrence:
      description: C(once) or the interval.
      type: str
      sample: 7d
    post_execution:
      description: Where results go, sorted.
      type: list
      elements: str
      sample: []
    excluded_tenants:
      description: Tenants an C(AllTenants) task skips.
      type: list
      elements: str
      sample: []
    scheduled_time:
      description: Next run (ISO 8601, UTC).
      type: str
      sample: "2026-12-09T10:00:00Z"
    last_run:
      description: Last run (ISO 8601, UTC).
      type: str
      sample: null
    task_state:
      description: CIPP's state of the task.
      type: str
      sample: Planned
    hidden:
      description: Hidden from CIPP's task list.
      type: bool
      sample: false
    reference:
      description: CIPP's reference of the task, when it has one.
      type: str
      sample: null
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: ["Weekly licence report"]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._scheduled_tasks import list_tasks, normalise

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    command=dict(type="str"),
    show_hidden=dict(type="bool", default=False),
    query=dict(type="str"),
)


def run(cipp: CippModule) -> dict:
    p = cipp.params
    tenant = cipp.resolve_tenant(endpoint="ListScheduledItems")["defaultDomainName"] if p["tenant"] else None
    rows = list_tasks(cipp.client, name=p["name"], tenant=tenant, command=p["command"], show_hidden=p["show_hidden"])
    tasks = sorted((normalise(row) for row in rows), key=lambda t: (str(t["name"] or "").lower(), str(t["id"])))
    result = {"changed": False, "tasks": tasks}
    if p["query"]:
        result["result"] = evaluate(p["query"], tasks, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant=True).run(run)


if __name__ == "__main__":
    main()
