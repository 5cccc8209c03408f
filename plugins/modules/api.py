#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: api
short_description: Call any CIPP API endpoint
version_added: 1.0.0
description:
  - Sends one request to C(<api_url>/api/<endpoint>) with the collection's authentication, retries and
    error handling, for endpoints that have no dedicated module.
  - Before sending, the request is checked against the manifest of CIPP's endpoints and the fields each
    reads (generated from CIPP's OpenAPI spec). An unknown endpoint, a key the endpoint never reads, or a
    bare string where CIPP reads a C({value, label}) object is reported as a warning (an error with O(strict=true)).
  - Read endpoints (C(List*), C(Get*)) report RV(ignore:changed=false). Writes report RV(ignore:changed=true) unless
    O(guard) shows that the desired state is already there, in which case nothing is sent.
  - CIPP often reports failures inside an HTTP 200 answer; such failure text fails the task with CIPP's own
    message unless O(check_results=false).
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  endpoint:
    description:
      - The endpoint name, e.g. C(ListUsers) or C(ExecDisableUser). Names are case-sensitive in CIPP's spec;
        a name in the wrong case is corrected with a warning.
    type: str
    required: true
  method:
    description:
      - HTTP method. Defaults to the method CIPP's spec gives the endpoint.
    type: str
    choices: [GET, POST, PUT, PATCH, DELETE]
  params:
    description:
      - Query string parameters.
    type: dict
    default: {}
  body:
    description:
      - JSON body (an object, or a list for the few endpoints that take an array).
      - Mark the task C(no_log) when the body carries a secret; the returned O(ignore:request) masks
        keys that look like secrets.
    type: raw
  tenant:
    description:
      - The customer tenant, resolved against CIPP's tenant list before anything is sent and passed as
        C(tenantFilter) (in the body for endpoints that read it there, else in the query string).
      - C(AllTenants) is accepted only for endpoints whose backend supports it.
      - A C(tenantFilter) given directly in O(params) or O(body) is validated the same way unless
        O(validate_tenant=false).
    type: str
    aliases: [tenant_filter]
  validate_tenant:
    description:
      - Check a C(tenantFilter) found in O(params) or O(body) against CIPP's tenant list before sending.
    type: bool
    default: true
  query:
    description:
      - A JMESPath expression applied to the answer; the outcome is returned as RV(result).
    type: str
  check_results:
    description:
      - Fail when CIPP's answer reports a failure inside a successful HTTP status (C(Results) text such as
        C(Failed to ...), or C(state=error) entries).
    type: bool
    default: true
  wait_for_queue:
    description:
      - When CIPP answers that it queued the work (AllTenants requests), poll until the data is there,
        up to five minutes.
    type: bool
    default: true
  guard:
    description:
      - An idempotency guard for writes. Before writing, the read endpoint in O(guard.endpoint) is called and
        O(guard.condition) is evaluated on its answer; if the condition is true, the desired state is already
        there and the write is skipped (RV(ignore:changed=false)).
      - The guard read also runs in check mode.
    type: dict
    suboptions:
      endpoint:
        description: A read endpoint (C(List*)/C(Get*)).
        type: str
        required: true
      params:
        description: Query parameters for the guard read. O(tenant) is added as C(tenantFilter) when set.
        type: dict
        default: {}
      condition:
        description: JMESPath expression; a truthy result means the desired state is present.
        type: str
        required: true
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Reads are sent in check mode (they change nothing). Writes are not sent; the module returns the
        request it would have sent as RV(request), and runs O(guard) to predict RV(ignore:changed).
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - Prefer a dedicated module where one exists, because those read, compare and write only on a real difference.
seealso:
  - plugin: cipp.cipp.api
    plugin_type: lookup
'''

EXAMPLES = r'''
- name: Read the users of one tenant
  cipp.cipp.api:
    endpoint: ListUsers
    tenant: contoso.com
    query: "[?accountEnabled].userPrincipalName"
  register: users

- name: Disable a user, unless CIPP already shows the account disabled
  cipp.cipp.api:
    endpoint: ExecDisableUser
    tenant: contoso.com
    body:
      ID: adele.vance@contoso.com
      Enable: false
    guard:
      endpoint: ListUsers
      params:
        UserID: adele.vance@contoso.com
      condition: "[0].accountEnabled == `false`"

- name: Use module_defaults for the connection (typically from CIPP_* environment variables in AWX)
  module_defaults:
    group/cipp.cipp.cipp:
      api_url: https://cipp1234.azurewebsites.net
      tenant_id: 5a1b2c3d-0000-4000-8000-00000000a001
      client_id: 11111111-1111-4111-8111-111111111111
      client_secret: "{{ vault_cipp_client_secret }}"
  block:
    - name: Read CIPP's version
      cipp.cipp.api:
        endpoint: GetVersion
