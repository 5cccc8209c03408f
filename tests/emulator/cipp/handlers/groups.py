"""Group endpoints: ListGroups, AddGroup, EditGroup, ExecGroupsDelete.

Sources: HF/Identity/Administration/Groups/Invoke-ListGroups.ps1, Invoke-AddGroup.ps1
(+ Core/New-CIPPGroup.ps1 and its CacheGroupCreation table), Invoke-EditGroup.ps1,
HF/Email-Exchange/Administration/Invoke-ExecGroupsDelete.ps1 (+ Remove-CIPPGroup).
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from .. import graph as g
from .. import psvalue
from ..framework import Ctx, Escape, handler, json_response, ps_response
from ..state import is_guid, now_utc, object_id_to_sid
from . import directory as d
from .common import HelperError, calculated_group_type, group_type_name, normalize, resolved_group_type

LIST_SELECT = ("id,createdDateTime,displayName,description,mail,mailEnabled,mailNickname,resourceProvisioningOptions,"
               "securityEnabled,visibility,organizationId,onPremisesSamAccountName,membershipRule,groupTypes,"
               "onPremisesSyncEnabled,resourceProvisioningOptions,assignedLicenses,userPrincipalName,licenseProcessingState")
MEMBER_SELECT = ("id,userPrincipalName,displayName,hideFromOutlookClients,hideFromAddressLists,mail,mailEnabled,"
                 "mailNickname,resourceProvisioningOptions,securityEnabled,visibility,organizationId,"
                 "onPremisesSamAccountName,membershipRule")


def _decorate_list(group: dict[str, Any]) -> dict[str, Any]:
    group["primDomain"] = (group.get("mail") or "").split("@")[-1] if group.get("mail") is not None else None
    members = group.get("members") or []
    owners = group.get("owners") or []
    group["membersCsv"] = ",".join(str(m.get("userPrincipalName") or "") for m in members if isinstance(m, dict)) if members else ""
    group["ownersCsv"] = ",".join(str(m.get("userPrincipalName") or "") for m in owners if isinstance(m, dict)) if owners else ""
    group["teamsEnabled"] = any("Team" in str(o) for o in group.get("resourceProvisioningOptions") or [])
    group["groupType"] = group_type_name(group)
    group["calculatedGroupType"] = calculated_group_type(group)
    group["dynamicGroupBool"] = "DynamicMembership" in (group.get("groupTypes") or [])
    group["SID"] = object_id_to_sid(group["id"]) if group.get("id") else None
    return group


@handler("ListGroups")
def list_groups(ctx: Ctx):
    tenant_filter = ctx.q("tenantFilter")
    group_id = ctx.q("groupID")
    group_type = ctx.q("groupType")
    members = psvalue.eq_true(ctx.q("members"))
    owners = psvalue.eq_true(ctx.q("owners"))
    if (members or owners) and not group_id:
        return json_response(400, {"Results": "The 'members' and 'owners' parameters require 'groupID' to be set."})
    if not group_id and (tenant_filter == "AllTenants" or psvalue.eq_true(ctx.q("UseReportDB"))):
        return json_response(200, _report(ctx, tenant_filter))
    tenant = ctx.tenant(tenant_filter)
    if group_id:
        return _detail(ctx, tenant, group_id, group_type, members, owners)
    if tenant is None:
        ctx.flag("unknown_tenant", "query.tenantFilter", f"'{tenant_filter}' is not in CIPP's tenant list: ListGroups "
                 "answers [].")
        return json_response(200, [])
    select = LIST_SELECT
    if psvalue.eq_true(ctx.q("expandMembers")):
        select += "&$expand=members($select=userPrincipalName)"
    elif psvalue.eq_true(ctx.q("expandOwners")):
        select += "&$expand=owners($select=userPrincipalName)"
    try:
        items, _next_link = g.follow_all(ctx.state, tenant, f"https://graph.microsoft.com/beta/groups?$top=999&select={select}")
    except g.GraphError as exc:
        return ps_response(403, normalize(exc.message))
    out = [_decorate_list(dict(i)) for i in items]
    out.sort(key=lambda r: (r.get("displayName") or "").lower())
    return json_response(200, out)


def _report(ctx: Ctx, tenant_filter: Any) -> list[dict[str, Any]]:
    """Get-CIPPGroupsReport (nightly cache): every managed tenant's groups with Tenant."""
    tenants = ctx.state.managed_tenants() if tenant_filter == "AllTenants" else [t for t in [ctx.tenant(tenant_filter)] if t]
    rows = []
    for tenant in tenants:
        for group in tenant.groups.values():
            row = _decorate_list(dict(group))
            row["Tenant"] = tenant.default_domain
            rows.append(row)
    return rows


