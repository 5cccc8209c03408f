# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: power_platform_api
short_description: Read from the Power Platform API in a template
version_added: 1.1.0
description:
  - Calls Power Platform API operations on the controller and returns their answers, one per term.
  - Only C(GET) is allowed unless O(allow_writes=true), because lookups run at templating time, possibly more than
    once, and ignore check mode.
  - Uses the same credentials, token cache (a separate entry for the Power Platform scope), retries and error
    messages as the modules.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  _terms:
    description: Paths below O(power_platform_url), e.g. C(/environmentmanagement/environments).
    required: true
    type: list
    elements: str
  method:
    description: HTTP method.
    type: str
    default: GET
  api_version:
    description: The C(api-version) query parameter (an C(api-version) in O(params) wins; an empty string sends none).
    type: str
    default: '2024-10-01'
  params:
    description: Query string parameters for every term.
    type: dict
    default: {}
  body:
    description: JSON body for every term (writes only).
    type: raw
  follow_pages:
    description: 'Follow every next link of a collection and return C({"value": [every item of every page]}).'
    type: bool
    default: false
  query:
    description: A JMESPath expression applied to each answer.
    type: str
  allow_writes:
    description: Allow methods other than C(GET). A lookup cannot honour check mode, so this is off by default.
    type: bool
    default: false
extends_documentation_fragment:
  - cipp.cipp.connection.plugins
  - cipp.cipp.power_platform.plugins
notes:
  - Connection options come from the lookup's keyword arguments, C(cipp_*) variables, C(CIPP_*) environment
    variables or the C([cipp]) section of C(ansible.cfg), in that order.
seealso:
  - module: cipp.cipp.power_platform_api
  - module: cipp.cipp.power_platform_environment_info
'''

EXAMPLES = r'''
- name: Display names of every environment, all pages
  ansible.builtin.debug:
    msg: "{{ lookup('cipp.cipp.power_platform_api', '/environmentmanagement/environments', follow_pages=true,
             query='value[].displayName') }}"

- name: One environment
  ansible.builtin.debug:
    msg: "{{ lookup('cipp.cipp.power_platform_api', '/environmentmanagement/environments/' ~ environment_id).state }}"
  vars:
    environment_id: 0e1f2a3b-0001-4000-8000-00000000e001
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
from ansible_collections.cipp.cipp.plugins.module_utils._powerplatform import PowerPlatformClient
from ansible_collections.cipp.cipp.plugins.plugin_utils._plugin import ansible_error, check_options, display


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        check_options(self, kwargs, variables, where="lookup cipp.cipp.power_platform_api")
        try:
            client = PowerPlatformClient.from_getter(self.get_option, warn=display.warning)
            return [self._call(client, term) for term in terms]
        except CippError as exc:
            raise ansible_error(exc) from None

    def _call(self, client, term):
        method = (self.get_option("method") or "GET").upper()
        if not client.is_read(method) and not self.get_option("allow_writes"):
            raise AnsibleError(f"lookup cipp.cipp.power_platform_api: {method} {term} changes state; use the "
                               "cipp.cipp.power_platform_api module (which honours check mode), or set allow_writes=true")
        if self.get_option("follow_pages") and method != "GET":
            raise AnsibleError("lookup cipp.cipp.power_platform_api: follow_pages applies to GET only")
        api_version = self.get_option("api_version")
        params = dict(self.get_option("params") or {})
        if self.get_option("follow_pages"):
            data = client.get_all(term, api_version, params, collection=True)[0]
        else:
            data = client.call(term, method, api_version, params, self.get_option("body")).data
        query = self.get_option("query")
        return evaluate(query, data, option="query") if query else data
