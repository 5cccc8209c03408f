"""Helpers shared by the handlers: CIPP's Graph/Exchange helper semantics and error texts.

The central quirk: CIPP's Graph helpers (``New-GraphGetRequest``, ``New-GraphPOSTRequest``,
``New-GraphBulkRequest``, ``New-ExoRequest``) refuse a tenant that is not in CIPP's tenant
list with a *non-terminating* ``Write-Error``. Unless the caller passed ``-ErrorAction Stop``
the handler carries on as if the call had returned nothing - which is how a typo in
``tenantFilter`` can produce "Successfully ..." with nothing done. ``graph_read``/``graph_write``
return ``DENIED`` in that case (or raise ``HelperError`` with ``stop=True``); real Graph
failures always raise ``HelperError`` with the message CIPP sees.
"""
from __future__ import annotations

import fnmatch
from typing import Any

from .. import graph as g
from .. import psvalue
from ..framework import Ctx
from ..state import TenantData

# Where PowerShell says a rethrown exception came from (Get-GraphRequestList's "Exception at").
# The deployed module is built by ModuleBuilder into one file, so this is the path every
# error from CIPPCore carries on a Windows Function App.
CIPPCORE_PSM1 = r"C:\home\site\wwwroot\Modules\CIPPCore\CIPPCore.psm1"


class _Denied:
    """Sentinel: the helper wrote a non-terminating error and returned nothing."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "DENIED"


DENIED = _Denied()


class HelperError(Exception):
    """A terminating error from a CIPP helper; ``str()`` is ``$_.Exception.Message``."""


def denied_text(ref: Any, ctx: Ctx, context: str = "Graph request") -> str:
    """Get-AuthorisedRequestError (excluded tenants are never in Get-Tenants, so: not in the list)."""
    tenant_id = ref if isinstance(ref, str) and ref else ctx.state.partner_tenant_id
    return f"{context} denied for '{tenant_id}': the tenant is not in CIPP's tenant list."


def resolve(ctx: Ctx, ref: Any) -> TenantData | None:
    """The tenant a Graph helper would authorise (empty -> the partner tenant, which is not managed)."""
    text = psvalue.ps_str(ref) if ref is not None and not isinstance(ref, str) else ref
    return ctx.state.find_tenant(text) if text else None


# --------------------------------------------------------------------------- Get-NormalizedError

NORMALIZE = [
    ("Request not applicable to target tenant.", "Required license not available for this tenant"),
    ("Neither tenant is B2C or tenant doesn't have premium license", "This feature requires a P1 license or higher"),
    ("Response status code does not indicate success: 400 (Bad Request).",
     "Error 400 occured. There is an issue with the token configuration for this tenant. Please perform an access check"),
    ("*User was not found.*", "The relationship between this tenant and the partner has been dissolved from the tenant side."),
    ("*invalid or malformed*", "The request is malformed. Have you finished the Setup Wizard"),
    ("*One or more added object references already exist for the following modified properties:*",
     "This user is already a member of this group."),
    ("*Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException*", "This user is already a member of this group."),
    ("*Unable to initialize the authorization context*",
     "Your GDAP configuration does not allow us to write to this tenant, please check your group mappings and tenant onboarding."),
    ("*Your tenant is not licensed for this feature.*", "Required license not available for this tenant"),
    ("*AADSTS65001*", "We cannot access this tenant as consent has not been given, please try refreshing the CPV "
                      "permissions in the application settings menu."),
    ("One or more added object references already exist for the following modified properties: 'members'.",
     "This user is already a member of the selected group."),
]


def normalize_all(message: str) -> list[str]:
    """Get-NormalizedError's ``switch -Wildcard``: every matching case emits (no ``break``)."""
    text = message or ""
    hits = [out for pattern, out in NORMALIZE if fnmatch.fnmatchcase(text.lower(), pattern.lower())]
    return hits or [text]


def normalize(message: str) -> str:
    """As interpolated into a string ("$x" joins an array with spaces)."""
    return " ".join(normalize_all(message))


# --------------------------------------------------------------------------- Graph helpers

def graph_read(ctx: Ctx, tenant_ref: Any, url: str, *, no_pagination: bool = False, stop: bool = False,
               auth_check: bool = True) -> Any:
    """New-GraphGetRequest: items (list) for collections, the entity (dict) otherwise.

    Returns DENIED for an unknown tenant (raises HelperError with ``stop``); raises HelperError
    with Graph's message for Graph errors."""
    tenant = resolve(ctx, tenant_ref)
    if tenant is None and auth_check:
        if stop:
            raise HelperError(denied_text(tenant_ref, ctx))
        return DENIED
    if tenant is None:
        raise HelperError(f"Could not get token: {token_error(tenant_ref, ctx)}")
    try:
        items, _next_link = g.follow_all(ctx.state, tenant, url, no_pagination=no_pagination)
    except g.GraphError as exc:
        raise HelperError(exc.message) from None
    if len(items) == 1 and isinstance(items[0], dict) and "@odata.context" in items[0]:
        return items[0]
    return items


