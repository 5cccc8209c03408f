#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: groups
short_description: Manage all groups of a Microsoft 365 tenant through CIPP in one task
version_added: 1.0.0
description:
  - Declares a tenant's groups in one task. Each entry of O(items) takes the options of M(cipp.cipp.group)
    (including V(members), V(owners), V(purge_members), V(purge_owners)) and is compared and written exactly
    as that module would, but the tenant's groups are read once (one paged C(ListGraphRequest) of C(groups))
    instead of once per group, and only the groups that differ are written.
  - Members and owners are read (one paged request each) only for existing groups whose item sets
    V(members) or V(owners); groups whose items leave them out cost no extra read.
  - Every item is validated before the first write; a bad item fails the task with zero writes and a
    message naming it, such as C(items[2].group_type).
  - With O(purge=true) groups of the tenant that no item names are deleted, except those matching
    O(purge_exclude) and groups synchronised from on-premises Active Directory. Run with C(--check --diff)
    first; the plan lists every deletion.
  - Uses C(ListGraphRequest), C(AddGroup), C(EditGroup) and C(ExecGroupsDelete), like M(cipp.cipp.group).
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  items:
    description:
      - The groups, each a dictionary of M(cipp.cipp.group) options (V(display_name) or V(id) required),
        without the connection options and O(tenant). A group may be listed only once.
      - Only the options an item sets are compared and written. An item with C(state=absent) deletes that group.
    type: list
    elements: dict
    required: true
  purge:
    description:
      - Delete the groups of the tenant that no item names (by display name or id).
      - Refused with an empty O(items) list. Synchronised groups and O(purge_exclude) matches are never deleted.
    type: bool
    default: false
  purge_exclude:
    description:
      - Shell-style patterns (C(*), C(?), case-insensitive) of display names that O(purge) never deletes,
        such as V(All Company) or V(Dynamic - *).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
notes:
  - In check mode nothing is written; the result and the diff show what would change.
  - The diff has one entry per changed group (before and after of that group only).
seealso:
  - module: cipp.cipp.group
  - module: cipp.cipp.users
'''

EXAMPLES = r'''
- name: The groups of contoso.com
  cipp.cipp.groups:
    tenant: contoso.com
    items:
      - display_name: Finance
        group_type: security
        description: Finance team
        members: [adele.vance@contoso.com, alex.wilber@contoso.com]
        purge_members: true
      - display_name: Marketing
        description: Marketing team
      - display_name: Old Project
        state: absent
  register: groups

- name: Exactly these groups (plan first with --check --diff)
  cipp.cipp.groups:
    tenant: contoso.com
    items: "{{ cipp_groups }}"
    purge: true
    purge_exclude: ["All Company", "Dynamic - *"]
'''

RETURN = r'''
tenant:
  description: Default domain of the tenant.
  returned: always
  type: str
  sample: contoso.com
results:
  description: One entry per item (in order), then one per group deleted by O(purge).
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: The group's display name (or the id the item gave).
      type: str
      sample: Finance
    action:
      description: What was (in check mode, would be) done.
      type: str
      choices: [create, update, delete, none]
      sample: update
    changes:
      description: The options that differed (for V(create), the options set).
      type: list
      elements: str
      sample: [members]
    purged:
      description: Present and true for groups deleted because no item names them.
      type: bool
      sample: true
  sample: [{"key": "Finance", "action": "update", "changes": ["description"]}]
created:
  description: Display names of the groups created.
  returned: always
  type: list
  elements: str
  sample: [Finance]
updated:
  description: Display names of the groups updated.
  returned: always
  type: list
  elements: str
  sample: [Marketing]
deleted:
  description: Display names of the groups deleted (by C(state=absent) or O(purge)).
  returned: always
  type: list
  elements: str
  sample: [Old Project]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._bulk import BULK_ARGUMENT_SPEC, BulkRun, GroupsKind
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule


def run(cipp: CippModule) -> dict:
    return BulkRun(cipp, GroupsKind(cipp, cipp.resolve_tenant())).run()


def main():
    cipp = CippModule(dict(BULK_ARGUMENT_SPEC), with_tenant="required")
    cipp.run(run)


if __name__ == "__main__":
    main()
