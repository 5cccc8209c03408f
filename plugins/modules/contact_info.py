#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: contact_info
short_description: Read the Exchange Online mail contacts of a tenant through CIPP
version_added: 1.0.0
description:
  - Returns the mail contacts of a customer tenant from CIPP's C(ListContacts), optionally with each contact's
    details (address, phones, web page, MailTip, address book visibility), one more request per contact.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  email:
    description: Only the contact with this external email address (returned with its details).
    type: str
    aliases: [mail]
  search:
    description: Only contacts whose display name, email address or company contains this text (case-insensitive).
    type: str
  details:
    description: Also read each contact's details (one request per contact).
    type: bool
    default: false
  query:
    description: A JMESPath expression applied to RV(contacts); the outcome is returned as RV(result).
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: All contacts of Contoso
  cipp.cipp.contact_info:
    tenant: contoso.com
  register: contacts

- name: One contact with its details
  cipp.cipp.contact_info:
    tenant: contoso.com
    email: sales@fabrikam.com
  register: fabrikam

- name: Addresses of the Fabrikam contacts
  cipp.cipp.contact_info:
    tenant: contoso.com
    search: fabrikam
    query: "[].email"
  register: fabrikam_addresses
'''

RETURN = r'''
contacts:
  description: The contacts, sorted by display name.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Exchange GUID of the contact.
      type: str
      sample: 2f6b3c4d-0001-4c01-8c01-00000000c301
    graph_id:
      description: Microsoft Graph object ID (orgContact) of the contact, when CIPP matched one.
      type: str
      sample: 4d7e0c11-0001-4c01-8c01-00000000c301
    email:
      description: External email address.
      type: str
      sample: sales@fabrikam.com
    display_name:
      description: Display name.
      type: str
      sample: Fabrikam Sales
    first_name:
      description: First name.
      type: str
      sample: Fabrikam
    last_name:
      description: Last name.
      type: str
      sample: Sales
    company:
      description: Company.
      type: str
      sample: Fabrikam Inc
    department:
      description: Department (list rows only).
      type: str
      sample: Sales
    city:
      description: City.
      type: str
      sample: Paris
    dir_synced:
      description: Synchronised from on-premises Active Directory.
      type: bool
      sample: false
    job_title:
      description: Job title (with details).
      type: str
      sample: Sales Desk
    phone:
      description: Business phone (with details).
      type: str
      sample: ""
    mobile_phone:
      description: Mobile phone (with details).
      type: str
      sample: ""
    website:
      description: Web page (with details).
      type: str
      sample: ""
    mail_tip:
      description: MailTip as text (with details).
      type: str
      sample: ""
    hidden_from_gal:
      description: Hidden from the global address list (with details).
      type: bool
      sample: false
  sample: [{"id": "2f6b3c4d-0001-4c01-8c01-00000000c301", "email": "sales@fabrikam.com", "display_name": "Fabrikam Sales"}]
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: ["sales@fabrikam.com"]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_contacts import (
    contact_details, list_contacts, normalise_details, summarise)
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule

ARGUMENT_SPEC = dict(
    email=dict(type="str", aliases=["mail"]),
    search=dict(type="str"),
    details=dict(type="bool", default=False),
    query=dict(type="str"),
)


def _matches(contact: dict, p: dict) -> bool:
    if p["email"] and str(contact["email"] or "").lower() != p["email"].strip().lower():
        return False
    if p["search"]:
        needle = p["search"].lower()
        if not any(needle in str(contact.get(k) or "").lower() for k in ("display_name", "email", "company")):
            return False
    return True


def run(cipp: CippModule) -> dict:
    p = cipp.params
    tenant = cipp.resolve_tenant(endpoint="ListContacts")["defaultDomainName"]
    contacts = [c for c in (summarise(row) for row in list_contacts(cipp.client, tenant)) if _matches(c, p)]
    if p["details"] or p["email"]:
        for contact in contacts:
            details = normalise_details(contact["id"], contact_details(cipp.client, tenant, contact["id"]))
            contact.update({k: v for k, v in details.items() if k not in ("id", "email") or not contact.get(k)})
    contacts.sort(key=lambda c: str(c.get("display_name") or "").lower())
    result = {"changed": False, "contacts": contacts}
    if p["query"]:
        result["result"] = evaluate(p["query"], contacts, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant="required").run(run)


if __name__ == "__main__":
    main()
