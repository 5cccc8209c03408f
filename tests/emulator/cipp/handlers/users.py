"""User endpoints: ListUsers, ListUserGroups, AddUser, EditUser, RemoveUser, ExecDisableUser,
ExecResetPass, ExecRevokeSessions, ExecOffboardUser, ExecBulkLicense.

Sources (HF/Identity/Administration/Users/): Invoke-ListUsers.ps1, Invoke-ListUserGroups.ps1,
Invoke-AddUser.ps1 (+ New-CIPPUserTask, New-CIPPUser, Set-CIPPUserLicense, Add-CIPPGroupMember,
Set-CIPPManager), Invoke-EditUser.ps1 (+ Set-CIPPUser), Invoke-RemoveUser.ps1 (+ Remove-CIPPUser),
Invoke-ExecDisableUser.ps1 (+ Set-CIPPSignInState), Invoke-ExecResetPass.ps1 (+ Set-CIPPResetPassword,
New-passwordString), Invoke-ExecRevokeSessions.ps1 (+ Revoke-CIPPSessions),
Invoke-ExecOffboardUser.ps1 (+ Test-CIPPOffboardingRequest, Invoke-CIPPOffboardingJob),
Invoke-ExecBulkLicense.ps1.
"""
from __future__ import annotations

import re
import secrets
from typing import Any

from .. import graph as g
from .. import psvalue
from ..framework import Ctx, Escape, encode_json, handler, json_response, raw_json_response, result_object
from ...http import HttpResponse
from ..state import TenantData, is_guid
from . import directory as d
from .common import HelperError, calculated_group_type, denied_text, group_type_name, label_values, resolved_group_type
from .scheduler import add_scheduled_task, runner

LIC_OK = "It may take 2–5 minutes before the changes become visible."
BASE_SELECT = ("id", "accountEnabled", "ageGroup", "assignedLicenses", "businessPhones", "city", "companyName",
               "consentProvidedForMinor", "country", "createdDateTime", "department", "displayName",
               "employeeHireDate", "employeeId", "employeeLeaveDateTime", "employeeType", "faxNumber",
               "givenName", "jobTitle", "lastPasswordChangeDateTime", "legalAgeGroupClassification", "mail",
               "mailNickname", "mobilePhone", "officeLocation", "onPremisesDistinguishedName",
               "onPremisesImmutableId", "onPremisesLastSyncDateTime", "onPremisesSyncEnabled", "otherMails", "postalCode",
               "preferredLanguage", "proxyAddresses", "showInAddressList", "state", "streetAddress",
               "surname", "usageLocation", "userPrincipalName", "userType")


def flag_unknown_tenant(ctx: Ctx, fld: str, value: Any, what: str) -> None:
    ctx.flag("unknown_tenant", fld, f"'{psvalue.ps_str(value)}' is not in CIPP's tenant list: {what}",
             "use a defaultDomainName, initialDomainName or customerId from ListTenants")


def new_password() -> str:
    """New-passwordString (Classic, 14 characters of CIPP's pool, at least one of each class)."""
    pool_upper, pool_lower, digits, special = "ABCDEFGHKLMNPRSTUVWXYZ", "abcdefghkmnrstuvwxyz", "23456789", "$%&*#"
    pool = pool_upper + pool_lower + digits + special
    while True:
        password = "".join(secrets.choice(pool) for _i in range(14))
        if (any(c in pool_upper for c in password) and any(c in pool_lower for c in password)
                and any(c in digits for c in password) and any(c in special for c in password)):
            return password


# --------------------------------------------------------------------------- ListUsers

def _lic_joined(ctx: Ctx, user: dict[str, Any]) -> str:
    names = []
    for lic in user.get("assignedLicenses") or []:
        sku = ctx.state.sku_by_id.get(str(lic.get("skuId")))
        if sku:
            names.append(sku.name)
    return ", ".join(names)


def _decorate(ctx: Ctx, user: dict[str, Any]) -> dict[str, Any]:
    upn = user.get("userPrincipalName") or ""
    domain = upn.split("@")[-1] if upn else None
    user["onPremisesSyncEnabled"] = bool(user.get("onPremisesSyncEnabled"))
    user["username"] = upn.split("@")[0] if upn else None
    user["Aliases"] = ", ".join(user.get("proxyAddresses") or [])
    user["LicJoined"] = _lic_joined(ctx, user)
    user["primDomain"] = {"value": domain, "label": domain}
    return user


@handler("ListUsers")
def list_users(ctx: Ctx):
    tenant_filter = ctx.q("tenantFilter")
    graph_filter = ctx.q("graphFilter")
    user_id = ctx.q("UserID")
    if tenant_filter == "AllTenants":
        return json_response(200, [{"Message": "This function has been deprecated for all users, please use "
                                               "ListGraphRequest instead"}])
    tenant = ctx.tenant(tenant_filter)
    if tenant is None:
        flag_unknown_tenant(ctx, "query.tenantFilter", tenant_filter, "ListUsers answers [] (the Graph helper's "
                                                                      "refusal is non-terminating).")
        return json_response(200, [])
    select = f"&$select={','.join(sorted(BASE_SELECT, key=str.lower))}" if user_id else ""
    url = (f"https://graph.microsoft.com/beta/users/{user_id or ''}?$top=999&$filter={graph_filter or ''}&$count=true"
           f"&$expand=manager($select=id,userPrincipalName,displayName){select}")
    if not user_id:
        def build() -> bytes:
            items = _graph_items(ctx, tenant, url)
            return encode_json([_decorate(ctx, u) for u in items])
        return raw_json_response(200, tenant.cached(f"ListUsers|{graph_filter or ''}", build))
    items = _graph_items(ctx, tenant, url)
    return json_response(200, [_decorate(ctx, u) for u in items])


def _graph_items(ctx: Ctx, tenant: TenantData, url: str) -> list[dict[str, Any]]:
    """New-GraphGetRequest inside ListUsers' try: a Graph error escapes the handler (500 text)."""
    if "$filter=&" in url:
        url = url.replace("$filter=&", "")
    try:
        items, _next_link = g.follow_all(ctx.state, tenant, url)
    except g.GraphError as exc:
        raise Escape(exc.message) from None
    return [dict(i) for i in items]


@handler("ListUserGroups")
def list_user_groups(ctx: Ctx):
    tenant = ctx.tenant(ctx.q("tenantFilter"))
    user_id = ctx.q("userId") or ""
    if tenant is None:
        flag_unknown_tenant(ctx, "query.tenantFilter", ctx.q("tenantFilter"), "ListUserGroups answers [].")
        return json_response(200, [])
    url = (f"https://graph.microsoft.com/beta/users/{user_id}/memberOf/$/microsoft.graph.group?$select=id,displayName,"
           "mailEnabled,securityEnabled,groupTypes,onPremisesSyncEnabled,mail,isAssignableToRole&$orderby=displayName asc")
    try:
        items, _next_link = g.follow_all(ctx.state, tenant, url, no_pagination=True)
    except g.GraphError as exc:
        raise Escape(exc.message) from None
    out = []
    for grp in items:
        out.append({"id": grp.get("id"), "DisplayName": grp.get("displayName"), "MailEnabled": grp.get("mailEnabled"),
                    "Mail": grp.get("mail"), "SecurityGroup": grp.get("securityEnabled"),
                    "GroupTypes": ",".join(grp.get("groupTypes") or []), "OnPremisesSync": grp.get("onPremisesSyncEnabled"),
                    "IsAssignableToRole": grp.get("isAssignableToRole"), "calculatedGroupType": calculated_group_type(grp),
                    "groupType": group_type_name(grp)})
    return json_response(200, out)


