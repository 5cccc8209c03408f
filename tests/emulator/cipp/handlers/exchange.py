"""(phase 2)"""
from __future__ import annotations

from typing import Any


def mailbox_extra(tenant, user) -> dict[str, Any]:
    return tenant.mailbox_extra.setdefault(user["id"], {})


def shared_mailbox_addresses(ctx, tenant) -> list[str]:
    out = []
    for uid in tenant.shared:
        user = tenant.users.get(uid)
        if user:
            out += [user["userPrincipalName"].lower(), (user.get("mail") or "").lower()]
    return out


def convert_mailbox(ctx, tenant, ref, kind):
    raise NotImplementedError
