# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: api
short_description: Read from the CIPP API in a template
version_added: 1.0.0
description:
  - Calls CIPP API endpoints on the controller and returns their answers, one per term.
  - Only read endpoints (C(List*), C(Get*)) are allowed unless O(allow_writes=true), because lookups run
    at templating time, possibly more than once, and ignore check mode.
  - Uses the same authentication, token cache, retries and error handling as the modules.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  _terms:
    description: Endpoint names, e.g. C(ListUsers).
    required: true
    type: list
    elements: str
  params:
    description: Query string parameters for every term.
    type: dict
    default: {}
  body:
    description: JSON body for every term (writes only).
    type: raw
  method:
    description: HTTP method; defaults to the method CIPP's spec gives the endpoint.
    type: str
  tenant:
    description:
      - Customer tenant (default domain, initial domain or tenant ID), checked against CIPP's tenant list
        and passed as C(tenantFilter).
    type: str
  query:
    description: A JMESPath expression applied to each answer.
    type: str
  allow_writes:
    description: Allow endpoints that change state. A lookup cannot honour check mode, so this is off by default.
    type: bool
    default: false
  check_results:
    description: Fail when CIPP reports a failure inside a successful HTTP answer.
    type: bool
    default: true
extends_documentation_fragment:
  - cipp.cipp.connection.plugins
notes:
  - Connection options come from the lookup's keyword arguments, C(cipp_*) variables, C(CIPP_*) environment
    variables or the C([cipp]) section of C(ansible.cfg), in that order.
seealso:
  - module: cipp.cipp.api
'''

EXAMPLES = r'''
- name: User principal names of a tenant's enabled users
  ansible.builtin.debug:
    msg: "{{ lookup('cipp.cipp.api', 'ListUsers', tenant='contoso.com', query='[?accountEnabled].userPrincipalName') }}"

- name: CIPP's version
  ansible.builtin.debug:
    msg: "{{ lookup('cipp.cipp.api', 'GetVersion').LocalCIPPAPIVersion }}"
'''

RETURN = r'''
_raw:
  description: One answer per term (after O(query) when set).
  type: list
  elements: raw
'''

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippError
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._request_tenant import apply_tenant
from ansible_collections.cipp.cipp.plugins.module_utils._tenants import TenantResolver
from ansible_collections.cipp.cipp.plugins.plugin_utils._plugin import ansible_error, build_client, check_options


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        check_options(self, kwargs, variables, where="lookup cipp.cipp.api")
        try:
            client = build_client(self)
            return [self._call(client, term) for term in terms]
        except CippError as exc:
            raise ansible_error(exc) from None

    def _call(self, client, term):
        endpoint = client.canonical_endpoint(term)
        method = (self.get_option("method") or client.default_method(endpoint)).upper()
        if not client.is_read(endpoint, method) and not self.get_option("allow_writes"):
            raise AnsibleError(f"lookup cipp.cipp.api: {endpoint} changes state; use the cipp.cipp.api module "
                               "(which honours check mode), or set allow_writes=true")
        params = dict(self.get_option("params") or {})
        body = self.get_option("body")
        if self.get_option("tenant"):
            tenant = TenantResolver(client).resolve(self.get_option("tenant"), endpoint=endpoint)
            params, body = apply_tenant(endpoint, method, params, body, tenant["defaultDomainName"])
        data = client.call(endpoint, method, params, body, check_results=self.get_option("check_results")).data
        query = self.get_option("query")
        return evaluate(query, data, option="query") if query else data