# --------------------------------------------------------------------------- licences

def set_user_license(ctx: Ctx, tenant_ref: Any, requests: list[dict[str, Any]]) -> list[str]:
    """Set-CIPPUserLicense (Bulk): one result line per request (Single returns the first)."""
    tenant = ctx.tenant(tenant_ref) if isinstance(tenant_ref, str) else None
    results: list[str] = []
    if tenant is None:
        return results          # New-GraphBulkRequest: non-terminating refusal, no responses at all
    for req in requests:
        req["AddLicenses"] = [str(x) for x in psvalue.as_list(req.get("AddLicenses")) if not psvalue.is_blank(x)]
        req["RemoveLicenses"] = [str(x) for x in psvalue.as_list(req.get("RemoveLicenses")) if not psvalue.is_blank(x)]
        if psvalue.is_blank(req.get("UserPrincipalName")):
            req["UserPrincipalName"] = req["UserId"]
    for req in [r for r in requests if r.get("IsReplace") and r["RemoveLicenses"]]:
        status, error = d.assign_license(ctx.state, tenant, req["UserId"], [], req["RemoveLicenses"])
        if status >= 300:
            results.append(f"Failed to remove licenses for user {req['UserPrincipalName']}: {error}")
        else:
            ctx.log(f"Removed existing licenses for user {req['UserPrincipalName']}", "Info", tenant=tenant_ref)
    retry = []
    for req in requests:
        remove = [] if req.get("IsReplace") else req["RemoveLicenses"]
        status, error = d.assign_license(ctx.state, tenant, req["UserId"], req["AddLicenses"], remove)
        if 200 <= status <= 299:
            results.append(f"Successfully set licenses for {req['UserPrincipalName']}. {LIC_OK}")
            ctx.log(f"Assigned licenses to user {req['UserPrincipalName']}. Added: {', '.join(req['AddLicenses'])}; "
                    f"Removed: {', '.join(req['RemoveLicenses'])}", "Info", tenant=tenant_ref)
            ctx.changed()
        elif error and ("invalid usage location" in error.lower() or "usagelocation" in error.lower()):
            retry.append(req)
        else:
            results.append(f"Failed to assign licenses for user {req['UserPrincipalName']}: {error}")
            ctx.log(f"Failed to assign licenses for user {req['UserPrincipalName']}: {error}", "Error", tenant=tenant_ref)
    for req in retry:
        user = tenant.find_user(req["UserId"])
        if user is not None:
            user["usageLocation"] = ctx.state.extra.get("default_usage_location", "US")
            ctx.changed()
        remove = [] if req.get("IsReplace") else req["RemoveLicenses"]
        status, error = d.assign_license(ctx.state, tenant, req["UserId"], req["AddLicenses"], remove)
        if 200 <= status <= 299:
            results.append(f"Successfully set licenses for {req['UserPrincipalName']} after setting usage location. {LIC_OK}")
        else:
            results.append(f"Failed to assign licenses for user {req['UserPrincipalName']} after setting usage location: {error}")
    return results


def single_license(ctx: Ctx, tenant_ref: Any, user_id: str, upn: str | None, add: list[str], remove: list[str]) -> str | None:
    out = set_user_license(ctx, tenant_ref, [{"UserId": user_id, "UserPrincipalName": upn, "AddLicenses": add,
                                              "RemoveLicenses": remove, "IsReplace": False}])
    return out[0] if out else None


# --------------------------------------------------------------------------- AddUser

@handler("AddUser", fallback=("body.usageLocation",), extra_keys=("displayName",))
def add_user(ctx: Ctx):
    body = ctx.body if isinstance(ctx.body, dict) else None
    if not psvalue.truthy(ctx.b("tenantFilter")):
        return json_response(400, {"Results": {"resultText": "tenantFilter is required to create a user.", "state": "error"}})
    if psvalue.truthy(ctx.b("Scheduled.Enabled")):
        username = psvalue.coalesce(ctx.b("username"), ctx.b("mailNickname"))
        task = {"TenantFilter": ctx.b("tenantFilter"),
                "Name": f"New user creation: {psvalue.ps_str(username)}@{psvalue.ps_str(ctx.b('PrimDomain.value'))}",
                "Command": {"value": "New-CIPPUserTask", "label": "New-CIPPUserTask"},
                "Parameters": {"UserObj": body}, "ScheduledTime": ctx.b("Scheduled.date"),
                "Reference": ctx.b("reference"),
                "PostExecution": {"Webhook": psvalue.truthy(ctx.b("PostExecution.Webhook")),
                                  "Email": psvalue.truthy(ctx.b("PostExecution.Email")),
                                  "PSA": psvalue.truthy(ctx.b("PostExecution.PSA"))}}
        add_scheduled_task(ctx, task, hidden=False, disallow_duplicate=True)
        return json_response(200, {"Results": [f"Successfully created scheduled task to create user "
                                               f"{psvalue.ps_str(ctx.b('DisplayName'))}"]})
    if ctx.b("AddToGroups") is not None:
        label_values(ctx, ctx.b("AddToGroups"), f"body.{ctx.body_key('AddToGroups')}")
    try:
        created = new_user_task(ctx, body)
    except HelperError as exc:
        return json_response(500, {"Results": [str(exc)]})
    results: list[Any] = [created["Results"][0],
                          result_object(created["Results"][1], created["Username"]),
                          result_object(created["Results"][2], created["Password"])]
    results.extend(created["Results"][3:])
    copy = created.get("CopyFrom") or {}
    return json_response(200, {"Results": results,
                               "CopyFrom": {"Success": copy.get("Success"), "Error": copy.get("Error"),
                                            "Skipped": copy.get("Skipped")},
                               "User": created.get("User")})


