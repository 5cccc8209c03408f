#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: license_info
short_description: Licence SKUs of a tenant with their seat counts
version_added: 1.0.0
description:
  - Returns the licence SKUs of a customer tenant with part number, friendly name, and assigned, total and
    free seats as numbers (Graph's C(subscribedSkus) through CIPP, named as CIPP's C(ListLicenses) names them).
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  skus:
    description: Only these SKUs (part numbers, friendly names or SKU IDs, case-insensitive).
    type: list
    elements: str
    default: []
  query:
    description: A JMESPath expression applied to RV(licenses); the outcome is returned as RV(result).
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: Licences of contoso.com
  cipp.cipp.license_info:
    tenant: contoso.com
  register: licences

- name: Fail when E3 has no free seat
  cipp.cipp.license_info:
    tenant: contoso.com
    skus: [SPE_E3]
    query: "[0].available"
  register: e3_free
  failed_when: e3_free.result | int < 1
'''

RETURN = r'''
licenses:
  description: One entry per SKU.
  returned: always
  type: list
  elements: dict
  contains:
    sku_id:
      description: SKU ID.
      type: str
      sample: 05e9a617-0261-4cee-bb44-138d3ef5d965
    sku_part_number:
      description: Part number.
      type: str
      sample: SPE_E3
    name:
      description: Friendly name, as CIPP shows it.
      type: str
      sample: Microsoft 365 E3
    total:
      description: Seats bought.
      type: int
      sample: 25
    assigned:
      description: Seats in use.
      type: int
      sample: 20
    available:
      description: Free seats.
      type: int
      sample: 5
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: 5
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._users import tenant_skus

ARGUMENT_SPEC = dict(
    skus=dict(type="list", elements="str", default=[]),
    query=dict(type="str"),
)


def friendly_names(cipp: CippModule, tenant: str) -> dict:
    """skuId -> the name CIPP shows (ListLicenses puts it in its skuPartNumber field)."""
    rows = cipp.client.call("ListLicenses", params={"tenantFilter": tenant}).data or []
    return {str(r.get("skuId")).lower(): r.get("License") for r in rows if isinstance(r, dict)}


def run(cipp: CippModule) -> dict:
    tenant = cipp.resolve_tenant()["defaultDomainName"]
    names = friendly_names(cipp, tenant)
    rows = [{"sku_id": row["skuId"], "sku_part_number": row["skuPartNumber"],
             "name": names.get(str(row["skuId"]).lower()) or row["skuPartNumber"],
             "total": row["total"], "assigned": row["assigned"], "available": row["available"]}
            for row in tenant_skus(cipp.client, tenant, fresh=True)]
    wanted = {s.lower() for s in cipp.params["skus"]}
    if wanted:
        rows = [r for r in rows if wanted & {str(r[k]).lower() for k in ("sku_id", "sku_part_number", "name")}]
    result = {"changed": False, "licenses": rows}
    if cipp.params["query"]:
        result["result"] = evaluate(cipp.params["query"], rows, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant="required").run(run)


if __name__ == "__main__":
    main()
