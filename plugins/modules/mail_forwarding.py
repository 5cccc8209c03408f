#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mail_forwarding
short_description: Manage the forwarding of an Exchange Online mailbox through CIPP
version_added: 1.0.0
description:
  - Forwards a mailbox's mail to another mailbox of the tenant or to an external address, keeping a copy or not,
    or turns forwarding off, through CIPP's C(ExecEmailForward).
  - Compared against the mailbox's current forwarding in C(ListMailboxes); a rerun with nothing to change sends
    no write, and each write is verified by a fresh read.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  mailbox:
    description: The mailbox whose mail is forwarded (primary SMTP address or UPN).
    type: str
    required: true
  forward_to:
    description: Where mail goes. Required with O(state=present).
    type: str
  forward_type:
    description:
      - V(internal) forwards to a recipient of the tenant (Exchange's C(ForwardingAddress)), V(external) to any SMTP
        address (C(ForwardingSmtpAddress); the tenant's outbound policy must allow external forwarding).
      - V(auto) picks V(internal) when O(forward_to) is a mailbox of the tenant, else V(external).
    type: str
    choices: [auto, internal, external]
    default: auto
  keep_copy:
    description:
      - Also deliver forwarded mail to the mailbox itself.
      - When not set, the mailbox's current setting is kept (no copy for a mailbox that did not forward).
    type: bool
  state:
    description: V(present) forwards as set; V(absent) turns forwarding off.
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
- name: A leaver's mail goes to their manager, a copy stays in the mailbox
  cipp.cipp.mail_forwarding:
    tenant: contoso.com
    mailbox: alex.wilber@contoso.com
    forward_to: megan.bowen@contoso.com
    keep_copy: true

- name: Forward to an external address
  cipp.cipp.mail_forwarding:
    tenant: contoso.com
    mailbox: info@contoso.com
    forward_to: contoso-info@partner.example
    keep_copy: false

- name: No forwarding
  cipp.cipp.mail_forwarding:
    tenant: contoso.com
    mailbox: alex.wilber@contoso.com
    state: absent
'''

RETURN = r'''
forwarding:
  description: The mailbox's forwarding after the task (in check mode, as it would be).
  returned: always
  type: dict
  contains:
    mailbox:
      description: UPN of the mailbox.
      type: str
      sample: alex.wilber@contoso.com
    enabled:
      description: Whether mail is forwarded.
      type: bool
      sample: true
    forward_to:
      description: The forwarding address (a UPN for internal forwarding); empty when off.
      type: str
      sample: megan.bowen@contoso.com
    forward_type:
      description: C(internal) or C(external); empty when off.
      type: str
      sample: internal
    keep_copy:
      description: Whether a copy stays in the mailbox.
      type: bool
      sample: true
  sample: {"mailbox": "alex.wilber@contoso.com", "enabled": true, "forward_to": "megan.bowen@contoso.com",
           "forward_type": "internal", "keep_copy": true}
changes:
  description: The settings that differed and were (or in check mode would be) written.
  returned: when something changed
  type: list
  elements: str
  sample: [forward_to, forward_type]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_forwarding import ARGUMENT_SPEC, ForwardingResource
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant="required", required_if=[("state", "present", ["forward_to"])])
    cipp.run(lambda module: ForwardingResource(module).run())


if __name__ == "__main__":
    main()
