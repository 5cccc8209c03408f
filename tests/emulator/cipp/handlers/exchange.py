"""Exchange endpoints: mailboxes, mailbox permissions, forwarding, out of office, shared mailboxes,
mailbox conversion, contacts and transport rules.

Sources (HF/Email-Exchange/...): Administration/Invoke-ListMailboxes.ps1,
Invoke-ListmailboxPermissions.ps1, Invoke-ExecEditMailboxPermissions.ps1 (+ Set-CIPPMailboxPermission),
Invoke-ExecEmailForward.ps1 (+ Set-CIPPForwarding), Invoke-ExecSetOoO.ps1 (+ Set-CIPPOutOfoffice),
Invoke-ListOoO.ps1 (+ Get-CIPPOutOfOffice), Invoke-AddSharedMailbox.ps1,
Invoke-ExecConvertMailbox.ps1 (+ Set-CIPPMailboxType), Contacts/Invoke-ListContacts.ps1,
Invoke-AddContact.ps1, Invoke-EditContact.ps1, Invoke-RemoveContact.ps1,
Transport/Invoke-ListTransportRules.ps1, Invoke-AddTransportRule.ps1, Invoke-EditTransportRule.ps1,
Invoke-RemoveTransportRule.ps1.

Mailboxes are derived from the directory: every user with an Exchange-carrying licence has a
UserMailbox, fixture users marked ``shared`` a SharedMailbox; Exchange-only settings live in
``tenant.mailbox_extra[user id]``. Unknown tenants follow New-ExoRequest's non-terminating refusal.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

from .. import psvalue
from ..framework import Ctx, Escape, handler, json_response, ps_response
from ...http import HttpResponse
from ..state import TenantData, iso, name_uuid, now_utc
from .common import HelperError, normalize
from .core import pretty

ZERO_GUID = "00000000-0000-0000-0000-000000000000"


def not_found_exo(ref: Any, tenant: TenantData | None = None) -> HelperError:
    host = "EURPR05A001.PROD.OUTLOOK.COM"
    return HelperError(f"The operation couldn't be performed because object '{psvalue.ps_str(ref)}' couldn't be found on "
                       f"'{host}'.")


def couldnt_find(ref: Any) -> HelperError:
    return HelperError(f"Couldn't find object \"{psvalue.ps_str(ref)}\". Please make sure that it was spelled correctly or "
                       "specify a different object.")


def seed(state: Any, data: dict[str, Any]) -> None:
    for tenant in state.tenants:
        spec = tenant.fixture or {}
        keys = tenant.user_keys
        for perm in spec.get("mailbox_permissions") or []:
            tenant.mailbox_permissions.append({"mailbox": keys.get(perm["mailbox"], perm["mailbox"]),
                                               "user": keys.get(perm["user"], perm["user"]), "rights": perm["rights"]})
        for contact in spec.get("contacts") or []:
            add_contact_record(tenant, contact)
        for rule in spec.get("transport_rules") or []:
            add_rule_record(tenant, dict(rule))


# --------------------------------------------------------------------------- mailboxes

def mailbox_extra(tenant: TenantData, user: dict[str, Any]) -> dict[str, Any]:
    return tenant.mailbox_extra.setdefault(user["id"], {})


def has_mailbox(ctx_state: Any, tenant: TenantData, user: dict[str, Any]) -> bool:
    return user["id"] in tenant.shared or "Type" in tenant.mailbox_extra.get(user["id"], {}) or \
        tenant.has_exchange(user, ctx_state)


def find_mailbox(ctx: Ctx, tenant: TenantData, ref: Any) -> dict[str, Any] | None:
    """Exchange identity resolution: UPN, primary SMTP, alias, display name or object id."""
    text = psvalue.ps_str(ref).lower()
    if not text:
        return None
    user = tenant.find_user(text)
    if user is None:
        for candidate in tenant.users.values():
            addresses = [p.split(":", 1)[-1].lower() for p in candidate.get("proxyAddresses") or []]
            if text in addresses or text == (candidate.get("mail") or "").lower() or \
                    text == (candidate.get("mailNickname") or "").lower() or text == (candidate.get("displayName") or "").lower():
                user = candidate
                break
    if user is None or not has_mailbox(ctx.state, tenant, user):
        return None
    return user


def recipient_type(tenant: TenantData, user: dict[str, Any]) -> str:
    kind = tenant.mailbox_extra.get(user["id"], {}).get("Type")
    if kind:
        return kind
    return "SharedMailbox" if user["id"] in tenant.shared else "UserMailbox"


def mailbox_row(ctx: Ctx, tenant: TenantData, user: dict[str, Any]) -> dict[str, Any]:
    """One Get-Mailbox object after ListMailboxes' Select-Object."""
    extra = tenant.mailbox_extra.get(user["id"], {})
    addresses = user.get("proxyAddresses") or []
    secondary = [a.replace("smtp:", "") for a in addresses if a.startswith("smtp:")]
    plans = {p["servicePlanId"] for p in user.get("assignedPlans") or []}
    litigation_capable = "efb87545-963c-4e0d-99df-69c6916d9eb0" in plans
    forwarding = extra.get("ForwardingSmtpAddress")
    return {
        "Id": user.get("mailNickname"), "ExchangeGuid": name_uuid("exchange", user["id"]), "ArchiveGuid": ZERO_GUID,
        "WhenSoftDeleted": None, "UPN": user["userPrincipalName"], "displayName": user.get("displayName"),
        "primarySmtpAddress": user.get("mail") or user["userPrincipalName"], "ArchiveEnabled": False,
        "AutoExpandingArchive": False, "AutoExpandingArchiveScope": "None", "recipientType": "UserMailbox",
        "recipientTypeDetails": recipient_type(tenant, user),
        "AdditionalEmailAddresses": ", ".join(secondary) if secondary else None,
        "ForwardingSmtpAddress": forwarding.replace("smtp:", "") if forwarding else None,
        "InternalForwardingAddress": extra.get("ForwardingAddress"),
        "DeliverToMailboxAndForward": bool(extra.get("DeliverToMailboxAndForward", False)),
        "HiddenFromAddressListsEnabled": bool(extra.get("HiddenFromAddressListsEnabled", False)),
        "ExternalDirectoryObjectId": user["id"], "IsDirSynced": bool(user.get("onPremisesSyncEnabled")),
        "MessageCopyForSendOnBehalfEnabled": False, "MessageCopyForSentAsEnabled": False,
        "LitigationHoldEnabled": False, "LitigationHoldDate": None, "LitigationHoldDuration": "Unlimited",
        "LicensedForLitigationHold": litigation_capable, "ComplianceTagHoldApplied": False,
        "RetentionHoldEnabled": False, "InPlaceHolds": [], "RetentionPolicy": "Default MRM Policy"}


