#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: transport_rule_info
short_description: Read the Exchange Online mail flow (transport) rules of a tenant through CIPP
version_added: 1.0.0
description:
  - Returns the mail flow rules of a customer tenant, or of every tenant, from CIPP's C(ListTransportRules), in
    priority order, with every property C(Get-TransportRule) returns.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  tenant:
    description:
      - The customer tenant (default domain, initial domain or tenant ID), or V(AllTenants).
      - With V(AllTenants), CIPP answers from a cache it fills in the background; the module waits for it
        (see the O(timeout) of the connection).
    type: str
    required: true
    aliases: [tenant_filter]
  name:
    description: Only the rule with this name (compared without case).
    type: str
  query:
    description: A JMESPath expression applied to RV(rules); the outcome is returned as RV(result).
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: Contoso's mail flow rules
  cipp.cipp.transport_rule_info:
    tenant: contoso.com
  register: rules

- name: Names of disabled rules in every tenant
  cipp.cipp.transport_rule_info:
    tenant: AllTenants
    query: "[?!enabled].{tenant: tenant, name: name}"
  register: disabled_rules
'''

RETURN = r'''
rules:
  description: The rules, by tenant and priority.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name.
      type: str
      sample: External sender disclaimer
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
      sample: Prepend a warning to external mail
    description:
      description: Exchange's description of the rule's conditions and actions.
      type: str
      sample: ""
    properties:
      description: Every property of the rule as C(Get-TransportRule) returns it (conditions, exceptions, actions).
      type: dict
      sample: {"Name": "External sender disclaimer", "FromScope": "NotInOrganization", "PrependSubject": "[EXTERNAL] "}
    tenant:
      description: The rule's tenant (with O(tenant=AllTenants)).
      type: str
      returned: with O(tenant=AllTenants)
      sample: contoso.com
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: ["External sender disclaimer"]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_transport import list_rules, summarise
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    query=dict(type="str"),
)


def _priority(rule: dict) -> int:
    try:
        return int(rule.get("priority"))
    except (TypeError, ValueError):
        return 0


def run(cipp: CippModule) -> dict:
    p = cipp.params
    tenant = cipp.resolve_tenant(endpoint="ListTransportRules")["defaultDomainName"]
    rules = [summarise(row) for row in list_rules(cipp.client, tenant)]
    if p["name"]:
        rules = [r for r in rules if str(r["name"]).lower() == p["name"].strip().lower()]
    rules.sort(key=lambda r: (r.get("tenant") or "", _priority(r), str(r["name"]).lower()))
    result = {"changed": False, "rules": rules}
    if p["query"]:
        result["result"] = evaluate(p["query"], rules, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant="required").run(run)


if __name__ == "__main__":
    main()
