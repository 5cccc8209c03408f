#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ca_policy_info
short_description: Read the Conditional Access policies of a tenant through CIPP
version_added: 1.0.0
description:
  - Returns the Conditional Access policies of a customer tenant from CIPP's C(ListConditionalAccessPolicies), one
    request.
  - Each policy's RV(policies[].definition) is in the form M(cipp.cipp.ca_policy) accepts, so exporting policies and
    applying them again (to the same tenant) changes nothing.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  display_name:
    description: Only the policy with this display name (case-insensitive).
    type: str
    aliases: [name]
  id:
    description: Only the policy with this object id.
    type: str
  portable:
    description:
      - Return definitions that apply to other tenants too - users as user principal names, groups and named
        locations as display names, and the definitions of the named locations the policy uses in a C(LocationInfo)
        list, from which CIPP creates them in a tenant that lacks them.
      - Costs one more request (C(ListNamedLocations)) when a policy uses named locations, and one per 15 users
        named in policies. Applied to the same tenant, a portable definition also reports no change.
    type: bool
    default: false
  query:
    description: A JMESPath expression applied to RV(policies); the outcome is returned as RV(result).
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: All Conditional Access policies of Contoso
  cipp.cipp.ca_policy_info:
    tenant: contoso.com
  register: ca

- name: Export them as files a later run can apply
  ansible.builtin.copy:
    content: "{{ item.definition | to_nice_yaml }}"
    dest: "policies/{{ item.display_name | regex_replace('[^A-Za-z0-9]+', '-') }}.yml"
    mode: "0644"
  loop: "{{ ca.policies }}"
  loop_control:
    label: "{{ item.display_name }}"

- name: Apply an exported policy (no change when nothing drifted)
  cipp.cipp.ca_policy:
    tenant: contoso.com
    definition: "{{ item.definition }}"
  loop: "{{ ca.policies }}"
  loop_control:
    label: "{{ item.display_name }}"

- name: The golden tenant's policies, in a form every tenant can take
  cipp.cipp.ca_policy_info:
    tenant: golden.example
    portable: true
  register: golden

- name: Roll them out to a customer (named locations are created there)
  cipp.cipp.ca_policy:
    tenant: contoso.com
    definition: "{{ item.definition }}"
  loop: "{{ golden.policies }}"
  loop_control:
    label: "{{ item.display_name }}"

- name: Names of the policies that are not enforced
  cipp.cipp.ca_policy_info:
    tenant: contoso.com
    query: "[?state!='enabled'].display_name"
  register: not_enforced
'''

RETURN = r'''
policies:
  description: The policies, sorted by display name.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Object id of the policy.
      type: str
      sample: 6a7b8c9d-0001-4f01-8f01-00000000c601
    display_name:
      description: Display name.
      type: str
      sample: Require MFA for admins
    state:
      description: C(enabled), C(disabled) or C(report_only) (Graph's C(enabledForReportingButNotEnforced)).
      type: str
      sample: enabled
    created:
      description: When the policy was created (ISO 8601), if Graph says.
      type: str
      sample: "2023-02-01T10:00:00Z"
    modified:
      description: When the policy was last changed (ISO 8601), if ever.
      type: str
      sample: "2024-05-01T10:00:00Z"
    definition:
      description:
        - The policy as Graph describes it, without server-set keys (C(id), timestamps, C(templateId)), C(@odata.context)
          keys, nulls and empty lists; lists are sorted. Users, groups, roles and named locations are object ids.
        - With O(portable=true), users are user principal names, groups and named locations display names, and
          C(LocationInfo) lists the named locations used.
        - Pass it unchanged to the O(cipp.cipp.ca_policy#module:definition) option of M(cipp.cipp.ca_policy).
      type: dict
      sample: {"displayName": "Require MFA for admins", "state": "enabled",
               "conditions": {"clientAppTypes": ["all"], "applications": {"includeApplications": ["All"]},
                              "users": {"includeRoles": ["62e90394-69f5-4237-9190-012177145e10"]}},
               "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}
  sample: [{"id": "6a7b8c9d-0001-4f01-8f01-00000000c601", "display_name": "Require MFA for admins", "state": "enabled",
            "definition": {"displayName": "Require MFA for admins", "state": "enabled"}}]
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: ["Block legacy authentication"]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._conditional_access import (
    portable_definitions, read_policies, summarise)
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule

ARGUMENT_SPEC = dict(
    display_name=dict(type="str", aliases=["name"]),
    id=dict(type="str"),
    portable=dict(type="bool", default=False),
    query=dict(type="str"),
)


def run(cipp: CippModule) -> dict:
    p = cipp.params
    tenant = cipp.resolve_tenant()["defaultDomainName"]
    pairs = read_policies(cipp.client, tenant)
    if p["display_name"]:
        pairs = [x for x in pairs if str(x[0].get("displayName") or "").lower() == p["display_name"].strip().lower()]
    if p["id"]:
        pairs = [x for x in pairs if str(x[0].get("id")).lower() == p["id"].strip().lower()]
    policies = [summarise(policy) for policy, _names in pairs]
    if p["portable"]:
        for policy, definition in zip(policies, portable_definitions(cipp.client, tenant, pairs)):
            policy["definition"] = definition
    policies.sort(key=lambda x: (str(x["display_name"] or "").lower(), x["id"]))
    result = {"changed": False, "policies": policies}
    if p["query"]:
        result["result"] = evaluate(p["query"], policies, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant="required").run(run)


if __name__ == "__main__":
    main()
