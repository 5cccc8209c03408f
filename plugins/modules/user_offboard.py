#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: user_offboard
short_description: Offboard a leaver with CIPP's offboarding wizard
version_added: 1.0.0
description:
  - Runs CIPP's offboarding (C(ExecOffboardUser)) for one user with the steps you choose, sending only
    the steps that are not done yet. Each step whose effect CIPP can show (sign-in, licences, groups,
    mailbox type, address-list visibility, forwarding, out-of-office, immutable ID, the user itself) is
    checked first.
  - Steps whose effect cannot be read back through CIPP (revoking sessions, resetting the password, removing
    MFA methods, ...) are sent with the first run that still has a readable step to do. Once every readable
    step is done, the offboarding counts as done and nothing is sent; a task with only such steps runs
    them every time.
  - CIPP runs the offboarding as a scheduled task. With O(wait=true) the module waits for it, returns each
    step's outcome, fails on a failed step, and checks the readable steps by reading the user again.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  user_principal_name:
    description: The leaver, by UPN.
    type: str
    required: true
    aliases: [upn]
  disable_sign_in:
    description: Block sign-in. Done when the account is disabled.
    type: bool
    default: false
  remove_licenses:
    description: Remove every licence. Done when the user has none.
    type: bool
    default: false
  remove_groups:
    description: Remove the user from every group with assigned membership. Done when none is left.
    type: bool
    default: false
  convert_to_shared:
    description: Convert the mailbox to a shared mailbox. Done when it is one.
    type: bool
    default: false
  hide_from_gal:
    description: Hide the mailbox from the address lists. Done when it is hidden.
    type: bool
    default: false
  disable_forwarding:
    description: Turn mail forwarding off. Done when no forwarding is set.
    type: bool
    default: false
  clear_immutable_id:
    description: Clear the on-premises immutable ID (for synced users). Done when it is empty.
    type: bool
    default: false
  delete_user:
    description: Delete the user at the end. Done when the user is gone.
    type: bool
    default: false
  revoke_sessions:
    description: Sign the user out of every session.
    type: bool
    default: false
  reset_password:
    description: Reset the password to a random one.
    type: bool
    default: false
  remove_mfa_devices:
    description: Remove the user's MFA methods.
    type: bool
    default: false
  remove_mobile_devices:
    description: Remove the user's mobile devices from Exchange.
    type: bool
    default: false
  remove_rules:
    description: Remove the user's inbox rules.
    type: bool
    default: false
  remove_calendar_invites:
    description: Cancel the meetings the user organises.
    type: bool
    default: false
  remove_permissions:
    description: Remove the user's permissions on other mailboxes.
    type: bool
    default: false
  remove_calendar_permissions:
    description: Remove the user's permissions on other calendars.
    type: bool
    default: false
  disable_onedrive_sharing:
    description: Stop sharing of the user's OneDrive.
    type: bool
    default: false
  remove_teams_phone_number:
    description: Remove the user's Teams phone number.
    type: bool
    default: false
  forward_to:
    description: Forward the leaver's mail to this user (UPN). Done when forwarding points there.
    type: str
  keep_copy:
    description: With O(forward_to), keep a copy of forwarded mail in the mailbox.
    type: bool
    default: false
  out_of_office:
    description: Turn on an out-of-office reply with this message. Done when that reply is on (HTML markup is ignored in the comparison).
    type: str
  mailbox_access:
    description: Users (UPNs) who get full access to the mailbox, with Outlook automapping.
    type: list
    elements: str
  mailbox_access_no_automap:
    description: Users (UPNs) who get full access to the mailbox, without automapping.
    type: list
    elements: str
  onedrive_access:
    description: Users (UPNs) who get access to the leaver's OneDrive.
    type: list
    elements: str
  wait:
    description: Wait for CIPP's offboarding task to finish and verify the outcome.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait with O(wait=true).
    type: int
    default: 300
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: In check mode the current state is read and RV(steps) lists what would be sent; nothing is sent.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: The diff lists the steps to run.
'''

EXAMPLES = r'''
- name: Offboard a leaver
  cipp.cipp.user_offboard:
    tenant: contoso.com
    upn: alex.wilber@contoso.com
    disable_sign_in: true
    revoke_sessions: true
    remove_licenses: true
    remove_groups: true
    convert_to_shared: true
    hide_from_gal: true
    forward_to: megan.bowen@contoso.com
    keep_copy: true
    out_of_office: Alex has left Contoso. Please contact Megan Bowen.
    mailbox_access: [megan.bowen@contoso.com]
  register: offboarded

