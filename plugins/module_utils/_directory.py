# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Targeted directory reads through ``ListGraphRequest``: groups by name or id, their
members and owners, and many users' ids in one request. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._graph_pages import graph_pages, odata_literal
from ansible_collections.cipp.cipp.plugins.module_utils._users import is_guid

IN_CLAUSE_LIMIT = 15  # Graph accepts at most 15 values in one "in (...)" filter
MEMBER_SELECT = "id,userPrincipalName,displayName,mail"


def find_groups(client, tenant: str, name: str | None = None, group_id: str | None = None) -> list:
    """Groups whose display name is ``name`` (exact, as Graph compares it) or whose id is ``group_id``."""
    graph_filter = f"id eq {odata_literal(group_id)}" if group_id else f"displayName eq {odata_literal(name)}"
    groups, _pages = graph_pages(client, tenant, "groups", {"$filter": graph_filter})
    return groups


def group_links(client, tenant: str, group_id: str, relation: str) -> list:
    """Members or owners (``relation``) of a group: ``[{id, userPrincipalName, ...}]``."""
    rows, _pages = graph_pages(client, tenant, f"groups/{group_id}/{relation}", {"$select": MEMBER_SELECT})
    return rows


def resolve_user_ids(client, tenant: str, names: list, option: str) -> dict:
    """``{given name: object id}`` for UPNs or ids; UPNs are looked up 15 per request."""
    resolved = {name: name for name in names if is_guid(name)}
    upns = [name for name in names if not is_guid(name)]
    for start in range(0, len(upns), IN_CLAUSE_LIMIT):
        chunk = upns[start:start + IN_CLAUSE_LIMIT]
        values = ",".join(odata_literal(upn) for upn in chunk)
        query = {"$filter": f"userPrincipalName in ({values})", "$select": "id,userPrincipalName"}
        rows, _pages = graph_pages(client, tenant, "users", query)
        by_upn = {str(row.get("userPrincipalName", "")).lower(): row["id"] for row in rows}
        for upn in chunk:
            if upn.lower() not in by_upn:
                raise CippConfigError(f"option '{option}': no user {upn} in tenant {tenant}", option=option)
            resolved[upn] = by_upn[upn.lower()]
    return resolved
