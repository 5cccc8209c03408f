#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: group_info
short_description: Read groups of a tenant through CIPP
version_added: 1.0.0
description:
  - Returns one group (by display name or object ID) with its members and owners, or the groups matching
    a Microsoft Graph O(filter), read page by page through CIPP's C(ListGraphRequest).
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  display_name:
    description: Groups with this display name (usually one).
    type: str
    aliases: [name]
  id:
    description: One group, by object ID.
    type: str
  filter:
    description: A Microsoft Graph C($filter) for groups, e.g. C(mailEnabled eq true).
    type: str
  members:
    description: Also return each group's members and owners (two more requests per group).
    type: bool
    default: false
  query:
    description: A JMESPath expression applied to RV(groups); the outcome is returned as RV(result).
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: The Marketing group with its members
  cipp.cipp.group_info:
    tenant: contoso.com
    display_name: Marketing
    members: true
  register: marketing

- name: Names of the Microsoft 365 groups
  cipp.cipp.group_info:
    tenant: contoso.com
    filter: "groupTypes/any(c:c eq 'Unified')"
    query: "[].display_name"
  register: m365_groups
'''

RETURN = r'''
groups:
  description: The groups.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Object ID.
      type: str
      sample: 9c0f0a01-0001-4b01-8b01-00000000c202
    display_name:
      description: Display name.
      type: str
      sample: Marketing
    group_type:
      description: One of C(security), C(m365), C(distribution), C(mail_enabled_security).
      type: str
      sample: m365
    mail:
      description: Primary SMTP address (mail-enabled groups).
      type: str
      sample: marketing@contoso.com
    members:
      description: Member UPNs (with O(members=true)).
      type: list
      elements: str
      sample: [megan.bowen@contoso.com]
    owners:
      description: Owner UPNs (with O(members=true)).
      type: list
      elements: str
      sample: [megan.bowen@contoso.com]
  sample: [{"id": "9c0f0a01-0001-4b01-8b01-00000000c202", "display_name": "Marketing", "group_type": "m365"}]
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: ["Marketing"]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._directory import find_groups, group_links
from ansible_collections.cipp.cipp.plugins.module_utils._graph_pages import graph_pages
from ansible_collections.cipp.cipp.plugins.module_utils._group_resource import group_type_of
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule

ARGUMENT_SPEC = dict(
    display_name=dict(type="str", aliases=["name"]),
    id=dict(type="str"),
    filter=dict(type="str"),
    members=dict(type="bool", default=False),
    query=dict(type="str"),
)


def summarise(raw: dict) -> dict:
    return {"id": raw["id"], "display_name": raw.get("displayName"), "description": raw.get("description"),
            "mail_nickname": raw.get("mailNickname"), "mail": raw.get("mail"), "group_type": group_type_of(raw),
            "membership_rule": raw.get("membershipRule")}


def run(cipp: CippModule) -> dict:
    p = cipp.params
    tenant = cipp.resolve_tenant()["defaultDomainName"]
    if p["display_name"] or p["id"]:
        raw_groups = find_groups(cipp.client, tenant, name=p["display_name"], group_id=p["id"])
    else:
        params = {"$filter": p["filter"]} if p["filter"] else {}
        raw_groups, _pages = graph_pages(cipp.client, tenant, "groups", params)
    groups = [summarise(raw) for raw in raw_groups]
    if p["members"]:
        for group in groups:
            for relation in ("members", "owners"):
                rows = group_links(cipp.client, tenant, group["id"], relation)
                group[relation] = sorted(r.get("userPrincipalName") or r["id"] for r in rows)
    result = {"changed": False, "groups": groups}
    if p["query"]:
        result["result"] = evaluate(p["query"], groups, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant="required", mutually_exclusive=[("display_name", "id", "filter")]).run(run)


if __name__ == "__main__":
    main()
