#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mailbox_info
short_description: Read the Exchange Online mailboxes of a tenant through CIPP
version_added: 1.0.0
description:
  - Returns the mailboxes of a customer tenant (user, shared, room and equipment mailboxes) with their type,
    addresses, forwarding and hold settings, read through CIPP's C(ListMailboxes).
  - CIPP's API contract lists no server-side filter for C(ListMailboxes), so the whole list is read and
    O(address), O(mailbox_type) and O(search) are applied by the module.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  tenant:
    description:
      - The customer tenant (default domain, initial domain or tenant ID).
      - V(AllTenants) only with O(use_report_db=true); each mailbox then carries its RV(mailboxes[].tenant).
    type: str
    required: true
    aliases: [tenant_filter]
  address:
    description: One mailbox, by UPN, primary SMTP address, secondary address or object ID.
    type: str
    aliases: [mailbox]
  mailbox_type:
    description: Only mailboxes of these types.
    type: list
    elements: str
    choices: [user, shared, room, equipment, scheduling, discovery]
  search:
    description: Only mailboxes whose display name, UPN, primary address or alias contains this text (case-insensitive).
    type: str
  use_report_db:
    description:
      - Read CIPP's reporting database (its cache of the tenant's mailboxes) instead of asking Exchange.
      - Much faster for large tenants; the data is as old as CIPP's last sync, and it is the only source of
        RV(mailboxes[].size_bytes).
    type: bool
    default: false
  query:
    description: A JMESPath expression applied to RV(mailboxes); the outcome is returned as RV(result).
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: The shared mailboxes of Contoso
  cipp.cipp.mailbox_info:
    tenant: contoso.com
    mailbox_type: [shared]
  register: shared

- name: Addresses of mailboxes that forward mail
  cipp.cipp.mailbox_info:
    tenant: contoso.com
    query: "[?forwarding_smtp_address || forwarding_address].primary_smtp_address"
  register: forwarding

- name: One mailbox
  cipp.cipp.mailbox_info:
    tenant: contoso.com
    address: info@contoso.com
  register: info
'''

RETURN = r'''
mailboxes:
  description: The mailboxes, sorted by primary address.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Entra ID object ID of the mailbox's account.
      type: str
      sample: 2b4c1d7e-0001-4a1a-9a1a-00000000c1a1
    user_principal_name:
      description: UPN of the mailbox's account.
      type: str
      sample: info@contoso.com
    primary_smtp_address:
      description: Primary SMTP address.
      type: str
      sample: info@contoso.com
    display_name:
      description: Display name.
      type: str
      sample: Contoso Info
    alias:
      description: Exchange alias.
      type: str
      sample: info
    type:
      description: C(user), C(shared), C(room), C(equipment), C(scheduling) or C(discovery).
      type: str
      sample: shared
    recipient_type_details:
      description: Exchange's own type name.
      type: str
      sample: SharedMailbox
    aliases:
      description: Secondary SMTP addresses.
      type: list
      elements: str
      sample: [hello@contoso.com]
    forwarding_smtp_address:
      description: External forwarding address, if any.
      type: str
      sample: null
    forwarding_address:
      description: Internal forwarding recipient as Exchange names it, if any.
      type: str
      sample: null
    deliver_to_mailbox_and_forward:
      description: Whether forwarded mail is also kept in the mailbox.
      type: bool
      sample: false
    hidden_from_gal:
      description: Hidden from the global address list.
      type: bool
      sample: false
    archive_enabled:
      description: Online archive enabled.
      type: bool
      sample: false
    litigation_hold_enabled:
      description: Litigation hold enabled.
      type: bool
      sample: false
    size_bytes:
      description: Mailbox size in bytes, where CIPP's reporting database has it (O(use_report_db=true)); otherwise null.
      type: int
      sample: null
    tenant:
      description: The mailbox's tenant (with O(tenant=AllTenants)).
      type: str
      returned: with O(tenant=AllTenants)
      sample: contoso.com
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: ["alex.wilber@contoso.com"]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_mailboxes import (
    MAILBOX_TYPES, list_mailboxes, normalise_mailbox)
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._tenants import ALL_TENANTS

ARGUMENT_SPEC = dict(
    address=dict(type="str", aliases=["mailbox"]),
    mailbox_type=dict(type="list", elements="str", choices=sorted(set(MAILBOX_TYPES.values()))),
    search=dict(type="str"),
    use_report_db=dict(type="bool", default=False),
    query=dict(type="str"),
)


def _matches(mailbox: dict, p: dict) -> bool:
    if p["address"]:
        wanted = p["address"].strip().lower()
        known = [mailbox["user_principal_name"], mailbox["primary_smtp_address"], mailbox["id"]] + mailbox["aliases"]
        if wanted not in {str(k).lower() for k in known if k}:
            return False
    if p["mailbox_type"] and mailbox["type"] not in p["mailbox_type"]:
        return False
    if p["search"]:
        needle = p["search"].lower()
        fields = (mailbox["display_name"], mailbox["user_principal_name"], mailbox["primary_smtp_address"], mailbox["alias"])
        if not any(needle in str(f or "").lower() for f in fields):
            return False
    return True


def run(cipp: CippModule) -> dict:
    p = cipp.params
    tenant = cipp.resolve_tenant(endpoint="ListMailboxes")["defaultDomainName"]
    if tenant == ALL_TENANTS and not p["use_report_db"]:
        raise CippConfigError("option 'tenant': AllTenants needs use_report_db: true (CIPP reads every tenant's "
                              "mailboxes only from its reporting database)", option="tenant")
    rows = list_mailboxes(cipp.client, tenant, report_db=p["use_report_db"])
    mailboxes = [m for m in (normalise_mailbox(row) for row in rows) if _matches(m, p)]
    mailboxes.sort(key=lambda m: (m.get("tenant") or "", str(m["primary_smtp_address"] or "").lower()))
    result = {"changed": False, "mailboxes": mailboxes}
    if p["query"]:
        result["result"] = evaluate(p["query"], mailboxes, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant="required").run(run)


if __name__ == "__main__":
    main()