def new_user_task(ctx: Ctx, user_obj: Any) -> dict[str, Any]:
    """New-CIPPUserTask (also the scheduled-task runner)."""

    def get(path):
        return psvalue.path(user_obj, path) if isinstance(user_obj, dict) else None

    tenant_ref = get("tenantFilter")
    results: list[Any] = []
    created = new_cipp_user(ctx, user_obj)
    results += ["Created New User.", f"Username: {created['Username']}", f"Password: {created['Password']}"]
    upn = created["Username"]
    lic_values = psvalue.as_list(psvalue.member(get("licenses"), "value"))
    if lic_values:
        results.append(single_license(ctx, tenant_ref, upn, upn, [psvalue.ps_str(v) for v in lic_values], []))
    if psvalue.truthy(get("AddedAliases")):
        aliases = re.split(r"\s", psvalue.ps_str(get("AddedAliases")))
        results.append(add_alias(ctx, tenant_ref, upn, aliases))
    copy_from = None
    if psvalue.truthy(get("copyFrom.value")):
        copy_from = copy_group_members(ctx, tenant_ref, psvalue.ps_str(get("copyFrom.value")), upn)
        results += copy_from["Success"] + copy_from["Error"] + copy_from["Skipped"]
    for group in psvalue.as_list(get("AddToGroups")):
        gtype = psvalue.path(group, "addedFields.groupType")
        label = psvalue.member(group, "label")
        try:
            results.append(add_cipp_group_member(ctx, tenant_ref, psvalue.ps_str(gtype), psvalue.ps_str(psvalue.member(group, "value")), [upn]))
        except HelperError as exc:
            if not gtype or str(gtype).lower() in ("distribution list", "mail-enabled security"):
                task = {"TenantFilter": tenant_ref, "Name": f"Retry Add Group Member: {upn} -> {psvalue.ps_str(label)}",
                        "Command": {"value": "Add-CIPPGroupMember"},
                        "Parameters": {"GroupType": gtype, "GroupId": psvalue.member(group, "value"), "Member": [upn],
                                       "TenantFilter": tenant_ref, "APIName": "Add Group Member (Retry)"},
                        "PostExecution": {"Webhook": False, "Email": False, "PSA": False}}
                add_scheduled_task(ctx, task, disallow_duplicate=True)
                results.append(f"Could not add {upn} to {psvalue.ps_str(label)} yet (Exchange replication delay). A retry "
                               "has been scheduled in 15 minutes.")
            else:
                results.append(f"Failed to add to group {psvalue.ps_str(label)}: {exc}")
    if get("sharedCalendars") or get("sharedMailboxes"):
        from .exchange import shared_mailbox_addresses
        tenant = ctx.tenant(tenant_ref)
        allowed = shared_mailbox_addresses(ctx, tenant) if tenant else []
        for mailbox in psvalue.as_list(get("sharedMailboxes")):
            ident = psvalue.coalesce(psvalue.member(mailbox, "value"), mailbox)
            label = psvalue.coalesce(psvalue.member(mailbox, "label"), ident)
            if psvalue.ps_str(ident).lower() not in allowed:
                results.append(f"Skipped mailbox access to {psvalue.ps_str(label)}: it is not a shared mailbox in this tenant.")
            else:
                results.append(f"Scheduled FullAccess on the shared mailbox {psvalue.ps_str(label)} in 15 minutes. Outlook "
                               "adds the mailbox automatically.")
        for calendar in psvalue.as_list(get("sharedCalendars")):
            ident = psvalue.coalesce(psvalue.member(calendar, "value"), calendar)
            label = psvalue.coalesce(psvalue.member(calendar, "label"), ident)
            if psvalue.ps_str(ident).lower() not in allowed:
                results.append(f"Skipped calendar access to {psvalue.ps_str(label)}: it is not a shared mailbox in this tenant.")
            else:
                results.append(f"Scheduled Editor access to the calendar of {psvalue.ps_str(label)} in 15 minutes. A sharing "
                               f"invitation will be sent to {upn} once Exchange has provisioned the mailbox.")
    if psvalue.truthy(get("setManager")):
        results.append(set_cipp_manager(ctx, tenant_ref, upn, get("setManager.value")))
    if psvalue.truthy(get("setSponsor")):
        results.append(set_cipp_sponsor(ctx, tenant_ref, upn, get("setSponsor.value")))
    return {"Results": results, "Username": upn, "Password": created["Password"], "CopyFrom": copy_from,
            "User": created["User"]}


def new_cipp_user(ctx: Ctx, user_obj: Any) -> dict[str, Any]:
    """New-CIPPUser: raises HelperError('Failed to create user. Error:...')."""

    def get(path):
        return psvalue.path(user_obj, path) if isinstance(user_obj, dict) else None

    tenant_ref = get("tenantFilter")
    password = get("password") if psvalue.truthy(get("password")) else new_password()
    domain = get("Domain") if psvalue.truthy(get("Domain")) else get("PrimDomain.value")
    upn = f"{psvalue.ps_str(get('username'))}@{psvalue.ps_str(domain)}"
    other = [s.strip() for v in psvalue.as_list(get("otherMails")) if v is not None for s in str(v).split(",") if s.strip()]
    usage = get("usageLocation.value") if psvalue.truthy(get("usageLocation.value")) else get("usageLocation")
    body = {"givenName": get("givenName"), "surname": get("surname"), "accountEnabled": True,
            "displayName": get("displayName"), "department": get("department"),
            "mailNickname": get("username") if psvalue.truthy(get("username")) else get("mailNickname"),
            "userPrincipalName": upn, "usageLocation": usage, "otherMails": other, "jobTitle": get("jobTitle"),
            "mobilePhone": get("mobilePhone"), "streetAddress": get("streetAddress"), "city": get("city"),
            "state": get("state"), "country": get("country"), "postalCode": get("postalCode"),
            "companyName": get("companyName"),
            "passwordProfile": {"forceChangePasswordNextSignIn": psvalue.truthy(get("MustChangePass")), "password": password}}
    if psvalue.truthy(get("businessPhones")):
        body["businessPhones"] = [str(p) for p in psvalue.as_list(get("businessPhones"))]
    for attr, holder in (get("defaultAttributes") or {}).items() if isinstance(get("defaultAttributes"), dict) else []:
        value = psvalue.member(holder, "value")
        if not psvalue.is_blank(value):
            body[attr] = value
    for attr, value in (get("customData") or {}).items() if isinstance(get("customData"), dict) else []:
        if not psvalue.is_blank(value):
            body[attr] = value
    tenant = ctx.tenant(tenant_ref)
    user = None
    if tenant is None:
        flag_unknown_tenant(ctx, "body.tenantFilter", tenant_ref,
                            "AddUser reports 'Created New User.' with 200 and creates nothing (non-terminating refusal).")
    else:
        try:
            user = d.create_user(ctx.state, tenant, body)
        except HelperError as exc:
            message = f"Failed to create user. Error:{exc}"
            ctx.log(message, "Error", tenant=psvalue.ps_str(tenant_ref))
            raise HelperError(message) from None
        ctx.changed()
    ctx.log(f"Created user {psvalue.ps_str(get('displayName'))} with id {psvalue.ps_str(user and user['id'])}", "Info",
            tenant=psvalue.ps_str(tenant_ref))
    return {"Username": upn, "Password": password, "User": user}


def add_alias(ctx: Ctx, tenant_ref: Any, upn: str, aliases: list[str]) -> str:
    tenant = ctx.tenant(tenant_ref)
    if tenant is not None:
        try:
            for alias in aliases:
                d.patch_user(ctx.state, tenant, upn, {"mail": alias})
            d.patch_user(ctx.state, tenant, upn, {"mail": upn})
        except HelperError as exc:
            return f"Failed to create the Aliases: Failed to set alias: {exc}"
        ctx.changed()
    return f"Added Aliases: {','.join(aliases)}"


