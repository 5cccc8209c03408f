#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: shared_mailbox
short_description: Manage an Exchange Online shared mailbox through CIPP
version_added: 1.0.0
description:
  - Creates a shared mailbox (C(AddSharedMailbox); CIPP blocks sign-in to its account), converts an existing user
    mailbox to a shared one or a shared one back to a user mailbox (C(ExecConvertMailbox)), renames it and adds
    aliases (C(EditUser) on the account behind it), or deletes it with its account (C(RemoveUser)).
  - The mailbox is found by address in C(ListMailboxes). Only the options you set are compared and written; each
    write is verified by a fresh read.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  address:
    description:
      - The mailbox's primary SMTP address (or UPN, or a secondary address of an existing mailbox).
      - On create, its local part becomes the alias and its domain must be an accepted domain of the tenant.
    type: str
    required: true
    aliases: [email, primary_smtp_address]
  display_name:
    description: Display name. Required to create the mailbox.
    type: str
    aliases: [name]
  aliases:
    description:
      - Secondary SMTP addresses the mailbox must have. Addresses are only ever added; one not listed here is kept.
    type: list
    elements: str
  shared:
    description:
      - V(true) (the default) for a shared mailbox. An existing user mailbox is converted to a shared one.
      - V(false) converts an existing shared mailbox back to a user mailbox; its account then needs a licence with
        Exchange within 30 days. A mailbox that does not exist is never created as a user mailbox (use M(cipp.cipp.user)
        with a licence).
    type: bool
    default: true
  state:
    description:
      - Whether the mailbox should exist. V(absent) deletes a shared mailbox together with its account (soft-deleted, restorable
        for 30 days); it refuses to delete a user mailbox, whose account is a user (use M(cipp.cipp.user)).
    type: str
    choices: [present, absent]
    default: present
notes:
  - A shared mailbox converted to a user mailbox keeps its blocked sign-in; enable it with M(cipp.cipp.user) (O(cipp.cipp.user#module:account_enabled)).
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
'''

EXAMPLES = r'''
- name: A shared mailbox for the sales desk
  cipp.cipp.shared_mailbox:
    tenant: contoso.com
    address: sales.desk@contoso.com
    display_name: Sales Desk
    aliases: [sales@contoso.com]

- name: A leaver's mailbox becomes shared
  cipp.cipp.shared_mailbox:
    tenant: contoso.com
    address: alex.wilber@contoso.com

- name: And back to a user mailbox
  cipp.cipp.shared_mailbox:
    tenant: contoso.com
    address: alex.wilber@contoso.com
    shared: false

- name: Remove the shared mailbox
  cipp.cipp.shared_mailbox:
    tenant: contoso.com
    address: sales.desk@contoso.com
    state: absent
'''

RETURN = r'''
mailbox:
  description: The mailbox after the task (in check mode, as it would be).
  returned: when the mailbox exists after the task
  type: dict
  contains:
    address:
      description: Primary SMTP address.
      type: str
      sample: sales.desk@contoso.com
    user_principal_name:
      description: UPN of the mailbox's account.
      type: str
      sample: sales.desk@contoso.com
    id:
      description: Entra ID object ID of the account.
      type: str
      sample: 3c5d2e8f-1111-4b2b-8b2b-00000000d001
    display_name:
      description: Display name.
      type: str
      sample: Sales Desk
    shared:
      description: Whether it is a shared mailbox.
      type: bool
      sample: true
    type:
      description: C(shared), C(user), C(room) or C(equipment).
      type: str
      sample: shared
    aliases:
      description: Secondary SMTP addresses (lower case).
      type: list
      elements: str
      sample: [sales@contoso.com]
  sample: {"address": "sales.desk@contoso.com", "display_name": "Sales Desk", "shared": true, "type": "shared"}
changes:
  description: The options that differed and were (or in check mode would be) written.
  returned: when the mailbox existed and was changed
  type: list
  elements: str
  sample: [shared]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_shared import ARGUMENT_SPEC, SharedMailboxResource
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant="required")
    cipp.run(lambda module: SharedMailboxResource(module).run())


if __name__ == "__main__":
    main()