def token_error(ref: Any, ctx: Ctx) -> str:
    tenant = ref or ctx.state.partner_tenant_id
    return (f"invalid_request:AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant "
            "ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if "
            "there are no active subscriptions for the tenant.")


def write_tenant(ctx: Ctx, tenant_ref: Any) -> TenantData | _Denied:
    """New-GraphPOSTRequest's authorisation: the tenant, or DENIED (non-terminating)."""
    tenant = resolve(ctx, tenant_ref)
    return tenant if tenant is not None else DENIED


def graph_fail(message: str) -> HelperError:
    """A Graph write failure as New-GraphPOSTRequest throws it (normalised)."""
    return HelperError(normalize(message))


def exception_at(line: int, message: str) -> str:
    """``'Exception at {0}:{1} - {2}' -f ScriptName, ScriptLineNumber, Message`` (Get-GraphRequestList)."""
    return f"Exception at {CIPPCORE_PSM1}:{line} - {message}"


# --------------------------------------------------------------------------- users

def find_user_or_fail(tenant: TenantData, ref: Any) -> dict[str, Any]:
    user = tenant.find_user(ref if isinstance(ref, str) else psvalue.ps_str(ref))
    if not user:
        raise HelperError(g.not_found(psvalue.ps_str(ref)).message)
    return user


def group_type_name(group: dict[str, Any]) -> str | None:
    """The 'groupType' CIPP computes from Graph flags (ListGroups/ListUserGroups)."""
    types = group.get("groupTypes") or []
    if "Unified" in types:
        return "Microsoft 365"
    if group.get("mailEnabled") and group.get("securityEnabled"):
        return "Mail-Enabled Security"
    if not group.get("mailEnabled") and group.get("securityEnabled"):
        return "Security"
    if not types and group.get("mailEnabled") and not group.get("securityEnabled"):
        return "Distribution List"
    return None


def calculated_group_type(group: dict[str, Any]) -> str | None:
    types = group.get("groupTypes") or []
    if "Unified" in types:
        return "m365"
    if group.get("mailEnabled") and group.get("securityEnabled"):
        return "security"
    if not group.get("mailEnabled") and group.get("securityEnabled"):
        return "generic"
    if not types and group.get("mailEnabled") and not group.get("securityEnabled"):
        return "distributionList"
    return None


def resolved_group_type(group: dict[str, Any] | None) -> str | None:
    """Set-CIPPUser / EditGroup: what Graph says the group is ('Distribution List' spelled so)."""
    if not group:
        return None
    if "Unified" in (group.get("groupTypes") or []):
        return "Microsoft 365"
    if group.get("mailEnabled") and group.get("securityEnabled"):
        return "Mail-Enabled Security"
    if group.get("mailEnabled"):
        return "Distribution List"
    return "Security"


def label_values(ctx: Ctx, value: Any, fld: str, *, fallback: bool = False) -> list[Any]:
    """Read ``$x.value`` over a LabelValue field the spec does not type as LabelValue.

    Bare strings are dropped (flagged ``bare_labelvalue``) unless ``fallback`` (the source
    reads ``.value ?? $_``: kept, flagged ``bare_labelvalue_fallback``)."""
    out = []
    for index, item in enumerate(psvalue.as_list(value)):
        where = f"{fld}[{index}]" if isinstance(value, list) else fld
        if isinstance(item, dict):
            v = psvalue.member(item, "value")
            if v is not None:
                out.append(v)
            else:
                ctx.flag("labelvalue_without_value", where, f"{ctx.endpoint} reads {fld}.value; this object has none.")
        elif item is not None:
            if fallback:
                ctx.flag("bare_labelvalue_fallback", where,
                         f"{ctx.endpoint} reads {fld}.value ?? the bare value; the bare {type(item).__name__} "
                         f"{item!r} is accepted.")
                out.append(item)
            else:
                ctx.flag("bare_labelvalue", where,
                         f"{ctx.endpoint} reads {fld}.value; the bare {type(item).__name__} {item!r} sent here is "
                         "silently dropped.", f'send {{"value": {item!r}}}')
    return out