def copy_group_members(ctx: Ctx, tenant_ref: Any, copy_from: str, user_ref: str) -> dict[str, list[str]]:
    """Set-CIPPCopyGroupMembers."""
    out: dict[str, list[str]] = {"Success": [], "Error": [], "Skipped": []}
    tenant = ctx.tenant(tenant_ref)
    if tenant is None:
        return out
    user, source = tenant.find_user(user_ref), tenant.find_user(copy_from)
    if not user or not source:
        return out
    already = []
    for gid, members in tenant.members.items():
        if source["id"] not in members:
            continue
        group = tenant.groups[gid]
        label = group["displayName"]
        if "DynamicMembership" in (group.get("groupTypes") or []):
            out["Skipped"].append(f"Skipped {label}: its membership is set by a dynamic rule, so members cannot be added directly.")
        elif group.get("onPremisesSyncEnabled"):
            out["Skipped"].append(f"Skipped {label}: it is synced from on-premises Active Directory and has to be changed there.")
        elif user["id"] in members:
            already.append(label)
        else:
            members.append(user["id"])
            out["Success"].append(f"Added user to group: {label}")
            ctx.changed()
    if already:
        plural = "groups" if len(already) != 1 else "group"
        out["Skipped"].append(f"Already a member of {len(already)} {plural}, left unchanged: {', '.join(already)}.")
    return out


def add_cipp_group_member(ctx: Ctx, tenant_ref: Any, group_type: str, group_id: str, members: list[str]) -> str:
    """Add-CIPPGroupMember: raises HelperError with its 'Failed to add user ...' text."""
    tenant = ctx.tenant(tenant_ref)
    if tenant is None:
        return "Successfully added user  to group ."
    group = tenant.find_group(group_id) if is_guid(group_id) else None
    name = group["displayName"] if group else group_id
    resolved = ("Microsoft 365" if "Unified" in (group.get("groupTypes") or []) else
                "Mail-Enabled Security" if group.get("mailEnabled") and group.get("securityEnabled") else
                "Distribution list" if group.get("mailEnabled") else "Security") if group else group_type
    ok, failed = [], []
    for member in members:
        user = tenant.find_user(member)
        upn = user["userPrincipalName"] if user else member
        try:
            if not user:
                raise HelperError(g.not_found(member).message)
            if resolved in ("Distribution list", "Mail-Enabled Security"):
                d.exo_add_member(tenant, group_id, upn)
            else:
                d.add_group_member(tenant, group_id, user["id"])
            ok.append(upn)
            ctx.changed()
        except HelperError as exc:
            failed.append(f"{upn} ({str(exc)})")
    messages = []
    if ok:
        messages.append(f"Successfully added user {', '.join(ok)} to group {name}.")
    if failed:
        messages.append(f"Failed to add {'; '.join(failed)}.")
    text = " ".join(messages)
    if not ok and failed:
        raise HelperError(f"Failed to add user {', '.join(members)} to group {name} - {text}")
    return text


def set_cipp_manager(ctx: Ctx, tenant_ref: Any, user: str, manager: Any) -> str | None:
    """Set-CIPPManager for one user: its Result line."""
    tenant = ctx.tenant(tenant_ref)
    if tenant is None:
        return None
    status, error = d.set_manager(tenant, user, psvalue.ps_str(manager))
    if status in (200, 204):
        ctx.changed()
        text = f"Set {user}'s manager to {psvalue.ps_str(manager)}"
    else:
        text = f"Failed to set {user}'s manager: {error}"
    ctx.log(text, "Info" if status in (200, 204) else "Error", tenant=psvalue.ps_str(tenant_ref))
    return text


def set_cipp_sponsor(ctx: Ctx, tenant_ref: Any, user: str, sponsor: Any) -> str | None:
    tenant = ctx.tenant(tenant_ref)
    if tenant is None:
        return None
    status, error = d.set_sponsor(tenant, user, psvalue.ps_str(sponsor))
    if status in (200, 204):
        ctx.changed()
        return f"Set {user}'s sponsor to {psvalue.ps_str(sponsor)}"
    return f"Failed to set {user}'s sponsor: {error}"


@runner("New-CIPPUserTask")
def _run_new_user(ctx: Ctx, task: dict[str, Any], params: dict[str, Any]) -> Any:
    return new_user_task(ctx, psvalue.ci(params.get("UserObj")))["Results"]


# --------------------------------------------------------------------------- EditUser

def _eq_false(value: Any) -> bool:
    """``$x -eq $false`` ($null is not false)."""
    if isinstance(value, bool):
        return value is False
    if isinstance(value, (int, float)):
        return value == 0
    if isinstance(value, str):
        return value.lower() == "false"
    return False


CLEARABLE = ("givenName", "surname", "department", "jobTitle", "mobilePhone", "streetAddress", "city", "state",
             "postalCode", "country", "companyName", "businessPhones", "otherMails")


@handler("EditUser", fallback=("body.usageLocation",), extra_keys=("displayName",))
def edit_user(ctx: Ctx):
    user_obj = ctx.body if isinstance(ctx.body, dict) else None
    if psvalue.is_blank(ctx.b("id")):
        return json_response(400, {"Results": ["Failed to edit user. No user ID provided"]})
    if psvalue.truthy(ctx.b("Scheduled.Enabled")):
        task = {"TenantFilter": ctx.b("tenantFilter"), "Name": f"Edit user: {psvalue.ps_str(ctx.b('DisplayName'))}",
                "Command": {"value": "Set-CIPPUser", "label": "Set-CIPPUser"}, "Parameters": {"UserObj": user_obj},
                "ScheduledTime": ctx.b("Scheduled.date"), "Reference": ctx.b("reference"),
                "PostExecution": {"Webhook": psvalue.truthy(ctx.b("PostExecution.Webhook")),
                                  "Email": psvalue.truthy(ctx.b("PostExecution.Email")),
                                  "PSA": psvalue.truthy(ctx.b("PostExecution.PSA"))}}
        add_scheduled_task(ctx, task, hidden=False, disallow_duplicate=True)
        return json_response(200, {"Results": [f"Successfully created scheduled task to edit user "
                                               f"{psvalue.ps_str(ctx.b('DisplayName'))}"]})
    if not psvalue.truthy(ctx.b("username")) or not (psvalue.truthy(ctx.b("Domain")) or psvalue.truthy(ctx.b("primDomain.value"))):
        ctx.flag("missing_required", "body.username", "EditUser rebuilds userPrincipalName as '<username>@<Domain or "
                 "primDomain.value>' on every call; without both the PATCH carries an invalid UPN and the edit fails.",
                 "send username and Domain (or primDomain.value), as ListUsers?UserID= returns them")
    if ctx.b("licenses") is not None:
        label_values(ctx, ctx.b("licenses"), f"body.{ctx.body_key('licenses')}")
    for key in ("AddToGroups", "RemoveFromGroups"):
        if ctx.b(key) is not None:
            label_values(ctx, ctx.b(key), f"body.{ctx.body_key(key)}")
    return json_response(200, {"Results": set_cipp_user(ctx, user_obj)})


