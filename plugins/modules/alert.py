#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: alert
short_description: Manage a CIPP alert rule (audit-log or scripted alert)
version_added: 1.0.0
description:
  - Creates, updates or deletes one of CIPP's alert rules, of either kind.
  - An B(audit) alert (C(AddAlert)) matches Microsoft 365 audit-log records of its tenants against its conditions
    and then acts (email, webhook, PSA ticket, disable the user, BEC remediation).
  - A B(scripted) alert (C(AddScriptedAlert)) runs one of CIPP's C(Get-CIPPAlert*) checks on a recurrence and sends
    what it finds by email, webhook or PSA ticket.
  - CIPP gives alerts no name of their own, so an alert is identified by what it watches - its O(kind) and
    O(tenants) plus, for an audit alert, O(log_type) and O(conditions) (in any order), for a scripted alert,
    O(command) and O(input). The other options (O(excluded_tenants), O(actions), O(recurrence), O(alert_comment),
    O(custom_subject)) are settings of that alert, compared and updated in place when set. Changing an identifying
    option therefore means another alert; to change it in place give the alert's O(id).
  - Alerts are read from C(ListAlertsQueue); an update sends the whole alert again with its id (CIPP replaces it),
    a delete uses C(RemoveQueuedAlert). Each write is verified by a fresh read.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  id:
    description:
      - The alert's id in CIPP (as returned in RV(alert.id) or by M(cipp.cipp.alert_info)). With it the alert is found
        by id and every option given is compared, identifying ones included; without it, by its identity.
      - When no alert has this id, one is created with it.
    type: str
  state:
    description: Whether the alert should exist.
    type: str
    choices: [present, absent]
    default: present
  kind:
    description:
      - C(audit) or C(scripted). When not given it follows from the options - O(command) for a scripted alert,
        O(log_type)/O(conditions) for an audit alert.
      - O(kind), O(log_type) and O(actions) accept null like every other option, so that an alert exported with
        M(cipp.cipp.alert_info) can be fed back as it is; their values are checked before anything is sent.
    type: str
  tenants:
    description:
      - The tenants the alert is for (default domains, initial domains or tenant IDs), or C([AllTenants]). Compared as
        a set. Required to create the alert, and to find it without O(id).
      - For a scripted alert with several tenants CIPP stores an all-tenants task that excludes every other tenant
        (the tenants it manages at the time of the write).
    type: list
    elements: str
    aliases: [tenant]
  excluded_tenants:
    description:
      - Tenants skipped by an alert for C(AllTenants) (compared as a set). Not for a scripted alert with several
        tenants.
    type: list
    elements: str
  command:
    description:
      - Scripted alerts - the CIPP alert to run, as C(Get-CIPPAlertOverusedLicenses) or just C(OverusedLicenses)
        (compared without case).
    type: str
  input:
    description:
      - Scripted alerts - the alert's input (a threshold, a list of names, ...; what CIPP's alert page asks for),
        stored as the command's C(InputValue) parameter. Unset means the alert takes no input.
    type: raw
  recurrence:
    description:
      - Scripted alerts - how often the check runs, a number followed by C(m), C(h) or C(d) (C(30m), C(4h), C(1d),
        C(7d)), or C(once). When creating the alert and not set, C(1d).
    type: str
  log_type:
    description: Audit alerts - the audit log the conditions apply to, C(Audit.AzureActiveDirectory) or C(Audit.Exchange).
    type: str
  conditions:
    description:
      - Audit alerts - the conditions a record must all meet, each a dict with exactly the keys C(property) (the
        audit-log property, for example C(Operation), C(UserId), C(ResultStatus), C(CIPPGeoLocation)),
        C(operator) and C(value).
      - C(operator) is one of C(eq), C(ne), C(like), C(notlike), C(match), C(notmatch), C(gt), C(lt), C(ge), C(le),
        C(in), C(notin), C(contains), C(notcontains); C(in) and C(notin) take a list of values (compared as a set),
        the others one value.
      - Any other key, an unknown operator or a property name with characters other than letters, digits, C(_) and
        C(.) fails the task before anything is sent.
    type: list
    elements: dict
  actions:
    description:
      - What CIPP does when the alert fires. Both kinds - C(email), C(webhook), C(psa) (a PSA ticket). Audit alerts
        also - C(disable_user) (the user in the record), C(bec_remediate) (reset the password, disable sign-in,
        revoke sessions, disable inbox rules). Compared as a set.
    type: list
    elements: str
  alert_comment:
    description: A comment CIPP adds to the alert's messages.
    type: str
  custom_subject:
    description: The subject of the alert's messages instead of CIPP's own (scripted alerts also take their CIPP name from it).
    type: str
