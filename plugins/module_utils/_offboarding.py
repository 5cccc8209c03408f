# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offboarding a user through CIPP's ``ExecOffboardUser`` wizard: which steps are still
needed (read from the user, their groups and their mailbox), the request in the shape
the backend reads, and the outcome read back from the scheduled task CIPP runs. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippApiError, CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._results import result_failures, result_messages
from ansible_collections.cipp.cipp.plugins.module_utils._shapes import label_value
from ansible_collections.cipp.cipp.plugins.module_utils._users import check_upn, find_user

# option: ExecOffboardUser flag, for steps whose effect can be read back
STATEFUL_STEPS = {
    "disable_sign_in": "DisableSignIn",
    "remove_licenses": "RemoveLicenses",
    "remove_groups": "RemoveGroups",
    "convert_to_shared": "ConvertToShared",
    "hide_from_gal": "HideFromGAL",
    "disable_forwarding": "disableForwarding",
    "clear_immutable_id": "ClearImmutableId",
    "delete_user": "DeleteUser",
}
# option: flag, for steps CIPP offers whose effect cannot be read through CIPP
ACTION_STEPS = {
    "revoke_sessions": "RevokeSessions",
    "reset_password": "ResetPass",
    "remove_mfa_devices": "RemoveMFADevices",
    "remove_mobile_devices": "RemoveMobile",
    "remove_rules": "RemoveRules",
    "remove_calendar_invites": "removeCalendarInvites",
    "remove_permissions": "removePermissions",
    "remove_calendar_permissions": "removeCalendarPermissions",
    "disable_onedrive_sharing": "DisableOneDriveSharing",
    "remove_teams_phone_number": "RemoveTeamsPhoneDID",
}
ACCESS_LISTS = {"mailbox_access": "AccessAutomap", "mailbox_access_no_automap": "AccessNoAutomap",
                "onedrive_access": "OnedriveAccess"}
DONE_STATES = ("completed", "failed")
WAIT_POLL_START, WAIT_POLL_MAX = 1.0, 5.0


