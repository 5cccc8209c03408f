#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: users
short_description: Manage all users of a Microsoft 365 tenant through CIPP in one task
version_added: 1.0.0
description:
  - Declares a tenant's users in one task. Each entry of O(items) takes the options of M(cipp.cipp.user)
    and is compared and written exactly as that module would, but the tenant's users are read once (one
    paged C(ListGraphRequest) of C(users), 999 a page) instead of once per user, and only the users that
    differ are written. A run with nothing to change makes no write.
  - Every item is validated (option names and types, UPN syntax, licences, free seats) before the first
    write; a bad item fails the task with zero writes and a message naming it, such as C(items[3].display_name).
  - Each write is verified by a fresh read; up to 10 written users are read back one by one, more with a
    second list read of the tenant.
  - With O(purge=true) users of the tenant that no item names are deleted, except those matching
    O(purge_exclude) and users synchronised from on-premises Active Directory (which cannot be deleted in the
    cloud). Run with C(--check --diff) first; the plan lists every deletion.
  - Uses C(ListGraphRequest), C(AddUser), C(EditUser), C(ExecDisableUser) and C(RemoveUser), like M(cipp.cipp.user).
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  items:
    description:
      - The users, each a dictionary of M(cipp.cipp.user) options (V(user_principal_name) or V(id) required;
        V(state), V(password), V(licenses), V(manager), ...), without the connection options and O(tenant).
      - Only the options an item sets are compared and written, as in M(cipp.cipp.user).
      - An item with C(state=absent) deletes that user. A user may be listed only once.
      - Passwords of items are masked in the output, the diff and the logged invocation.
    type: list
    elements: dict
    required: true
  purge:
    description:
      - Delete the users of the tenant that no item names (by UPN or id).
      - Refused with an empty O(items) list. Synchronised users and O(purge_exclude) matches are never deleted.
    type: bool
    default: false
  purge_exclude:
    description:
      - Shell-style patterns (C(*), C(?), case-insensitive) of UPNs that O(purge) never deletes, such as
        break-glass accounts or service accounts managed elsewhere (V(breakglass*@contoso.com), V(*#EXT#*)).
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
  - The diff has one entry per changed user (before and after of that user only).
seealso:
  - module: cipp.cipp.user
  - module: cipp.cipp.groups
'''

EXAMPLES = r'''
- name: The people of contoso.com
  cipp.cipp.users:
    tenant: contoso.com
    items:
      - user_principal_name: megan.bowen@contoso.com
        display_name: Megan Bowen
        job_title: Marketing Manager
        usage_location: US
        licenses: [SPE_E3]
      - user_principal_name: alex.wilber@contoso.com
        display_name: Alex Wilber
        manager: megan.bowen@contoso.com
        password: "{{ vault_initial_password }}"
        force_change_password: true
      - user_principal_name: leaver@contoso.com
        state: absent

- name: Exactly these users, except the break-glass accounts (plan first with --check --diff)
  cipp.cipp.users:
    tenant: contoso.com
    items: "{{ cipp_users }}"
    purge: true
    purge_exclude: ["breakglass*@contoso.com"]
  register: users

- name: What changed
  ansible.builtin.debug:
    msg: "created {{ users.created }}, updated {{ users.updated }}, deleted {{ users.deleted }}"
'''

RETURN = r'''
tenant:
  description: Default domain of the tenant.
  returned: always
  type: str
  sample: contoso.com
results:
  description: One entry per item (in order), then one per user deleted by O(purge).
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: The user's UPN (or the id the item gave).
      type: str
      sample: megan.bowen@contoso.com
    action:
      description: What was (in check mode, would be) done.
      type: str
      choices: [create, update, delete, none]
      sample: update
    changes:
      description: The options that differed (for V(create), the options set).
      type: list
      elements: str
      sample: [job_title]
    purged:
      description: Present and true for users deleted because no item names them.
      type: bool
      sample: true
    generated_password:
      description: The password CIPP generated for a user created without one. Masked in logs.
      type: str
      sample: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER
  sample: [{"key": "megan.bowen@contoso.com", "action": "update", "changes": ["job_title"]}]
created:
  description: UPNs of the users created.
  returned: always
  type: list
  elements: str
  sample: [alex.wilber@contoso.com]
updated:
  description: UPNs of the users updated.
  returned: always
  type: list
  elements: str
  sample: [megan.bowen@contoso.com]
deleted:
  description: UPNs of the users deleted (by C(state=absent) or O(purge)).
  returned: always
  type: list
  elements: str
  sample: [leaver@contoso.com]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._bulk import BULK_ARGUMENT_SPEC, BulkRun, UsersKind
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule


def run(cipp: CippModule) -> dict:
    return BulkRun(cipp, UsersKind(cipp, cipp.resolve_tenant())).run()


def main():
    # no_log=True only keeps the raw invocation (with item passwords) out of syslog; item
    # passwords are added to the masked values before anything is returned.
    cipp = CippModule(dict(BULK_ARGUMENT_SPEC), with_tenant="required", no_log=True)
    cipp.run(run)


if __name__ == "__main__":
    main()
