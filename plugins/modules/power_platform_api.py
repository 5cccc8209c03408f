#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: power_platform_api
short_description: Call any Power Platform API operation
version_added: 1.1.0
description:
  - Sends one request to C(<power_platform_url><path>?api-version=<api_version>) with the collection's credentials,
    token cache, retries and error handling, for Power Platform operations that have no dedicated module
    (environment groups, DLP and rule-based policies, environment settings, ...).
  - C(GET) requests report RV(ignore:changed=false). Other methods report RV(ignore:changed=true) unless O(guard) shows
    that the desired state is already there, in which case nothing is sent.
  - The API's refusals fail the task with what to do, e.g. for a service principal not registered as a Power Platform
    management application (HTTP 403), a token for another API (HTTP 401) or a missing api-version (HTTP 400).
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  path:
    description:
      - The operation's path below O(power_platform_url), e.g. C(/environmentmanagement/environments). No host and no
        query string (use O(params) and O(api_version)).
    type: str
    required: true
  method:
    description:
      - HTTP method.
    type: str
    choices: [GET, POST, PUT, PATCH, DELETE]
    default: GET
  api_version:
    description:
      - The C(api-version) query parameter every Power Platform API operation requires; each operation's page in
        Microsoft's Power Platform API reference lists the versions it accepts.
      - An C(api-version) given in O(params) wins. An empty string sends none.
    type: str
    default: '2024-10-01'
  params:
    description:
      - Query string parameters, e.g. C($filter), C($select), C($top).
    type: dict
    default: {}
  body:
    description:
      - JSON body (an object or a list).
      - Mark the task C(no_log) when the body carries a secret; the returned RV(request) masks keys that look like secrets.
    type: raw
  follow_pages:
    description:
      - For a C(GET) of a collection, follow every C(@odata.nextLink) (or C(nextLink)) and return all items as
        RV(data) (as C(value)), with the number of pages read as RV(pages). Next links are only followed on the API's own host.
    type: bool
    default: false
  query:
    description:
      - A JMESPath expression applied to the answer; the outcome is returned as RV(result).
    type: str
  guard:
    description:
      - An idempotency guard for writes. Before writing, O(guard.path) is read (C(GET)) and O(guard.condition) is
        evaluated on its answer; if the condition is true, the desired state is already there and the write is skipped
        (RV(ignore:changed=false)).
      - The guard read also runs in check mode. Its pages are followed, so the condition sees every item.
    type: dict
    suboptions:
      path:
        description: The path to read.
        type: str
        required: true
      api_version:
        description: The C(api-version) of the guard read; defaults to O(api_version).
        type: str
      params:
        description: Query parameters for the guard read.
        type: dict
        default: {}
      condition:
        description: JMESPath expression; a truthy result means the desired state is present.
        type: str
        required: true
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.power_platform
  - cipp.cipp.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - C(GET) requests are sent in check mode (they change nothing). Other methods are not sent; the module returns the
        request it would have sent as RV(request), and runs O(guard) to predict RV(ignore:changed).
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
seealso:
  - module: cipp.cipp.power_platform_environment_info
  - plugin: cipp.cipp.power_platform_api
    plugin_type: lookup
  - name: Power Platform API reference
    description: Microsoft's reference of the operations, their paths and api-versions.
    link: https://learn.microsoft.com/rest/api/power-platform/
'''

EXAMPLES = r'''
- name: Environment groups of the tenant, every page
  cipp.cipp.power_platform_api:
    path: /environmentmanagement/environmentGroups
    follow_pages: true
    query: "value[].displayName"
  register: groups

- name: Create an environment group, unless one with that name exists
  cipp.cipp.power_platform_api:
    path: /environmentmanagement/environmentGroups
    method: POST
    body:
      displayName: Client delivery
      description: Environments built for clients
    guard:
      path: /environmentmanagement/environmentGroups
      condition: "length(value[?displayName == 'Client delivery']) > `0`"

- name: Sandboxes only, the API filtering
  cipp.cipp.power_platform_api:
    path: /environmentmanagement/environments
    params:
      $filter: "type eq 'Sandbox'"
      $select: id,displayName,state
    follow_pages: true

- name: A customer's tenant, as its registered service principal
  cipp.cipp.power_platform_api:
    path: /environmentmanagement/environments
    tenant_id: 5a1b2c3d-0000-4000-8000-00000000c001
    client_id: bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
    client_secret: "{{ vault_power_platform_secret }}"
