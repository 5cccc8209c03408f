# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``cipp.cipp.mail_forwarding`` resource: a mailbox's forwarding, compared against the
``ForwardingSmtpAddress`` / ``InternalForwardingAddress`` / ``DeliverToMailboxAndForward`` of
its ListMailboxes row and written through ExecEmailForward.

ExecEmailForward reads ``tenantFilter``, ``userID``, ``forwardOption`` (``internalAddress``,
``ExternalAddress`` or ``disabled``; anything else sets no status and answers a bare 500),
``ForwardInternal`` (``{value}``, or a bare string), ``ForwardExternal`` (a string) and
``KeepCopy`` (only a real ``true`` keeps a copy). Set-CIPPForwarding always sets the whole
forwarding (address, the other address cleared, DeliverToMailboxAndForward), so the module
always sends the whole desired state. Private.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_mailboxes import MailboxDirectory, check_address
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource
from ansible_collections.cipp.cipp.plugins.module_utils._shapes import label_value

FORWARD_OPTIONS = {"internal": "internalAddress", "external": "ExternalAddress", None: "disabled"}

ARGUMENT_SPEC = dict(
    mailbox=dict(type="str", required=True),
    forward_to=dict(type="str"),
    forward_type=dict(type="str", choices=["auto", "internal", "external"], default="auto"),
    keep_copy=dict(type="bool"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


class ForwardingResource(StatefulResource):
    result_key = "forwarding"
    case_insensitive_fields = ("forward_to",)

    def __init__(self, cipp):
        super().__init__(cipp)
        p = self.params
        self.tenant = cipp.resolve_tenant(endpoint="ExecEmailForward")["defaultDomainName"]
        self.directory = MailboxDirectory(self.client, self.tenant)
        self.upn = self.directory.require(p["mailbox"], "mailbox")["UPN"]
        self.target = None
        self.target_type = None
        self._fresh = False
        if p["state"] == "present":
            if not p["forward_to"]:
                raise CippConfigError("option 'forward_to' is required with state: present (state: absent turns "
                                      "forwarding off)", option="forward_to")
            self.target, self.target_type = self._target(check_address(p["forward_to"], "forward_to"))

    def _target(self, address: str) -> tuple:
        """(address to send, internal|external): a mailbox of the tenant is forwarded to internally."""
        row = self.directory.find_address(address)
        kind = self.params["forward_type"]
        if kind == "auto":
            kind = "internal" if row is not None else "external"
        if row is not None and kind == "internal":
            address = row.get("UPN") or row.get("primarySmtpAddress")
        if str(address).lower() == self.upn.lower():
            raise CippConfigError(f"option 'forward_to': {self.upn} cannot forward to itself", option="forward_to")
        return address, kind

    def run(self) -> dict:
        # Forwarding always exists as a setting of the mailbox: absent means "off".
        return self._present(self.read())

    def read(self):
        # The first read reuses the list read to check the options; later reads (verification) are fresh.
        directory = MailboxDirectory(self.client, self.tenant) if self._fresh else self.directory
        self._fresh = True
        row = directory.find_address(self.upn)
        if row is None:
            raise CippConfigError(f"option 'mailbox': no mailbox {self.upn} in tenant {self.tenant}", option="mailbox")
        internal = row.get("InternalForwardingAddress")
        external = row.get("ForwardingSmtpAddress")
        # Without a forwarding address DeliverToMailboxAndForward means nothing: shown as false.
        forwarding = {"mailbox": self.upn, "enabled": bool(internal or external), "forward_to": "",
                      "forward_type": "", "keep_copy": bool((internal or external) and row.get("DeliverToMailboxAndForward"))}
        if internal:
            forwarding.update(forward_to=directory.upn_of(internal), forward_type="internal")
        elif external:
            forwarding.update(forward_to=str(external).replace("smtp:", "").replace("SMTP:", ""), forward_type="external")
        return forwarding

    def desired(self) -> dict:
        if self.params["state"] == "absent":
            return {"enabled": False, "forward_to": "", "forward_type": "", "keep_copy": False}
        return {"enabled": True, "forward_to": self.target, "forward_type": self.target_type,
                "keep_copy": self.params["keep_copy"]}

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        body = {"tenantFilter": self.tenant, "userID": self.upn}
        if not desired["enabled"]:
            body["forwardOption"] = FORWARD_OPTIONS[None]
        else:
            keep = desired["keep_copy"]
            if keep is None:  # unmanaged: keep what the mailbox does now
                keep = bool(current["keep_copy"]) if current["enabled"] else False
            body.update(forwardOption=FORWARD_OPTIONS[desired["forward_type"]], KeepCopy=keep)
            if desired["forward_type"] == "internal":
                body["ForwardInternal"] = label_value(desired["forward_to"])
            else:
                body["ForwardExternal"] = desired["forward_to"]
        self.client.call("ExecEmailForward", body=body)
