#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ca_policy
short_description: Manage a Conditional Access policy of a tenant through CIPP
version_added: 1.0.0
description:
  - Creates, updates or deletes one Conditional Access policy from a Microsoft Graph style definition, with CIPP's
    C(AddCAPolicy), C(EditCAPolicy) and C(RemoveCAPolicy).
  - The policy is found by its display name (or O(id)) in C(ListConditionalAccessPolicies). The definition is compared
    in a normalised form - server-set ids and timestamps, C(@odata) keys, nulls and empty lists are ignored and every
    list is compared as a set - so a definition exported by M(cipp.cipp.ca_policy_info) and fed back reports no change.
  - A change of O(state) alone (or of the display name, when O(id) is set) is written with C(EditCAPolicy); any other
    change rewrites the whole policy with C(AddCAPolicy) and C(overwrite), which is how CIPP updates a policy.
  - Every write is verified by a fresh read.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  display_name:
    description:
      - Display name of the policy; identifies it unless O(id) is set, and renames it when O(id) is set.
      - Defaults to the C(displayName) of O(definition).
    type: str
    aliases: [name]
  id:
    description:
      - Object id of an existing policy. Use it when several policies share a name, or to rename a policy.
      - The task fails when no policy has this id (omit it to create a policy).
    type: str
  definition:
    description:
      - The policy as Microsoft Graph describes a C(conditionalAccessPolicy), as a dict (YAML) or a JSON string, for
        example the RV(cipp.cipp.ca_policy_info#module:policies[].definition) of M(cipp.cipp.ca_policy_info).
      - "Top-level keys: C(displayName), C(description), C(state), C(conditions), C(grantControls),
        C(sessionControls), C(partialEnablementStrategy); server-set C(id), C(createdDateTime), C(modifiedDateTime),
        C(templateId) are accepted and ignored; C(LocationInfo) (named location definitions, as in CIPP templates) is
        passed to CIPP, which creates the named locations it lists when they do not exist."
      - Unknown keys at the top level, in C(conditions) or in C(conditions.users) fail the task before any write,
        naming the key and the valid ones.
      - Users (C(includeUsers), C(excludeUsers)) may be given by object id or user principal name, groups by object id
        or display name, named locations by id or display name; they are resolved to ids before anything is written.
        Roles are given by their role template id.
      - Required to create the policy. Without it only O(state) (and, with O(id), O(display_name)) are managed.
    type: raw
  state:
    description:
      - C(enabled), C(disabled) or C(report_only) (Graph's C(enabledForReportingButNotEnforced)) set the policy's
        state; C(absent) deletes the policy.
      - Defaults to the C(state) of O(definition), or C(enabled) when the definition has none. When both are set,
        this option wins.
    type: str
    choices: [enabled, disabled, report_only, absent]
  disable_security_defaults:
    description:
      - When the policy is created or rewritten, let CIPP turn off the tenant's security defaults first (CIPP's
        C(DisableSD)). Conditional Access policies cannot be enabled while security defaults are on.
    type: bool
    default: false
notes:
  - CIPP's C(AddCAPolicy) drops empty lists and nulls from the definition, and Graph replaces C(conditions),
    C(grantControls) and C(sessionControls) as a whole, so a setting removed from the definition is removed from the
    policy.
  - When several policies share the display name, updates need O(id) and fail until the duplicates are renamed,
    because C(AddCAPolicy) finds the policy to rewrite by its display name.
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
'''

EXAMPLES = r'''
- name: Require MFA for every user, reported only for now
  cipp.cipp.ca_policy:
    tenant: contoso.com
    state: report_only
    definition:
      displayName: Require MFA for all users
      conditions:
        clientAppTypes: [all]
        applications:
          includeApplications: [All]
        users:
          includeUsers: [All]
          excludeUsers: [breakglass@contoso.com]
          excludeGroups: [IT Admins]
      grantControls:
        operator: OR
        builtInControls: [mfa]

- name: Enforce it
  cipp.cipp.ca_policy:
    tenant: contoso.com
    display_name: Require MFA for all users
    state: enabled

- name: Block sign-ins from outside the allowed countries, from a JSON export
  cipp.cipp.ca_policy:
    tenant: contoso.com
    definition: "{{ lookup('ansible.builtin.file', 'policies/block-countries.json') }}"

- name: Remove a policy
  cipp.cipp.ca_policy:
    tenant: contoso.com
    display_name: Require MFA for all users
    state: absent
'''

RETURN = r'''
policy:
  description: The policy after the task (in check mode, as it would be).
  returned: when the policy exists after the task
  type: dict
  contains:
    id:
      description: Object id of the policy (absent in check mode before creation).
      type: str
      sample: 6a7b8c9d-0001-4f01-8f01-00000000c601
    display_name:
      description: Display name.
      type: str
      sample: Require MFA for all users
    state:
      description: C(enabled), C(disabled) or C(report_only).
      type: str
      sample: report_only
    definition:
      description: The policy in the form O(definition) accepts (no server-set keys, nulls or empty lists).
      type: dict
      sample: {"displayName": "Require MFA for all users", "state": "enabledForReportingButNotEnforced",
               "conditions": {"clientAppTypes": ["all"], "applications": {"includeApplications": ["All"]},
                              "users": {"includeUsers": ["All"]}},
               "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}
  sample: {"id": "6a7b8c9d-0001-4f01-8f01-00000000c601", "display_name": "Require MFA for all users",
           "state": "report_only", "definition": {"displayName": "Require MFA for all users"}}
changes:
  description: The fields that differed and were (or in check mode would be) written.
  returned: when the policy existed and was changed
  type: list
  elements: str
  sample: [definition]
changed_settings:
  description: Dotted paths of the settings inside the definition that differed.
  returned: when the definition of an existing policy was changed
  type: list
  elements: str
  sample: [conditions.users.excludeUsers]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._conditional_access import ARGUMENT_SPEC, PolicyResource
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant="required")
    cipp.run(lambda module: PolicyResource(module).run())


if __name__ == "__main__":
    main()
