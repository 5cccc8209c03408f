#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: gdap_role_info
short_description: Read CIPP's GDAP role mappings
version_added: 1.0.0
description:
  - Returns the GDAP role mappings CIPP keeps (C(ListGDAPRoles)) - which security group in the partner tenant
    carries which Entra role in customer tenants through GDAP. One request; the filters are applied by the module.
  - These are CIPP's mappings (its C(GDAPRoles) table), not the relationships of a particular tenant.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  role:
    description: Only mappings of this Entra role, given as its name (V(User Administrator)) or role definition ID
      (case-insensitive).
    type: str
  group:
    description: Only mappings of this partner security group, given as its name or object ID (case-insensitive).
    type: str
  query:
    description: A JMESPath expression applied to RV(roles); the outcome is returned as RV(result).
    type: str
notes:
  - Needs the C(Tenant.Relationship.Read) permission. The mappings are CIPP-wide, so the module has no C(tenant) option.
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: All GDAP role mappings
  cipp.cipp.gdap_role_info:
  register: gdap

- name: The group that carries Exchange Administrator
  cipp.cipp.gdap_role_info:
    role: Exchange Administrator
    query: "[0].group_name"
  register: exchange_admins

- name: Fail when Global Administrator is mapped
  cipp.cipp.gdap_role_info:
    role: 62e90394-69f5-4237-9190-012177145e10
  register: global_admin
  failed_when: global_admin.roles | length > 0
'''

RETURN = r'''
roles:
  description: The role mappings, sorted by role name.
  returned: always
  type: list
  elements: dict
  contains:
    role_name:
      description: The Entra role's name.
      type: str
      sample: User Administrator
    role_definition_id:
      description: The Entra role's definition ID (the same in every tenant).
      type: str
      sample: fe930be7-5e62-47db-91af-98c3a49a38b1
    group_name:
      description: The partner tenant's security group that carries the role.
      type: str
      sample: M365 GDAP User Administrator
    group_id:
      description: The group's object ID in the partner tenant.
      type: str
      sample: 7e1d0a10-5b1c-4a21-9d11-000000000101
  sample: [{"role_name": "User Administrator", "role_definition_id": "fe930be7-5e62-47db-91af-98c3a49a38b1",
            "group_name": "M365 GDAP User Administrator", "group_id": "7e1d0a10-5b1c-4a21-9d11-000000000101"}]
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: M365 GDAP Exchange Administrator
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippApiError
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule

ARGUMENT_SPEC = dict(
    role=dict(type="str"),
    group=dict(type="str"),
    query=dict(type="str"),
)


def normalise(row: dict) -> dict:
    return {"role_name": row.get("RoleName"), "role_definition_id": row.get("roleDefinitionId"),
            "group_name": row.get("GroupName"), "group_id": row.get("GroupId")}


def _is(wanted, *values) -> bool:
    return wanted is None or wanted.strip().lower() in {str(v or "").lower() for v in values}


def run(cipp: CippModule) -> dict:
    p = cipp.params
    rows = cipp.client.call("ListGDAPRoles").data
    if isinstance(rows, dict):
        rows = [rows]
    if not isinstance(rows, list):
        raise CippApiError(f"ListGDAPRoles answered with {type(rows).__name__}, not a list", endpoint="ListGDAPRoles")
    roles = [normalise(row) for row in rows if isinstance(row, dict)]
    roles = [r for r in roles if _is(p["role"], r["role_name"], r["role_definition_id"])
             and _is(p["group"], r["group_name"], r["group_id"])]
    roles.sort(key=lambda r: (str(r["role_name"] or "").lower(), str(r["group_name"] or "").lower()))
    result = {"changed": False, "roles": roles}
    if p["query"]:
        result["result"] = evaluate(p["query"], roles, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant=False).run(run)


if __name__ == "__main__":
    main()
