# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a Graph collection page by page through CIPP's ``ListGraphRequest``
(``manualPagination`` + ``nextLink``), so a large tenant never arrives in one answer. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippApiError

MAX_PAGES = 1000  # 999 users a page: a million objects before we call it a loop


def odata_literal(value: str) -> str:
    """``value`` as an OData string literal (single quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def graph_pages(client, tenant: str, endpoint: str, params: dict) -> tuple:
    """All objects of Graph collection ``endpoint`` and the number of pages read."""
    query = dict(params, tenantFilter=tenant, Endpoint=endpoint, manualPagination="true")
    items, pages = [], 0
    while True:
        data = client.call("ListGraphRequest", params=query).data
        pages += 1
        if not isinstance(data, dict):
            raise CippApiError(f"ListGraphRequest for {endpoint} answered with {type(data).__name__}, not an object",
                               endpoint="ListGraphRequest")
        items.extend(row for row in data.get("Results") or [] if isinstance(row, dict))
        next_link = (data.get("Metadata") or {}).get("nextLink")
        if not next_link:
            return items, pages
        if pages >= MAX_PAGES:
            raise CippApiError(f"ListGraphRequest for {endpoint} kept returning pages ({MAX_PAGES})",
                               endpoint="ListGraphRequest")
        query = dict(query, nextLink=next_link)
