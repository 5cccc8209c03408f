#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ca_template
short_description: Manage a CIPP Conditional Access template
version_added: 1.0.0
description:
  - Creates, replaces or removes one of CIPP's Conditional Access templates (the policies CIPP's standards and
    C(AddCAPolicy) deploy to many tenants), with C(AddCATemplate) and C(RemoveCATemplate).
  - The template is found by its name (its C(displayName), case-insensitive) in C(ListCAtemplates).
  - CIPP stores users, groups and named locations of a template by display name. Ids in O(definition) are translated
    the way CIPP translates them (looked up in O(tenant)) before the comparison, so a definition with ids reports no
    change once stored.
  - CIPP cannot update a template in place. A template whose definition differs is replaced - the new one is stored
    first, then the old one removed - and so gets a new GUID (RV(template.guid)).
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  name:
    description: The template's name, which is the C(displayName) of the policy it describes.
    type: str
    required: true
    aliases: [display_name]
  definition:
    description:
      - The policy the template describes, as Microsoft Graph describes a C(conditionalAccessPolicy) (dict or JSON
        string); the same keys as the O(cipp.cipp.ca_policy#module:definition) of M(cipp.cipp.ca_policy), checked the
        same way before any write. Its C(displayName), if set, must equal O(name).
      - Users, groups and named locations may be given by display name (how CIPP stores them) or by id.
      - Required with O(state=present).
    type: raw
  state:
    description: Whether the template should exist.
    type: str
    choices: [present, absent]
    default: present
  tenant:
    description:
      - The tenant in which CIPP looks up the ids of O(definition) to store their display names (CIPP's
        C(tenantFilter)). Required with O(state=present).
      - Given as its default domain, initial domain or tenant ID; an unknown tenant fails before any write.
    type: str
    aliases: [tenant_filter]
notes:
  - Standards templates refer to CA templates by GUID; after a replacement, point them at the new RV(template.guid).
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
'''

EXAMPLES = r'''
- name: A template that blocks legacy authentication, excluding the break-glass group
  cipp.cipp.ca_template:
    tenant: contoso.com
    name: MSP - Block legacy authentication
    definition:
      state: enabled
      conditions:
        clientAppTypes: [exchangeActiveSync, other]
        applications:
          includeApplications: [All]
        users:
          includeUsers: [All]
          excludeGroups: [Break glass]
      grantControls:
        operator: OR
        builtInControls: [block]
  register: legacy

- name: Remove the template
  cipp.cipp.ca_template:
    name: MSP - Block legacy authentication
    state: absent
'''

RETURN = r'''
template:
  description: The template after the task (in check mode, as it would be).
  returned: when the template exists after the task
  type: dict
  contains:
    guid:
      description: CIPP's GUID of the template (new after a replacement; absent in check mode before creation).
      type: str
      sample: 5b6c7d8e-0001-4a11-8a11-000000000701
    name:
      description: Name (C(displayName)) of the template.
      type: str
      sample: MSP - Block legacy authentication
    source:
      description: Where the template came from (a community repository), if anywhere.
      type: str
      sample: null
    package:
      description: The template package (tag) it belongs to, if any.
      type: str
      sample: null
    definition:
      description: The policy as CIPP stores it, in the form O(definition) accepts.
      type: dict
      sample: {"displayName": "MSP - Block legacy authentication", "state": "enabled",
               "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": ["Break glass"]}}}
  sample: {"guid": "5b6c7d8e-0001-4a11-8a11-000000000701", "name": "MSP - Block legacy authentication",
           "definition": {"displayName": "MSP - Block legacy authentication"}}
changes:
  description: The fields that differed and were (or in check mode would be) written.
  returned: when the template existed and was changed
  type: list
  elements: str
  sample: [definition]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._ca_templates import ARGUMENT_SPEC, TemplateResource
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant=True)
    cipp.run(lambda module: TemplateResource(module).run())


if __name__ == "__main__":
    main()
