#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mailbox_permission
short_description: Manage who has Full Access, Send As and Send on Behalf on a mailbox, through CIPP
version_added: 1.0.0
description:
  - Grants or removes Full Access, Send As and Send on Behalf permissions on one mailbox (a shared mailbox, a
    leaver's mailbox, a room) for a list of users.
  - Reads through C(ListmailboxPermissions), writes the difference in one C(ExecEditMailboxPermissions) request and
    verifies it with a fresh read.
  - Only the permission lists you set are managed. By default, users not listed keep their access; O(purge=true)
    makes each list you set the exact set of users with that permission.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  mailbox:
    description: The mailbox whose permissions are managed (primary SMTP address or UPN).
    type: str
    required: true
  full_access:
    description: Users (UPNs) with Full Access (read and manage the mailbox). See O(purge) and O(auto_map).
    type: list
    elements: str
  send_as:
    description: Users (UPNs) who may send as the mailbox. See O(purge).
    type: list
    elements: str
  send_on_behalf:
    description: Users (UPNs) who may send on behalf of the mailbox. See O(purge).
    type: list
    elements: str
  purge:
    description:
      - With V(true), users not listed in a permission list you set lose that permission (an empty list removes everyone).
        Lists you do not set are never touched.
      - With V(false) (the default), listed users are added and nobody is removed.
      - Only users are managed; C(NT AUTHORITY\SELF) and administrative groups Exchange lists are never removed.
    type: bool
    default: false
  auto_map:
    description:
      - Whether Outlook opens the mailbox automatically for users who are granted Full Access by this task.
      - Applies to new grants only; Exchange does not report it, so existing grants are not compared.
    type: bool
    default: true
  state:
    description:
      - V(present) grants the listed permissions; V(absent) removes them from the listed users (and only from them).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
'''

EXAMPLES = r'''
- name: Megan and Adele read the info mailbox, Adele also sends as it
  cipp.cipp.mailbox_permission:
    tenant: contoso.com
    mailbox: info@contoso.com
    full_access: [megan.bowen@contoso.com, adele.vance@contoso.com]
    send_as: [adele.vance@contoso.com]

- name: Exactly these users have Full Access, without Outlook auto-mapping
  cipp.cipp.mailbox_permission:
    tenant: contoso.com
    mailbox: support@contoso.com
    full_access: [nestor.wilke@contoso.com]
    purge: true
    auto_map: false

- name: Alex no longer sends as the info mailbox
  cipp.cipp.mailbox_permission:
    tenant: contoso.com
    mailbox: info@contoso.com
    send_as: [alex.wilber@contoso.com]
    state: absent
'''

RETURN = r'''
permissions:
  description: The mailbox's permissions after the task (in check mode, as they would be).
  returned: always
  type: dict
  contains:
    mailbox:
      description: UPN of the mailbox.
      type: str
      sample: info@contoso.com
    full_access:
      description: Users with Full Access (lower case).
      type: list
      elements: str
      sample: [adele.vance@contoso.com, megan.bowen@contoso.com]
    send_as:
      description: Users with Send As.
      type: list
      elements: str
      sample: [adele.vance@contoso.com]
    send_on_behalf:
      description: Users with Send on Behalf.
      type: list
      elements: str
      sample: []
  sample: {"mailbox": "info@contoso.com", "full_access": ["megan.bowen@contoso.com"], "send_as": [], "send_on_behalf": []}
changes:
  description: The permission lists that differed and were (or in check mode would be) written.
  returned: when something changed
  type: list
  elements: str
  sample: [full_access]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_permissions import ARGUMENT_SPEC, MailboxPermissionResource
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant="required", required_one_of=[("full_access", "send_as", "send_on_behalf")])
    cipp.run(lambda module: MailboxPermissionResource(module).run())


if __name__ == "__main__":
    main()
