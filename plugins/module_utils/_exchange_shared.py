# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``cipp.cipp.shared_mailbox`` resource.

AddSharedMailbox reads its tenant from ``tenantID`` (not tenantFilter: a tenantFilter is
ignored and the mailbox is created nowhere), ``username`` + ``domain`` for the address and
``addedAliases`` as newline-separated text. ExecConvertMailbox takes ``ID`` and a
``MailboxType`` of ``Shared``/``Regular``. The account behind a shared mailbox is renamed and
given aliases through EditUser (``username`` and ``primDomain`` on every call, as Set-CIPPUser
rebuilds the UPN from them), and deleted through RemoveUser. Private.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_mailboxes import (
    MailboxDirectory, check_address, normalise_mailbox)
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource
from ansible_collections.cipp.cipp.plugins.module_utils._shapes import label_value

ARGUMENT_SPEC = dict(
    address=dict(type="str", required=True, aliases=["email", "primary_smtp_address"]),
    display_name=dict(type="str", aliases=["name"]),
    aliases=dict(type="list", elements="str"),
    shared=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


class SharedMailboxResource(StatefulResource):
    result_key = "mailbox"
    unordered_fields = ("aliases",)
    case_insensitive_fields = ("aliases",)

    def __init__(self, cipp):
        super().__init__(cipp)
        self.tenant = cipp.resolve_tenant(endpoint="AddSharedMailbox")["defaultDomainName"]
        self.address = check_address(self.params["address"], "address")
        for alias in self.params["aliases"] or []:
            check_address(alias, "aliases")

    def run(self) -> dict:
        current = self.read()
        if self.params["state"] == "absent" and current is not None and not current["shared"]:
            raise CippConfigError(f"option 'state': {self.address} is a {current['type']} mailbox, not a shared one; "
                                  "deleting it would delete its user: use cipp.cipp.user with state: absent for that",
                                  option="state")
        return super().run()

    def read(self):
        row = MailboxDirectory(self.client, self.tenant).find_address(self.address)
        if row is None:
            return None
        mailbox = normalise_mailbox(row)
        return {"address": mailbox["primary_smtp_address"], "user_principal_name": mailbox["user_principal_name"],
                "id": mailbox["id"], "display_name": mailbox["display_name"], "type": mailbox["type"],
                "shared": mailbox["type"] == "shared", "aliases": [a.lower() for a in mailbox["aliases"]]}

    def desired(self) -> dict:
        p = self.params
        aliases = sorted({a.lower() for a in p["aliases"]}) if p["aliases"] is not None else None
        return {"display_name": p["display_name"], "shared": p["shared"], "aliases": aliases}

    def compare(self, current: dict, desired: dict) -> dict:
        changes = super().compare(current, desired)
        if "aliases" in changes:  # aliases are only ever added: extra ones are not a difference
            missing = set(desired["aliases"]) - set(current["aliases"])
            if missing:
                changes["aliases"] = sorted(set(current["aliases"]) | missing)
            else:
                changes.pop("aliases")
        return changes

    def validate(self, current, desired: dict) -> None:
        if current is None and self.params["state"] == "present":
            if not self.params["shared"]:
                raise CippConfigError(f"option 'shared': there is no mailbox {self.address} in {self.tenant}; this module "
                                      "creates shared mailboxes only (a user mailbox comes with a licensed user: "
                                      "cipp.cipp.user)", option="shared")
            if not self.params["display_name"]:
                raise CippConfigError("option 'display_name' is required to create a shared mailbox", option="display_name")

    # ------------------------------------------------------------------ writes
    def create(self, desired: dict) -> None:
        username, domain = self.address.split("@", 1)
        body = {"tenantID": self.tenant, "displayName": desired["display_name"], "username": username, "domain": domain}
        if desired.get("aliases"):
            body["addedAliases"] = "\n".join(desired["aliases"])
        self.client.call("AddSharedMailbox", body=body)

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        if "shared" in changes:
            self.client.call("ExecConvertMailbox", body={
                "tenantFilter": self.tenant, "ID": current["user_principal_name"],
                "MailboxType": "Shared" if changes["shared"] else "Regular"})
        if "display_name" in changes or "aliases" in changes:
            upn = current["user_principal_name"]
            username, domain = upn.split("@", 1)
            body = {"tenantFilter": self.tenant, "id": current["id"], "userPrincipalName": upn, "username": username,
                    "primDomain": label_value(domain)}
            if "display_name" in changes:
                body["DisplayName"] = changes["display_name"]
            if "aliases" in changes:
                body["AddedAliases"] = "\n".join(a for a in changes["aliases"] if a not in current["aliases"])
            self.client.call("EditUser", body=body)

    def delete(self, current: dict) -> None:
        self.client.call("RemoveUser", body={"tenantFilter": self.tenant, "ID": current["id"],
                                             "userPrincipalName": current["user_principal_name"]})