def _detail(ctx: Ctx, tenant, group_id: str, group_type: Any, members: bool, owners: bool):
    if tenant is None:
        ctx.flag("unknown_tenant", "query.tenantFilter", f"'{ctx.q('tenantFilter')}' is not in CIPP's tenant list: the "
                 "group detail comes back with nulls.")
        info: dict[str, Any] | None = None
        member_rows: list[Any] = []
        owner_rows: list[Any] = []
    else:
        group = tenant.find_group(group_id) if is_guid(group_id) else None
        if group:
            info = {"@odata.context": "https://graph.microsoft.com/beta/$metadata#groups(id)/$entity"}
            info.update({k: group.get(k) for k in (
                "id", "createdDateTime", "displayName", "description", "mail", "mailEnabled", "mailNickname",
                "resourceProvisioningOptions", "securityEnabled", "visibility", "organizationId",
                "onPremisesSamAccountName", "membershipRule", "groupTypes", "assignedLicenses", "onPremisesSyncEnabled",
                "licenseProcessingState")})
        else:
            info = g.not_found(group_id).body() if is_guid(group_id) else g.bad_request(
                f"Invalid object identifier '{group_id}'.").body()
        member_rows = _members(tenant, group, "members") if members and group else []
        owner_rows = _members(tenant, group, "owners") if owners and group else []
    if info is not None:
        info = dict(info)
        info["primDomain"] = (info.get("mail") or "").split("@")[-1] if info.get("mail") else ""
        info["teamsEnabled"] = any("Team" in str(o) for o in info.get("resourceProvisioningOptions") or [])
        info["groupType"] = group_type_name(info) if "id" in info else None
        info["calculatedGroupType"] = calculated_group_type(info) if "id" in info else None
        info["dynamicGroupBool"] = "DynamicMembership" in (info.get("groupTypes") or [])
    only_internal = None
    send_copies = None
    hide = None
    extra = tenant and ctx.state.extra.get("group_settings", {}).get(group_id, {}) or {}
    if group_type in ("Distribution List", "Mail-Enabled Security"):
        only_internal = extra.get("RequireSenderAuthenticationEnabled", True)
    elif group_type == "Microsoft 365":
        only_internal = extra.get("RequireSenderAuthenticationEnabled", True)
        send_copies = bool(extra.get("subscriptionEnabled") and extra.get("AutoSubscribeNewMembers"))
        hide = extra.get("HiddenFromExchangeClientsEnabled", False)
    body = {"groupInfo": info, "members": member_rows, "owners": owner_rows, "allowExternal": not only_internal,
            "sendCopies": send_copies, "hideFromOutlookClients": hide,
            "SID": object_id_to_sid(info["id"]) if info and info.get("id") else None}
    return json_response(200, body)


