#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: user
short_description: Manage a Microsoft 365 user through CIPP
version_added: 1.0.0
description:
  - Creates, updates or deletes one user of a customer tenant, declaratively. Only the options you set are
    compared and written; a rerun with nothing to change makes no write.
  - A write is reported done only when a fresh read shows it (CIPP reports success for writes that did
    nothing); the read is retried for up to 30 seconds because Microsoft Graph is eventually consistent.
  - Uses CIPP's C(ListUsers), C(AddUser), C(EditUser), C(ExecDisableUser) and C(RemoveUser) endpoints.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  user_principal_name:
    description:
      - The user's UPN; identifies the user, and is the UPN a new user gets.
      - Required unless O(id) is given. With O(id), a different UPN renames the user.
    type: str
    aliases: [upn]
  id:
    description: The user's object ID.
    type: str
  state:
    description: Whether the user should exist.
    type: str
    choices: [present, absent]
    default: present
  display_name:
    description: Display name. Required to create a user.
    type: str
  given_name:
    description: First name.
    type: str
  surname:
    description: Last name.
    type: str
  job_title:
    description: Job title. An empty string clears it.
    type: str
  department:
    description: Department. An empty string clears it.
    type: str
  company_name:
    description: Company name. An empty string clears it.
    type: str
  street_address:
    description: Street address. An empty string clears it.
    type: str
  city:
    description: City. An empty string clears it.
    type: str
  province:
    description: State or province (Graph's C(state)). An empty string clears it.
    type: str
  postal_code:
    description: Postal code. An empty string clears it.
    type: str
  country:
    description: Country or region. An empty string clears it.
    type: str
  mobile_phone:
    description: Mobile phone number. An empty string clears it.
    type: str
  business_phones:
    description: Business phone numbers. An empty list clears them.
    type: list
    elements: str
  usage_location:
    description: Two-letter country code where the user uses services; needed before licences can be assigned.
    type: str
  mail_nickname:
    description:
      - Mail nickname. CIPP's AddUser and EditUser set it to the part of the UPN before C(@) on every create and
        edit, so that is the only value it can have after a write; any other value fails before anything is sent.
      - Given as it is (an export of a user whose nickname differs), it is compared and reports no change as long as
        nothing else of the user needs a write; an edit of a user whose nickname differs shows the reset in the diff.
    type: str
  other_mails:
    description: Other e-mail addresses of the user (compared as a set); each must be an ASCII e-mail address.
    type: list
    elements: str
  account_enabled:
    description: Whether the user can sign in.
    type: bool
  password:
    description:
      - Password for a new user; without it CIPP generates one, returned as RV(generated_password).
      - Used on existing users only with O(update_password=always).
    type: str
  update_password:
    description: V(on_create) sets O(password) only when the user is created; V(always) sets it on every run (always a change).
    type: str
    choices: [on_create, always]
    default: on_create
  force_change_password:
    description: Make the user change the password at the next sign-in (with a password being set).
    type: bool
    default: false
  licenses:
    description:
      - Licences the user should have, as SKU part numbers (C(SPE_E3)), friendly names or SKU IDs.
      - A licence the tenant has no free seat for fails the task before anything is written.
    type: list
    elements: str
  purge_licenses:
    description: Remove licences not listed in O(licenses). By default, unlisted licences are left alone.
    type: bool
    default: false
  manager:
    description: The user's manager (UPN or object ID).
    type: str
  aliases:
    description:
      - Extra SMTP addresses that should be on the mailbox. Addresses are only added; CIPP has no call that removes one.
        Each must be an ASCII e-mail address (checked before anything is sent).
      - The user needs a mailbox (a licence with Exchange). Without one CIPP answers success but adds nothing,
        and the module fails saying the aliases did not stick.
    type: list
    elements: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
'''

EXAMPLES = r'''
- name: A new starter
  cipp.cipp.user:
    tenant: contoso.com
    user_principal_name: megan.bowen@contoso.com
    display_name: Megan Bowen
    given_name: Megan
    surname: Bowen
    job_title: Marketing Manager
    usage_location: US
    licenses: [SPE_E3]
    manager: adele.vance@contoso.com
    password: "{{ vault_initial_password }}"
    force_change_password: true

- name: Promotion (only the title is compared and written)
  cipp.cipp.user:
    tenant: contoso.com
    upn: megan.bowen@contoso.com
    job_title: Head of Marketing

- name: Block sign-in
  cipp.cipp.user:
    tenant: contoso.com
    upn: megan.bowen@contoso.com
    account_enabled: false

- name: Delete the user
  cipp.cipp.user:
    tenant: contoso.com
    upn: megan.bowen@contoso.com
    state: absent
'''

RETURN = r'''
user:
  description: The user after the task (in check mode, as it would be), in the module's option names.
  returned: when the user exists after the task
  type: dict
  contains:
    id:
      description: Object ID.
      type: str
      sample: 3c2a0a8e-7e9b-4c55-b1b4-0d7c9a1f2e3d
    user_principal_name:
      description: UPN.
      type: str
      sample: megan.bowen@contoso.com
    display_name:
      description: Display name.
      type: str
      sample: Megan Bowen
    account_enabled:
      description: Whether sign-in is allowed.
      type: bool
      sample: true
    licenses:
      description: SKU part numbers of the user's licences.
      type: list
      elements: str
      sample: [SPE_E3]
  sample: {"id": "3c2a0a8e-7e9b-4c55-b1b4-0d7c9a1f2e3d", "user_principal_name": "megan.bowen@contoso.com",
           "display_name": "Megan Bowen", "account_enabled": true, "licenses": ["SPE_E3"]}
changes:
  description: The options that differed and were (or in check mode would be) written.
  returned: when the user existed and was changed
  type: list
  elements: str
  sample: [job_title]
generated_password:
  description: The password CIPP generated for a new user created without O(password). Masked in logs.
  returned: when CIPP generated a password
  type: str
  sample: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._user_resource import ARGUMENT_SPEC, UserResource


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant="required",
                      required_one_of=[("user_principal_name", "id")])
    cipp.run(lambda module: UserResource(module).run_with_extras())


if __name__ == "__main__":
    main()
