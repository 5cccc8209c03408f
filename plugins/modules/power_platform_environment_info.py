#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: power_platform_environment_info
short_description: Power Platform environments of a tenant
version_added: 1.1.0
description:
  - Lists the Power Platform environments of the tenant in O(tenant_id) through the Power Platform API
    (C(GET /environmentmanagement/environments)), following every page, with each environment's type, region,
    state, Dataverse URL and other properties under stable names.
  - Narrow the list with O(environment) and O(types), or shape it with O(query).
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  environment:
    description:
      - Only the environment with this ID or display name (case-insensitive). No match is not an error; RV(environments)
        is then empty.
    type: str
  types:
    description:
      - Only environments of these types (case-insensitive), e.g. C(Production), C(Sandbox), C(Developer), C(Trial),
        C(Default), C(Teams).
    type: list
    elements: str
  api_version:
    description:
      - The C(api-version) of the list operation.
    type: str
    default: '2024-10-01'
  query:
    description:
      - A JMESPath expression applied to RV(environments); the outcome is returned as RV(result).
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.power_platform
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
seealso:
  - module: cipp.cipp.power_platform_api
'''

EXAMPLES = r'''
- name: Every environment of the tenant
  cipp.cipp.power_platform_environment_info:
  register: environments

- name: Production and sandbox environments that are not ready
  cipp.cipp.power_platform_environment_info:
    types: [Production, Sandbox]
    query: "[?state != 'Ready'].display_name"
  register: attention

- name: One customer's environments, with the service principal registered in that tenant
  cipp.cipp.power_platform_environment_info:
    tenant_id: 5a1b2c3d-0000-4000-8000-00000000c001
    client_id: bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
    client_secret: "{{ vault_power_platform_secret }}"
  register: contoso
'''

RETURN = r'''
environments:
  description: The environments, in the API's order.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Environment ID (C(Default-<tenant id>) for the default environment).
      type: str
      sample: 0e1f2a3b-0001-4000-8000-00000000e001
    display_name:
      description: Display name.
      type: str
      sample: MSP Operations
    type:
      description: Environment type (C(Default), C(Production), C(Sandbox), C(Developer), C(Trial), C(Teams)).
      type: str
      sample: Production
    state:
      description: State, e.g. C(Ready) or C(Disabled).
      type: str
      sample: Ready
    region:
      description: The Power Platform region (geo), e.g. C(unitedstates), C(europe).
      type: str
      sample: unitedstates
    azure_region:
      description: The Azure region the environment runs in.
      type: str
      sample: eastus
    url:
      description: The Dataverse URL (null without Dataverse).
      type: str
      sample: https://mspops.crm.dynamics.com/
    domain_name:
      description: The Dataverse domain name (null without Dataverse).
      type: str
      sample: mspops
    dataverse_id:
      description: The Dataverse organisation ID (null without Dataverse).
      type: str
    version:
      description: The Dataverse version (null without Dataverse).
      type: str
      sample: 9.2.25044.00184
    tenant_id:
      description: The tenant the environment belongs to.
      type: str
    environment_group_id:
      description: The environment group the environment is in (null when in none).
      type: str
    is_default:
      description: Whether this is the tenant's default environment.
      type: bool
      sample: false
    created:
      description: When the environment was created (ISO 8601).
      type: str
      sample: '2020-06-11T14:02:10Z'
    deleted:
      description: When the environment was deleted (null unless deleted).
      type: str
    admin_mode:
      description: Administration mode (C(Enabled) means only administrators can sign in).
      type: str
      sample: Disabled
    protection_level:
      description: Protection level.
      type: str
      sample: Standard
    raw:
      description: The API's object, as it answered.
      type: dict
count:
  description: Number of environments returned.
  returned: always
  type: int
  sample: 25
pages:
  description: Pages the API answered the list in.
  returned: always
  type: int
  sample: 3
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: ["Expired trial"]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._powerplatform import (
    DEFAULT_API_VERSION, ENVIRONMENTS_PATH, PowerPlatformClient, normalise_environment, power_platform_argument_spec)

ARGUMENT_SPEC = dict(
    environment=dict(type="str"),
    types=dict(type="list", elements="str"),
    api_version=dict(type="str", default=DEFAULT_API_VERSION),
    query=dict(type="str"),
)


def run(cipp: CippModule) -> dict:
    p = cipp.params
    client = PowerPlatformClient.from_module_params(p, warn=cipp.module.warn)
    items, pages = client.list_all(ENVIRONMENTS_PATH, p["api_version"])
    environments = [normalise_environment(item) for item in items if isinstance(item, dict)]
    if p["environment"]:
        wanted = p["environment"].strip().lower()
        environments = [e for e in environments
                        if wanted in (str(e["id"] or "").lower(), str(e["display_name"] or "").lower())]
    if p["types"]:
        types = {t.strip().lower() for t in p["types"]}
        environments = [e for e in environments if str(e["type"] or "").lower() in types]
    result = {"changed": False, "environments": environments, "count": len(environments), "pages": pages}
    if p["query"]:
        result["result"] = evaluate(p["query"], environments, option="query")
    return result


def main():
    cipp = CippModule(dict(ARGUMENT_SPEC, **power_platform_argument_spec()), with_tenant=False)
    cipp.run(run)


if __name__ == "__main__":
    main()
