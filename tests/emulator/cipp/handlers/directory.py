"""Graph directory writes as Microsoft Graph performs them (validation and error texts).

Handlers call these where CIPP's helpers POST/PATCH/DELETE Graph. Each raises
``common.HelperError`` with the message CIPP receives (already through Get-NormalizedError
where New-GraphPOSTRequest applies it) or returns what Graph returns.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from .. import graph as g
from ..state import CippState, TenantData, is_guid, iso, now_utc, object_id_to_sid
from .common import HelperError, normalize

UPN_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+@[A-Za-z0-9.\-]+$")
ALREADY_MEMBER = "One or more added object references already exist for the following modified properties: 'members'."
UNSYNCED_ERROR = ("Unable to update the specified properties for on-premises mastered Directory Sync objects or "
                  "objects currently undergoing migration.")
# Properties an on-premises-synced user accepts from the cloud.
SYNC_WRITABLE = {"usagelocation", "passwordprofile", "accountenabled"}


def fail(message: str) -> HelperError:
    return HelperError(normalize(message))


def check_upn(tenant: TenantData, upn: Any, exclude_id: str | None = None) -> None:
    text = upn if isinstance(upn, str) else ""
    if not UPN_RE.match(text) or text.startswith("@") or text.split("@")[0].startswith("."):
        raise fail("Property userPrincipalName is invalid.")
    domain = text.split("@", 1)[1].lower()
    # Graph takes only verified domains (an unverified one fails like an unknown one).
    if domain not in {d["id"].lower() for d in tenant.domains if d.get("isVerified", True) is not False}:
        raise fail("The domain portion of the userPrincipalName property is invalid. You must use one of the verified "
                   "domain names in your organization.")
    other = tenant.find_user(text)
    if other and other["id"] != exclude_id:
        raise fail("Another object with the same value for property userPrincipalName already exists.")


def _invalid(prop: str, entity: str = "User") -> HelperError:
    return fail(f"Invalid value specified for property '{prop}' of resource '{entity}'.")


def create_user(state: CippState, tenant: TenantData, body: dict[str, Any]) -> dict[str, Any]:
    """POST /users: the created user (beta shape, with @odata.context)."""
    if not body.get("displayName"):
        raise _invalid("displayName")
    if not body.get("mailNickname"):
        raise _invalid("mailNickname")
    check_upn(tenant, body.get("userPrincipalName"))
    password = ((body.get("passwordProfile") or {}).get("password")) or ""
    if not isinstance(password, str) or len(password) < 8 or sum(
            bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]")) < 3:
        raise fail("The specified password does not comply with password complexity requirements. Please provide a "
                   "different password.")
    usage = body.get("usageLocation")
    if usage is not None and (not isinstance(usage, str) or not re.fullmatch(r"[A-Za-z]{2}", usage)):
        raise _invalid("usageLocation")
    upn = body["userPrincipalName"]
    uid = str(uuid.uuid4())
    user = state.make_user(
        tenant, uid=uid, upn=upn, display_name=body["displayName"], given=body.get("givenName"),
        surname=body.get("surname"), job_title=body.get("jobTitle"), department=body.get("department"), office=None,
        city=body.get("city"), country=body.get("country"), usage_location=usage.upper() if isinstance(usage, str) else None,
        mobile=body.get("mobilePhone"), business_phones=list(body.get("businessPhones") or []),
        enabled=bool(body.get("accountEnabled", True)), licenses=[], synced=False, aliases=[], created=now_utc(),
        state_name=body.get("state"), other_mails=list(body.get("otherMails") or []),
        street=body.get("streetAddress"), postal=body.get("postalCode"), company=body.get("companyName"))
    user["mailNickname"] = body["mailNickname"]
    for key, value in body.items():
        if key in user and key not in ("passwordProfile", "userPrincipalName", "id"):
            user[key] = value
    tenant.add_user(user)
    return {"@odata.context": "https://graph.microsoft.com/beta/$metadata#users/$entity", **g.user_out(user)}


PATCHABLE_USER = {
    "givenname", "surname", "displayname", "department", "mailnickname", "userprincipalname", "usagelocation",
    "jobtitle", "mobilephone", "streetaddress", "city", "state", "postalcode", "country", "companyname",
    "businessphones", "othermails", "passwordprofile", "accountenabled", "mail", "officelocation", "employeeid",
    "employeetype", "faxnumber", "onpremisesimmutableid", "showinaddresslist", "preferredlanguage",
}


def patch_user(state: CippState, tenant: TenantData, ref: str, patch: dict[str, Any]) -> dict[str, Any]:
    """PATCH /users/{id|upn}: all-or-nothing, like Graph."""
    user = tenant.find_user(ref)
    if not user:
        raise HelperError(g.not_found(ref).message)
    if user.get("onPremisesSyncEnabled") and any(k.lower() not in SYNC_WRITABLE for k in patch):
        raise fail(UNSYNCED_ERROR)
    staged: dict[str, Any] = {}
    for key, value in patch.items():
        lowered = key.lower()
        real = next((k for k in user if k.lower() == lowered), None)
        if lowered == "userprincipalname":
            check_upn(tenant, value, exclude_id=user["id"])
        elif lowered == "usagelocation" and value is not None and (
                not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value)):
            raise _invalid("usageLocation")
        elif lowered in ("businessphones", "othermails") and value is not None and not isinstance(value, list):
            raise fail(f"Invalid value specified for property '{key}' of resource 'User'.")
        elif lowered == "passwordprofile":
            password = (value or {}).get("password") if isinstance(value, dict) else None
            if password is not None and (not isinstance(password, str) or len(password) < 8):
                raise fail("The specified password does not comply with password complexity requirements. Please "
                           "provide a different password.")
            continue
        elif real is None and lowered not in PATCHABLE_USER and not lowered.startswith("extension"):
            raise fail(f"Invalid property '{key}'.")
        elif isinstance(value, dict):
            raise fail(f"Invalid value specified for property '{key}' of resource 'User'.")
        staged[real or key] = value
    for key, value in staged.items():
        if key == "userPrincipalName":
            tenant.rename_user(user, value)
        elif key == "mail" and isinstance(value, str):
            user["mail"] = value
            address = f"smtp:{value}"
            if user.get("proxyAddresses") and not any(p.lower() == address.lower() for p in user["proxyAddresses"]):
                user["proxyAddresses"].append(address)
        else:
            user[key] = value.upper() if key == "usageLocation" and isinstance(value, str) else value
    return user


def delete_user(tenant: TenantData, ref: str) -> None:
    user = tenant.find_user(ref)
    if not user:
        raise fail(g.not_found(ref).message)
    tenant.remove_user(user)


def assign_license(state: CippState, tenant: TenantData, ref: str, add: list[str], remove: list[str]) -> tuple[int, str | None]:
    """POST /users/{id}/assignLicense as a batch item: (status, error message)."""
    user = tenant.find_user(ref)
    if not user:
        return 404, g.not_found(ref).message
    current = {lic["skuId"].lower() for lic in user["assignedLicenses"]}
    for sku_id in add + remove:
        if not is_guid(sku_id):
            return 400, "Invalid value specified for property 'skuId' of resource 'AssignedLicense'."
        if tenant.license_entry(sku_id.lower()) is None and tenant.license_entry(sku_id) is None:
            return 400, f"License {sku_id} does not correspond to a valid company License."
    for sku_id in remove:
        if sku_id.lower() not in current:
            return 400, "User does not have a corresponding license."
    new_adds = [s for s in add if s.lower() not in current]
    if new_adds and not user.get("usageLocation"):
        return 400, "License assignment cannot be done for user with invalid usage location."
    for sku_id in new_adds:
        entry = tenant.license_entry(sku_id) or tenant.license_entry(sku_id.lower())
        if tenant.consumed(entry["sku"].sku_id) >= entry["total"]:
            return 400, f"Subscription with SKU {entry['sku'].sku_id} does not have any available licenses."
    keep = [lic for lic in user["assignedLicenses"] if lic["skuId"].lower() not in {r.lower() for r in remove}]
    for sku_id in new_adds:
        entry = tenant.license_entry(sku_id) or tenant.license_entry(sku_id.lower())
        keep.append({"disabledPlans": [], "skuId": entry["sku"].sku_id})
    user["assignedLicenses"] = keep
    _refresh_plans(state, tenant, user)
    return 200, None


def _refresh_plans(state: CippState, tenant: TenantData, user: dict[str, Any]) -> None:
    plans = []
    has_mail = user["id"] in tenant.shared
    for lic in user["assignedLicenses"]:
        sku = state.sku_by_id.get(lic["skuId"])
        if not sku:
            continue
        has_mail = has_mail or sku.exchange
        for name, plan_id in sku.plans:
            plans.append({"assignedDateTime": iso(now_utc()), "capabilityStatus": "Enabled",
                          "service": "exchange" if name.upper().startswith("EXCHANGE") else "MicrosoftOffice",
                          "servicePlanId": plan_id})
    user["assignedPlans"] = plans
    if has_mail and not user.get("mail"):
        upn = user["userPrincipalName"]
        user["mail"] = upn
        user["proxyAddresses"] = [f"SMTP:{upn}", f"smtp:{upn.split('@')[0]}@{tenant.initial_domain}"]


def add_group_member(tenant: TenantData, gid: str, oid: str) -> None:
    """POST /groups/{id}/members/$ref (Graph): errors as Graph words them."""
    group = tenant.groups.get(gid) if is_guid(gid) else None
    if not is_guid(oid):
        raise fail(f"Invalid object identifier '{oid}'.")
    if group is None:
        raise fail(g.not_found(gid).message if is_guid(gid) else f"Invalid object identifier '{gid}'.")
    if tenant.find_object(oid) is None:
        raise fail(g.not_found(oid).message)
    if group.get("mailEnabled") and "Unified" not in (group.get("groupTypes") or []):
        raise fail("Cannot Update a mail-enabled security groups and or distribution list.")
    if "DynamicMembership" in (group.get("groupTypes") or []):
        raise fail("Insufficient privileges to complete the operation.")
    members = tenant.members.setdefault(gid, [])
    if oid in members:
        raise fail(ALREADY_MEMBER)
    members.append(oid)


def remove_group_member(tenant: TenantData, gid: str, oid: str, owners: bool = False) -> None:
    """DELETE /groups/{id}/members/{oid}/$ref."""
    group = tenant.groups.get(gid) if is_guid(gid) else None
    if not oid:
        raise fail("Invalid object identifier ''.")
    if group is None:
        raise fail(g.not_found(gid).message if is_guid(gid) else f"Invalid object identifier '{gid}'.")
    if not is_guid(oid):
        raise fail(f"Invalid object identifier '{oid}'.")
    table = tenant.owners if owners else tenant.members
    if group.get("mailEnabled") and "Unified" not in (group.get("groupTypes") or []) and not owners:
        raise fail("Cannot Update a mail-enabled security groups and or distribution list.")
    ids = table.setdefault(gid, [])
    if oid not in ids:
        raise fail(g.not_found(oid).message)
    ids.remove(oid)


def exo_add_member(tenant: TenantData, group_ref: str, member_ref: str) -> None:
    """Add-DistributionGroupMember (Exchange): the member by UPN/mail/id."""
    group = tenant.find_group(group_ref)
    if group is None:
        raise fail(f"Couldn't find object \"{group_ref}\". Please make sure that it was spelled correctly or specify a "
                   "different object.")
    found = tenant.find_object(member_ref)
    if not found:
        member_user = tenant.find_user(member_ref)
        found = ("user", member_user) if member_user else None
    if not found:
        raise fail(f"Couldn't find object \"{member_ref}\". Please make sure that it was spelled correctly or specify a "
                   "different object.")
    members = tenant.members.setdefault(group["id"], [])
    if found[1]["id"] in members:
        raise fail(f"Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException|The recipient \"{member_ref}\" is "
                   f"already a member of the group \"{group['displayName']}\".")
    members.append(found[1]["id"])


def exo_remove_member(tenant: TenantData, group_ref: str, member_ref: str) -> None:
    group = tenant.find_group(group_ref)
    if group is None:
        raise fail(f"Couldn't find object \"{group_ref}\". Please make sure that it was spelled correctly or specify a "
                   "different object.")
    found = tenant.find_object(member_ref) if member_ref else None
    members = tenant.members.setdefault(group["id"], [])
    if not found or found[1]["id"] not in members:
        raise fail(f"Microsoft.Exchange.Management.Tasks.MemberNotFoundException|The recipient \"{member_ref}\" isn't a "
                   f"member of the group \"{group['displayName']}\".")
    members.remove(found[1]["id"])


def set_manager(tenant: TenantData, user_ref: str, manager_ref: str) -> tuple[int, str | None]:
    """PUT users/{u}/manager/$ref (batch item)."""
    user = tenant.find_user(user_ref)
    if not user:
        return 404, g.not_found(user_ref).message
    manager = tenant.find_user(manager_ref) if manager_ref else None
    if not manager:
        return 404, g.not_found(manager_ref or "").message
    tenant.manager[user["id"]] = manager["id"]
    return 204, None


def set_sponsor(tenant: TenantData, user_ref: str, sponsor_ref: str) -> tuple[int, str | None]:
    user = tenant.find_user(user_ref)
    if not user:
        return 404, g.not_found(user_ref).message
    sponsor = tenant.find_user(sponsor_ref) if sponsor_ref else None
    if not sponsor:
        return 404, g.not_found(sponsor_ref or "").message
    tenant.sponsors.setdefault(user["id"], [])
    if sponsor["id"] not in tenant.sponsors[user["id"]]:
        tenant.sponsors[user["id"]].append(sponsor["id"])
    return 204, None


def new_group(state: CippState, tenant: TenantData, *, display_name: str, kind: str, nickname: str,
              description: str | None, membership_rule: str | None = None, mail: str | None = None,
              visibility: str | None = None) -> dict[str, Any]:
    gid = str(uuid.uuid4())
    group = state.make_group(tenant, gid=gid, display_name=display_name, kind=kind, nickname=nickname,
                             description=description, membership_rule=membership_rule, created=now_utc(),
                             mail=mail, visibility=visibility or ("Public" if kind == "m365" else None))
    tenant.groups[gid] = group
    tenant.members[gid] = []
    tenant.owners[gid] = []
    return group


def sid(object_id: str) -> str:
    return object_id_to_sid(object_id)


def revoke_sessions(tenant: TenantData, ref: str) -> None:
    user = tenant.find_user(ref)
    if not user:
        raise fail(g.not_found(ref).message)
    stamp = iso(now_utc() + dt.timedelta(seconds=0))
    user["signInSessionsValidFromDateTime"] = stamp
    user["refreshTokensValidFromDateTime"] = stamp
