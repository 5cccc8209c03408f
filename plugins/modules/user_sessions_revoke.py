#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: user_sessions_revoke
short_description: Sign a user out everywhere through CIPP
version_added: 1.0.0
description:
  - Revokes every refresh token and session of one user with CIPP's C(ExecRevokeSessions).
  - This is an action, not a state; it reports RV(ignore:changed=true) every time it runs and makes no request
    in check mode.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  user_principal_name:
    description: The user, by UPN.
    type: str
    required: true
    aliases: [upn]
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: In check mode the user is looked up, no session is revoked, and RV(ignore:changed=true) is predicted.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
'''

EXAMPLES = r'''
- name: Sign a compromised account out of every session
  cipp.cipp.user_sessions_revoke:
    tenant: contoso.com
    upn: megan.bowen@contoso.com
'''

RETURN = r'''
messages:
  description: CIPP's messages.
  returned: changed and not in check mode
  type: list
  elements: str
  sample: ["Successfully revoked sessions for megan.bowen@contoso.com"]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._user_actions import run_user_action

ARGUMENT_SPEC = dict(
    user_principal_name=dict(type="str", required=True, aliases=["upn"]),
)


def request(user: dict, params: dict) -> tuple:
    return "ExecRevokeSessions", {"id": user["id"], "Username": user["userPrincipalName"]}


def main():
    run_user_action(ARGUMENT_SPEC, request)


if __name__ == "__main__":
    main()
