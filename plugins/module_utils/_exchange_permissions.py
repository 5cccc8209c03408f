# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``cipp.cipp.mailbox_permission`` resource: FullAccess, SendAs and SendOnBehalf of one
mailbox, read through ListmailboxPermissions and written through ExecEditMailboxPermissions.

ExecEditMailboxPermissions reads ``tenantfilter`` and ``userID`` (the mailbox) and, per
permission, a bucket of ``{value: <user>}`` objects: ``AddFullAccess``,
``AddFullAccessNoAutoMap``, ``RemoveFullAccess``, ``AddSendAs``, ``RemoveSendAs``,
``AddSendOnBehalf``, ``RemoveSendOnBehalf`` (``$Request.body.($Bucket.Bucket).value``: a
bare string is dropped). The spec, generated from the handler's syntax tree, cannot see
those dynamically named keys, so the manifest check here accepts exactly them.
Private.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_mailboxes import MailboxDirectory, check_address
from ansible_collections.cipp.cipp.plugins.module_utils._manifest import UNKNOWN_KEY, check_request
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource
from ansible_collections.cipp.cipp.plugins.module_utils._shapes import label_value
from ansible_collections.cipp.cipp.plugins.module_utils._users import find_user

ENDPOINT = "ExecEditMailboxPermissions"
# option: (Exchange right, add bucket, remove bucket)
LEVELS = {
    "full_access": ("FullAccess", "AddFullAccess", "RemoveFullAccess"),
    "send_as": ("SendAs", "AddSendAs", "RemoveSendAs"),
    "send_on_behalf": ("SendOnBehalf", "AddSendOnBehalf", "RemoveSendOnBehalf"),
}
NO_AUTOMAP_BUCKET = "AddFullAccessNoAutoMap"
BUCKETS = frozenset([b for _right, add, remove in LEVELS.values() for b in (add, remove)] + [NO_AUTOMAP_BUCKET])

ARGUMENT_SPEC = dict(
    mailbox=dict(type="str", required=True),
    full_access=dict(type="list", elements="str"),
    send_as=dict(type="list", elements="str"),
    send_on_behalf=dict(type="list", elements="str"),
    purge=dict(type="bool", default=False),
    auto_map=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def parse_permissions(rows, upn_of) -> dict:
    """ListmailboxPermissions rows -> ``{option: sorted UPNs}``.

    Rows are ``{User, Permissions}`` with Permissions a comma-joined string (mailbox
    permissions), an array (recipient permissions) or ``SendOnBehalf``. Entries for
    ``NT AUTHORITY\\SELF`` and for principals that are not users (admin groups, SIDs) are
    not managed.
    """
    rights = {right.lower(): option for option, (right, _a, _r) in LEVELS.items()}
    found = {option: set() for option in LEVELS}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not row.get("User"):
            continue
        user = upn_of(str(row["User"]))
        if "@" not in str(user) or str(user).upper().startswith("NT AUTHORITY"):
            continue
        granted = row.get("Permissions")
        tokens = granted if isinstance(granted, list) else str(granted or "").split(",")
        for token in tokens:
            option = rights.get(str(token).strip().lower())
            if option:
                found[option].add(str(user).lower())
    return {option: sorted(users) for option, users in found.items()}


class MailboxPermissionResource(StatefulResource):
    result_key = "permissions"
    unordered_fields = tuple(LEVELS)
    case_insensitive_fields = tuple(LEVELS)

    def __init__(self, cipp):
        super().__init__(cipp)
        p = self.params
        if not any(p[option] is not None for option in LEVELS):
            raise CippConfigError("one of the options full_access, send_as, send_on_behalf is required", option="full_access")
        if p["purge"] and p["state"] == "absent":
            raise CippConfigError("option 'purge' applies to state: present only; state: absent removes just the users listed",
                                  option="purge")
        self.tenant = cipp.resolve_tenant(endpoint="ExecEditMailboxPermissions")["defaultDomainName"]
        self.directory = MailboxDirectory(self.client, self.tenant)
        self.mailbox = self.directory.require(p["mailbox"], "mailbox")
        self.upn = self.mailbox.get("UPN") or self.mailbox.get("primarySmtpAddress")
        self.wanted = {option: self._resolve(option) for option in LEVELS if p[option] is not None}
        self._current = None

    def _resolve(self, option: str) -> list:
        """The canonical (lower-case) UPNs of the users listed in ``option``; unknown users fail."""
        names = []
        for given in self.params[option]:
            check_address(given, option)
            row = self.directory.find_address(given)
            if row is not None:
                names.append(str(row.get("UPN") or row.get("primarySmtpAddress")).lower())
                continue
            user = find_user(self.client, self.tenant, upn=given)
            if user is None:
                raise CippConfigError(f"option '{option}': no user or mailbox {given} in tenant {self.tenant}", option=option)
            names.append(str(user.get("userPrincipalName") or given).lower())
        return sorted(set(names))

    def run(self) -> dict:
        # The permissions of an existing mailbox always "exist": state only says whether the
        # users listed are granted or removed, so every run is a present-style convergence.
        self._current = self.read()
        return self._present(self._current)

    def read(self):
        rows = self.client.call("ListmailboxPermissions", params={"tenantFilter": self.tenant, "userId": self.upn}).data
        return dict(parse_permissions(rows, self.directory.upn_of), mailbox=self.upn)

    def desired(self) -> dict:
        wanted = {}
        for option, users in self.wanted.items():
            have = set(self._current[option])
            if self.params["state"] == "absent":
                wanted[option] = sorted(have - set(users))
            elif self.params["purge"]:
                wanted[option] = list(users)
            else:
                wanted[option] = sorted(have | set(users))
        return wanted

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        body = {"tenantfilter": self.tenant, "userID": self.upn}
        for option, wanted in changes.items():
            _right, add_bucket, remove_bucket = LEVELS[option]
            have = set(current[option])
            to_add = [u for u in wanted if u not in have]
            to_remove = sorted(have - set(wanted))
            if option == "full_access" and not self.params["auto_map"]:
                add_bucket = NO_AUTOMAP_BUCKET
            if to_add:
                body[add_bucket] = [label_value(u) for u in to_add]
            if to_remove:
                body[remove_bucket] = [label_value(u) for u in to_remove]
        send_with_bucket_keys(self.client, body)


def send_with_bucket_keys(client, body: dict):
    """Send ExecEditMailboxPermissions after the manifest check, minus the bucket keys the spec misses."""
    findings = [f for f in check_request(ENDPOINT, None, body)
                if not (f.kind == UNKNOWN_KEY and f.field.split(".", 1)[-1] in BUCKETS)]
    if findings:
        lines = [f"{f.field}: {f.message}" + (f" Fix: {f.fix}" if f.fix else "") for f in findings]
        if client.settings.strict:
            raise CippConfigError(f"{ENDPOINT}: request would not do what it says (strict mode): " + " | ".join(lines),
                                  option="strict", endpoint=ENDPOINT, findings=[f.to_dict() for f in findings])
        for line in lines:
            client.warn(f"{ENDPOINT}: {line}")
    return client.call(ENDPOINT, body=body, preflight=False)