def set_cipp_user(ctx: Ctx, user_obj: Any) -> list[Any]:
    """Set-CIPPUser: its Results list (failures inside)."""
    state = ctx.state

    def get(path):
        return psvalue.path(user_obj, path) if isinstance(user_obj, dict) else None

    results: list[Any] = []
    tenant_ref = get("tenantFilter")
    tenant = ctx.tenant(tenant_ref)
    if tenant is None:
        flag_unknown_tenant(ctx, "body.tenantFilter", tenant_ref, "EditUser answers 'Success. The user has been edited.' "
                                                                  "and changes nothing.")
    uid = psvalue.ps_str(get("id"))
    licenses = psvalue.as_list(psvalue.member(get("licenses"), "value"))
    domain = get("Domain") if psvalue.truthy(get("Domain")) else get("primDomain.value")
    upn = f"{psvalue.ps_str(get('username'))}@{psvalue.ps_str(domain)}"
    display = psvalue.ps_str(get("DisplayName"))
    # -- the PATCH ------------------------------------------------------------------------
    other = [s.strip() for v in psvalue.as_list(get("otherMails")) if v is not None for s in str(v).split(",") if s.strip()]
    usage = get("usageLocation.value") if psvalue.truthy(get("usageLocation.value")) else get("usageLocation")
    patch = {"givenName": get("givenName"), "surname": get("surname"), "displayName": get("displayName"),
             "department": get("department"),
             "mailNickname": get("username") if psvalue.truthy(get("username")) else get("mailNickname"),
             "userPrincipalName": upn, "usageLocation": usage, "jobTitle": get("jobTitle"),
             "mobilePhone": get("mobilePhone"), "streetAddress": get("streetAddress"), "city": get("city"),
             "state": get("state"), "postalCode": get("postalCode"), "country": get("country"),
             "companyName": get("companyName"),
             "businessPhones": [str(p) for p in psvalue.as_list(get("businessPhones"))] if psvalue.truthy(get("businessPhones")) else [],
             "otherMails": other,
             "passwordProfile": {"forceChangePasswordNextSignIn": psvalue.truthy(get("MustChangePass"))}}
    patch = {k: v for k, v in patch.items() if not (psvalue.is_blank(v) and not isinstance(v, dict))}
    for prop in [p for p in psvalue.as_list(get("clearProperties")) if not psvalue.is_blank(p)]:
        name = next((c for c in CLEARABLE if c.lower() == str(prop).lower()), None)
        if name is None:
            ctx.flag("ignored_field", "body.clearProperties", f"'{prop}' is not one of the properties Set-CIPPUser "
                     f"clears ({', '.join(CLEARABLE)}): ignored.")
            continue
        patch[name] = [] if name in ("businessPhones", "otherMails") else None
    defaults = get("defaultAttributes")
    if isinstance(defaults, dict):
        for attr, holder in defaults.items():
            value = psvalue.member(holder, "value")
            if not psvalue.is_blank(value):
                patch[attr] = value
    custom = get("customData")
    if isinstance(custom, dict):
        for attr, value in custom.items():
            if not psvalue.is_blank(value):
                patch[attr] = value
    try:
        if tenant is not None:
            d.patch_user(state, tenant, uid, patch)
            ctx.changed()
        results.append("Success. The user has been edited.")
        ctx.log(f"Edited user {display} with id {uid}", "Info", tenant=psvalue.ps_str(tenant_ref))
        if psvalue.truthy(get("password")):
            if tenant is not None:
                d.patch_user(state, tenant, uid, {"passwordProfile": {"password": get("password"),
                                                                      "forceChangePasswordNextSignIn": psvalue.truthy(get("MustChangePass"))}})
            results.append(f"Success. The password has been set to {psvalue.ps_str(get('password'))}")
            ctx.log(f"Reset {display}'s Password", "Info", tenant=psvalue.ps_str(tenant_ref))
    except HelperError as exc:
        ctx.log(f"User edit API failed. {exc}", "Error", tenant=psvalue.ps_str(tenant_ref))
        results.append(f"Failed to edit user. {exc}")
    # -- licences -------------------------------------------------------------------------
    try:
        if licenses or psvalue.truthy(get("removeLicenses")):
            current_user = None
            if tenant is not None:
                current_user = tenant.find_user(uid)
                if current_user is None:
                    raise HelperError(g.not_found(uid).message)
            current = [lic["skuId"] for lic in (current_user or {}).get("assignedLicenses", [])]
            wanted = [psvalue.ps_str(v) for v in licenses]
            if ",".join(current) == ",".join(wanted) and _eq_false(get("removeLicenses")):
                results.append("Success. User license is already correct.")
            elif psvalue.truthy(get("removeLicenses")):
                results.append(single_license(ctx, tenant_ref, uid, upn, [], current))
            else:
                remove = [c for c in current if c not in wanted]
                results.append(single_license(ctx, tenant_ref, uid, upn, wanted, remove))
    except HelperError as exc:
        results.append(f"We've failed to assign the license. {exc}")
    # -- aliases --------------------------------------------------------------------------
    if psvalue.truthy(get("AddedAliases")):
        aliases = re.split(r"\s", psvalue.ps_str(get("AddedAliases")))
        try:
            if tenant is not None:
                for alias in aliases:
                    d.patch_user(state, tenant, uid, {"mail": alias})
                d.patch_user(state, tenant, uid, {"mail": upn})
                ctx.changed()
            results.append("Success. Added aliases to user.")
        except HelperError as exc:
            results.append(f"Failed to add aliases to user {display}. Error: {exc}")
    if psvalue.truthy(get("CopyFrom.value")):
        copy = copy_group_members(ctx, tenant_ref, psvalue.ps_str(get("CopyFrom.value")), upn)
        results += copy["Success"] + copy["Error"] + copy["Skipped"]
    # -- groups -----------------------------------------------------------------------------
    resolved: dict[str, str] = {}
    for item in psvalue.as_list(get("AddToGroups")) + psvalue.as_list(get("RemoveFromGroups")):
        gid = psvalue.member(item, "value")
        if gid and tenant is not None:
            group = tenant.find_group(str(gid)) if is_guid(str(gid)) else None
            if group:
                resolved[str(gid)] = resolved_group_type(group)

    def use_exchange(added: Any, gid: str) -> bool:
        if gid in resolved:
            return resolved[gid] in ("Distribution List", "Mail-Enabled Security")
        calculated = psvalue.member(added, "calculatedGroupType")
        if calculated:
            return calculated in ("distributionList", "security")
        return psvalue.member(added, "groupType") in ("Distribution List", "Mail-Enabled Security", "distributionList")

    for item in psvalue.as_list(get("AddToGroups")):
        gid = psvalue.ps_str(psvalue.member(item, "value"))
        name = psvalue.ps_str(psvalue.member(item, "label"))
        try:
            if tenant is not None:
                if use_exchange(psvalue.member(item, "addedFields"), gid):
                    d.exo_add_member(tenant, gid, uid)
                else:
                    d.add_group_member(tenant, gid, uid)
                ctx.changed()
            ctx.log(f"Added {display} to {name} group", "Info", tenant=psvalue.ps_str(tenant_ref))
            results.append(f"Success. {display} has been added to {name}")
        except HelperError as exc:
            results.append(f"Failed to add member {display} to {name}. Error: {exc}")
    for item in psvalue.as_list(get("RemoveFromGroups")):
        gid = psvalue.ps_str(psvalue.member(item, "value"))
        name = psvalue.ps_str(psvalue.member(item, "label"))
        try:
            if tenant is not None:
                if use_exchange(psvalue.member(item, "addedFields"), gid):
                    d.exo_remove_member(tenant, gid, uid)
                else:
                    d.remove_group_member(tenant, gid, uid)
                ctx.changed()
            results.append(f"Success. {display} has been removed from {name}")
        except HelperError as exc:
            results.append(f"Failed to remove member {display} from {name}. Error: {exc}")
    if psvalue.truthy(get("setManager.value")):
        results.append(set_cipp_manager(ctx, tenant_ref, upn, get("setManager.value")))
    elif get("setManager") is not None and not isinstance(get("setManager"), dict):
        label_values(ctx, get("setManager"), "body.setManager")
    if psvalue.truthy(get("setSponsor.value")):
        results.append(set_cipp_sponsor(ctx, tenant_ref, upn, get("setSponsor.value")))
    return results


