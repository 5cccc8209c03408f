# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``cipp.cipp.user`` resource: option <-> Graph property <-> CIPP body field mapping,
and the AddUser / EditUser / ExecDisableUser / RemoveUser calls in the shapes the backend
reads. Private: the interface may change in any release."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource
from ansible_collections.cipp.cipp.plugins.module_utils._shapes import label_value
from ansible_collections.cipp.cipp.plugins.module_utils._users import (
    check_addresses, check_upn, find_user, is_guid, sku_index, tenant_skus)

# option: (Graph property, body field, can be cleared through EditUser's clearProperties)
PROFILE_FIELDS = {
    "display_name": ("displayName", "DisplayName", False),
    "given_name": ("givenName", "givenName", True),
    "surname": ("surname", "surname", True),
    "job_title": ("jobTitle", "jobTitle", True),
    "department": ("department", "department", True),
    "company_name": ("companyName", "companyName", True),
    "street_address": ("streetAddress", "streetAddress", True),
    "city": ("city", "city", True),
    "province": ("state", "state", True),
    "postal_code": ("postalCode", "postalCode", True),
    "country": ("country", "country", True),
    "mobile_phone": ("mobilePhone", "mobilePhone", True),
    "business_phones": ("businessPhones", "businessPhones", True),
    "mail_nickname": ("mailNickname", "mailNickname", False),
    "other_mails": ("otherMails", "otherMails", True),
}
LIST_FIELDS = ("business_phones", "other_mails")

ARGUMENT_SPEC = dict(
    user_principal_name=dict(type="str", aliases=["upn"]),
    id=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    usage_location=dict(type="str"),
    account_enabled=dict(type="bool"),
    password=dict(type="str", no_log=True),
    update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
    force_change_password=dict(type="bool", default=False, no_log=False),  # a flag, not a secret
    licenses=dict(type="list", elements="str"),
    purge_licenses=dict(type="bool", default=False),
    manager=dict(type="str"),
    aliases=dict(type="list", elements="str"),
    **{name: dict(type="list", elements="str") if name in LIST_FIELDS else dict(type="str")
       for name in PROFILE_FIELDS},
)


