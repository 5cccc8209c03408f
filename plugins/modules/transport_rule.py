#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: transport_rule
short_description: Manage an Exchange Online mail flow (transport) rule through CIPP
version_added: 1.0.0
description:
  - Creates, updates, enables or disables, or deletes a mail flow rule of a customer tenant, with its conditions,
    exceptions and actions given as Exchange's own C(New-TransportRule) parameters.
  - Creates and updates through C(AddTransportRule) (which updates a rule of the same name), enables and disables
    through C(EditTransportRule), deletes through C(RemoveTransportRule); reads through C(ListTransportRules).
  - Only the options and the parameters you set are compared and written; each write is verified by a fresh read.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  name:
    description: The rule's name; identifies the rule (compared without case).
    type: str
    required: true
  state:
    description: Whether the rule should exist.
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description: Whether the rule is enabled. Exchange enables a new rule unless told otherwise.
    type: bool
  priority:
    description: The rule's priority; V(0) runs first. Exchange moves the other rules to make room.
    type: int
  mode:
    description: V(enforce) applies the actions; V(audit) and V(audit_and_notify) only test the rule (with policy tips).
    type: str
    choices: [audit, audit_and_notify, enforce]
  comments:
    description: The rule's comments.
    type: str
  conditions:
    description:
      - 'Conditions, as C(New-TransportRule) parameter names and values, for example C(FromScope: NotInOrganization),
        C(SentTo: [info@contoso.com]), C(SubjectContainsWords: [invoice, payment]).'
      - Give values the way C(Get-TransportRule) shows them (for example C(NotInOrganization), not C(notinorganization)),
        or the verification after the write fails. Lists are compared as sets.
      - A parameter left out is not managed. CIPP never sends empty values, so a condition cannot be removed from an
        existing rule; delete the rule and create it again instead.
    type: dict
  exceptions:
    description:
      - Exceptions, as C(New-TransportRule) C(ExceptIf...) parameters; the C(ExceptIf) prefix may be left out
        (C(SentTo) here means C(ExceptIfSentTo)).
    type: dict
  actions:
    description:
      - 'Actions, as C(New-TransportRule) parameter names and values, for example C(PrependSubject: "[EXTERNAL] "),
        C(RejectMessageReasonText: ...), C(SetSCL: -1), C(ApplyHtmlDisclaimerText: ...).'
    type: dict
notes:
  - Parameters go to Exchange as given; a misspelt parameter fails the task with Exchange's message, from inside
    CIPP's HTTP 200 answer.
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
'''

EXAMPLES = r'''
- name: Tag mail from outside the organisation
  cipp.cipp.transport_rule:
    tenant: contoso.com
    name: External sender tag
    priority: 0
    mode: enforce
    comments: Managed by Ansible
    conditions:
      FromScope: NotInOrganization
    exceptions:
      SenderDomainIs: [fabrikam.com]
    actions:
      PrependSubject: "[EXTERNAL] "

- name: Pause the rule
  cipp.cipp.transport_rule:
    tenant: contoso.com
    name: External sender tag
    enabled: false

- name: Remove the rule
  cipp.cipp.transport_rule:
    tenant: contoso.com
    name: External sender tag
    state: absent
'''

RETURN = r'''
rule:
  description: The rule after the task (in check mode, as it would be).
  returned: when the rule exists after the task
  type: dict
  contains:
    name:
      description: Name.
      type: str
      sample: External sender tag
    guid:
      description: The rule's GUID.
      type: str
      sample: 0e1a2b3c-0001-4d01-8d01-00000000c401
    enabled:
      description: Whether the rule is enabled.
      type: bool
      sample: true
    priority:
      description: Priority (0 runs first).
      type: int
      sample: 0
    mode:
      description: C(enforce), C(audit) or C(audit_and_notify).
      type: str
      sample: enforce
    comments:
      description: Comments.
      type: str
      sample: Managed by Ansible
    conditions:
      description: The managed conditions, as the rule has them (when O(conditions) is set).
      type: dict
      sample: {"FromScope": "NotInOrganization"}
    exceptions:
      description: The managed exceptions (when O(exceptions) is set).
      type: dict
      sample: {"ExceptIfSenderDomainIs": ["fabrikam.com"]}
    actions:
      description: The managed actions (when O(actions) is set).
      type: dict
      sample: {"PrependSubject": "[EXTERNAL] "}
  sample: {"name": "External sender tag", "enabled": true, "priority": 0, "mode": "enforce"}
changes:
  description: The options that differed and were (or in check mode would be) written.
  returned: when the rule existed and was changed
  type: list
  elements: str
  sample: [enabled]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_transport import ARGUMENT_SPEC, TransportRuleResource
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant="required")
    cipp.run(lambda module: TransportRuleResource(module).run())


if __name__ == "__main__":
    main()
