#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: tenant_info
short_description: List the tenants a CIPP instance manages
version_added: 1.0.0
description:
  - Returns the customer tenants CIPP manages for the API client (C(ListTenants)), optionally one tenant,
    filtered by name pattern, or reshaped with a JMESPath O(query).
  - The tenant list is cached for the run beside the token cache, so later tasks resolve tenant names
    without another request.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  tenant:
    description:
      - Return only this tenant (default domain, initial domain or tenant ID). Fails when CIPP does not manage it.
    type: str
    aliases: [tenant_filter]
  name_patterns:
    description:
      - Shell-style patterns (C(*.com), C(contoso*)); a tenant is kept when its default domain, initial domain
        or display name matches any of them (case-insensitive).
    type: list
    elements: str
    default: []
  exclude_patterns:
    description:
      - Shell-style patterns of tenants to drop, matched like O(name_patterns).
    type: list
    elements: str
    default: []
  refresh:
    description:
      - Read the list from CIPP even when the run's cached copy is fresh.
    type: bool
    default: false
  query:
    description:
      - A JMESPath expression applied to the list of tenants; the outcome is returned as RV(result).
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: All tenants
  cipp.cipp.tenant_info:
  register: cipp_tenants

- name: Default domains of the .com tenants
  cipp.cipp.tenant_info:
    name_patterns: ["*.com"]
    query: "[].defaultDomainName"
  register: domains

- name: One tenant, by its initial domain
  cipp.cipp.tenant_info:
    tenant: contoso.onmicrosoft.com
  register: contoso
'''

RETURN = r'''
tenants:
  description: The tenants, as CIPP's C(ListTenants) returns them.
  returned: always
  type: list
  elements: dict
  contains:
    customerId:
      description: Tenant ID.
      type: str
      sample: 0d5f3ee6-4cd6-4e2c-9a53-4c7f0a1b2c3d
    defaultDomainName:
      description: Default domain; the name other modules accept as O(ignore:tenant).
      type: str
      sample: contoso.com
    initialDomainName:
      description: The C(onmicrosoft.com) domain.
      type: str
      sample: contoso.onmicrosoft.com
    displayName:
      description: Display name.
      type: str
      sample: Contoso Ltd
    delegatedPrivilegeStatus:
      description: How CIPP reaches the tenant (C(granularDelegatedAdminPrivileges) or C(directTenant)).
      type: str
      sample: granularDelegatedAdminPrivileges
  sample: [{"customerId": "0d5f3ee6-4cd6-4e2c-9a53-4c7f0a1b2c3d", "defaultDomainName": "contoso.com",
            "initialDomainName": "contoso.onmicrosoft.com", "displayName": "Contoso Ltd"}]
result:
  description: The outcome of O(query) applied to RV(tenants).
  returned: when O(query) is set
  type: raw
  sample: ["contoso.com", "fabrikam.com"]
'''

import fnmatch

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule

ARGUMENT_SPEC = dict(
    name_patterns=dict(type="list", elements="str", default=[]),
    exclude_patterns=dict(type="list", elements="str", default=[]),
    refresh=dict(type="bool", default=False),
    query=dict(type="str"),
)


def matches(row: dict, patterns: list) -> bool:
    names = [str(row.get(key) or "").lower() for key in ("defaultDomainName", "initialDomainName", "displayName")]
    return any(fnmatch.fnmatchcase(name, pattern.lower()) for pattern in patterns for name in names)


def run(cipp: CippModule) -> dict:
    p = cipp.params
    if p["tenant"]:
        tenants = [cipp.resolve_tenant()]
    else:
        tenants = cipp.tenants.list(refresh=p["refresh"])
    if p["name_patterns"]:
        tenants = [row for row in tenants if matches(row, p["name_patterns"])]
    if p["exclude_patterns"]:
        tenants = [row for row in tenants if not matches(row, p["exclude_patterns"])]
    result = {"changed": False, "tenants": tenants}
    if p["query"]:
        result["result"] = evaluate(p["query"], tenants, option="query")
    return result


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant=True)
    cipp.run(run)


if __name__ == "__main__":
    main()