class UserResource(StatefulResource):
    result_key = "user"
    write_only_fields = ("password",)
    unordered_fields = ("licenses", "other_mails", "aliases", "business_phones")
    case_insensitive_fields = ("user_principal_name", "manager", "aliases", "other_mails", "licenses")

    def __init__(self, cipp, shared: dict | None = None):
        """``shared``: state shared by the users of one bulk task (the tenant's SKUs, seats taken)."""
        super().__init__(cipp)
        self.tenant = cipp.resolve_tenant()["defaultDomainName"]
        self._shared = shared if shared is not None else {}
        upn = self.params["user_principal_name"]
        self.upn = check_upn(upn, "user_principal_name") if upn else None
        if self.params["id"] and not is_guid(self.params["id"]):
            raise CippConfigError(f"option 'id': {self.params['id']!r} is not an object ID (a GUID)", option="id")
        if self.params["usage_location"] and len(self.params["usage_location"]) != 2:
            raise CippConfigError("option 'usage_location' must be a two-letter country code such as US",
                                  option="usage_location")
        if self.params["business_phones"] and len(self.params["business_phones"]) > 1:
            raise CippConfigError("option 'business_phones': Entra ID keeps one business phone per user",
                                  option="business_phones")
        if any(not str(phone or "").strip() for phone in self.params["business_phones"] or []):
            raise CippConfigError("option 'business_phones': an entry is empty; give the number, or "
                                  "business_phones: [] to clear it", option="business_phones")
        check_addresses(self.params["other_mails"], "other_mails")
        check_addresses(self.params["aliases"], "aliases")
        self._raw = None
        self._skus = None
        self.generated_password = None

    # ------------------------------------------------------------------ read
    def read(self):
        raw = find_user(self.client, self.tenant, upn=None if self.params["id"] else self.upn,
                        object_id=self.params["id"])
        return self.adopt(raw)

    def adopt(self, raw):
        """The current user from a ListUsers / Graph ``users`` row (None: absent), as ``read`` returns it."""
        self._raw = raw
        return self.normalise(raw) if raw else None

    def normalise(self, raw: dict) -> dict:
        user = {"id": raw.get("id"), "user_principal_name": raw.get("userPrincipalName"),
                "account_enabled": raw.get("accountEnabled"),
                "usage_location": raw.get("usageLocation")}
        for option, (graph_key, _field, _clearable) in PROFILE_FIELDS.items():
            value = raw.get(graph_key)
            user[option] = list(value or []) if option in LIST_FIELDS else (value or "")
        if self.params["licenses"] is not None or not self._shared.get("unmanaged_licenses_unnamed"):
            # A bulk task leaves unmanaged licences out: naming them would cost a SKU read.
            user["licenses"] = self._sku_names([lic.get("skuId") for lic in raw.get("assignedLicenses") or []])
        manager = raw.get("manager") or {}
        user["manager"] = manager.get("userPrincipalName") if isinstance(manager, dict) else None
        user["aliases"] = sorted(addr[5:] for addr in raw.get("proxyAddresses") or []
                                 if isinstance(addr, str) and addr.startswith("smtp:"))
        return user

    # ------------------------------------------------------------------ desired
    def desired(self) -> dict:
        p = self.params
        wanted = {option: p[option] for option in PROFILE_FIELDS}
        wanted.update(user_principal_name=self.upn, usage_location=p["usage_location"],
                      account_enabled=p["account_enabled"], manager=p["manager"])
        if p["licenses"] is not None:
            wanted["licenses"] = self._wanted_licenses()
        if p["aliases"] is not None:
            wanted["aliases"] = [a.lower() for a in p["aliases"]]
        wanted["password"] = p["password"]
        return wanted

    def plan_present(self, current) -> dict:
        plan = super().plan_present(current)
        if plan["action"] in ("create", "update"):
            self._mail_nickname_after_write(plan)
        return plan

    def _mail_nickname_after_write(self, plan: dict) -> None:
        """AddUser and EditUser set mailNickname to the user name of the UPN on every write
        (New-CIPPUser, Set-CIPPUser): a different nickname can be neither set nor kept. Refuse
        one before anything is sent, and show the reset an edit makes of a nickname not managed."""
        current = plan["current"] or {}
        upn = plan["changes"].get("user_principal_name") or current.get("user_principal_name") or self.upn
        username = str(upn).split("@", 1)[0]
        wanted = self.params["mail_nickname"]
        if wanted not in (None, "") and wanted != username:
            raise CippConfigError(
                f"option 'mail_nickname': CIPP sets a user's mail nickname to the user name of its UPN "
                f"({username!r}) on every create and edit, so {wanted!r} cannot be set or kept through CIPP; "
                f"leave mail_nickname out or set it to {username!r}", option="mail_nickname")
        if plan["action"] == "update" and "mail_nickname" not in plan["changes"] \
                and current.get("mail_nickname") not in (None, "", username):
            plan["changes"]["mail_nickname"] = username  # what the edit makes of it

    def compare(self, current: dict, desired: dict) -> dict:
        changes = super().compare(current, desired)
        if "aliases" in changes:  # aliases are only ever added: extra ones are not a difference
            missing = [a for a in desired["aliases"] if a.lower() not in {c.lower() for c in current["aliases"]}]
            if missing:
                changes["aliases"] = sorted(set(current["aliases"]) | set(missing))
            else:
                changes.pop("aliases")
        return changes

    def extra_changes(self, current: dict, desired: dict) -> dict:
        if desired.get("password") and self.params["update_password"] == "always":
            return {"password": desired["password"]}
        return {}

    def validate(self, current, desired: dict) -> None:
        if current is None and self.params["state"] == "present":
            if not self.upn:
                raise CippConfigError("option 'user_principal_name' is required to create a user", option="user_principal_name")
            if not self.params["display_name"]:
                raise CippConfigError("option 'display_name' is required to create a user", option="display_name")
        if desired.get("licenses") is not None:
            have = set(current["licenses"]) if current else set()
            self._check_free_seats([sku for sku in desired["licenses"] if sku not in have])

    # ------------------------------------------------------------------ licences
    def _sku_rows(self, fresh=False) -> list:
        if fresh and self._shared.get("fresh_skus") is not None:  # one fresh seat count per bulk task
            self._skus = self._shared["fresh_skus"]
        elif self._skus is None or fresh:
            self._skus = self._shared.get("skus") if not fresh else None
            if self._skus is None:
                self._skus = tenant_skus(self.client, self.tenant, fresh=fresh)
            self._shared["skus"] = self._skus
            if fresh:
                self._shared["fresh_skus"] = self._skus
        return self._skus

    def _sku_names(self, sku_ids: list) -> list:
        if not sku_ids:
            return []
        by_id = {str(row["skuId"]).lower(): row.get("skuPartNumber") or row["skuId"] for row in self._sku_rows()}
        return sorted(by_id.get(str(sku).lower(), sku) for sku in sku_ids if sku)

    def _wanted_licenses(self) -> list:
        index = sku_index(self._sku_rows())
        names = []
        for given in self.params["licenses"]:
            row = index.get(str(given).lower())
            if row is None:
                known = sorted({r.get("skuPartNumber") for r in self._sku_rows() if r.get("skuPartNumber")})
                raise CippConfigError(f"option 'licenses': {given!r} is not a licence of tenant {self.tenant}; "
                                      f"known SKUs: {', '.join(known) or 'none'}", option="licenses")
            names.append(row.get("skuPartNumber") or row["skuId"])
        if not self.params["purge_licenses"] and self._raw is not None:
            names.extend(self.normalise(self._raw)["licenses"])
        return sorted(set(names))

    def _check_free_seats(self, to_add: list) -> None:
        if not to_add:
            return
        index = sku_index(self._sku_rows(fresh=True))  # seat counts must be current
        taken = self._shared.setdefault("seats_taken", {})  # by earlier items of the same bulk task
        for name in to_add:
            row = index[name.lower()]
            if row["available"] - taken.get(row["skuId"], 0) < 1:
                raise CippConfigError(
                    f"option 'licenses': tenant {self.tenant} has no free {name} seat "
                    f"({row['assigned'] + taken.get(row['skuId'], 0)} of {row['total']} assigned or planned); "
                    "buy more or free one up", option="licenses", sku=name)
        for name in to_add:
            row = index[name.lower()]
            taken[row["skuId"]] = taken.get(row["skuId"], 0) + 1

    def _license_values(self, names: list) -> list:
        index = sku_index(self._sku_rows())
        return [label_value(index[n.lower()]["skuId"], n) for n in names]

    # ------------------------------------------------------------------ writes
    def _profile_body(self, values: dict) -> dict:
        body = {}
        for option, (_graph, field, _clearable) in PROFILE_FIELDS.items():
            value = values.get(option)
            if value in (None, "", []):
                continue
            # The backend reads these as plain strings (businessPhones: one number, otherMails: comma list).
            body[field] = ",".join(value) if isinstance(value, list) else value
        return body

    def create(self, desired: dict) -> None:
        username, domain = self.upn.split("@", 1)
        body = dict(self._profile_body(desired), tenantFilter=self.tenant, username=username, Domain=domain)
        body.setdefault("mailNickname", username)
        if desired.get("usage_location"):
            body["usageLocation"] = label_value(desired["usage_location"].upper())
        if desired.get("licenses"):
            body["licenses"] = self._license_values(desired["licenses"])
        if desired.get("password"):
            body["password"] = desired["password"]
        if self.params["force_change_password"]:
            body["MustChangePass"] = True
        if desired.get("manager"):
            body["setManager"] = label_value(self._user_id(desired["manager"], "manager"))
        if desired.get("aliases"):
            body["AddedAliases"] = "\n".join(desired["aliases"])
        response = self.client.call("AddUser", body=body)
        self.generated_password = None if desired.get("password") else _password_in(response.data)
        if desired.get("account_enabled") is False:
            self._set_enabled(self._created_id(response.data), False)

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        edit = {option: value for option, value in changes.items() if option not in ("account_enabled",)}
        if edit:
            self.client.call("EditUser", body=self._edit_body(current, edit))
        if "account_enabled" in changes:
            self._set_enabled(current["id"], changes["account_enabled"])

    def _edit_body(self, current: dict, edit: dict) -> dict:
        upn = edit.get("user_principal_name") or current["user_principal_name"]
        username, domain = upn.split("@", 1)
        # EditUser rebuilds the UPN from username + primDomain on every call: without them
        # Graph gets userPrincipalName "@" and the whole edit fails (inside an HTTP 200).
        body = {"tenantFilter": self.tenant, "id": current["id"], "userPrincipalName": upn,
                "username": username, "primDomain": label_value(domain)}
        body.update(self._profile_body(edit))
        cleared = [PROFILE_FIELDS[o][1] for o, v in edit.items() if o in PROFILE_FIELDS and v in ("", [])]
        for option, value in edit.items():
            if option in PROFILE_FIELDS and value in ("", []) and not PROFILE_FIELDS[option][2]:
                raise CippConfigError(f"option '{option}' cannot be cleared through CIPP", option=option)
        if cleared:
            body["clearProperties"] = ",".join(cleared)
        if "usage_location" in edit:
            body["usageLocation"] = label_value(edit["usage_location"].upper())
        if "licenses" in edit:
            if edit["licenses"]:
                body["licenses"] = self._license_values(edit["licenses"])  # the full desired set
            else:
                body["removeLicenses"] = True
        if "manager" in edit:
            body["setManager"] = label_value(self._user_id(edit["manager"], "manager"))
        if "aliases" in edit:
            have = {a.lower() for a in current["aliases"]}
            body["AddedAliases"] = "\n".join(a for a in edit["aliases"] if a.lower() not in have)
        if "password" in edit:
            body["password"] = edit["password"]
            body["MustChangePass"] = bool(self.params["force_change_password"])
        return body

    def _set_enabled(self, user_id: str, enabled: bool) -> None:
        self.client.call("ExecDisableUser", body={"tenantFilter": self.tenant, "ID": user_id,
                                                  "Enable": "true" if enabled else "false"})

    def delete(self, current: dict) -> None:
        self.client.call("RemoveUser", body={"tenantFilter": self.tenant, "ID": current["id"],
                                             "userPrincipalName": current["user_principal_name"]})

    def _user_id(self, who: str, option: str) -> str:
        if is_guid(who):
            return who
        found = find_user(self.client, self.tenant, upn=check_upn(who, option))
        if not found:
            raise CippConfigError(f"option '{option}': no user {who} in tenant {self.tenant}", option=option)
        return found["id"]

    def _created_id(self, data) -> str:
        user = data.get("User") if isinstance(data, dict) else None
        if isinstance(user, dict) and user.get("id"):
            return user["id"]
        found = self.read()
        if not found:
            raise CippConfigError(f"AddUser did not return the new user {self.upn}", option="user_principal_name")
        return found["id"]

    def run_with_extras(self) -> dict:
        result = self.run()
        if self.generated_password:
            self.cipp.module.no_log_values.add(self.generated_password)
            result["generated_password"] = self.generated_password
        return result


def _password_in(data):
    """The password CIPP generated, from AddUser's ``Results`` (a ``Password: ...`` entry)."""
    if not isinstance(data, dict):
        return None
    for entry in data.get("Results") or []:
        if isinstance(entry, dict) and str(entry.get("resultText", "")).startswith("Password"):
            return entry.get("copyField")
    return None
