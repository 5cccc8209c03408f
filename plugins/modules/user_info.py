#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: user_info
short_description: Read users of a tenant through CIPP
version_added: 1.0.0
description:
  - Returns one user (by UPN or object ID, one targeted request) or the users matching a Microsoft Graph
    O(filter), read page by page through CIPP's C(ListGraphRequest) so that large tenants are not read
    in one answer.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  user_principal_name:
    description: One user, by UPN. Excludes O(id) and O(filter).
    type: str
    aliases: [upn]
  id:
    description: One user, by object ID.
    type: str
  filter:
    description:
      - A Microsoft Graph C($filter) for the users to return, e.g. C(department eq 'Sales') or
        C(startswith(displayName,'A')). Without it (and without a UPN or ID) every user is returned.
    type: str
  properties:
    description: The Graph properties to return (C($select)); by default Graph's standard set.
    type: list
    elements: str
  page_size:
    description: Users per page (Graph's C($top), at most 999).
    type: int
    default: 999
  query:
    description: A JMESPath expression applied to RV(users); the outcome is returned as RV(result).
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: One user
  cipp.cipp.user_info:
    tenant: contoso.com
    upn: adele.vance@contoso.com
  register: adele

- name: Disabled users of a large tenant, only what is needed
  cipp.cipp.user_info:
    tenant: northwind.com
    filter: accountEnabled eq false
    properties: [id, userPrincipalName, displayName]
  register: disabled
'''

RETURN = r'''
users:
  description: The users, as Microsoft Graph returns them (with CIPP's extra fields for single-user reads).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "3c2a0a8e-7e9b-4c55-b1b4-0d7c9a1f2e3d", "userPrincipalName": "adele.vance@contoso.com",
            "displayName": "Adele Vance", "accountEnabled": true}]
pages:
  description: How many pages were read.
  returned: when O(user_principal_name) and O(id) are not set
  type: int
  sample: 3
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: ["adele.vance@contoso.com"]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._graph_pages import graph_pages
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._users import check_upn, find_user, is_guid

ARGUMENT_SPEC = dict(
    user_principal_name=dict(type="str", aliases=["upn"]),
    id=dict(type="str"),
    filter=dict(type="str"),
    properties=dict(type="list", elements="str"),
    page_size=dict(type="int", default=999),
    query=dict(type="str"),
)


def run(cipp: CippModule) -> dict:
    p = cipp.params
    tenant = cipp.resolve_tenant()["defaultDomainName"]
    result = {"changed": False}
    if p["user_principal_name"] or p["id"]:
        if p["id"] and not is_guid(p["id"]):
            raise CippConfigError(f"option 'id': {p['id']!r} is not an object ID (a GUID)", option="id")
        upn = check_upn(p["user_principal_name"], "user_principal_name") if p["user_principal_name"] else None
        user = find_user(cipp.client, tenant, upn=upn, object_id=p["id"])
        result["users"] = [user] if user else []
    else:
        if not 1 <= p["page_size"] <= 999:
            raise CippConfigError("option 'page_size' must be between 1 and 999", option="page_size")
        params = {"$top": p["page_size"]}
        if p["filter"]:
            params["$filter"] = p["filter"]
        if p["properties"]:
            params["$select"] = ",".join(p["properties"])
        users, pages = graph_pages(cipp.client, tenant, "users", params)
        result.update(users=users, pages=pages)
    if p["query"]:
        result["result"] = evaluate(p["query"], result["users"], option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant="required",
               mutually_exclusive=[("user_principal_name", "id", "filter")]).run(run)


if __name__ == "__main__":
    main()
