# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: token
short_description: An Entra ID access token for any scope, from the collection's credentials
version_added: 1.0.0
description:
  - Returns a bearer token for O(scope) (default the CIPP API scope) using the same credentials, token cache
    and error messages as the modules, for calls the collection does not wrap (Microsoft Graph, Power Platform)
    through M(ansible.builtin.uri).
  - 'The token is a secret. Use it only in tasks marked C(no_log: true); never print it.'
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  _terms:
    description: Not used; scopes are given with O(scope).
    required: false
    type: list
    elements: str
extends_documentation_fragment:
  - cipp.cipp.connection.plugins
notes:
  - O(api_url) is not needed for this lookup.
'''

EXAMPLES = r'''
- name: Call Microsoft Graph with the partner tenant's app token
  ansible.builtin.uri:
    url: https://graph.microsoft.com/v1.0/organization
    headers:
      Authorization: "Bearer {{ lookup('cipp.cipp.token', scope='https://graph.microsoft.com/.default') }}"
  no_log: true
  register: organization
'''

RETURN = r'''
_raw:
  description: One access token (a JWT string).
  type: list
  elements: str
'''

from ansible.plugins.lookup import LookupBase

from ansible_collections.cipp.cipp.plugins.module_utils._auth import TokenProvider
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippError
from ansible_collections.cipp.cipp.plugins.plugin_utils._plugin import ansible_error, build_settings, check_options, display

NO_API_URL = "https://api-url-not-needed.invalid"


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        check_options(self, kwargs, variables, where="lookup cipp.cipp.token")
        try:
            # The token lookup needs no CIPP URL; a placeholder satisfies the shared validation.
            settings = build_settings(self, overrides={} if self.get_option("api_url") else {"api_url": NO_API_URL})
            provider = TokenProvider(settings, warn=display.warning)
            return [provider.get_token(settings.effective_scope)]
        except CippError as exc:
            raise ansible_error(exc) from None