notes:
  - Tenant groups are not supported; list the tenants.
  - CIPP stores a scripted alert for several tenants as an all-tenants task excluding every other tenant it manages at
    the time of the write, so a tenant added to CIPP later gets the alert too. The module sees it (RV(alert.also_runs_for))
    and rewrites the alert, which makes CIPP exclude it again.
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
'''

EXAMPLES = r'''
- name: Mail when someone in Contoso creates an inbox rule
  cipp.cipp.alert:
    kind: audit
    tenants: [contoso.com]
    log_type: Audit.Exchange
    conditions:
      - {property: Operation, operator: eq, value: New-InboxRule}
    actions: [email]
    alert_comment: Check the rule is not forwarding mail outside.

- name: Disable users signing in from outside the allowed countries
  cipp.cipp.alert:
    tenants: [AllTenants]
    excluded_tenants: [fabrikam.com]
    log_type: Audit.AzureActiveDirectory
    conditions:
      - {property: Operation, operator: eq, value: UserLoggedIn}
      - {property: CIPPGeoLocation, operator: notin, value: [NL, BE, DE]}
    actions: [disable_user, email]

- name: Daily licence overuse check for two tenants, by email and webhook
  cipp.cipp.alert:
    kind: scripted
    tenants: [contoso.com, fabrikam.com]
    command: OverusedLicenses
    recurrence: 1d
    actions: [email, webhook]

- name: Mailbox quota above 90 percent
  cipp.cipp.alert:
    tenants: [contoso.com]
    command: Get-CIPPAlertQuotaUsed
    input: 90
    recurrence: 4h
    actions: [psa]

- name: Remove the inbox rule alert
  cipp.cipp.alert:
    kind: audit
    tenants: [contoso.com]
    log_type: Audit.Exchange
    conditions:
      - {property: Operation, operator: eq, value: New-InboxRule}
    state: absent

- name: Remove an alert by id
  cipp.cipp.alert:
    id: 2f3e4d5c-0001-4c31-8c31-000000000901
    state: absent
'''

RETURN = r'''
alert:
  description:
    - The alert after the task (in check mode, as it would be), with the options of this module as keys (those that
      do not apply to its kind are null), so it can be fed back.
  returned: when the alert exists after the task
  type: dict
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
      description: Scripted alerts - the name of CIPP's task (derived from the tenants and the command or subject).
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
      sample: Check the rule is not forwarding mail outside.
    custom_subject:
      description: Custom subject.
      type: str
      sample: ""
    also_runs_for:
      description:
        - Scripted alerts for several tenants - tenants CIPP runs the alert for although they are not listed (tenants
          added to CIPP after the alert was written, which CIPP's stored exclusions do not cover). Null for other alerts.
        - When not empty the module rewrites the alert, so CIPP excludes them again (reported as a change of
          C(also_runs_for)).
      type: list
      elements: str
      sample: null
changes:
  description: The options that differed and were (or in check mode would be) written.
  returned: when the alert existed and was changed
  type: list
  elements: str
  sample: [actions]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._alerts import ARGUMENT_SPEC, AlertResource
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant=False)
    cipp.run(lambda module: AlertResource(module).run())


if __name__ == "__main__":
    main()
