#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: contact
short_description: Manage an Exchange Online mail contact through CIPP
version_added: 1.0.0
description:
  - Creates, updates or deletes a mail contact (an external address in the tenant's address book) with
    CIPP's C(AddContact), C(EditContact) and C(RemoveContact).
  - The contact is found by its external email address in C(ListContacts). Only the options you set are compared
    and written; each write is verified by a fresh read.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  email:
    description: The contact's external email address; identifies the contact.
    type: str
    required: true
    aliases: [mail, external_email_address]
  state:
    description: Whether the contact should exist.
    type: str
    choices: [present, absent]
    default: present
  display_name:
    description: Display name (also the contact's Exchange name). Required to create the contact.
    type: str
  first_name:
    description: First name.
    type: str
  last_name:
    description: Last name.
    type: str
  job_title:
    description: Job title.
    type: str
  company:
    description: Company.
    type: str
  street_address:
    description: Street address.
    type: str
  city:
    description: City.
    type: str
  province:
    description: State or province.
    type: str
  postal_code:
    description: Postal code.
    type: str
  country:
    description: Country or region, as Exchange names it (for example C(United States)).
    type: str
  phone:
    description: Business phone. An empty string clears it.
    type: str
  mobile_phone:
    description: Mobile phone. An empty string clears it.
    type: str
  website:
    description: Web page.
    type: str
  mail_tip:
    description: The MailTip Outlook shows to people writing to the contact (compared as text, without HTML).
    type: str
  hidden_from_gal:
    description: Hide the contact from the global address list.
    type: bool
notes:
  - CIPP cannot clear a contact's fields other than O(phone) and O(mobile_phone); an empty value for another field
    that has a value fails the task before any write.
  - The email address identifies the contact and is not changed by this module; to move a contact to a new address,
    create the new one and delete the old one.
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
'''

EXAMPLES = r'''
- name: The accountants, in Contoso's address book
  cipp.cipp.contact:
    tenant: contoso.com
    email: office@northwind-accounting.example
    display_name: Northwind Accounting
    company: Northwind Accounting LLP
    phone: "+1 206 555 0142"
    mail_tip: External accountants - do not send payroll data by mail.

- name: Hide a contact from the address book
  cipp.cipp.contact:
    tenant: contoso.com
    email: sales@fabrikam.com
    hidden_from_gal: true

- name: Remove a contact
  cipp.cipp.contact:
    tenant: contoso.com
    email: office@northwind-accounting.example
    state: absent
'''

RETURN = r'''
contact:
  description: The contact after the task (in check mode, as it would be).
  returned: when the contact exists after the task
  type: dict
  contains:
    id:
      description: Exchange GUID of the contact.
      type: str
      sample: 7f1d2e3c-0001-4a01-8a01-00000000e001
    email:
      description: External email address.
      type: str
      sample: office@northwind-accounting.example
    display_name:
      description: Display name.
      type: str
      sample: Northwind Accounting
    company:
      description: Company.
      type: str
      sample: Northwind Accounting LLP
    phone:
      description: Business phone.
      type: str
      sample: "+1 206 555 0142"
    mail_tip:
      description: MailTip as text.
      type: str
      sample: External accountants - do not send payroll data by mail.
    hidden_from_gal:
      description: Hidden from the global address list.
      type: bool
      sample: false
  sample: {"id": "7f1d2e3c-0001-4a01-8a01-00000000e001", "email": "office@northwind-accounting.example",
           "display_name": "Northwind Accounting", "hidden_from_gal": false}
changes:
  description: The options that differed and were (or in check mode would be) written.
  returned: when the contact existed and was changed
  type: list
  elements: str
  sample: [phone]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_contacts import ARGUMENT_SPEC, ContactResource
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant="required")
    cipp.run(lambda module: ContactResource(module).run())


if __name__ == "__main__":
    main()