@runner("Set-CIPPUser")
def _run_set_user(ctx: Ctx, task: dict[str, Any], params: dict[str, Any]) -> Any:
    return set_cipp_user(ctx, psvalue.ci(params.get("UserObj")))


# --------------------------------------------------------------------------- single-action users

@handler("RemoveUser")
def remove_user(ctx: Ctx):
    tenant_ref = ctx.qb("tenantFilter")
    user_id = ctx.qb("ID")
    username = ctx.qb("userPrincipalName")
    if not psvalue.truthy(user_id):
        ctx.flag("missing_required", "ID", "RemoveUser calls `exit` without an ID: the function ends without a response.",
                 "send ID (object id or UPN)")
        return HttpResponse(204, b"", {}, note="Invoke-RemoveUser: `if (!$UserID) { exit }`")
    uid = psvalue.ps_str(user_id)
    suffix = f" and Username: '{psvalue.ps_str(username)}'" if not psvalue.is_blank(username) else ""
    tenant = ctx.tenant(tenant_ref)
    if tenant is None:
        flag_unknown_tenant(ctx, "tenantFilter", tenant_ref, "RemoveUser answers 'Successfully deleted' and deletes nothing.")
    else:
        try:
            d.delete_user(tenant, uid)
            ctx.changed()
        except HelperError as exc:
            message = f"Failed to delete user with ID: '{uid}'. Error: {exc}{suffix}"
            ctx.log(message, "Error", tenant=psvalue.ps_str(tenant_ref))
            return json_response(500, {"Results": message})
    message = f"Successfully deleted user with ID: '{uid}'{suffix}"
    ctx.log(message, "Info", tenant=psvalue.ps_str(tenant_ref))
    return json_response(200, {"Results": message})


def sign_in_state(ctx: Ctx, tenant_ref: Any, user_id: Any, enabled: bool) -> str:
    """Set-CIPPSignInState: raises HelperError with its 'Failed to set sign-in state' text."""
    uid = psvalue.ps_str(user_id)
    state_text = "True" if enabled else "False"
    tenant = ctx.tenant(tenant_ref)
    try:
        user = None
        if tenant is not None:
            user = tenant.find_user(uid)
            if user is None:
                raise HelperError(g.not_found(uid).message)
            user["accountEnabled"] = enabled
            ctx.changed()
        ctx.log(f"Successfully set account enabled state to {state_text} for {uid}", "Info", tenant=psvalue.ps_str(tenant_ref))
        if user is not None and user.get("onPremisesSyncEnabled") is True:
            raise HelperError(f"WARNING: User {uid} is AD Sync enabled. Please enable/disable in the local AD.")
        return f"Successfully set account enabled state to {state_text} for {uid}"
    except HelperError as exc:
        message = f"Failed to set sign-in state for {uid}. Error: {exc}"
        ctx.log(message, "Error", tenant=psvalue.ps_str(tenant_ref))
        raise HelperError(message) from None


@handler("ExecDisableUser")
def exec_disable_user(ctx: Ctx):
    tenant_ref = ctx.qb("tenantFilter")
    user_id = ctx.qb("ID")
    enable = ctx.to_bool("Enable", ctx.qb("Enable"))
    if ctx.tenant(tenant_ref) is None:
        flag_unknown_tenant(ctx, "tenantFilter", tenant_ref, "ExecDisableUser answers success and changes nothing.")
    try:
        result = sign_in_state(ctx, tenant_ref, user_id, enable)
        return json_response(200, {"Results": result})
    except HelperError as exc:
        return json_response(500, {"Results": str(exc)})


def reset_password(ctx: Ctx, tenant_ref: Any, user_id: Any, display: Any, must_change: bool) -> dict[str, Any]:
    """Set-CIPPResetPassword: the {resultText, copyField, state} object (raises HelperError)."""
    uid = psvalue.ps_str(user_id)
    name = psvalue.ps_str(display)
    password = new_password()
    tenant = ctx.tenant(tenant_ref)
    try:
        user = None
        if tenant is not None:
            user = tenant.find_user(uid)
            if user is None:
                raise HelperError(g.not_found(uid).message)
            ctx.changed()
        synced = bool(user and user.get("onPremisesSyncEnabled") is True)
        if synced:
            ctx.log(f"Submitted a password writeback reset for {name}, {uid}.", "Info", tenant=psvalue.ps_str(tenant_ref))
            return result_object(
                f"Password reset accepted for {name}, {uid}. The new password is {password}. This user is directory synced, "
                "so the reset was submitted via password writeback and is applied asynchronously - it is not confirmed "
                "yet, and will fail if writeback is not enabled or if the on-premises password policy rejects the "
                "password. This user must change their password at next logon; that is enforced by this method and "
                "cannot be turned off.", password)
        flag = "True" if must_change else "False"
        ctx.log(f"Successfully reset the password for {name}, {uid}. User must change password is set to {flag}", "Info",
                tenant=psvalue.ps_str(tenant_ref))
        return result_object(f"Successfully reset the password for {name}, {uid}. User must change password is set to "
                             f"{flag}. The new password is {password}", password)
    except HelperError as exc:
        message = f"Failed to reset password for {name}, {uid}. Error: {exc}"
        ctx.log(message, "Error", tenant=psvalue.ps_str(tenant_ref))
        raise HelperError(message) from None


@handler("ExecResetPass")
def exec_reset_pass(ctx: Ctx):
    tenant_ref = ctx.qb("tenantFilter")
    user_id = ctx.qb("ID")
    display = psvalue.coalesce(ctx.q("displayName"), ctx.b("displayName"), user_id)
    must_change = ctx.to_bool("MustChange", ctx.qb("MustChange"))
    if ctx.tenant(tenant_ref) is None:
        flag_unknown_tenant(ctx, "tenantFilter", tenant_ref, "ExecResetPass answers success and changes nothing.")
    try:
        return json_response(200, {"Results": reset_password(ctx, tenant_ref, user_id, display, must_change)})
    except HelperError as exc:
        return json_response(500, {"Results": str(exc)})


def revoke(ctx: Ctx, tenant_ref: Any, user_id: Any, username: Any) -> str:
    tenant = ctx.tenant(tenant_ref)
    try:
        if tenant is not None:
            d.revoke_sessions(tenant, psvalue.ps_str(user_id))
            ctx.changed()
        result = f"Successfully revoked sessions for {psvalue.ps_str(username)}"
        ctx.log(result, "Info", tenant=psvalue.ps_str(tenant_ref))
        return result
    except HelperError as exc:
        result = f"Failed to revoke sessions for {psvalue.ps_str(username)}. Error: {exc}"
        ctx.log(result, "Error", tenant=psvalue.ps_str(tenant_ref))
        raise HelperError(result) from None