- name: Show what was done
  ansible.builtin.debug:
    var: offboarded.step_results
'''

RETURN = r'''
steps:
  description: The steps that were (or in check mode would be) sent, in option names.
  returned: always
  type: list
  elements: str
  sample: [disable_sign_in, remove_licenses, revoke_sessions]
messages:
  description: CIPP's answer to the offboarding request.
  returned: when steps were sent
  type: list
  elements: str
  sample: ["Task Offboarding: alex.wilber@contoso.com scheduled to run now"]
step_results:
  description: The outcome of each step, as CIPP's offboarding task reported it.
  returned: when steps were sent and O(wait=true)
  type: list
  elements: str
  sample: ["Successfully set account enabled state to False for alex.wilber@contoso.com"]
task_state:
  description: The final state of CIPP's scheduled task.
  returned: when steps were sent and O(wait=true)
  type: str
  sample: Completed
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._offboarding import ACCESS_LISTS, ACTION_STEPS, STATEFUL_STEPS
from ansible_collections.cipp.cipp.plugins.module_utils._offboarding import Offboarding
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError, CippResultError
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule

ARGUMENT_SPEC = dict(
    user_principal_name=dict(type="str", required=True, aliases=["upn"]),
    forward_to=dict(type="str"),
    keep_copy=dict(type="bool", default=False),
    out_of_office=dict(type="str"),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=300),
    # no_log=False: "reset_password" is a flag, not a secret (Ansible warns on names like it).
    **{option: dict(type="bool", default=False, no_log=False) for option in list(STATEFUL_STEPS) + list(ACTION_STEPS)},
    **{option: dict(type="list", elements="str") for option in ACCESS_LISTS},
)


def run(cipp: CippModule) -> dict:
    offboarding = Offboarding(cipp)
    state = offboarding.read_state()
    if state is None:
        if cipp.params["delete_user"]:
            return {"changed": False, "steps": []}
        raise CippConfigError(f"option 'user_principal_name': no user {offboarding.upn} in tenant {offboarding.tenant}",
                              option="user_principal_name")
    steps = offboarding.planned_steps(state)
    if not steps and not any(cipp.params[o] for o in STATEFUL_STEPS) and not cipp.params["forward_to"] \
            and cipp.params["out_of_office"] is None:
        raise CippConfigError("no offboarding step selected: set at least one step option, e.g. disable_sign_in",
                              option="disable_sign_in")
    result = {"changed": bool(steps), "steps": steps}
    if cipp.diff_mode:
        result["diff"] = {"before": {"pending_steps": steps}, "after": {"pending_steps": []}}
    if not steps or cipp.check_mode:
        return result
    result.update(offboarding.run(state, steps))
    if cipp.params["wait"]:
        left = offboarding.planned_steps(offboarding.read_state()) if not cipp.params["delete_user"] else []
        left = [step for step in left if step in STATEFUL_STEPS or step in ("forward_to", "out_of_office")]
        if left:
            raise CippResultError(f"CIPP reported the offboarding done, but these steps did not stick: {', '.join(left)}",
                                  not_applied=left, step_results=result.get("step_results"))
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant="required").run(run)


if __name__ == "__main__":
    main()
