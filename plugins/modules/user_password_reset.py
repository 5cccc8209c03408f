#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: user_password_reset
short_description: Reset a user's password through CIPP
version_added: 1.0.0
description:
  - Resets the password of one user with CIPP's C(ExecResetPass); CIPP generates the new password and the
    module returns it as RV(password), masked in logs.
  - This is an action, not a state; it reports RV(ignore:changed=true) every time it runs and makes no request
    in check mode.
  - For directory-synced users CIPP submits the reset through password writeback; it is applied
    asynchronously and always requires a change at next sign-in.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  user_principal_name:
    description: The user, by UPN.
    type: str
    required: true
    aliases: [upn]
  must_change:
    description: Make the user choose a new password at the next sign-in.
    type: bool
    default: true
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: In check mode the user is looked up, nothing is reset, and RV(ignore:changed=true) is predicted.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
'''

EXAMPLES = r'''
- name: Reset a password and keep it out of the logs
  cipp.cipp.user_password_reset:
    tenant: contoso.com
    upn: megan.bowen@contoso.com
  register: reset
  no_log: true
'''

RETURN = r'''
password:
  description: The new password CIPP generated (masked in Ansible's output).
  returned: changed and not in check mode
  type: str
  sample: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER
messages:
  description: CIPP's messages, with the password masked.
  returned: changed and not in check mode
  type: list
  elements: str
  sample: ["Successfully reset the password for Megan Bowen, megan.bowen@contoso.com. User must change password is set to True."]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._user_actions import run_user_action

ARGUMENT_SPEC = dict(
    user_principal_name=dict(type="str", required=True, aliases=["upn"]),
    must_change=dict(type="bool", default=True),
)


def request(user: dict, params: dict) -> tuple:
    return "ExecResetPass", {"ID": user["userPrincipalName"], "displayName": user.get("displayName"),
                             "MustChange": "true" if params["must_change"] else "false"}


def main():
    run_user_action(ARGUMENT_SPEC, request, returns_password=True)


if __name__ == "__main__":
    main()