@handler("ExecRevokeSessions")
def exec_revoke_sessions(ctx: Ctx):
    tenant_ref = ctx.qb("tenantFilter")
    if ctx.tenant(tenant_ref) is None:
        flag_unknown_tenant(ctx, "tenantFilter", tenant_ref, "ExecRevokeSessions answers success and changes nothing.")
    try:
        return json_response(200, {"Results": revoke(ctx, tenant_ref, ctx.qb("id"), ctx.qb("Username"))})
    except HelperError as exc:
        return json_response(500, {"Results": str(exc)})


# --------------------------------------------------------------------------- ExecOffboardUser

BOOLEAN_ACTIONS = ("ConvertToShared", "HideFromGAL", "removeCalendarInvites", "removePermissions",
                   "removeCalendarPermissions", "RemoveRules", "RemoveMobile", "RemoveGroups", "RemoveLicenses",
                   "RevokeSessions", "DisableSignIn", "ClearImmutableId", "ResetPass", "RemoveMFADevices",
                   "RemoveTeamsPhoneDID", "DeleteUser", "DisableOneDriveSharing", "disableForwarding")
COLLECTION_ACTIONS = ("AccessNoAutomap", "AccessAutomap", "OnedriveAccess")


def validate_offboarding(body: Any) -> dict[str, Any]:
    """Test-CIPPOffboardingRequest."""
    errors: list[str] = []

    def get(path):
        return psvalue.path(body, path) if isinstance(body, dict) else None

    tenant = psvalue.coalesce(get("tenantFilter.value"), get("tenantFilter"))
    if psvalue.is_blank(tenant):
        errors.append("'tenantFilter' is required and must resolve to a tenant domain (a string, or an object with a "
                      "non-empty 'value' property).")
    users = []
    for item in psvalue.as_list(get("user")):
        value = psvalue.coalesce(psvalue.member(item, "value"), item) if isinstance(item, dict) else item
        if isinstance(value, str) and not psvalue.is_blank(value):
            users.append(value)
    if not psvalue.truthy(get("user")) or not psvalue.as_list(get("user")):
        errors.append("'user' is required and must be a non-empty array of users (objects with a 'value' property, or "
                      "userPrincipalName strings).")
    elif not users:
        errors.append("'user' did not resolve to any usable userPrincipalName. Each entry must be a UPN string or an "
                      "object with a non-empty 'value' property.")
    else:
        invalid = [u for u in users if "@" not in u]
        if invalid:
            errors.append(f"These user values do not look like userPrincipalNames (missing '@'): {', '.join(invalid)}.")
    if psvalue.truthy(get("Scheduled.enabled")):
        date = get("Scheduled.date")
        try:
            ok = date is not None and int(psvalue.ps_str(date)) > 0
        except ValueError:
            ok = False
        if not ok:
            errors.append("'Scheduled.enabled' is true but 'Scheduled.date' is not a valid Unix timestamp.")
    has_action = any(psvalue.eq_true(get(k)) for k in BOOLEAN_ACTIONS)
    if not has_action:
        has_action = any([v for v in psvalue.as_list(get(k)) if v is not None] for k in COLLECTION_ACTIONS)
    if not has_action and not psvalue.is_blank(psvalue.coalesce(get("forward.value"), get("forward"))):
        has_action = True
    if not has_action and not psvalue.is_blank(get("OOO")):
        has_action = True
    if not has_action:
        errors.append("No offboarding actions were selected. Enable at least one action (e.g. RemoveLicenses, "
                      "DisableSignIn, RevokeSessions) before submitting.")
    return {"IsValid": not errors, "Errors": errors, "TenantFilter": tenant, "Users": users}


@handler("ExecOffboardUser", bare_ok=("body.user",), fallback=("body.tenantFilter",))
def exec_offboard_user(ctx: Ctx):
    validation = validate_offboarding(ctx.body)
    if not validation["IsValid"]:
        return json_response(400, {"Results": validation["Errors"]})
    body = ctx.body
    tenant_ref = validation["TenantFilter"]
    if ctx.tenant(tenant_ref) is None:
        flag_unknown_tenant(ctx, "body.tenantFilter", tenant_ref, "the offboarding task is queued (200) and fails later.")
    for index, item in enumerate(psvalue.as_list(ctx.b("user"))):
        if isinstance(item, str):
            ctx.flag("bare_labelvalue_fallback", f"body.user[{index}]", "ExecOffboardUser accepts bare UPN strings in "
                     "'user' (Test-CIPPOffboardingRequest reads .value ?? the string): informational.")
    options = {k: v for k, v in body.items() if k.lower() not in ("user", "tenantfilter", "scheduled")}
    results = []
    for username in validation["Users"]:
        task = {"TenantFilter": tenant_ref, "Name": f"Offboarding: {username}",
                "Command": {"value": "Invoke-CIPPOffboardingJob"},
                "Parameters": {"Username": username, "APIName": "Scheduled Offboarding", "options": options,
                               "RunScheduled": True},
                "PostExecution": {"Webhook": psvalue.truthy(ctx.b("PostExecution.webhook")),
                                  "Email": psvalue.truthy(ctx.b("PostExecution.email")),
                                  "PSA": psvalue.truthy(ctx.b("PostExecution.psa"))},
                "Reference": ctx.b("reference")}
        scheduled = psvalue.truthy(ctx.b("Scheduled.enabled"))
        if scheduled:
            task["ScheduledTime"] = ctx.b("Scheduled.date")
        results.append(add_scheduled_task(ctx, task, hidden=False, run_now=not scheduled))
    return json_response(200, {"Results": results})