'''

RETURN = r'''
status:
  description: HTTP status of the answer (of the last page with O(follow_pages)).
  returned: when a request was sent
  type: int
  sample: 200
data:
  description:
    - The answer, parsed from JSON (text when the API answered text).
    - 'With O(follow_pages=true): C({"value": [every item of every page]}).'
  returned: when a request was sent
  type: raw
  sample: {"value": [{"id": "0e1f2a3b-0001-4000-8000-00000000e001", "displayName": "MSP Operations", "type": "Production"}]}
result:
  description: The outcome of O(query) applied to RV(data).
  returned: when O(query) is set and a request was sent
  type: raw
  sample: ["Client delivery"]
pages:
  description: Pages read.
  returned: when O(follow_pages=true) and a request was sent
  type: int
  sample: 3
request:
  description: The request that was (or, in check mode, would have been) sent, with secret-looking keys masked.
  returned: always
  type: dict
  contains:
    method:
      description: HTTP method.
      type: str
      sample: POST
    url:
      description: The URL without its query string.
      type: str
      sample: https://api.powerplatform.com/environmentmanagement/environmentGroups
    api_version:
      description: The api-version sent (null when none was).
      type: str
      sample: '2024-10-01'
    params:
      description: Query parameters besides the api-version.
      type: dict
      sample: {}
    body:
      description: JSON body.
      type: raw
      sample: {"displayName": "Client delivery", "description": "Environments built for clients"}
guard_satisfied:
  description: Whether O(guard) found the desired state already in place.
  returned: when O(guard) is set and the method is not C(GET)
  type: bool
  sample: false
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._masking import mask_secrets
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._powerplatform import (
    DEFAULT_API_VERSION, PowerPlatformClient, power_platform_argument_spec)

ARGUMENT_SPEC = dict(
    path=dict(type="str", required=True),
    method=dict(type="str", choices=["GET", "POST", "PUT", "PATCH", "DELETE"], default="GET"),
    api_version=dict(type="str", default=DEFAULT_API_VERSION),
    params=dict(type="dict", default={}),
    body=dict(type="raw"),
    follow_pages=dict(type="bool", default=False),
    query=dict(type="str"),
    guard=dict(type="dict", options=dict(
        path=dict(type="str", required=True),
        api_version=dict(type="str"),
        params=dict(type="dict", default={}),
        condition=dict(type="str", required=True),
    )),
)


def run(cipp: CippModule) -> dict:
    p = cipp.params
    client = PowerPlatformClient.from_module_params(p, warn=cipp.module.warn)
    path = client.canonical_path(p["path"])
    method = p["method"].upper()
    body = p["body"]
    if body is not None and not isinstance(body, (dict, list)):
        raise CippConfigError("option 'body' must be a JSON object or list", option="body")
    is_read = client.is_read(method)
    if p["follow_pages"] and not is_read:
        raise CippConfigError("option 'follow_pages' applies to GET requests only", option="follow_pages")
    result = {"changed": False, "request": {"method": method, "url": client.base_url + path,
                                            "api_version": p["api_version"] or None,
                                            "params": p["params"], "body": mask_secrets(body)}}
    if not is_read and p["guard"]:
        result["guard_satisfied"] = guard_satisfied(client, p["guard"], p["api_version"])
        if result["guard_satisfied"]:
            return result
    if not is_read and cipp.check_mode:
        result["changed"] = True
        return result
    if p["follow_pages"]:
        data, pages, status = client.get_all(path, p["api_version"], p["params"], collection=True)
        result.update(status=status, data=data, pages=pages)
    else:
        response = client.call(path, method, p["api_version"], p["params"], body)
        result.update(changed=not is_read, status=response.status, data=response.data)
    if p["query"]:
        result["result"] = evaluate(p["query"], result["data"], option="query")
    return result


def guard_satisfied(client: PowerPlatformClient, guard: dict, api_version: str) -> bool:
    """Read the guard's path (every page of a collection) and evaluate its condition."""
    version = guard["api_version"] if guard["api_version"] is not None else api_version
    data, _pages, _status = client.get_all(guard["path"], version, guard["params"])
    return bool(evaluate(guard["condition"], data, option="guard.condition"))


def main():
    cipp = CippModule(dict(ARGUMENT_SPEC, **power_platform_argument_spec()), with_tenant=False)
    cipp.run(run)


if __name__ == "__main__":
    main()
