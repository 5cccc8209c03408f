# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading users through CIPP: one targeted ``ListUsers`` request per user (a Graph filter
on the UPN or object id, never the whole tenant), and the tenant's licence SKUs. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._graph_pages import odata_literal

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
UPN = re.compile(r"^[^@\s'\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# An SMTP address Exchange and Graph store (proxyAddresses, otherMails): ASCII, no spaces.
ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
SKU_CACHE_TTL = 900


def is_guid(value) -> bool:
    return bool(GUID.match(str(value or "")))


def check_upn(value: str, option: str) -> str:
    """A syntactically valid user principal name, or a CippConfigError naming the option."""
    text = str(value or "").strip()
    if not UPN.match(text):
        raise CippConfigError(f"option '{option}': {value!r} is not a user principal name such as "
                              "adele.vance@contoso.com", option=option)
    return text


def check_addresses(values, option: str) -> None:
    """Every entry an SMTP address (ASCII, local@domain), or a CippConfigError naming the option."""
    for value in values or []:
        if not ADDRESS.match(str(value or "").strip()):
            raise CippConfigError(f"option '{option}': {value!r} is not an email address such as "
                                  "adele.vance@contoso.com (ASCII letters, digits and .!#$%&'*+/=?^_`{|}~- before the @)",
                                  option=option)


def find_user(client, tenant: str, upn: str | None = None, object_id: str | None = None):
    """The user (CIPP's ListUsers shape) with that UPN or id, or None. One request."""
    if object_id:
        graph_filter = f"id eq {odata_literal(object_id)}"
    else:
        graph_filter = f"userPrincipalName eq {odata_literal(upn)}"
    data = client.call("ListUsers", params={"tenantFilter": tenant, "graphFilter": graph_filter}).data
    rows = data if isinstance(data, list) else ([data] if isinstance(data, dict) and data.get("id") else [])
    rows = [row for row in rows if isinstance(row, dict)]
    return rows[0] if rows else None


def tenant_skus(client, tenant: str, fresh: bool = False) -> list:
    """The tenant's licence SKUs from Graph's ``subscribedSkus`` (through ListGraphRequest):
    ``[{skuId, skuPartNumber, total, assigned, available}]``, cached for the run unless ``fresh``.

    Not ListLicenses: its ``skuPartNumber`` holds the friendly name, not the part number.
    """
    def read():
        rows = client.call("ListGraphRequest", params={"tenantFilter": tenant, "Endpoint": "subscribedSkus"}).data
        skus = []
        for row in (rows or {}).get("Results") or []:
            if not isinstance(row, dict) or not row.get("skuId"):
                continue
            total = int((row.get("prepaidUnits") or {}).get("enabled") or 0)
            assigned = int(row.get("consumedUnits") or 0)
            skus.append({"skuId": row["skuId"], "skuPartNumber": row.get("skuPartNumber"), "total": total,
                         "assigned": assigned, "available": max(0, total - assigned)})
        return skus

    if fresh:
        rows = read()
        client.metadata_put(f"skus:{tenant}", rows)
        return rows
    return client.metadata_fetch(f"skus:{tenant}", read, max_age=SKU_CACHE_TTL)


def sku_index(skus: list) -> dict:
    """Lower-cased SKU id, part number and friendly name -> SKU row."""
    index = {}
    for row in skus:
        for key in ("skuId", "skuPartNumber", "name"):
            if row.get(key):
                index[str(row[key]).lower()] = row
    return index
