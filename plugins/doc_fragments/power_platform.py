# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of the Power Platform plugins, besides the shared connection options: the API's
URL and the token scope (DOCUMENTATION for modules, PLUGINS for lookups). Keep in step with
POWER_PLATFORM_OPTIONS in plugins/module_utils/_powerplatform.py."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  power_platform_url:
    description:
      - 'The Power Platform API. Override it for sovereign clouds, e.g. C(https://api.gov.powerplatform.microsoft.us) (GCC) or
        C(https://api.powerplatform.partner.microsoftonline.cn) (China), together with O(power_platform_scope) and O(authority).'
      - 'Environment variable: C(CIPP_POWER_PLATFORM_URL).'
    type: str
    default: https://api.powerplatform.com
  power_platform_scope:
    description:
      - 'The scope Power Platform API tokens are requested for: C(<API URL>/.default) of the cloud O(power_platform_url) is in.'
      - 'Tokens for it are cached apart from CIPP API tokens (one cache entry per scope), so one credential can serve both APIs. Environment variable:
        C(CIPP_POWER_PLATFORM_SCOPE).'
    type: str
    default: https://api.powerplatform.com/.default
notes:
  - 'The Power Platform plugins talk to the Power Platform API, not to CIPP: O(api_url), O(scope) (C(CIPP_SCOPE)) and O(strict) are not used.'
  - 'O(tenant_id) is the tenant whose Power Platform is managed (a customer tenant, where the app is consented and registered), and O(client_id) an app
    set up as described in the collection''s C(docs/power_platform.md): a service principal registered as a Power Platform management application, or
    a public client for username/password sign-in.'
  - 'A ready O(access_token) must be a Power Platform API token (audience C(https://api.powerplatform.com)); a CIPP token is refused with HTTP 401.'
'''

    PLUGINS = r'''
options:
  power_platform_url:
    description:
      - 'The Power Platform API. Override it for sovereign clouds, e.g. C(https://api.gov.powerplatform.microsoft.us) (GCC) or
        C(https://api.powerplatform.partner.microsoftonline.cn) (China), together with O(power_platform_scope) and O(authority).'
    type: str
    default: https://api.powerplatform.com
    env:
      - name: CIPP_POWER_PLATFORM_URL
    ini:
      - section: cipp
        key: power_platform_url
    vars:
      - name: cipp_power_platform_url
  power_platform_scope:
    description:
      - 'The scope Power Platform API tokens are requested for: C(<API URL>/.default) of the cloud O(power_platform_url) is in.'
      - 'Tokens for it are cached apart from CIPP API tokens (one cache entry per scope), so one credential can serve both APIs.'
    type: str
    default: https://api.powerplatform.com/.default
    env:
      - name: CIPP_POWER_PLATFORM_SCOPE
    ini:
      - section: cipp
        key: power_platform_scope
    vars:
      - name: cipp_power_platform_scope
notes:
  - 'The Power Platform plugins talk to the Power Platform API, not to CIPP: O(api_url), O(scope) and O(strict) are not used.'
  - 'O(tenant_id) is the tenant whose Power Platform is managed, and O(client_id) an app set up as described in the collection''s
    C(docs/power_platform.md).'
'''
