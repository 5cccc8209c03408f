# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mail contacts: ListContacts (the list, or one contact's details with ``id``) and the
``cipp.cipp.contact`` resource over AddContact / EditContact / RemoveContact.

The three writes spell their fields differently, as their handlers read them: AddContact
takes the tenant as ``tenantid`` and ``lastName``; EditContact ``tenantID``, ``ContactID`` and
``LastName``; RemoveContact ``tenantFilter``, ``GUID`` and ``Mail``. EditContact drops blank
values (a field cannot be cleared) except ``phone`` and ``mobilePhone``, which it clears when
sent empty. ListContacts answers a bare object, not a list, when the tenant has one contact,
and strips HTML from the mail tip. Private.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_mailboxes import check_address
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource

# option: (AddContact field, EditContact field, EditContact can clear it)
FIELDS = {
    "display_name": ("displayName", "displayName", False),
    "first_name": ("firstName", "firstName", False),
    "last_name": ("lastName", "LastName", False),
    "job_title": ("Title", "Title", False),
    "company": ("Company", "Company", False),
    "street_address": ("StreetAddress", "StreetAddress", False),
    "city": ("City", "City", False),
    "province": ("State", "State", False),
    "postal_code": ("PostalCode", "PostalCode", False),
    "country": ("CountryOrRegion", "CountryOrRegion", False),
    "phone": ("phone", "phone", True),
    "mobile_phone": ("mobilePhone", "mobilePhone", True),
    "website": ("website", "website", False),
    "mail_tip": ("mailTip", "mailTip", False),
}
TAG = re.compile(r"<[^>]+>")

ARGUMENT_SPEC = dict(
    email=dict(type="str", required=True, aliases=["mail", "external_email_address"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    hidden_from_gal=dict(type="bool"),
    **{name: dict(type="str") for name in FIELDS},
)


def list_contacts(client, tenant: str) -> list:
    """The tenant's mail contacts (ListContacts list rows)."""
    data = client.call("ListContacts", params={"tenantFilter": tenant}).data
    rows = data if isinstance(data, list) else [data] if isinstance(data, dict) else []  # one contact: no array
    return [row for row in rows if isinstance(row, dict) and row.get("Guid")]


def contact_details(client, tenant: str, guid: str) -> dict:
    """One contact's details (ListContacts with ``id``)."""
    data = client.call("ListContacts", params={"tenantFilter": tenant, "id": guid}).data
    return data if isinstance(data, dict) else {}


def summarise(row: dict) -> dict:
    """A ListContacts list row in the collection's vocabulary."""
    return {"id": row.get("Guid"), "graph_id": row.get("graphId"), "email": row.get("WindowsEmailAddress"),
            "display_name": row.get("DisplayName"), "first_name": row.get("FirstName"), "last_name": row.get("LastName"),
            "company": row.get("Company"), "department": row.get("Department"), "city": row.get("City"),
            "dir_synced": bool(row.get("IsDirSynced"))}


def _phone(details: dict, kind: str) -> str:
    for phone in details.get("phones") or []:
        if isinstance(phone, dict) and phone.get("type") == kind:
            return phone.get("number") or ""
    return ""


def normalise_details(guid: str, details: dict) -> dict:
    """A contact's details (ListContacts ``id``) in the module's vocabulary ("" for empty)."""
    address = (details.get("addresses") or [{}])[0] or {}
    contact = {
        "id": guid, "email": details.get("mail") or "", "display_name": details.get("displayName"),
        "first_name": details.get("givenName"), "last_name": details.get("surname"), "job_title": details.get("jobTitle"),
        "company": details.get("companyName"), "street_address": address.get("street"), "city": address.get("city"),
        "province": address.get("state"), "postal_code": address.get("postalCode"),
        "country": address.get("countryOrRegion"), "phone": _phone(details, "business"),
        "mobile_phone": _phone(details, "mobile"), "website": details.get("website"),
        "mail_tip": TAG.sub("", str(details.get("mailTip") or "")).strip(),
        "hidden_from_gal": bool(details.get("hidefromGAL")), "notes": details.get("notes"),
    }
    return {k: ("" if v is None else v) for k, v in contact.items()}


class ContactResource(StatefulResource):
    result_key = "contact"
    case_insensitive_fields = ("email", "country")

    def __init__(self, cipp):
        super().__init__(cipp)
        self.email = check_address(self.params["email"], "email")
        self.tenant = cipp.resolve_tenant(endpoint="AddContact")["defaultDomainName"]

    def read(self):
        row = next((r for r in list_contacts(self.client, self.tenant)
                    if str(r.get("WindowsEmailAddress") or "").lower() == self.email.lower()), None)
        if row is None:
            return None
        return normalise_details(row["Guid"], contact_details(self.client, self.tenant, row["Guid"]))

    def desired(self) -> dict:
        p = self.params
        wanted = {option: p[option] for option in FIELDS}
        if p["mail_tip"] is not None:
            wanted["mail_tip"] = TAG.sub("", p["mail_tip"]).strip()
        wanted.update(email=self.email, hidden_from_gal=p["hidden_from_gal"])
        return wanted

    def validate(self, current, desired: dict) -> None:
        if current is None and self.params["state"] == "present" and not self.params["display_name"]:
            raise CippConfigError("option 'display_name' is required to create a contact", option="display_name")
        for option, (_add, _edit, clearable) in FIELDS.items():
            if desired.get(option) == "" and not clearable and (current or {}).get(option):
                raise CippConfigError(f"option '{option}' cannot be cleared through CIPP (EditContact drops empty "
                                      "values)", option=option)

    # ------------------------------------------------------------------ writes
    def create(self, desired: dict) -> None:
        body = {"tenantid": self.tenant, "email": self.email}
        for option, (field, _edit, _clearable) in FIELDS.items():
            if desired.get(option):
                body[field] = desired[option]
        if desired.get("hidden_from_gal"):
            body["hidefromGAL"] = True
        self.client.call("AddContact", body=body)

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        # displayName is sent on every edit: CIPP's answer names the contact by it.
        body = {"tenantID": self.tenant, "ContactID": current["id"],
                "displayName": changes.get("display_name") or current["display_name"]}
        for option, (_add, field, clearable) in FIELDS.items():
            if option in changes and (changes[option] or clearable):
                body[field] = changes[option]
        if "hidden_from_gal" in changes:
            body["hidefromGAL"] = changes["hidden_from_gal"]
        self.client.call("EditContact", body=body)

    def delete(self, current: dict) -> None:
        self.client.call("RemoveContact", body={"tenantFilter": self.tenant, "GUID": current["id"], "Mail": current["email"]})
