#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: scheduled_task
short_description: Manage a CIPP scheduled task
version_added: 1.0.0
description:
  - Creates, updates or deletes a task in CIPP's scheduler (a CIPP command run for a tenant, or for all tenants,
    once or on a recurrence) with C(AddScheduledItem) and C(RemoveScheduledItem).
  - The task is identified by its O(name) among the scheduler's visible tasks (C(ListScheduledItems)); CIPP's
    hidden tasks (scripted alerts, offboarding steps) are never touched. Only the options you set are compared.
  - An update sends the task again with its id, which is how CIPP edits a task; CIPP then replaces the stored
    task, so its state goes back to C(Planned) and its last run time is cleared. The module sends the current
    scheduled time back, so the next run stays where it was.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  name:
    description: The task's name; identifies the task.
    type: str
    required: true
  state:
    description: Whether the task should exist.
    type: str
    choices: [present, absent]
    default: present
  tenant:
    description:
      - The tenant the task runs for, as its default domain, initial domain or tenant ID, or C(AllTenants).
      - Required with O(state=present). Checked against the tenants CIPP manages before anything is sent.
    type: str
    aliases: [tenant_filter]
  command:
    description:
      - The CIPP command to run, for example C(Get-CIPPLicenseOverview) (compared without case). Required to
        create the task.
      - CIPP accepts only commands of its own modules and refuses some; a refused command fails the task and
        nothing is stored.
    type: str
  parameters:
    description:
      - The command's parameters. CIPP drops empty values (null, empty string, empty list), so they are not
        compared either. CIPP adds the tenant itself when the task runs.
    type: dict
  recurrence:
    description:
      - How often the task repeats - C(once), or a number followed by C(m), C(h) or C(d) (C(30m), C(4h), C(1d), C(7d),
        C(365d)). CIPP's scheduler runs every 15 minutes, so shorter intervals run at that pace.
      - When creating the task and not set, C(once).
    type: str
  start_time:
    description:
      - When the task first runs, as an ISO 8601 date-time (C(2026-12-24T02:00:00Z); UTC when no offset is given)
        or Unix seconds. Without it the task runs at the scheduler's next 15-minute tick.
      - Used only when the task is created; afterwards CIPP moves the scheduled time on with each run, so it is
        not compared.
    type: str
  post_execution:
    description: Where CIPP sends the task's results after each run.
    type: list
    elements: str
    choices: [webhook, email, psa]
  excluded_tenants:
    description: Tenants an C(AllTenants) task skips (compared as a set).
    type: list
    elements: str
notes:
  - A one-off task that has run stays in CIPP as C(Completed) and is not run again by this module; delete it
    (O(state=absent)) or use a new name to run it again.
  - A rewrite keeps the fields CIPP's own features set on a task (reference, alert comment, custom subject, PSA
    ticket strategy, tag). A triggered task (one that runs on directory changes) is compared but never rewritten - a
    difference fails the task before any write.
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
'''

EXAMPLES = r'''
- name: Weekly licence overview for Contoso, results by email
  cipp.cipp.scheduled_task:
    name: Weekly licence overview
    tenant: contoso.com
    command: Get-CIPPLicenseOverview
    recurrence: 7d
    start_time: "2026-12-07T06:00:00Z"
    post_execution: [email]

- name: Nightly for every tenant except one
  cipp.cipp.scheduled_task:
    name: Nightly MFA report
    tenant: AllTenants
    excluded_tenants: [fabrikam.com]
    command: Get-CIPPMFAStateReport
    recurrence: 1d

- name: Remove the task
  cipp.cipp.scheduled_task:
    name: Weekly licence overview
    state: absent
'''

RETURN = r'''
task:
  description: The task after the task ran (in check mode, as it would be).
  returned: when the task exists after the task
  type: dict
  contains:
    id:
      description: The task's id in CIPP (RowKey).
      type: str
      sample: 3a4b5c6d-0001-4d41-8d41-000000000a01
    name:
      description: Name.
      type: str
      sample: Weekly licence overview
    tenant:
      description: Tenant (default domain) or C(AllTenants).
      type: str
      sample: contoso.com
    command:
      description: The CIPP command.
      type: str
      sample: Get-CIPPLicenseOverview
    parameters:
      description: The command's parameters as stored.
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
      sample: [email]
    excluded_tenants:
      description: Tenants an C(AllTenants) task skips.
      type: list
      elements: str
      sample: []
    scheduled_time:
      description: Next run (ISO 8601, UTC).
      type: str
      sample: "2026-12-07T06:00:00Z"
    last_run:
      description: Last run (ISO 8601, UTC), when it has run since it was last written.
      type: str
      sample: null
    task_state:
      description: CIPP's state of the task (C(Planned), C(Pending), C(Running), C(Completed), C(Failed), ...).
      type: str
      sample: Planned
    hidden:
      description: Hidden from CIPP's task list (always false for tasks this module manages).
      type: bool
      sample: false
    reference:
      description: CIPP's reference of the task, when it has one.
      type: str
      sample: null
changes:
  description: The options that differed and were (or in check mode would be) written.
  returned: when the task existed and was changed
  type: list
  elements: str
  sample: [recurrence]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._scheduled_tasks import ARGUMENT_SPEC, ScheduledTaskResource


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant=True)
    cipp.run(lambda module: ScheduledTaskResource(module).run())


if __name__ == "__main__":
    main()
