# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a tenant's mailboxes through ``ListMailboxes`` and finding one by address.

The spec lists only ``tenantFilter`` and ``UseReportDB`` for ListMailboxes (the Get-Mailbox
pass-through parameters are read dynamically and are not part of the contract), so every
filter is applied here, on the whole list. Exchange names recipients by identity (display
name or alias) in places such as ``ForwardingAddress`` and ``GrantSendOnBehalfTo``; the
directory maps those names back to UPNs. Private: the interface may change in any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError

ADDRESS = re.compile(r"^[^@\s'\"<>,;()]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# recipientTypeDetails -> the collection's short name
MAILBOX_TYPES = {"UserMailbox": "user", "SharedMailbox": "shared", "RoomMailbox": "room",
                 "EquipmentMailbox": "equipment", "SchedulingMailbox": "scheduling", "DiscoveryMailbox": "discovery"}


def check_address(value, option: str) -> str:
    """A syntactically valid email address, or a CippConfigError naming the option."""
    text = str(value or "").strip()
    if not ADDRESS.match(text):
        raise CippConfigError(f"option '{option}': {value!r} is not an email address such as adele.vance@contoso.com",
                              option=option)
    return text


def list_mailboxes(client, tenant: str, report_db: bool = False) -> list:
    """Every mailbox of ``tenant`` as ListMailboxes returns it (``UseReportDB`` reads CIPP's cache)."""
    params = {"tenantFilter": tenant}
    if report_db:
        params["UseReportDB"] = True
    data = client.call("ListMailboxes", params=params).data
    rows = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return [row for row in rows if isinstance(row, dict) and (row.get("UPN") or row.get("primarySmtpAddress"))]


def _split(text) -> list:
    if isinstance(text, list):
        return sorted(str(t).strip() for t in text if str(t).strip())
    return sorted(part.strip() for part in str(text or "").split(",") if part.strip())


def _size(row: dict):
    value = row.get("storageUsedInBytes") if row.get("storageUsedInBytes") is not None else row.get("TotalItemSize")
    try:
        return int(str(value)) if value is not None and str(value).strip() else None
    except ValueError:
        return None


def normalise_mailbox(row: dict) -> dict:
    """A ListMailboxes row in the collection's vocabulary."""
    details = row.get("recipientTypeDetails") or row.get("RecipientTypeDetails")
    mailbox = {
        "id": row.get("ExternalDirectoryObjectId"), "user_principal_name": row.get("UPN"),
        "display_name": row.get("displayName"), "primary_smtp_address": row.get("primarySmtpAddress"),
        "alias": row.get("Id"), "type": MAILBOX_TYPES.get(details, str(details or "").lower() or None),
        "recipient_type_details": details, "aliases": _split(row.get("AdditionalEmailAddresses")),
        "forwarding_smtp_address": row.get("ForwardingSmtpAddress") or None,
        "forwarding_address": row.get("InternalForwardingAddress") or None,
        "deliver_to_mailbox_and_forward": bool(row.get("DeliverToMailboxAndForward")),
        "hidden_from_gal": bool(row.get("HiddenFromAddressListsEnabled")),
        "archive_enabled": bool(row.get("ArchiveEnabled")),
        "litigation_hold_enabled": bool(row.get("LitigationHoldEnabled")),
        "size_bytes": _size(row),
    }
    if row.get("Tenant"):
        mailbox["tenant"] = row["Tenant"]
    return mailbox


class MailboxDirectory:
    """The mailboxes of one tenant, read once, searchable by address, alias, name or object id."""

    def __init__(self, client, tenant: str):
        self.tenant = tenant
        self.rows = list_mailboxes(client, tenant)

    def find_address(self, ref: str):
        """The row whose UPN, primary SMTP address, secondary address or object id is ``ref``."""
        wanted = str(ref or "").strip().lower()
        for row in self.rows:
            addresses = [row.get("UPN"), row.get("primarySmtpAddress"), row.get("ExternalDirectoryObjectId")]
            addresses += _split(row.get("AdditionalEmailAddresses"))
            if wanted in {str(a).lower() for a in addresses if a}:
                return row
        return None

    def find(self, ref: str):
        """As ``find_address``, then by alias or display name (how Exchange names recipients)."""
        row = self.find_address(ref)
        if row is not None:
            return row
        wanted = str(ref or "").strip().lower()
        for key in ("Id", "displayName"):
            for candidate in self.rows:
                if str(candidate.get(key) or "").lower() == wanted:
                    return candidate
        return None

    def require(self, ref: str, option: str) -> dict:
        """The mailbox ``ref`` (an address), or a CippConfigError naming ``option``."""
        row = self.find_address(check_address(ref, option))
        if row is None:
            raise CippConfigError(f"option '{option}': no mailbox {ref} in tenant {self.tenant}", option=option)
        return row

    def upn_of(self, name):
        """The UPN of the recipient Exchange calls ``name``, or ``name`` itself when unknown."""
        row = self.find(name) if name else None
        return (row.get("UPN") or row.get("primarySmtpAddress")) if row else name