def shared_mailbox_addresses(ctx: Ctx, tenant: TenantData | None) -> list[str]:
    if tenant is None:
        return []
    out = []
    for user in tenant.users.values():
        if recipient_type(tenant, user) == "SharedMailbox":
            out += [user["userPrincipalName"].lower(), (user.get("mail") or "").lower()]
    return out


MAILBOX_PARAMS = (("Anr", "String"), ("Archive", "Bool"), ("Filter", "String"), ("GroupMailbox", "Bool"),
                  ("PublicFolder", "Bool"), ("RecipientTypeDetails", "String"), ("SoftDeletedMailbox", "Bool"),
                  ("Identity", "String"))


@handler("ListMailboxes", extra_keys=tuple(name for name, _default in MAILBOX_PARAMS))
def list_mailboxes(ctx: Ctx):
    tenant_filter = ctx.q("tenantFilter")
    if psvalue.eq_true(ctx.q("UseReportDB")):
        tenants = ctx.state.managed_tenants() if tenant_filter == "AllTenants" else [t for t in [ctx.tenant(tenant_filter)] if t]
        rows = []
        for tenant in tenants:
            for user in tenant.users.values():
                if has_mailbox(ctx.state, tenant, user):
                    rows.append({**mailbox_row(ctx, tenant, user), "Tenant": tenant.default_domain})
        return json_response(200, rows)
    tenant = ctx.tenant(tenant_filter)
    if tenant is None:
        ctx.flag("unknown_tenant", "query.tenantFilter", f"'{psvalue.ps_str(tenant_filter)}' is not in CIPP's tenant "
                 "list: ListMailboxes answers [].")
        return json_response(200, [])
    params: dict[str, Any] = {}
    for name, kind in MAILBOX_PARAMS:
        value = ctx.q(name)
        if value is None:
            continue
        if kind == "String" and value != "":
            params[name] = value
        elif kind == "Bool" and value.strip().lower() == "true":
            params[name] = True
    if params.get("SoftDeletedMailbox") or params.get("PublicFolder") or params.get("GroupMailbox"):
        return json_response(200, [])
    rows = []
    for user in tenant.users.values():
        if not has_mailbox(ctx.state, tenant, user):
            continue
        row = mailbox_row(ctx, tenant, user)
        if "RecipientTypeDetails" in params:
            wanted = {w.strip().lower() for w in params["RecipientTypeDetails"].split(",")}
            if row["recipientTypeDetails"].lower() not in wanted:
                continue
        if "Identity" in params and find_mailbox(ctx, tenant, params["Identity"]) is not user:
            continue
        if "Anr" in params:
            needle = params["Anr"].lower()
            if not any(str(v or "").lower().startswith(needle) for v in (row["displayName"], row["UPN"], row["Id"])):
                continue
        rows.append(row)
    if "Identity" in params and not rows:
        return ps_response(403, [normalize(not_found_exo(params["Identity"]).args[0])])
    return json_response(200, rows)


def _trustee(tenant: TenantData, uid: str) -> str:
    user = tenant.users.get(uid)
    return user["userPrincipalName"] if user else uid


@handler("ListmailboxPermissions")
def list_mailbox_permissions(ctx: Ctx):
    tenant = ctx.tenant(ctx.q("tenantFilter"))
    user_id = ctx.q("userId")
    if tenant is None:
        ctx.flag("unknown_tenant", "query.tenantFilter", "not in CIPP's tenant list: ListmailboxPermissions answers [].")
        return json_response(200, [])
    mailbox = find_mailbox(ctx, tenant, user_id)
    if mailbox is None:
        return json_response(200, [])
    perms = [p for p in tenant.mailbox_permissions if p["mailbox"] == mailbox["id"]]
    out: list[dict[str, Any]] = []
    for perm in perms:
        if perm["rights"] == "SendOnBehalf":
            out.append({"User": _trustee(tenant, perm["user"]), "Permissions": "SendOnBehalf"})
    out.append({"User": "NT AUTHORITY\\SELF", "Permissions": "FullAccess, ReadPermission"})
    for perm in perms:
        if perm["rights"] == "FullAccess":
            out.append({"User": _trustee(tenant, perm["user"]), "Permissions": "FullAccess"})
    out.append({"User": "NT AUTHORITY\\SELF", "Permissions": ["SendAs"]})
    for perm in perms:
        if perm["rights"] == "SendAs":
            out.append({"User": _trustee(tenant, perm["user"]), "Permissions": ["SendAs"]})
    return json_response(200, out)


def set_mailbox_permission(ctx: Ctx, tenant: TenantData | None, mailbox_ref: str, access_user: str, level: str,
                           action: str, automap: bool, tenant_ref: Any) -> str:
    """Set-CIPPMailboxPermission: returns its message (errors are returned too)."""
    if level == "FullAccess":
        expected = (f"Granted {access_user} FullAccess to {mailbox_ref} with automapping {'True' if automap else 'False'}"
                    if action == "Add" else f"Removed {access_user} FullAccess from {mailbox_ref}")
    elif level == "SendAs":
        expected = (f"Granted {access_user} SendAs permissions to {mailbox_ref}" if action == "Add"
                    else f"Removed {access_user} SendAs permissions from {mailbox_ref}")
    else:
        expected = (f"Granted {access_user} SendOnBehalf permissions to {mailbox_ref}" if action == "Add"
                    else f"Removed {access_user} SendOnBehalf permissions from {mailbox_ref}")
    try:
        if tenant is not None:
            mailbox = find_mailbox(ctx, tenant, mailbox_ref)
            if mailbox is None:
                raise not_found_exo(mailbox_ref)
            trustee = tenant.find_user(access_user) or find_mailbox(ctx, tenant, access_user)
            if trustee is None:
                raise HelperError(f"The user \"{access_user}\" couldn't be found. Please check the name and try again.")
            entry = {"mailbox": mailbox["id"], "user": trustee["id"], "rights": level}
            if action == "Add":
                if entry not in tenant.mailbox_permissions:
                    tenant.mailbox_permissions.append(entry)
            elif entry in tenant.mailbox_permissions:
                tenant.mailbox_permissions.remove(entry)
            ctx.changed()
        ctx.log(expected, "Info", tenant=psvalue.ps_str(tenant_ref))
        return expected
    except HelperError as exc:
        result = f"Failed to {action} {level} for {access_user} on {mailbox_ref}: {normalize(str(exc))}"
        ctx.log(result, "Error", tenant=psvalue.ps_str(tenant_ref))
        return result