def _members(tenant, group: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    ids = (tenant.owners if kind == "owners" else tenant.members).get(group["id"], [])
    objs = [g.directory_object(tenant, i) for i in ids]
    rows = g._select([o for o in objs if o], MEMBER_SELECT)
    rows.sort(key=lambda r: (r.get("displayName") or "").lower())
    return rows


# --------------------------------------------------------------------------- AddGroup

def _normalized_type(group_type: str) -> str:
    lowered = group_type.lower()
    if lowered == "mail-enabled security":
        return "Security"
    for pattern, name in (("*dynamicdistribution*", "DynamicDistribution"), ("*dynamic*", "Dynamic"),
                          ("*generic*", "Generic"), ("*security*", "Security"), ("*azurerole*", "AzureRole"),
                          ("*m365*", "M365"), ("*unified*", "M365"), ("*microsoft*", "M365"),
                          ("*distribution*", "Distribution"), ("*mail*", "Distribution")):
        import fnmatch
        if fnmatch.fnmatchcase(lowered, pattern):
            return name
    return group_type


def new_cipp_group(ctx: Ctx, body: Any, tenant_ref: str) -> dict[str, Any]:
    """New-CIPPGroup: {Success, Message, GroupId, ...}."""
    state = ctx.state

    def get(path):
        return psvalue.path(body, path) if isinstance(body, dict) else None

    display = get("displayName")
    safe = re.sub(r"[^a-zA-Z0-9-]", "_", psvalue.ps_str(display))
    cache_key = f"{tenant_ref}_{safe}"
    cached = state.group_creation_cache.get(cache_key)
    if cached and cached["GroupId"] and cached["Timestamp"] >= now_utc() - dt.timedelta(minutes=10):
        ctx.log(f"Group '{psvalue.ps_str(display)}' was recently created (cached id: {cached['GroupId']}), skipping "
                "duplicate creation", "Info", tenant=tenant_ref)
        return {"Success": True, "Message": f"Group {psvalue.ps_str(display)} already exists (from cache)",
                "GroupId": cached["GroupId"], "AlreadyExist": True}
    normalized = None
    try:
        group_type = get("groupType")
        if group_type is None:
            raise HelperError("You cannot call a method on a null-valued expression.")
        normalized = _normalized_type(psvalue.ps_str(group_type))
        needs_email = normalized in ("M365", "Distribution", "DynamicDistribution", "Security")
        username = psvalue.ps_str(get("username"))
        email = None
        if needs_email:
            if psvalue.truthy(get("primDomain.value")):
                email = f"{username}@{psvalue.ps_str(get('primDomain.value'))}"
            elif psvalue.truthy(get("primaryEmailAddress")):
                email = psvalue.ps_str(get("primaryEmailAddress"))
            elif "@" in username:
                email = username
            else:
                email = f"{username}@{tenant_ref}"
        if not psvalue.truthy(get("username")) or normalized in ("Generic", "AzureRole"):
            nickname = str(uuid.uuid4())[:10]
        else:
            nickname = re.sub(r"[^a-zA-Z0-9_-]", "", username.split("@", maxsplit=1)[0]) or str(uuid.uuid4())
        ctx.log(f"Creating group {psvalue.ps_str(display)} of type {normalized}" + (f" with email {email}" if needs_email else ""),
                "Info", tenant=tenant_ref)
        tenant = ctx.tenant(tenant_ref)
        if tenant is None:
            ctx.flag("unknown_tenant", "body.tenantFilter", f"'{tenant_ref}' is not in CIPP's tenant list: AddGroup "
                     "reports success and creates nothing.")
        group = None
        if normalized in ("Generic", "AzureRole", "Dynamic", "M365"):
            if not display:
                raise d.fail("Invalid value specified for property 'displayName' of resource 'Group'.")
            rule = get("membershipRules")
            kind = "m365" if normalized == "M365" else ("dynamic" if psvalue.truthy(rule) else "security")
            if tenant is not None:
                group = d.new_group(state, tenant, display_name=psvalue.ps_str(display), kind=kind, nickname=nickname,
                                    description=get("description"), membership_rule=rule if psvalue.truthy(rule) else None)
                if normalized == "AzureRole":
                    group["isAssignableToRole"] = True
                for field, table in (("owners", tenant.owners), ("members", tenant.members)):
                    if field == "members" and psvalue.truthy(rule):
                        continue
                    for item in psvalue.as_list(get(field)):
                        ref = psvalue.member(item, "value") if isinstance(item, dict) else item
                        user = tenant.find_user(psvalue.ps_str(ref)) if ref else None
                        if ref and not user:
                            tenant.groups.pop(group["id"], None)
                            raise d.fail(g.not_found(psvalue.ps_str(ref)).message)
                        if user and user["id"] not in table[group["id"]]:
                            table[group["id"]].append(user["id"])
                ctx.changed()
            group_id = group["id"] if group else None
        else:
            if tenant is not None:
                if normalized == "DynamicDistribution":
                    # An Exchange-only recipient: it never appears in Graph's /groups.
                    store = state.extra.setdefault("dynamic_distribution", {}).setdefault(tenant.customer_id, {})
                    store[psvalue.ps_str(display)] = {"Name": psvalue.ps_str(display), "PrimarySmtpAddress": email,
                                                      "RecipientFilter": psvalue.ps_str(get("membershipRules"))}
                    group = {"displayName": psvalue.ps_str(display)}
                else:
                    if normalized not in ("Distribution", "Security"):
                        raise d.fail(f"Cannot process argument transformation on parameter 'Type'. Cannot convert value "
                                     f"\"{psvalue.ps_str(group_type)}\" to type \"Microsoft.Exchange.Management."
                                     "RecipientTasks.GroupType\".")
                    if tenant.find_user(email or "") or any((x.get("mail") or "").lower() == (email or "").lower()
                                                            for x in tenant.groups.values()):
                        raise d.fail(f"The proxy address \"SMTP:{email}\" is already being used by the proxy addresses or "
                                     "LegacyExchangeDN. Please choose another proxy address.")
                    domain = (email or "@").split("@")[-1].lower()
                    if domain not in {x["id"].lower() for x in tenant.domains}:
                        raise d.fail(f"The domain part of the email address \"{email}\" isn't an accepted domain for your "
                                     "organization.")
                    kind = "mailsecurity" if normalized == "Security" else "distribution"
                    group = d.new_group(state, tenant, display_name=psvalue.ps_str(display), kind=kind, nickname=nickname,
                                        description=get("description"), mail=email)
                    for field, table in (("owners", tenant.owners), ("members", tenant.members)):
                        for item in psvalue.as_list(get(field)):
                            ref = psvalue.member(item, "value") if isinstance(item, dict) else item
                            user = tenant.find_user(psvalue.ps_str(ref)) if ref else None
                            if user and user["id"] not in table[group["id"]]:
                                table[group["id"]].append(user["id"])
                    settings = ctx.state.extra.setdefault("group_settings", {}).setdefault(group["id"], {})
                    settings["RequireSenderAuthenticationEnabled"] = not psvalue.truthy(get("allowExternal"))
                    if psvalue.truthy(get("hideFromGAL")):
                        settings["HiddenFromAddressListsEnabled"] = True
                ctx.changed()
            group_id = (group or {}).get("displayName") if group else None
        state.group_creation_cache[cache_key] = {"GroupId": psvalue.ps_str(group_id), "Timestamp": now_utc()}
        ctx.log(f"Created group {psvalue.ps_str(display)} with id {psvalue.ps_str(group_id)}", "Info", tenant=tenant_ref)
        return {"Success": True, "Message": f"Successfully created group {psvalue.ps_str(display)}", "GroupId": group_id}
    except HelperError as exc:
        ctx.log(f"Group creation failed for {psvalue.ps_str(display)}: {exc}", "Error", tenant=tenant_ref)
        return {"Success": False, "Message": f"Failed to create group {psvalue.ps_str(display)}: {exc}", "Error": str(exc),
                "GroupType": normalized}


@handler("AddGroup", fallback=("body.tenantFilter",), bare_ok=("body.owners", "body.members"))
def add_group(ctx: Ctx):
    tenant_value = ctx.b("tenantFilter.value") if psvalue.truthy(ctx.b("tenantFilter.value")) else ctx.b("tenantFilter")
    tenants = psvalue.as_list(tenant_value)
    if any(psvalue.ps_str(t) == "AllTenants" for t in tenants):
        ctx.flag("ignored_field", "body.tenantFilter", "AddGroup does not expand AllTenants (its check reads an unset "
                 "variable): the group is 'created' in a tenant literally named AllTenants, i.e. nowhere.")
    results = []
    status = None
    display = psvalue.ps_str(ctx.b("displayName"))
    for tenant in tenants:
        tenant_ref = psvalue.ps_str(tenant)
        outcome = new_cipp_group(ctx, ctx.body, tenant_ref)
        if outcome["Success"]:
            results.append(f"Successfully created group {display} for {tenant_ref}")
            status = 200
        else:
            results.append(f"Failed to create group. {display} for {tenant_ref} {normalize(outcome['Message'])}")
            status = 500
    if status is None:
        ctx.flag("missing_required", "body.tenantFilter", "AddGroup without tenantFilter never sets a status code: "
                 "the generic 500 is returned.", "send tenantFilter")
        return ps_response(None, None)
    return json_response(status, {"Results": results})


# --------------------------------------------------------------------------- EditGroup

@handler("EditGroup")
def edit_group(ctx: Ctx):
    state = ctx.state
    results: list[str] = []
    b = ctx.b
    group_type = b("groupId.addedFields.groupType") if psvalue.truthy(b("groupId.addedFields.groupType")) else b("groupType")
    group_name = psvalue.coalesce(b("groupName"), b("displayName"), b("groupId.addedFields.groupName"))
    group_id = psvalue.ps_str(psvalue.coalesce(b("groupId.value"), b("groupId")))
    tenant_ref = b("tenantFilter")
    tenant = ctx.tenant(tenant_ref)
    org = None
    if tenant is None:
        ctx.flag("unknown_tenant", "body.tenantFilter", f"'{psvalue.ps_str(tenant_ref)}' is not in CIPP's tenant list: "
                 "EditGroup reports 'Success - ...' for every change and makes none.")
    else:
        org = tenant.find_group(group_id) if is_guid(group_id) else None
        if org is None:
            # New-GraphGetRequest for the group has no try: the error escapes (500 text).
            raise Escape(g.not_found(group_id).message if is_guid(group_id) else f"Invalid object identifier '{group_id}'.")
        group_type = resolved_group_type(org)
    gtype = psvalue.ps_str(group_type)
    exchange = gtype.lower() in ("distribution list", "mail-enabled security")
    name = psvalue.ps_str(group_name)
    graph_ops: list[tuple[str, Any]] = []       # (success message, callable raising HelperError)
    exo_ops: list[tuple[str, Any]] = []

    if b("displayName") or b("description") or b("mailNickname") or b("membershipRules"):
        if exchange:
            def set_dl():
                for key, prop in (("displayName", "displayName"), ("description", "description")):
                    if b(key) is not None:
                        org[prop] = b(key)
            exo_ops.append((f"Edited group properties for {name} group. It might take some time to reflect the changes.",
                            set_dl))
        else:
            try:
                original_security = org.get("securityEnabled") if org is not None else None
                if tenant is not None:
                    # The PATCH carries displayName/description/mailNickname even when not sent ($null),
                    # and Graph refuses a null displayName or mailNickname.
                    for required in ("displayName", "mailNickname"):
                        if psvalue.is_blank(b(required)):
                            raise d.fail(f"Invalid value specified for property '{required}' of resource 'Group'.")
                    org["displayName"] = b("displayName")
                    org["description"] = b("description")
                    org["mailNickname"] = b("mailNickname")
                    if b("securityEnabled") is not None:
                        org["securityEnabled"] = psvalue.truthy(b("securityEnabled"))
                    if b("membershipRules"):
                        org["membershipRule"] = b("membershipRules")
                    ctx.changed()
                results.append(f"Success - Edited group properties for {name} group. It might take some time to reflect the changes.")
                ctx.log(f"Edited group properties for {name} group", "Info", tenant=psvalue.ps_str(tenant_ref))
                if b("securityEnabled") is not None and psvalue.truthy(b("securityEnabled")) != original_security:
                    text = (f"Security capabilities {'enabled' if psvalue.truthy(b('securityEnabled')) else 'disabled'} "
                            f"for group {name}")
                    ctx.log(text, "Info", tenant=psvalue.ps_str(tenant_ref))
                    results.append(text)
            except HelperError as exc:
                results.append(f"Error - Failed to edit group properties: {exc}")

    def member_ref(item: Any) -> tuple[str, str | None]:
        member = psvalue.coalesce(psvalue.path(item, "addedFields.userPrincipalName"), psvalue.member(item, "value"), item)
        return psvalue.ps_str(member), (psvalue.ps_str(psvalue.member(item, "value")) if psvalue.member(item, "value") else None)

    for index, item in enumerate(psvalue.as_list(b("AddMember"))):
        member, member_id = member_ref(item)
        if tenant is not None and not member_id:
            user = tenant.find_user(member)
            if user is None:
                continue            # the lookup throws inside a try that only writes a warning: silently skipped
            member_id = user["id"]
        if exchange:
            exo_ops.append((f"Added member {member} to {name} group",
                            (lambda m=member: d.exo_add_member(tenant, group_id, m))))
        else:
            graph_ops.append((f"Added member {member} to {name} group",
                              (lambda mid=member_id: d.add_group_member(tenant, group_id, mid))))
    for item in psvalue.as_list(b("RemoveMember")):
        member = psvalue.ps_str(psvalue.coalesce(psvalue.path(item, "addedFields.userPrincipalName"), psvalue.member(item, "value")))
        member_id = psvalue.ps_str(psvalue.member(item, "value"))
        if not isinstance(item, dict):
            ctx.flag("bare_labelvalue", "body.RemoveMember", f"EditGroup reads RemoveMember[].value (the object id); the "
                     f"bare value {item!r} gives an empty id and the removal fails.", '{"value": "<object id>"}')
        if exchange:
            exo_ops.append((f"Removed member {member} from {name} group",
                            (lambda m=member: d.exo_remove_member(tenant, group_id, m))))
        else:
            graph_ops.append((f"Removed member {member} from {name} group",
                              (lambda mid=member_id: d.remove_group_member(tenant, group_id, mid))))
    if not exchange:
        for item in psvalue.as_list(b("AddOwner")):
            owner = psvalue.ps_str(psvalue.coalesce(psvalue.path(item, "addedFields.userPrincipalName"), psvalue.member(item, "value")))
            oid = psvalue.ps_str(psvalue.member(item, "value"))

            def add_owner(oid=oid):
                if not is_guid(oid):
                    raise d.fail(f"Invalid object identifier '{oid}'.")
                if tenant.find_user(oid) is None:
                    raise d.fail(g.not_found(oid).message)
                owners = tenant.owners.setdefault(group_id, [])
                if oid in owners:
                    raise d.fail("One or more added object references already exist for the following modified properties: 'owners'.")
                owners.append(oid)
            graph_ops.append((f"Added owner {owner} to {name} group", add_owner))
        for item in psvalue.as_list(b("RemoveOwner")):
            oid = psvalue.ps_str(psvalue.member(item, "value"))
            owner = psvalue.ps_str(psvalue.coalesce(psvalue.path(item, "addedFields.userPrincipalName"), psvalue.member(item, "value")))
            graph_ops.append((f"Removed owner {owner} from {name} group",
                              (lambda oid=oid: d.remove_group_member(tenant, group_id, oid, owners=True))))
    else:
        for item in psvalue.as_list(b("AddOwner")):
            oid = psvalue.ps_str(psvalue.member(item, "value"))
            exo_ops.append((f"Added owner {psvalue.ps_str(psvalue.member(item, 'label'))} to {name} group",
                            (lambda oid=oid: tenant.owners.setdefault(group_id, []).append(oid))))
        for item in psvalue.as_list(b("RemoveOwner")):
            oid = psvalue.ps_str(psvalue.member(item, "value"))
            if tenant is not None and oid in tenant.owners.get(group_id, []):
                exo_ops.append((f"Removed owner {psvalue.ps_str(psvalue.member(item, 'label'))} from {name} group",
                                (lambda oid=oid: tenant.owners[group_id].remove(oid))))
    for item in psvalue.as_list(b("AddContact")):
        if exchange:
            cid = psvalue.ps_str(psvalue.member(item, "value"))
            exo_ops.append((f"Added contact {psvalue.ps_str(psvalue.member(item, 'label'))} to {name} group",
                            (lambda cid=cid: d.exo_add_member(tenant, group_id, cid))))
        else:
            results.append("Error - You cannot add a contact to a Security Group or a M365 Group")
    for item in psvalue.as_list(b("RemoveContact")):
        if exchange:
            cid = psvalue.ps_str(psvalue.member(item, "value"))
            exo_ops.append((f"Removed contact {cid} from {name} group",
                            (lambda cid=cid: d.exo_remove_member(tenant, group_id, cid))))
        else:
            results.append("You cannot remove a contact from a Security Group")

    for message, op in graph_ops:
        try:
            if tenant is not None:
                op()
                ctx.changed()
            results.append(f"Success - {message}")
            ctx.log(message, "Info", tenant=psvalue.ps_str(tenant_ref))
        except HelperError as exc:
            results.append(f"Error - {exc}")
            ctx.log(str(exc), "Error", tenant=psvalue.ps_str(tenant_ref))
    for message, op in exo_ops:
        try:
            if tenant is not None:
                op()
                ctx.changed()
            results.append(f"Success - {message}")
        except HelperError as exc:
            results.append(f"Error - {exc}")

    settings = state.extra.setdefault("group_settings", {}).setdefault(group_id, {}) if tenant is not None else {}
    if b("allowExternal") is not None and gtype != "Security":
        settings["RequireSenderAuthenticationEnabled"] = not psvalue.eq_true(b("allowExternal"))
        ctx.changed()
        mail = psvalue.ps_str(b("mail"))
        results.append(f"Allowed external senders to send to {mail}." if psvalue.eq_true(b("allowExternal"))
                       else f"Blocked external senders from sending to {mail}.")
    if gtype == "Microsoft 365" and not psvalue.is_blank(b("visibility")):
        if org is not None:
            org["visibility"] = b("visibility")
            ctx.changed()
        results.append(f"Set group visibility to {psvalue.ps_str(b('visibility'))} for {name}.")
    if b("sendCopies") is not None:
        on = psvalue.eq_true(b("sendCopies"))
        settings["subscriptionEnabled"] = on
        settings["AutoSubscribeNewMembers"] = on
        ctx.changed()
        results.append(f"Send Copies of team emails and events to team members inboxes for {psvalue.ps_str(b('mail'))} "
                       f"{'enabled' if on else 'disabled'}.")
    if b("hideFromOutlookClients") is not None and gtype == "Microsoft 365":
        settings["HiddenFromExchangeClientsEnabled"] = psvalue.eq_true(b("hideFromOutlookClients"))
        ctx.changed()
        results.append(f"Successfully hidden group mailbox from Outlook for {name}." if psvalue.eq_true(b("hideFromOutlookClients"))
                       else f"Successfully made group mailbox visible in Outlook for {name}.")
    return json_response(200, {"Results": results})


# --------------------------------------------------------------------------- ExecGroupsDelete

@handler("ExecGroupsDelete")
def exec_groups_delete(ctx: Ctx):
    tenant_ref = ctx.qb("tenantFilter")
    group_type = ctx.qb("GroupType")
    group_id = psvalue.ps_str(ctx.qb("id"))
    display = psvalue.ps_str(ctx.qb("displayName"))
    gtype = psvalue.ps_str(group_type)
    if gtype.lower() not in ("distribution list", "mail-enabled security", "microsoft 365", "security"):
        ctx.flag("ignored_field", "GroupType", f"ExecGroupsDelete acts only for GroupType 'Distribution List', "
                 f"'Mail-Enabled Security', 'Microsoft 365' or 'Security'; {group_type!r} deletes nothing and Results "
                 "is null.", "send the groupType ListGroups returns")
        return json_response(200, {"Results": None})
    tenant = ctx.tenant(tenant_ref)
    try:
        if tenant is None:
            ctx.flag("unknown_tenant", "tenantFilter", f"'{psvalue.ps_str(tenant_ref)}' is not in CIPP's tenant list: "
                     "ExecGroupsDelete reports success and deletes nothing.")
        elif gtype.lower() in ("distribution list", "mail-enabled security"):
            group = tenant.find_group(group_id)
            if group is None or not group.get("mailEnabled") or "Unified" in (group.get("groupTypes") or []):
                raise d.fail(f"Couldn't find object \"{group_id}\". Please make sure that it was spelled correctly or "
                             "specify a different object.")
            _delete_group(tenant, group)
            ctx.changed()
        else:
            group = tenant.find_group(group_id) if is_guid(group_id) else None
            if group is None:
                raise d.fail(g.not_found(group_id).message if is_guid(group_id) else f"Invalid object identifier '{group_id}'.")
            if group.get("mailEnabled") and "Unified" not in (group.get("groupTypes") or []):
                raise d.fail("Cannot Update a mail-enabled security groups and or distribution list.")
            _delete_group(tenant, group)
            ctx.changed()
        ctx.log(f"{display} Deleted", "Info", tenant=psvalue.ps_str(tenant_ref))
        return json_response(200, {"Results": f"Successfully Deleted {gtype} group {display}"})
    except HelperError as exc:
        message = f"Could not delete {display}. Error: {exc}"
        ctx.log(message, "Error", tenant=psvalue.ps_str(tenant_ref))
        return json_response(500, {"Results": message})


def _delete_group(tenant, group: dict[str, Any]) -> None:
    gid = group["id"]
    tenant.groups.pop(gid, None)
    tenant.members.pop(gid, None)
    tenant.owners.pop(gid, None)
