#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: out_of_office
short_description: Manage the automatic replies (out of office) of an Exchange Online mailbox through CIPP
version_added: 1.0.0
description:
  - Turns a mailbox's automatic replies on, off or on for a scheduled period, with the messages for senders inside
    and outside the organisation, through CIPP's C(ExecSetOoO).
  - Compared against C(ListOoO). Exchange stores messages as HTML, so messages are compared as text (tags, entities
    and whitespace do not count); a rerun with nothing to change sends no write, and each write is verified by a
    fresh read.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  mailbox:
    description: The mailbox (primary SMTP address or UPN).
    type: str
    required: true
  state:
    description:
      - V(enabled) replies until turned off, V(scheduled) replies between O(start_time) and O(end_time), V(disabled)
        stops replying (the messages are kept for next time).
    type: str
    choices: [disabled, enabled, scheduled]
    default: enabled
  internal_message:
    description:
      - The reply to senders in the organisation (text or HTML). When not set, the current message is kept.
      - CIPP cannot clear a message, so an empty value is refused.
    type: str
  external_message:
    description:
      - The reply to senders outside the organisation (text or HTML). When not set, the current message is kept.
      - CIPP turns external replies off whenever a change is sent without an external message, so the module always
        sends the current one along.
    type: str
  start_time:
    description:
      - Start of the period, with O(state=scheduled) (required then). ISO 8601 such as C(2026-07-01 08:00) or
        C(2026-07-01T08:00:00+02:00), or Unix seconds. A time without an offset is UTC.
      - Compared to the minute.
    type: str
  end_time:
    description: End of the period, with O(state=scheduled) (required then); must be after O(start_time). Same formats.
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
'''

EXAMPLES = r'''
- name: Away for the summer
  cipp.cipp.out_of_office:
    tenant: contoso.com
    mailbox: megan.bowen@contoso.com
    state: scheduled
    start_time: "2026-07-20 00:00"
    end_time: "2026-08-07 18:00"
    internal_message: I am on holiday until 7 August. Adele Vance covers Marketing.
    external_message: Thank you for your message. I am away until 7 August.

- name: A leaver's mailbox answers for good
  cipp.cipp.out_of_office:
    tenant: contoso.com
    mailbox: alex.wilber@contoso.com
    state: enabled
    internal_message: Alex has left Contoso. Please contact megan.bowen@contoso.com.
    external_message: Alex has left Contoso. Please contact megan.bowen@contoso.com.

- name: Back at work
  cipp.cipp.out_of_office:
    tenant: contoso.com
    mailbox: megan.bowen@contoso.com
    state: disabled
'''

RETURN = r'''
out_of_office:
  description: The mailbox's automatic replies after the task (in check mode, as they would be).
  returned: always
  type: dict
  contains:
    mailbox:
      description: UPN of the mailbox.
      type: str
      sample: megan.bowen@contoso.com
    state:
      description: C(enabled), C(disabled) or C(scheduled).
      type: str
      sample: scheduled
    internal_message:
      description: The internal reply as Exchange stores it (often HTML).
      type: str
      sample: I am on holiday until 7 August.
    external_message:
      description: The external reply as Exchange stores it.
      type: str
      sample: Thank you for your message.
    start_time:
      description: Start of the scheduled period (C(YYYY-MM-DD HH:MM), UTC), as Exchange keeps it.
      type: str
      sample: "2026-07-20 00:00"
    end_time:
      description: End of the scheduled period.
      type: str
      sample: "2026-08-07 18:00"
  sample: {"mailbox": "megan.bowen@contoso.com", "state": "enabled", "internal_message": "Away", "external_message": "Away",
           "start_time": "", "end_time": ""}
changes:
  description: The settings that differed and were (or in check mode would be) written.
  returned: when something changed
  type: list
  elements: str
  sample: [state]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_ooo import ARGUMENT_SPEC, OutOfOfficeResource
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant="required")
    cipp.run(lambda module: OutOfOfficeResource(module).run())


if __name__ == "__main__":
    main()