BUCKETS = (("RemoveFullAccess", "FullAccess", "Remove", True), ("AddFullAccess", "FullAccess", "Add", True),
           ("AddFullAccessNoAutoMap", "FullAccess", "Add", False), ("AddSendAs", "SendAs", "Add", True),
           ("RemoveSendAs", "SendAs", "Remove", True), ("AddSendOnBehalf", "SendOnBehalf", "Add", True),
           ("RemoveSendOnBehalf", "SendOnBehalf", "Remove", True))


@handler("ExecEditMailboxPermissions", extra_keys=tuple(b[0] for b in BUCKETS))
def exec_edit_mailbox_permissions(ctx: Ctx):
    username = ctx.b("userID")
    tenant_ref = ctx.b("tenantfilter")
    if username is None:
        ctx.flag("missing_required", "body.userID", "ExecEditMailboxPermissions calls `exit` without userID: no response.")
        return HttpResponse(204, b"", {}, note="Invoke-ExecEditMailboxPermissions: `if ($null -eq $username) { exit }`")
    tenant = ctx.tenant(tenant_ref)
    if tenant is None:
        ctx.flag("unknown_tenant", "body.tenantfilter", "not in CIPP's tenant list: every change is reported as done.")
    results = []
    for bucket, level, action, automap in BUCKETS:
        raw = ctx.b(bucket)
        if raw is None:
            continue
        for index, item in enumerate(psvalue.as_list(raw)):
            if not isinstance(item, dict):
                ctx.flag("bare_labelvalue", f"body.{bucket}[{index}]", f"ExecEditMailboxPermissions reads {bucket}.value; "
                         f"the bare {item!r} is dropped.", '{"value": "<upn>"}')
        for access_user in psvalue.as_list(psvalue.member(raw, "value")):
            results.append(set_mailbox_permission(ctx, tenant, psvalue.ps_str(username), psvalue.ps_str(access_user),
                                                  level, action, automap, tenant_ref))
    return json_response(200, {"Results": results})


def set_forwarding(ctx: Ctx, tenant: TenantData | None, user_id: str, tenant_ref: Any, *, forward: str | None = None,
                   smtp: str | None = None, keep_copy: Any = False, disable: bool = False, username: str | None = None) -> str | None:
    """Set-CIPPForwarding: its message; raises HelperError('Failed to set forwarding ...')."""
    name = username or user_id
    try:
        message = None
        mailbox = find_mailbox(ctx, tenant, user_id) if tenant is not None else None
        if tenant is not None and mailbox is None:
            raise not_found_exo(user_id)
        extra = mailbox_extra(tenant, mailbox) if mailbox is not None else {}
        if disable:
            extra.update({"ForwardingSmtpAddress": None, "ForwardingAddress": None, "DeliverToMailboxAndForward": False})
            message = f"Successfully disabled forwarding for {name}"
        elif forward:
            if tenant is not None and find_mailbox(ctx, tenant, forward) is None and tenant.find_group(forward) is None:
                raise couldnt_find(forward)
            extra.update({"ForwardingSmtpAddress": None, "ForwardingAddress": forward,
                          "DeliverToMailboxAndForward": psvalue.truthy(keep_copy)})
            message = (f"Successfully set forwarding for {name} to Internal Address {forward} with keeping a copy set to "
                       f"{psvalue.ps_str(keep_copy)}")
        elif smtp:
            extra.update({"ForwardingSmtpAddress": f"smtp:{smtp}", "ForwardingAddress": None,
                          "DeliverToMailboxAndForward": psvalue.truthy(keep_copy)})
            message = (f"Successfully set forwarding for {name} to External Address {smtp} with keeping a copy set to "
                       f"{psvalue.ps_str(keep_copy)}")
        if mailbox is not None:
            ctx.changed()
        ctx.log(psvalue.ps_str(message), "Info", tenant=psvalue.ps_str(tenant_ref))
        return message
    except HelperError as exc:
        message = f"Failed to set forwarding for {name}. Error: {normalize(str(exc))}"
        ctx.log(message, "Error", tenant=psvalue.ps_str(tenant_ref))
        raise HelperError(message) from None


@handler("ExecEmailForward")
def exec_email_forward(ctx: Ctx):
    tenant_ref = ctx.b("tenantFilter")
    username = psvalue.ps_str(ctx.b("userID"))
    internal = ctx.b("ForwardInternal")
    forward_address = internal if isinstance(internal, str) else psvalue.member(internal, "value")
    external = ctx.b("ForwardExternal")
    option = psvalue.ps_str(ctx.b("forwardOption")).lower()
    keep = True if psvalue.eq_true(ctx.b("KeepCopy")) else False
    tenant = ctx.tenant(tenant_ref)
    if tenant is None:
        ctx.flag("unknown_tenant", "body.tenantFilter", "not in CIPP's tenant list: ExecEmailForward reports success.")
    try:
        if option == "internaladdress":
            result = set_forwarding(ctx, tenant, username, tenant_ref, forward=psvalue.ps_str(forward_address) or None,
                                    keep_copy=keep)
        elif option == "externaladdress":
            result = set_forwarding(ctx, tenant, username, tenant_ref, smtp=psvalue.ps_str(external) or None, keep_copy=keep)
        elif option == "disabled":
            result = set_forwarding(ctx, tenant, username, tenant_ref, disable=True, username=username)
        else:
            ctx.flag("ignored_field", "body.forwardOption", f"forwardOption {ctx.b('forwardOption')!r} is none of "
                     "internalAddress, ExternalAddress, disabled: no status code is set (generic 500).")
            return ps_response(None, {"Results": [None]})
        return json_response(200, {"Results": [result]})
    except HelperError as exc:
        return json_response(500, {"Results": [str(exc)]})