@runner("Invoke-CIPPOffboardingJob")
def _run_offboarding(ctx: Ctx, task: dict[str, Any], params: dict[str, Any]) -> list[Any]:
    """Invoke-CIPPOffboardingJob: the selected actions in CIPP's order, one result each."""
    tenant_ref = task["Tenant"]
    username = params.get("Username")
    options = psvalue.ci(params.get("options") or {})
    tenant = ctx.tenant(tenant_ref)
    if tenant is None:
        raise HelperError(denied_text(tenant_ref, ctx))
    user = tenant.find_user(username)
    if user is None:
        raise HelperError(g.not_found(username).message)

    def opt(name):
        return psvalue.member(options, name)

    out: list[Any] = []

    def attempt(func):
        try:
            out.append(func())
        except HelperError as exc:
            out.append(str(exc))
    if psvalue.eq_true(opt("RevokeSessions")):
        attempt(lambda: revoke(ctx, tenant_ref, user["id"], username))
    if psvalue.eq_true(opt("ResetPass")):
        attempt(lambda: reset_password(ctx, tenant_ref, username, user.get("displayName"), True))
    if psvalue.eq_true(opt("DisableSignIn")):
        attempt(lambda: sign_in_state(ctx, tenant_ref, username, False))
    if psvalue.eq_true(opt("HideFromGAL")):
        from .exchange import mailbox_extra
        mailbox_extra(tenant, user)["HiddenFromAddressListsEnabled"] = True
        user["showInAddressList"] = False
        ctx.changed()
        out.append(f"Hidden {username} from address list")
    if psvalue.eq_true(opt("RemoveGroups")):
        removed = []
        for gid, members in tenant.members.items():
            group = tenant.groups[gid]
            if user["id"] in members and "DynamicMembership" not in (group.get("groupTypes") or []):
                members.remove(user["id"])
                removed.append(group["displayName"])
        ctx.changed()
        out.extend(f"Successfully removed user {username} from {name}." for name in removed)
    if not psvalue.is_blank(opt("OOO")):
        from .exchange import mailbox_extra
        extra = mailbox_extra(tenant, user)
        extra["AutoReplyState"] = "Enabled"
        extra["InternalMessage"] = extra["ExternalMessage"] = psvalue.ps_str(opt("OOO"))
        ctx.changed()
        out.append(f"Set Out-of-office for {username} to Enabled.")
    forward = psvalue.member(opt("forward"), "value")
    if not psvalue.is_blank(opt("forward")):
        from .exchange import mailbox_extra
        extra = mailbox_extra(tenant, user)
        keep = "True" if psvalue.truthy(opt("KeepCopy")) else "False"
        if forward:
            extra["ForwardingSmtpAddress"] = None
            extra["ForwardingAddress"] = psvalue.ps_str(forward)
            extra["DeliverToMailboxAndForward"] = psvalue.truthy(opt("KeepCopy"))
            out.append(f"Successfully set forwarding for {username} to Internal Address {forward} with keeping a copy "
                       f"set to {keep}")
        else:
            out.append(None)            # Set-CIPPForwarding with neither Forward nor an SMTP address: no message
        ctx.changed()
    if psvalue.eq_true(opt("disableForwarding")):
        from .exchange import mailbox_extra
        extra = mailbox_extra(tenant, user)
        extra["ForwardingSmtpAddress"] = extra["ForwardingAddress"] = None
        ctx.changed()
        out.append(f"Successfully disabled forwarding for {username}")
    # Invoke-CIPPOffboardingJob converts the mailbox before it removes licences (a shared
    # mailbox needs none; an unlicensed user mailbox is gone).
    if psvalue.eq_true(opt("ConvertToShared")):
        from .exchange import convert_mailbox
        attempt(lambda: convert_mailbox(ctx, tenant, username, "Shared"))
    if psvalue.eq_true(opt("RemoveLicenses")):
        current = [lic["skuId"] for lic in user["assignedLicenses"]]
        if current:
            out.append(single_license(ctx, tenant_ref, user["id"], username, [], current))
        else:
            out.append(f"No licenses to remove for {username}")
    if psvalue.eq_true(opt("ClearImmutableId")):
        user["onPremisesImmutableId"] = None
        ctx.changed()
        out.append(f"Successfully cleared ImmutableId for {username}")
    if psvalue.eq_true(opt("DeleteUser")):
        tenant.remove_user(user)
        ctx.changed()
        out.append(f"Successfully deleted user with ID: '{username}'")
    return out


# --------------------------------------------------------------------------- ExecBulkLicense

@handler("ExecBulkLicense")
def exec_bulk_license(ctx: Ctx):
    results: list[str] = []
    requests = psvalue.as_list(ctx.body) if isinstance(ctx.body, (dict, list)) else []
    try:
        groups: dict[str, list[Any]] = {}
        order: list[str] = []
        for item in requests:
            key = psvalue.ps_str(psvalue.member(item, "tenantFilter"))
            if key.lower() not in {k.lower() for k in order}:
                order.append(key)
            real = next(k for k in order if k.lower() == key.lower())
            groups.setdefault(real, []).append(item)
        for tenant_ref in order:
            items = groups[tenant_ref]
            tenant = ctx.tenant(tenant_ref)
            if tenant is None:
                flag_unknown_tenant(ctx, "body.tenantFilter", tenant_ref, "every user is reported 'not found'.")
            user_ids = list(dict.fromkeys(str(u) for item in items for u in psvalue.as_list(psvalue.member(item, "userIds"))
                                          if not psvalue.is_blank(u)))
            lookup: dict[str, dict[str, Any]] = {}
            if tenant is not None:
                bad = next((u for u in user_ids if not is_guid(u)), None)
                if bad:
                    ctx.flag("wrong_id_kind", "body.userIds", f"ExecBulkLicense looks users up with `id eq '<x>'`: '{bad}' is "
                             "not an object id, so the lookup batch fails.", "send object ids (ListUsers 'id')")
                    raise HelperError(f"Failed to fetch users for chunk UserLookup0: Invalid object identifier '{bad}'.")
                for uid in user_ids:
                    user = tenant.users.get(uid.lower()) or tenant.users.get(uid)
                    if user:
                        lookup[uid] = user
            license_requests = []
            for item in items:
                ids = [str(u) for u in psvalue.as_list(psvalue.member(item, "userIds")) if not psvalue.is_blank(u)]
                if not ids:
                    results.append(f"No valid user ID found in request for tenant {tenant_ref}")
                    continue
                user = lookup.get(ids[0])
                if user is None:
                    results.append(f"User {ids[0]} not found in tenant {tenant_ref}")
                    continue
                operation = psvalue.member(item, "LicenseOperation")
                remove_all = psvalue.truthy(psvalue.member(item, "RemoveAllLicenses"))
                replace_all = psvalue.truthy(psvalue.member(item, "ReplaceAllLicenses"))
                lic = [psvalue.ps_str(v) for v in psvalue.as_list(psvalue.member(psvalue.member(item, "Licenses"), "value"))]
                lic_remove = [psvalue.ps_str(v) for v in psvalue.as_list(psvalue.member(psvalue.member(item, "LicensesToRemove"), "value"))]
                lic_replace = [psvalue.ps_str(v) for v in psvalue.as_list(psvalue.member(psvalue.member(item, "LicensesToReplace"), "value"))]
                current = [x["skuId"] for x in user["assignedLicenses"]]
                add, remove = [], []
                if operation == "Add":
                    add = lic
                elif operation == "Remove":
                    remove = current if remove_all else [x for x in lic_remove if x in current]
                elif operation == "Replace":
                    add = lic
                    remove = current if replace_all else [x for x in lic_replace if x in current]
                else:
                    ctx.flag("ignored_field", "body.LicenseOperation", f"LicenseOperation {operation!r} is none of Add, "
                             "Remove, Replace: nothing is changed.", "send Add, Remove or Replace")
                if add or remove:
                    license_requests.append({"UserId": ids[0], "UserPrincipalName": user["userPrincipalName"],
                                             "AddLicenses": add, "RemoveLicenses": remove,
                                             "IsReplace": operation == "Replace" and replace_all})
                else:
                    results.append(f"No license changes needed for user {user['userPrincipalName']}")
            if license_requests:
                results.extend(set_user_license(ctx, tenant_ref, license_requests))
        return json_response(200, {"Results": results})
    except HelperError as exc:
        return json_response(400, {"Results": [f"Failed to process bulk license operation: {exc}"]})
