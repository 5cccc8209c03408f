#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: domain_info
short_description: Read the domains of a tenant through CIPP
version_added: 1.0.0
description:
  - Returns the domains of a customer tenant, the default domain first.
  - By default from CIPP's C(ListDomains), which gives each domain's name and whether it is the default or the
    initial (onmicrosoft.com) domain. With O(details), or when O(verified) is set, from the Microsoft Graph domain
    objects through C(ListGraphRequest) instead, which also say whether the domain is verified, how users
    authenticate, which services use it and its password policy. One request either way.
  - The filters are applied by the module to CIPP's answer.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  name:
    description: Only this domain (case-insensitive).
    type: str
  default:
    description: V(true) for the default domain only, V(false) for every other domain.
    type: bool
  initial:
    description: V(true) for the initial (onmicrosoft.com) domain only, V(false) for every other domain.
    type: bool
  verified:
    description:
      - V(true) for verified domains only, V(false) for domains added to the tenant whose DNS proof is still missing.
      - Implies O(details) (C(ListDomains) does not say whether a domain is verified).
    type: bool
  details:
    description: Read the full Graph domain objects (verified, authentication type, services, password policy).
    type: bool
    default: false
  query:
    description: A JMESPath expression applied to RV(domains); the outcome is returned as RV(result).
    type: str
notes:
  - Needs C(Tenant.Administration.Read), and with O(details) C(CIPP.Core.Read) (C(ListGraphRequest)).
  - O(tenant=AllTenants) is refused before any request; loop over tenants instead.
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.tenant.required
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: Domains of Contoso
  cipp.cipp.domain_info:
    tenant: contoso.com
  register: domains

- name: The default domain
  cipp.cipp.domain_info:
    tenant: contoso.onmicrosoft.com
  register: contoso
# contoso.default_domain == 'contoso.com'

- name: Domains whose verification is still pending
  cipp.cipp.domain_info:
    tenant: contoso.com
    verified: false
    query: "[].name"
  register: pending

- name: Federated domains, with their services
  cipp.cipp.domain_info:
    tenant: contoso.com
    details: true
    query: "[?authentication_type=='Federated'].{name: name, services: supported_services}"
  register: federated
'''

RETURN = r'''
domains:
  description: The domains, the default domain first, then by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The domain name.
      type: str
      sample: contoso.com
    default:
      description: Whether it is the tenant's default domain.
      type: bool
      sample: true
    initial:
      description: Whether it is the initial (onmicrosoft.com) domain.
      type: bool
      sample: false
    verified:
      description: Whether the domain is verified.
      type: bool
      returned: with O(details) or O(verified)
      sample: true
    authentication_type:
      description: C(Managed) or C(Federated).
      type: str
      returned: with O(details) or O(verified)
      sample: Managed
    supported_services:
      description: The services using the domain (C(Email), C(OfficeCommunicationsOnline), C(Intune), ...).
      type: list
      elements: str
      returned: with O(details) or O(verified)
      sample: [Email, OfficeCommunicationsOnline]
    admin_managed:
      description: Whether the domain's DNS is managed by Microsoft 365 (C(false) for external DNS).
      type: bool
      returned: with O(details) or O(verified)
      sample: true
    root:
      description: Whether it is a root domain (C(false) for a subdomain).
      type: bool
      returned: with O(details) or O(verified)
      sample: true
    password_validity_days:
      description: Days before a password expires (C(2147483647) means never).
      type: int
      returned: with O(details) or O(verified)
      sample: 2147483647
    password_notification_days:
      description: Days before expiry that users are warned.
      type: int
      returned: with O(details) or O(verified)
      sample: 14
  sample: [{"name": "contoso.com", "default": true, "initial": false}]
default_domain:
  description: The tenant's default domain (whatever the filters).
  returned: always
  type: str
  sample: contoso.com
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: ["contoso.net"]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippApiError
from ansible_collections.cipp.cipp.plugins.module_utils._graph_pages import graph_pages
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    default=dict(type="bool"),
    initial=dict(type="bool"),
    verified=dict(type="bool"),
    details=dict(type="bool", default=False),
    query=dict(type="str"),
)
GRAPH_FIELDS = (("verified", "isVerified"), ("authentication_type", "authenticationType"),
                ("supported_services", "supportedServices"), ("admin_managed", "isAdminManaged"), ("root", "isRoot"),
                ("password_validity_days", "passwordValidityPeriodInDays"),
                ("password_notification_days", "passwordNotificationWindowInDays"))


def _field(row: dict, name: str):
    """``row[name]`` ignoring case (ListDomains' Select-Object keeps Graph's casing, the spec lower-cases it)."""
    for key, value in row.items():
        if key.lower() == name.lower():
            return value
    return None


def normalise(row: dict, details: bool) -> dict:
    domain = {"name": _field(row, "id"), "default": bool(_field(row, "isDefault")),
              "initial": bool(_field(row, "isInitial"))}
    if details:
        domain.update((key, _field(row, graph)) for key, graph in GRAPH_FIELDS)
        domain["supported_services"] = list(domain["supported_services"] or [])
    return domain


def _matches(domain: dict, p: dict) -> bool:
    if p["name"] and str(domain["name"] or "").lower() != p["name"].strip().lower():
        return False
    return all(p[key] is None or bool(domain.get(key)) == p[key] for key in ("default", "initial", "verified"))


def run(cipp: CippModule) -> dict:
    p = cipp.params
    details = p["details"] or p["verified"] is not None
    endpoint = "ListGraphRequest" if details else "ListDomains"
    # AllTenants is refused on both paths: ListDomains acts on one tenant, and Graph's domains of every
    # tenant would come back without saying whose they are.
    tenant = cipp.resolve_tenant(endpoint="ListDomains")["defaultDomainName"]
    if details:
        rows, _pages = graph_pages(cipp.client, tenant, "domains", {})
    else:
        rows = cipp.client.call("ListDomains", params={"tenantFilter": tenant}).data
        if isinstance(rows, dict):
            rows = [rows]
        if not isinstance(rows, list):
            raise CippApiError(f"ListDomains answered with {type(rows).__name__}, not a list", endpoint=endpoint)
    domains = [normalise(row, details) for row in rows if isinstance(row, dict) and _field(row, "id")]
    domains.sort(key=lambda d: (not d["default"], str(d["name"]).lower()))
    default_domain = next((d["name"] for d in domains if d["default"]), None)
    domains = [d for d in domains if _matches(d, p)]
    result = {"changed": False, "domains": domains, "default_domain": default_domain}
    if p["query"]:
        result["result"] = evaluate(p["query"], domains, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant="required").run(run)


if __name__ == "__main__":
    main()
