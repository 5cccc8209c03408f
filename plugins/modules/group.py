#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: group
short_description: Manage a Microsoft 365 group through CIPP
version_added: 1.0.0
description:
  - Creates, updates or deletes a security group, Microsoft 365 group, distribution list or mail-enabled
    security group of a customer tenant, with its members and owners, declaratively.
  - Only the options you set are compared and written; each write is verified by a fresh read.
  - Uses C(ListGraphRequest), C(AddGroup), C(EditGroup) and C(ExecGroupsDelete).
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  display_name:
    description:
      - The group's display name; identifies the group unless O(id) is given.
      - When two groups share the name, the task fails and lists their IDs; set O(id).
    type: str
    aliases: [name]
  id:
    description: The group's object ID. With O(display_name) set too, a different name renames the group.
    type: str
  state:
    description: Whether the group should exist.
    type: str
    choices: [present, absent]
    default: present
  group_type:
    description:
      - Kind of group. Required to create one; it cannot be changed afterwards.
    type: str
    choices: [distribution, m365, mail_enabled_security, security]
  description:
    description: Description.
    type: str
  mail_nickname:
    description: Mail nickname (alias). Defaults on create to the display name without spaces and symbols.
    type: str
  members:
    description: Members (UPNs or object IDs). See O(purge_members).
    type: list
    elements: str
  owners:
    description: Owners (UPNs or object IDs). See O(purge_owners). Distribution lists and mail-enabled security groups have no owners in CIPP.
    type: list
    elements: str
  purge_members:
    description: Remove members not listed in O(members). By default, unlisted members stay.
    type: bool
    default: false
  purge_owners:
    description: Remove owners not listed in O(owners). By default, unlisted owners stay.
    type: bool
    default: false
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
'''

EXAMPLES = r'''
- name: Finance security group with exactly these members
  cipp.cipp.group:
    tenant: contoso.com
    display_name: Finance
    group_type: security
    description: Finance department
    members:
      - adele.vance@contoso.com
      - alex.wilber@contoso.com
    purge_members: true

- name: Add an owner, leave the others alone
  cipp.cipp.group:
    tenant: contoso.com
    display_name: Finance
    owners: [megan.bowen@contoso.com]

- name: Remove the group
  cipp.cipp.group:
    tenant: contoso.com
    display_name: Finance
    state: absent
'''

RETURN = r'''
group:
  description: The group after the task (in check mode, as it would be).
  returned: when the group exists after the task
  type: dict
  contains:
    id:
      description: Object ID.
      type: str
      sample: 6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e
    display_name:
      description: Display name.
      type: str
      sample: Finance
    group_type:
      description: Kind of group.
      type: str
      sample: security
    members:
      description: Member UPNs (when O(members) is set).
      type: list
      elements: str
      sample: [adele.vance@contoso.com]
    owners:
      description: Owner UPNs (when O(owners) is set).
      type: list
      elements: str
      sample: []
  sample: {"id": "6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e", "display_name": "Finance", "group_type": "security"}
changes:
  description: The options that differed and were (or in check mode would be) written.
  returned: when the group existed and was changed
  type: list
  elements: str
  sample: [members]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._group_resource import ARGUMENT_SPEC, GroupResource
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant="required", required_one_of=[("display_name", "id")])
    cipp.run(lambda module: GroupResource(module).run())


if __name__ == "__main__":
    main()