def ps_datetime_text(when: dt.datetime) -> str:
    """[datetime].ToString() in en-US."""
    return when.strftime("%-m/%-d/%Y %-I:%M:%S %p")


def set_out_of_office(ctx: Ctx, tenant: TenantData | None, user_id: Any, state: Any, tenant_ref: Any,
                      internal: Any = None, external: Any = None, has_internal: bool = False, has_external: bool = False,
                      start: Any = None, end: Any = None, extra_params: dict[str, Any] | None = None) -> str:
    if not psvalue.ps_str(user_id):
        raise HelperError("Cannot bind argument to parameter 'UserID' because it is an empty string.")
    state_text = psvalue.ps_str(state)
    if not state_text:
        raise HelperError("Cannot bind argument to parameter 'State' because it is an empty string.")
    canonical = {"enabled": "Enabled", "disabled": "Disabled", "scheduled": "Scheduled"}.get(state_text.lower())
    if canonical is None:
        raise HelperError(f"Cannot validate argument on parameter 'State'. The argument \"{state_text}\" does not belong "
                          "to the set \"Enabled,Disabled,Scheduled\" specified by the ValidateSet attribute. Supply an "
                          "argument that is in the set and then try the command again.")
    try:
        mailbox = find_mailbox(ctx, tenant, user_id) if tenant is not None else None
        if tenant is not None and mailbox is None:
            raise not_found_exo(user_id)
        extra = mailbox_extra(tenant, mailbox) if mailbox is not None else {}
        extra["AutoReplyState"] = canonical
        extra["ExternalAudience"] = "All" if has_external else "None"
        if has_internal:
            extra["InternalMessage"] = internal
        if has_external:
            extra["ExternalMessage"] = external
        results = f"Set Out-of-office for {psvalue.ps_str(user_id)} to {state_text}."
        if canonical == "Scheduled":
            start_dt = _parse_time(start) or now_utc()
            end_dt = _parse_time(end) or start_dt + dt.timedelta(days=7)
            extra["StartTime"], extra["EndTime"] = start_dt, end_dt
            for key, value in (extra_params or {}).items():
                extra[key] = value
            results = (f"Scheduled Out-of-office for {psvalue.ps_str(user_id)} between {ps_datetime_text(start_dt)} and "
                       f"{ps_datetime_text(end_dt)}")
        if mailbox is not None:
            ctx.changed()
        ctx.log(results, "Info", tenant=psvalue.ps_str(tenant_ref))
        return results
    except HelperError as exc:
        message = f"Could not add OOO for {psvalue.ps_str(user_id)}. Error: {normalize(str(exc))}"
        raise HelperError(message) from None