'''

RETURN = r'''
status:
  description: HTTP status of CIPP's answer (absent when nothing was sent).
  returned: when a request was sent
  type: int
  sample: 200
data:
  description: CIPP's answer, parsed from JSON (text when CIPP answered text).
  returned: when a request was sent
  type: raw
  sample: {"Results": "Successfully set account enabled state to False for adele.vance@contoso.com"}
result:
  description: The outcome of O(query) applied to RV(data).
  returned: when O(query) is set and a request was sent
  type: raw
  sample: ["adele.vance@contoso.com"]
messages:
  description: CIPP's C(Results) messages, flattened to a list of strings.
  returned: when a request was sent
  type: list
  elements: str
  sample: ["Successfully set account enabled state to False for adele.vance@contoso.com"]
request:
  description: The request that was (or, in check mode, would have been) sent, with secret-looking keys masked.
  returned: always
  type: dict
  contains:
    method:
      description: HTTP method.
      type: str
      sample: POST
    endpoint:
      description: Endpoint name, as CIPP's spec spells it.
      type: str
      sample: ExecDisableUser
    params:
      description: Query parameters.
      type: dict
      sample: {}
    body:
      description: JSON body.
      type: raw
      sample: {"ID": "adele.vance@contoso.com", "Enable": false, "tenantFilter": "contoso.com"}
guard_satisfied:
  description: Whether O(guard) found the desired state already in place.
  returned: when O(guard) is set
  type: bool
  sample: false
findings:
  description: Manifest findings about the request (unknown keys, bare strings for C({value, label}) fields).
  returned: always
  type: list
  elements: dict
  sample: []
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._masking import mask_secrets
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._request_tenant import apply_tenant, validate_given_tenant

ARGUMENT_SPEC = dict(
    endpoint=dict(type="str", required=True),
    method=dict(type="str", choices=["GET", "POST", "PUT", "PATCH", "DELETE"]),
    params=dict(type="dict", default={}),
    body=dict(type="raw"),
    validate_tenant=dict(type="bool", default=True),
    query=dict(type="str"),
    check_results=dict(type="bool", default=True),
    wait_for_queue=dict(type="bool", default=True),
    guard=dict(type="dict", options=dict(
        endpoint=dict(type="str", required=True),
        params=dict(type="dict", default={}),
        condition=dict(type="str", required=True),
    )),
)


def run(cipp: CippModule) -> dict:
    p = cipp.params
    client = cipp.client
    endpoint = client.canonical_endpoint(p["endpoint"])
    if endpoint != p["endpoint"].strip():
        cipp.module.warn(f"endpoint '{p['endpoint']}' is spelled '{endpoint}' in CIPP's spec; using that")
    method = (p["method"] or client.default_method(endpoint)).upper()
    body = p["body"]
    if body is not None and not isinstance(body, (dict, list)):
        raise CippConfigError("option 'body' must be a JSON object or list", option="body")
    params = dict(p["params"] or {})
    if p["tenant"]:
        tenant = cipp.resolve_tenant(endpoint)
        params, body = apply_tenant(endpoint, method, params, body, tenant["defaultDomainName"])
    elif p["validate_tenant"]:
        validate_given_tenant(cipp.tenants, endpoint, params, body)
    findings = client.preflight(endpoint, params, body)
    result = {"changed": False, "findings": [f.to_dict() for f in findings],
              "request": {"method": method, "endpoint": endpoint, "params": params, "body": mask_secrets(body)}}
    is_read = client.is_read(endpoint, method)
    if not is_read and p["guard"]:
        result["guard_satisfied"] = guard_satisfied(cipp, p["guard"])
        if result["guard_satisfied"]:
            return result
    if not is_read and cipp.check_mode:
        result["changed"] = True
        return result
    response = client.call(endpoint, method, params, body, check_results=p["check_results"],
                           wait_for_queue=p["wait_for_queue"], preflight=False)
    result.update(changed=not is_read, status=response.status, data=response.data, messages=response.messages)
    if p["query"]:
        result["result"] = evaluate(p["query"], response.data, option="query")
    return result


def guard_satisfied(cipp: CippModule, guard: dict) -> bool:
    client = cipp.client
    endpoint = client.canonical_endpoint(guard["endpoint"])
    if not client.is_read(endpoint, "GET"):
        raise CippConfigError(f"option 'guard.endpoint': {endpoint} is not a read endpoint (List*/Get*)",
                              option="guard.endpoint")
    params = dict(guard["params"] or {})
    if cipp.params["tenant"]:
        params, _body = apply_tenant(endpoint, "GET", params, None, cipp.resolve_tenant(endpoint)["defaultDomainName"])
    data = client.call(endpoint, None, params, None).data
    return bool(evaluate(guard["condition"], data, option="guard.condition"))


def main():
    cipp = CippModule(ARGUMENT_SPEC, with_tenant=True)
    cipp.run(run)


if __name__ == "__main__":
    main()