class Offboarding:
    def __init__(self, cipp):
        self.cipp = cipp
        self.client = cipp.client
        self.params = cipp.params
        self.tenant = cipp.resolve_tenant()["defaultDomainName"]
        self.upn = check_upn(self.params["user_principal_name"], "user_principal_name")
        if self.params["forward_to"]:
            check_upn(self.params["forward_to"], "forward_to")
        if self.params["forward_to"] and self.params["disable_forwarding"]:
            raise CippConfigError("options 'forward_to' and 'disable_forwarding' exclude each other",
                                  option="forward_to")
        for option in ACCESS_LISTS:
            for who in self.params[option] or []:
                check_upn(who, option)
        self._mailbox = None

    # ------------------------------------------------------------------ current state
    def read_state(self) -> dict | None:
        user = find_user(self.client, self.tenant, upn=self.upn)
        if user is None:
            return None
        state = {"account_enabled": user.get("accountEnabled"),
                 "licenses": len(user.get("assignedLicenses") or []),
                 "immutable_id": user.get("onPremisesImmutableId")}
        if self.params["remove_groups"]:
            groups = self.client.call("ListUserGroups", params={"tenantFilter": self.tenant, "userId": user["id"]}).data
            state["groups"] = [g for g in groups or [] if isinstance(g, dict) and not _is_dynamic(g)]
        if self._needs_mailbox():
            state["mailbox"] = self._read_mailbox()
        if self.params["out_of_office"] is not None:
            state["ooo"] = self.client.call("ListOoO", params={"tenantFilter": self.tenant, "userid": self.upn}).data
        return state

    def _needs_mailbox(self) -> bool:
        p = self.params
        return bool(p["convert_to_shared"] or p["hide_from_gal"] or p["forward_to"] or p["disable_forwarding"])

    def _read_mailbox(self):
        rows = self.client.call("ListMailboxes", params={"tenantFilter": self.tenant}).data or []
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and str(row.get("UPN") or row.get("primarySmtpAddress") or "").lower() == self.upn.lower():
                return row
        return None

    # ------------------------------------------------------------------ planning
    def planned_steps(self, state: dict) -> list:
        """The requested steps that are not done yet, in option names."""
        p = self.params
        if state is None:
            return []
        done = {
            "disable_sign_in": state["account_enabled"] is False,
            "remove_licenses": state["licenses"] == 0,
            "remove_groups": not state.get("groups"),
            "clear_immutable_id": not state["immutable_id"],
            "delete_user": False,
        }
        mailbox = state.get("mailbox")
        if self._needs_mailbox():
            done.update(
                convert_to_shared=mailbox is not None and mailbox.get("recipientTypeDetails") == "SharedMailbox",
                hide_from_gal=mailbox is not None and bool(mailbox.get("HiddenFromAddressListsEnabled")),
                disable_forwarding=mailbox is not None and not _forwarding_target(mailbox),
            )
        steps = [option for option in STATEFUL_STEPS if p[option] and not done.get(option, False)]
        if p["forward_to"] and not self._forwarding_matches(mailbox):
            steps.append("forward_to")
        if p["out_of_office"] is not None and not self._ooo_matches(state.get("ooo")):
            steps.append("out_of_office")
        readable_requested = any(p[o] for o in STATEFUL_STEPS) or p["forward_to"] or p["out_of_office"] is not None
        # Steps CIPP cannot read back ride along with the first run that still has work to do;
        # when every readable step is done, the offboarding is done and they are not repeated.
        if steps or not readable_requested:
            steps.extend(option for option in ACTION_STEPS if p[option])
            steps.extend(option for option in ACCESS_LISTS if p[option])
        return steps

    def _forwarding_matches(self, mailbox) -> bool:
        if not mailbox:
            return False
        target = _forwarding_target(mailbox)
        keep = bool(mailbox.get("DeliverToMailboxAndForward"))
        return target == self.params["forward_to"].lower() and keep == self.params["keep_copy"]

    def _ooo_matches(self, ooo) -> bool:
        if not isinstance(ooo, dict):
            return False
        wanted = self.params["out_of_office"].strip()
        return ooo.get("AutoReplyState") == "Enabled" and _plain(ooo.get("InternalMessage")) == _plain(wanted)

    # ------------------------------------------------------------------ request
    def request_body(self, steps: list) -> dict:
        p = self.params
        body = {"tenantFilter": label_value(self.tenant), "user": [label_value(self.upn)]}
        for option in steps:
            flag = STATEFUL_STEPS.get(option) or ACTION_STEPS.get(option)
            if flag:
                body[flag] = True
            elif option in ACCESS_LISTS:
                body[ACCESS_LISTS[option]] = [label_value(who) for who in p[option]]
        if "forward_to" in steps:
            body["forward"] = label_value(p["forward_to"])
            body["KeepCopy"] = bool(p["keep_copy"])
        if "out_of_office" in steps:
            body["OOO"] = p["out_of_office"]
        return body

    def run(self, state, steps: list) -> dict:
        response = self.client.call("ExecOffboardUser", body=self.request_body(steps))
        outcome = {"messages": response.messages}
        if self.params["wait"]:
            outcome.update(self.wait_for_task())
        return outcome

    def wait_for_task(self) -> dict:
        """Poll CIPP's scheduled task for this offboarding until it completes; its results."""
        name = f"Offboarding: {self.upn}"
        deadline = time.monotonic() + self.params["wait_timeout"]
        delay = WAIT_POLL_START
        while True:
            tasks = self.client.call("ListScheduledItems", params={"Name": name}).data or []
            task = next((t for t in tasks if isinstance(t, dict) and t.get("Name") == name), None)
            if task and str(task.get("TaskState", "")).lower() in DONE_STATES:
                break
            if time.monotonic() + delay > deadline:
                raise CippApiError(f"CIPP's offboarding task '{name}' did not finish within "
                                   f"{self.params['wait_timeout']}s (state: {task.get('TaskState') if task else 'not found'}); "
                                   "it keeps running in CIPP: check Scheduler > Tasks", endpoint="ListScheduledItems")
            time.sleep(delay)
            delay = min(WAIT_POLL_MAX, delay * 2)
        step_results = task.get("Results")
        failures = result_failures({"Results": step_results})
        outcome = {"task_state": task.get("TaskState"), "step_results": result_messages({"Results": step_results})}
        if str(task.get("TaskState")).lower() == "failed" or failures:
            raise CippApiError(f"offboarding {self.upn} failed in CIPP: {'; '.join(failures) or task.get('TaskState')}",
                               endpoint="ExecOffboardUser", step_results=outcome["step_results"])
        return outcome


def _forwarding_target(mailbox: dict) -> str:
    """Where a mailbox forwards to (lower-cased address), or ``""``."""
    for key in ("InternalForwardingAddress", "ForwardingAddress", "ForwardingSmtpAddress"):
        if mailbox.get(key):
            return str(mailbox[key]).split(":", 1)[-1].lower()  # "smtp:x@y" -> "x@y"
    return ""


def _is_dynamic(group: dict) -> bool:
    kinds = group.get("GroupTypes") or group.get("groupTypes") or []
    if isinstance(kinds, str):  # ListUserGroups answers one comma-joined string, Graph a list
        kinds = [kinds]
    return any("DynamicMembership" in str(kind) for kind in kinds)


def _plain(text) -> str:
    """Message text without the HTML Exchange wraps it in, whitespace folded."""
    without_tags = re.sub(r"<[^>]+>", " ", str(text or ""))
    return " ".join(without_tags.replace("&nbsp;", " ").split())