def _parse_time(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    text = psvalue.ps_str(value)
    if re.fullmatch(r"\d+", text):
        return dt.datetime.fromtimestamp(int(text), dt.timezone.utc)
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


@handler("ExecSetOoO", fallback=("body.AutoReplyState",))
def exec_set_ooo(ctx: Ctx):
    username = ctx.b("userId")
    tenant_ref = ctx.b("tenantFilter")
    state = psvalue.coalesce(ctx.b("AutoReplyState.value"), ctx.b("AutoReplyState"))
    tenant = ctx.tenant(tenant_ref)
    if tenant is None:
        ctx.flag("unknown_tenant", "body.tenantFilter", "not in CIPP's tenant list: ExecSetOoO reports success.")
    kwargs: dict[str, Any] = {}
    if psvalue.truthy(ctx.b("input")):
        kwargs.update(internal=ctx.b("input"), external=ctx.b("input"), has_internal=True, has_external=True)
    else:
        if not psvalue.is_blank(ctx.b("InternalMessage")):
            kwargs.update(internal=ctx.b("InternalMessage"), has_internal=True)
        if not psvalue.is_blank(ctx.b("ExternalMessage")):
            kwargs.update(external=ctx.b("ExternalMessage"), has_external=True)
    if psvalue.ps_str(state) == "Scheduled":
        kwargs["start"] = ctx.b("StartTime")
        kwargs["end"] = ctx.b("EndTime")
        params = {}
        for key in ("CreateOOFEvent", "AutoDeclineFutureRequestsWhenOOF", "DeclineEventsForScheduledOOF"):
            if ctx.b(key) is not None:
                params[key] = psvalue.truthy(ctx.b(key))
        for key in ("OOFEventSubject", "DeclineMeetingMessage"):
            if not psvalue.is_blank(ctx.b(key)):
                params[key] = ctx.b(key)
        kwargs["extra_params"] = params
    try:
        result = set_out_of_office(ctx, tenant, username, state, tenant_ref, **kwargs)
        return json_response(200, {"Results": result})
    except HelperError as exc:
        message = f"Could not set Out of Office for user: {psvalue.ps_str(username)}. Error: {normalize(str(exc))}"
        ctx.log(message, "Error", tenant=psvalue.ps_str(tenant_ref))
        return json_response(500, {"Results": message})


@handler("ListOoO")
def list_ooo(ctx: Ctx):
    tenant_ref = ctx.q("tenantFilter")
    user_id = ctx.q("userid")
    tenant = ctx.tenant(tenant_ref)
    extra: dict[str, Any] = {}
    if tenant is not None:
        mailbox = find_mailbox(ctx, tenant, user_id)
        if mailbox is None:
            message = (f"Could not retrieve out of office message for {psvalue.ps_str(user_id)}. Error: "
                       f"{normalize(not_found_exo(user_id).args[0])}")
            return ps_response(500, message)
        extra = tenant.mailbox_extra.get(mailbox["id"], {})
    start, end = extra.get("StartTime"), extra.get("EndTime")
    body = {"AutoReplyState": extra.get("AutoReplyState", "Disabled") if tenant else None,
            "StartTime": start.strftime("%Y-%m-%d %H:%M") if start else None,
            "EndTime": end.strftime("%Y-%m-%d %H:%M") if end else None,
            "InternalMessage": extra.get("InternalMessage") if tenant else None,
            "ExternalMessage": extra.get("ExternalMessage") if tenant else None,
            "CreateOOFEvent": extra.get("CreateOOFEvent", False) if tenant else None,
            "OOFEventSubject": extra.get("OOFEventSubject") if tenant else None,
            "AutoDeclineFutureRequestsWhenOOF": extra.get("AutoDeclineFutureRequestsWhenOOF", False) if tenant else None,
            "DeclineEventsForScheduledOOF": extra.get("DeclineEventsForScheduledOOF", False) if tenant else None,
            "DeclineAllEventsForScheduledOOF": extra.get("DeclineEventsForScheduledOOF", False) if tenant else None,
            "DeclineMeetingMessage": extra.get("DeclineMeetingMessage") if tenant else None}
    return ps_response(200, pretty(body))


@handler("AddSharedMailbox")
def add_shared_mailbox(ctx: Ctx):
    state = ctx.state
    results: list[str] = []
    tenant_ref = ctx.b("tenantID")
    aliases = re.split(r"\n", psvalue.ps_str(ctx.b("addedAliases"))) if ctx.b("addedAliases") is not None else [""]
    email = f"{psvalue.ps_str(ctx.b('username'))}@{psvalue.ps_str(ctx.b('domain'))}"
    if ctx.b("tenantID") is None and ctx.b("tenantFilter") is not None:
        ctx.flag("ignored_field", f"body.{ctx.body_key('tenantFilter')}", "AddSharedMailbox reads the tenant from "
                 "'tenantID', not 'tenantFilter'.", "send tenantID")
    tenant = ctx.tenant(tenant_ref)
    try:
        created = None
        if tenant is None:
            ctx.flag("unknown_tenant", "body.tenantID", "not in CIPP's tenant list: AddSharedMailbox reports success.")
        else:
            if not psvalue.truthy(ctx.b("displayName")):
                raise HelperError("Cannot bind argument to parameter 'DisplayName' because it is null.")
            domain = email.split("@", 1)[1].lower()
            if domain not in {x["id"].lower() for x in tenant.domains}:
                raise HelperError(f"The domain part of the email address \"{email}\" isn't an accepted domain for your "
                                  "organization.")
            if tenant.find_user(email) or any(email.lower() in [p.split(":", 1)[-1].lower() for p in u.get("proxyAddresses") or []]
                                              for u in tenant.users.values()):
                raise HelperError(f"The proxy address \"SMTP:{email}\" is already being used by the proxy addresses or "
                                  "LegacyExchangeDN. Please choose another proxy address.")
            created = state.make_user(
                tenant, uid=str(uuid.uuid4()), upn=email, display_name=psvalue.ps_str(ctx.b("displayName")), given=None,
                surname=None, job_title=None, department=None, office=None, city=None, country=None, usage_location=None,
                mobile=None, business_phones=[], enabled=True, licenses=[], synced=False, aliases=[], created=now_utc(),
                shared=True)
            created["mailNickname"] = psvalue.ps_str(ctx.b("username"))
            tenant.add_user(created)
            tenant.shared.add(created["id"])
            ctx.changed()
        results.append(f"Successfully created shared mailbox: {email}.")
        ctx.log(f"Created shared mailbox {psvalue.ps_str(ctx.b('displayName'))} with email {email}", "Info",
                tenant=psvalue.ps_str(tenant_ref))
        if created is not None:
            created["accountEnabled"] = False
        results.append(f"Blocked sign-in for shared mailbox {email}")
        real_aliases = [a for a in aliases if a]
        if aliases and (len(aliases) > 1 or aliases[0]):
            if created is not None:
                for alias in real_aliases:
                    created["proxyAddresses"].append(f"smtp:{alias.strip()}")
            results.append(f"Added aliases to {email} : {','.join(aliases)}")
        return json_response(200, {"Results": results})
    except HelperError as exc:
        message = f"Failed to create shared mailbox. {normalize(str(exc))}"
        ctx.log(message, "Error", tenant=psvalue.ps_str(tenant_ref))
        return json_response(403, {"Results": [message]})


def convert_mailbox(ctx: Ctx, tenant: TenantData | None, user_id: Any, mailbox_type: Any) -> str:
    """Set-CIPPMailboxType."""
    if mailbox_type is None:
        raise HelperError("Cannot bind argument to parameter 'MailboxType' because it is null.")
    text = psvalue.ps_str(mailbox_type)
    if text.lower() not in ("shared", "regular", "room", "equipment"):
        raise HelperError(f"Cannot validate argument on parameter 'MailboxType'. The argument \"{text}\" does not belong "
                          "to the set \"Shared,Regular,Room,Equipment\" specified by the ValidateSet attribute. Supply an "
                          "argument that is in the set and then try the command again.")
    name = psvalue.ps_str(user_id)
    try:
        if tenant is not None:
            mailbox = find_mailbox(ctx, tenant, user_id)
            if mailbox is None:
                raise not_found_exo(user_id)
            kind = {"shared": "SharedMailbox", "regular": "UserMailbox", "room": "RoomMailbox",
                    "equipment": "EquipmentMailbox"}[text.lower()]
            mailbox_extra(tenant, mailbox)["Type"] = kind
            if kind == "SharedMailbox":
                tenant.shared.add(mailbox["id"])
            else:
                tenant.shared.discard(mailbox["id"])
            ctx.changed()
        message = f"Successfully converted {name} to a {text} mailbox"
        ctx.log(message, "Info")
        return message
    except HelperError as exc:
        message = f"Failed to convert {name} to a {text} mailbox. Error: {normalize(str(exc))}"
        raise HelperError(message) from None


@handler("ExecConvertMailbox")
def exec_convert_mailbox(ctx: Ctx):
    tenant_ref = ctx.b("tenantFilter")
    tenant = ctx.tenant(tenant_ref)
    if tenant is None:
        ctx.flag("unknown_tenant", "body.tenantFilter", "not in CIPP's tenant list: ExecConvertMailbox reports success.")
    try:
        return json_response(200, {"Results": convert_mailbox(ctx, tenant, ctx.b("ID"), ctx.b("MailboxType"))})
    except HelperError as exc:
        return json_response(500, {"Results": str(exc)})


# --------------------------------------------------------------------------- contacts

def add_contact_record(tenant: TenantData, spec: dict[str, Any]) -> dict[str, Any]:
    cid = spec.get("id") or str(uuid.uuid4())
    record = {
        "id": cid, "guid": spec.get("guid") or name_uuid("contact-exo", cid), "identity": spec.get("displayName"),
        "displayName": spec.get("displayName"), "givenName": spec.get("givenName"), "surname": spec.get("surname"),
        "mail": spec.get("mail"), "companyName": spec.get("companyName"), "jobTitle": spec.get("jobTitle"),
        "department": spec.get("department"), "street": spec.get("street"), "city": spec.get("city"),
        "state": spec.get("state"), "postalCode": spec.get("postalCode"), "country": spec.get("country"),
        "phone": spec.get("phone"), "mobilePhone": spec.get("mobilePhone"), "website": spec.get("website"),
        "notes": spec.get("notes"), "hidden": bool(spec.get("hidden", False)), "mailTip": spec.get("mailTip"),
        "dirSynced": False}
    tenant.contacts[cid] = record
    return record


def contact_graph(record: dict[str, Any]) -> dict[str, Any]:
    """The contact as Graph's /contacts (orgContact) returns it."""
    phones = []
    if record.get("phone"):
        phones.append({"number": record["phone"], "type": "business"})
    if record.get("mobilePhone"):
        phones.append({"number": record["mobilePhone"], "type": "mobile"})
    return {"id": record["id"], "deletedDateTime": None, "companyName": record.get("companyName"),
            "department": record.get("department"), "displayName": record.get("displayName"),
            "givenName": record.get("givenName"), "jobTitle": record.get("jobTitle"), "mail": record.get("mail"),
            "mailNickname": (record.get("displayName") or "").replace(" ", ""), "onPremisesSyncEnabled": None,
            "surname": record.get("surname"),
            "addresses": [{"city": record.get("city"), "countryOrRegion": record.get("country"), "officeLocation": None,
                           "postalCode": record.get("postalCode"), "state": record.get("state"), "street": record.get("street")}],
            "phones": phones, "proxyAddresses": [f"SMTP:{record['mail']}"] if record.get("mail") else []}


def find_contact(tenant: TenantData, ref: Any) -> dict[str, Any] | None:
    text = psvalue.ps_str(ref).lower()
    for record in tenant.contacts.values():
        if text in (record["id"].lower(), record["guid"].lower(), (record.get("identity") or "").lower(),
                    (record.get("mail") or "").lower(), (record.get("displayName") or "").lower()):
            return record
    return None


@handler("ListContacts")
def list_contacts(ctx: Ctx):
    tenant_ref = ctx.q("tenantFilter")
    contact_id = ctx.q("id")
    if not tenant_ref:
        return ps_response(400, "tenantFilter is required")
    tenant = ctx.tenant(tenant_ref)
    if not psvalue.is_blank(contact_id):
        record = find_contact(tenant, contact_id) if tenant else None
        if record is None:
            message = ("Contact not found or insufficient permissions" if tenant is None
                       else normalize(not_found_exo(contact_id).args[0]))
            return ps_response(500, message)
        phones = []
        if record.get("phone"):
            phones.append({"type": "business", "number": record["phone"]})
        if record.get("mobilePhone"):
            phones.append({"type": "mobile", "number": record["mobilePhone"]})
        return json_response(200, {
            "id": record["identity"], "displayName": record.get("displayName"), "givenName": record.get("givenName"),
            "surname": record.get("surname"), "mail": record.get("mail"), "companyName": record.get("companyName"),
            "jobTitle": record.get("jobTitle"), "website": record.get("website"), "notes": record.get("notes"),
            "hidefromGAL": record.get("hidden"), "mailTip": record.get("mailTip"),
            "onPremisesSyncEnabled": record.get("dirSynced"),
            "addresses": [{"street": record.get("street"), "city": record.get("city"), "state": record.get("state"),
                           "countryOrRegion": record.get("country"), "postalCode": record.get("postalCode")}],
            "phones": phones})
    if tenant is None:
        ctx.flag("unknown_tenant", "query.tenantFilter", "not in CIPP's tenant list: ListContacts answers [].")
        return json_response(200, [])
    rows = [{"City": r.get("city"), "Company": r.get("companyName"), "Department": r.get("department"),
             "DisplayName": r.get("displayName"), "FirstName": r.get("givenName"), "LastName": r.get("surname"),
             "IsDirSynced": r.get("dirSynced"), "Guid": r["guid"], "WindowsEmailAddress": r.get("mail"), "graphId": r["id"]}
            for r in tenant.contacts.values()]
    if len(rows) == 1:
        return json_response(200, rows[0])          # no @(): one contact is a bare object
    return json_response(200, rows)


@handler("AddContact", extra_keys=("tenantid",))
def add_contact(ctx: Ctx):
    tenant_ref = ctx.b("tenantid")
    display = ctx.b("displayName")
    email = ctx.b("email")
    tenant = ctx.tenant(tenant_ref)
    try:
        if tenant is None:
            ctx.flag("unknown_tenant", "body.tenantid", "not in CIPP's tenant list: AddContact reports success.")
        else:
            if psvalue.is_blank(email):
                raise HelperError("Cannot bind argument to parameter 'ExternalEmailAddress' because it is null.")
            if psvalue.is_blank(display):
                raise HelperError("Cannot bind argument to parameter 'Name' because it is null.")
            if find_contact(tenant, email) or find_contact(tenant, display):
                raise HelperError(f"The proxy address \"SMTP:{email}\" is already being used by the proxy addresses or "
                                  "LegacyExchangeDN. Please choose another proxy address.")
            add_contact_record(tenant, {
                "displayName": display, "givenName": ctx.b("firstName"), "surname": ctx.b("lastName"), "mail": email,
                "companyName": ctx.b("Company"), "jobTitle": ctx.b("Title"), "street": ctx.b("StreetAddress"),
                "city": ctx.b("City"), "state": ctx.b("State"), "postalCode": ctx.b("PostalCode"),
                "country": ctx.b("CountryOrRegion"), "phone": ctx.b("phone"), "mobilePhone": ctx.b("mobilePhone"),
                "website": ctx.b("website"), "hidden": psvalue.truthy(ctx.b("hidefromGAL")),
                "mailTip": ctx.b("mailTip") if not psvalue.is_blank(ctx.b("mailTip")) else None})
            ctx.changed()
        result = f"Successfully created contact {psvalue.ps_str(display)} with email address {psvalue.ps_str(email)}"
        ctx.log(result, "Info", tenant=psvalue.ps_str(tenant_ref))
        return json_response(200, {"Results": result})
    except HelperError as exc:
        result = f"Failed to create contact. {normalize(str(exc))}"
        ctx.log(result, "Error", tenant=psvalue.ps_str(tenant_ref))
        return json_response(500, {"Results": result})


@handler("EditContact", extra_keys=("tenantID",))
def edit_contact(ctx: Ctx):
    tenant_ref = ctx.b("tenantID")
    tenant = ctx.tenant(tenant_ref)
    try:
        if tenant is None:
            ctx.flag("unknown_tenant", "body.tenantID", "not in CIPP's tenant list: EditContact reports success.")
        else:
            record = find_contact(tenant, ctx.b("ContactID"))
            if record is None:
                raise not_found_exo(ctx.b("ContactID"))
            mapping = {"displayName": "displayName", "email": "mail", "firstName": "givenName", "LastName": "surname",
                       "Title": "jobTitle", "StreetAddress": "street", "PostalCode": "postalCode", "City": "city",
                       "State": "state", "CountryOrRegion": "country", "Company": "companyName", "website": "website"}
            for key, field in mapping.items():
                value = ctx.b(key)
                if not psvalue.is_blank(value):
                    record[field] = value
            body = ctx.body if isinstance(ctx.body, dict) else {}
            for key, field in (("mobilePhone", "mobilePhone"), ("phone", "phone")):
                if key in body:
                    value = ctx.b(key)
                    record[field] = None if psvalue.is_blank(value) else value
            if ctx.b("hidefromGAL") is not None:
                record["hidden"] = psvalue.truthy(ctx.b("hidefromGAL"))
            if not psvalue.is_blank(ctx.b("mailTip")):
                record["mailTip"] = ctx.b("mailTip")
            ctx.changed()
        result = f"Successfully edited contact {psvalue.ps_str(ctx.b('displayName'))}"
        ctx.log(result, "Info", tenant=psvalue.ps_str(tenant_ref))
        return json_response(200, {"Results": result})
    except HelperError as exc:
        return json_response(500, {"Results": f"Failed to edit contact. {normalize(str(exc))}"})


@handler("RemoveContact")
def remove_contact(ctx: Ctx):
    tenant_ref = ctx.qb("tenantFilter")
    guid = ctx.qb("GUID")
    mail = ctx.qb("Mail")
    tenant = ctx.tenant(tenant_ref)
    try:
        if tenant is None:
            ctx.flag("unknown_tenant", "tenantFilter", "not in CIPP's tenant list: RemoveContact reports success.")
        else:
            record = find_contact(tenant, guid)
            if record is None:
                raise not_found_exo(guid)
            tenant.contacts.pop(record["id"], None)
            ctx.changed()
        return json_response(200, {"Results": f"Deleted {psvalue.ps_str(mail)}"})
    except HelperError as exc:
        result = f"Failed to delete contact {psvalue.ps_str(guid)}. {normalize(str(exc))}"
        ctx.log(result, "Error", tenant=psvalue.ps_str(tenant_ref))
        return json_response(400, {"Results": result})


# --------------------------------------------------------------------------- transport rules

RULE_DEFAULTS = {"Priority": 0, "State": "Enabled", "Mode": "Enforce", "Comments": "", "Description": "",
                 "SenderAddressLocation": "Header", "RuleVersion": "15.0.5.6", "StopRuleProcessing": False,
                 "RuleErrorAction": "Ignore", "ExchangeVersion": "0.1 (8.0.535.0)", "IsValid": True}


def add_rule_record(tenant: TenantData, params: dict[str, Any]) -> dict[str, Any]:
    guid = params.pop("Guid", None) or str(uuid.uuid4())
    name = params.get("Name") or params.get("name")
    rule = {"Identity": name, "Name": name, "Guid": guid, **RULE_DEFAULTS,
            **{k: v for k, v in params.items() if k.lower() != "name"}}
    rule.update({"ImmutableId": guid,
                 "DistinguishedName": f"CN={name},CN=TransportVersioned,CN=Rules,CN=Transport Settings,CN=Configuration",
                 "WhenChanged": iso(now_utc()), "WhenChangedUTC": iso(now_utc())})
    if "State" in params:
        rule["State"] = params["State"]
    elif "Enabled" in params:
        rule["State"] = "Enabled" if psvalue.truthy(params["Enabled"]) else "Disabled"
    tenant.transport_rules[guid] = rule
    return rule


def find_rule(tenant: TenantData, ref: Any) -> dict[str, Any] | None:
    text = psvalue.ps_str(ref).lower()
    for rule in tenant.transport_rules.values():
        if text in (rule["Guid"].lower(), (rule.get("Name") or "").lower()):
            return rule
    return None


@handler("ListTransportRules")
def list_transport_rules(ctx: Ctx):
    tenant_ref = ctx.q("tenantFilter")
    rule_id = ctx.q("id")
    metadata: Any = None
    if rule_id:
        tenant = ctx.tenant(tenant_ref)
        rule = find_rule(tenant, rule_id) if tenant else None
        if tenant is not None and rule is None:
            return ps_response(403, normalize(not_found_exo(rule_id).args[0]))
        results = [dict(rule)] if rule else []
    elif tenant_ref != "AllTenants":
        tenant = ctx.tenant(tenant_ref)
        if tenant is None:
            ctx.flag("unknown_tenant", "query.tenantFilter", "not in CIPP's tenant list: ListTransportRules answers an "
                     "empty Results.")
            results = []
        else:
            results = sorted((dict(r) for r in tenant.transport_rules.values()), key=lambda r: r["Priority"])
    else:
        results, metadata = _all_tenants_cached(ctx, "TransportRule", "Transport Rules - All Tenants",
                                                "/email/transport/list-rules?tenantFilter=AllTenants",
                                                lambda t: [dict(r) for r in t.transport_rules.values()],
                                                "Still loading transport rules for all tenants. Please check back in a few more minutes",
                                                "Loading transport rules for all tenants. Please check back in a few minutes")
    return json_response(200, {"Results": results, "Metadata": metadata})


def _all_tenants_cached(ctx: Ctx, partition: str, queue_name: str, link: str, fetch, still: str, loading: str):
    """The shared 'cache table + queue' pattern of ListTransportRules / ListConditionalAccessPolicies."""
    state = ctx.state
    cache = state.extra.setdefault(f"cache:{partition}", {})
    fresh = now_utc() - dt.timedelta(minutes=60)
    reference = f"AllTenants-{partition}"
    running = [q for q in state.queues.values() if q.reference == reference and not q.finished]
    for queue in running:
        queue.polls += 1
    rows = [(domain, data) for domain, (stamp, data) in sorted(cache.items()) if stamp > fresh]
    if running:
        return [], {"QueueMessage": still, "QueueId": running[0].row_key}
    if not rows:
        def complete(domain: str) -> None:
            tenant = state.find_tenant(domain)
            if tenant is not None:
                cache[domain] = (now_utc(), fetch(tenant))
        queue = state.new_queue(queue_name, reference, [t.default_domain for t in state.managed_tenants()], link=link,
                                on_complete=complete)
        return [], {"QueueMessage": loading, "QueueId": queue.row_key}
    out = []
    for domain, data in rows:
        for item in data:
            out.append({**item, "Tenant": domain})
    return out, {"QueueId": None}


def _rule_params(ctx: Ctx) -> dict[str, Any]:
    raw = ctx.b("PowerShellCommand")
    if raw is None:
        raise Escape("Cannot bind argument to parameter 'InputObject' because it is null.")
    if not isinstance(raw, str):
        raise Escape("Conversion from JSON failed with error: Unexpected character encountered while parsing value: @. "
                     "Path '', line 0, position 0.")
    try:
        params = json.loads(raw)
    except ValueError as exc:
        raise Escape(f"Conversion from JSON failed with error: {exc}") from None
    if not isinstance(params, dict):
        raise Escape("Conversion from JSON failed with error: Unexpected JSON token.")
    for key in ("GUID", "HasSenderOverride", "ExceptIfHasSenderOverride", "ExceptIfMessageContainsDataClassifications",
                "MessageContainsDataClassifications"):
        for real in [k for k in params if k.lower() == key.lower()]:
            params.pop(real)
    return {k: v for k, v in params.items() if v is not None}


@handler("AddTransportRule")
def add_transport_rule(ctx: Ctx):
    params = _rule_params(ctx)
    selected = ctx.b("selectedTenants")
    tenants = [psvalue.ps_str(t) for t in psvalue.as_list(psvalue.member(selected, "value"))]
    for index, item in enumerate(psvalue.as_list(selected)):
        if not isinstance(item, dict):
            ctx.flag("bare_labelvalue", f"body.selectedTenants[{index}]", "AddTransportRule reads selectedTenants.value; "
                     f"the bare {item!r} is dropped (deployed nowhere).", '{"value": "<tenant domain>"}')
    allowed = ctx.caller.allowed_tenants
    if allowed is not None:
        domains = {t.default_domain for t in ctx.state.managed_tenants() if t.customer_id.lower() in allowed}
        tenants = [t for t in tenants if t in domains]
    name = next((v for k, v in params.items() if k.lower() == "name"), None)
    results = []
    for tenant_ref in tenants:
        tenant = ctx.tenant(tenant_ref)
        try:
            existing = find_rule(tenant, name) if tenant is not None and name else None
            if tenant is None:
                ctx.flag("unknown_tenant", "body.selectedTenants", f"'{tenant_ref}' is not in CIPP's tenant list: "
                         "AddTransportRule reports success.")
            if existing:
                existing.update({k: v for k, v in params.items() if k.lower() not in ("name", "uselegacyregex")})
                existing["WhenChanged"] = iso(now_utc())
                ctx.changed()
                results.append(f"Successfully set transport rule for {tenant_ref}.")
            else:
                if tenant is not None:
                    if not name:
                        raise HelperError("Cannot bind argument to parameter 'Name' because it is null.")
                    add_rule_record(tenant, dict(params))
                    ctx.changed()
                results.append(f"Successfully created transport rule for {tenant_ref}.")
            ctx.log(f"Created transport rule for {tenant_ref}", "Info", tenant=tenant_ref)
        except HelperError as exc:
            results.append(f"Could not create transport rule for {tenant_ref}: {normalize(str(exc))}")
    return json_response(200, {"Results": results})


@handler("EditTransportRule")
def edit_transport_rule(ctx: Ctx):
    tenant_ref = ctx.qb("tenantFilter")
    identity = ctx.qb("guid")
    state_value = ctx.qb("state")
    tenant = ctx.tenant(tenant_ref)
    try:
        if tenant is None:
            ctx.flag("unknown_tenant", "tenantFilter", "not in CIPP's tenant list: EditTransportRule reports success.")
        else:
            rule = find_rule(tenant, identity)
            if rule is None:
                raise not_found_exo(identity)
            rule["State"] = "Enabled" if psvalue.ps_str(state_value).lower() == "enable" else "Disabled"
            ctx.changed()
        result = f"Set transport rule {psvalue.ps_str(identity)} to {psvalue.ps_str(state_value)}"
        ctx.log(result, "Info", tenant=psvalue.ps_str(tenant_ref))
        return json_response(200, {"Results": result})
    except HelperError as exc:
        return json_response(403, {"Results": normalize(str(exc))})


@handler("RemoveTransportRule")
def remove_transport_rule(ctx: Ctx):
    tenant_ref = ctx.qb("tenantFilter")
    identity = ctx.qb("guid")
    tenant = ctx.tenant(tenant_ref)
    try:
        if tenant is None:
            ctx.flag("unknown_tenant", "tenantFilter", "not in CIPP's tenant list: RemoveTransportRule reports success.")
        else:
            rule = find_rule(tenant, identity)
            if rule is None:
                raise not_found_exo(identity)
            tenant.transport_rules.pop(rule["Guid"], None)
            ctx.changed()
        ctx.log(f"Deleted transport rule {psvalue.ps_str(identity)}", "Info", tenant=psvalue.ps_str(tenant_ref))
        return json_response(200, {"Results": f"Deleted {psvalue.ps_str(identity)}"})
    except HelperError as exc:
        return json_response(403, {"Results": normalize(str(exc))})
