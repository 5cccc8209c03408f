#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: standards_run
short_description: Queue a CIPP standards or baseline run
version_added: 1.0.0
description:
  - Queues a run of CIPP's standards templates (C(ExecStandardsRun)) or of its baselines (C(ExecBaselineRun)) for one
    tenant or all of them. This is an action, not a state - every run that queues work reports RV(ignore:changed=true).
  - CIPP answers as soon as the run is queued. With O(wait), the module then polls C(ListStandardsCompare) until every
    standard in the run's scope has reported again (a newer refresh time), for at most O(wait_timeout) seconds.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  tenant:
    description:
      - The tenant to run for (default domain, initial domain or tenant ID), or C(AllTenants). An unknown tenant fails
        before anything is queued.
    type: str
    required: true
    aliases: [tenant_filter]
  type:
    description: A standards template run (C(ExecStandardsRun)) or a baseline run (C(ExecBaselineRun)).
    type: str
    choices: [standards, baseline]
    default: standards
  template:
    description:
      - With O(type=standards), only this standards template (its name or GUID; an unknown name fails before anything is
        queued); default every template that applies.
      - With O(type=baseline), the GUID of the baseline to run.
    type: str
  mode:
    description: With O(type=baseline), what the run does - C(run) (check and remediate), C(compare) (check only) or
      C(oneoff) (one standard, remediation forced; needs O(standard) and a single tenant).
    type: str
    choices: [run, compare, oneoff]
    default: run
  standard:
    description: With O(type=baseline), only this standard (its name, e.g. C(AuditLog)).
    type: str
  wait:
    description: Wait until the results of the run are reported (O(type=standards) only).
    type: bool
    default: false
  wait_timeout:
    description: How long O(wait) waits, in seconds (1 to 3600); when it runs out the task fails, saying the run was
      queued and what is still missing.
    type: int
    default: 300
notes:
  - Needs the C(Tenant.Standards.ReadWrite) role, which CIPP's C(editor) role lacks.
seealso:
  - module: cipp.cipp.standards_template
  - module: cipp.cipp.standards_info
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: In check mode the tenant and template are checked, nothing is queued, and RV(ignore:changed=true) is predicted.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
'''

EXAMPLES = r'''
- name: Run every template for Contoso and wait for the results
  cipp.cipp.standards_run:
    tenant: contoso.com
    wait: true
    wait_timeout: 600

- name: Run one template for all tenants
  cipp.cipp.standards_run:
    tenant: AllTenants
    template: MSP baseline

- name: Compare (no remediation) one baseline
  cipp.cipp.standards_run:
    type: baseline
    tenant: AllTenants
    template: 0f0e0d0c-0001-4a00-8a00-000000000b01
    mode: compare
'''

RETURN = r'''
queued:
  description: Whether CIPP queued work (false in check mode, and for a baseline run that resolved nothing).
  returned: always
  type: bool
  sample: true
message:
  description: CIPP's answer.
  returned: unless in check mode
  type: str
  sample: "Successfully started Standards Run for tenant: contoso.com - Template: All"
request:
  description: The request that was (or in check mode would be) sent.
  returned: always
  type: dict
  contains:
    endpoint:
      description: C(ExecStandardsRun) or C(ExecBaselineRun).
      type: str
    params:
      description: Query parameters.
      type: dict
    body:
      description: JSON body.
      type: dict
  sample: {"endpoint": "ExecStandardsRun", "params": {"tenantFilter": "contoso.com", "templateId": "*"}, "body": null}
checks:
  description: Number of checks a baseline run queued.
  returned: with O(type=baseline), unless in check mode
  type: int
  sample: 4
waited:
  description: With O(wait), what arrived.
  returned: with O(wait), unless in check mode
  type: dict
  contains:
    refreshed:
      description: Number of standard results (tenant and standard) that reported again.
      type: int
    polls:
      description: Number of C(ListStandardsCompare) reads while waiting.
      type: int
  sample: {"refreshed": 3, "polls": 2}
'''

import re

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._standards import (
    _looks_like_guid, list_templates, refresh_marks, wait_for_refresh)
from ansible_collections.cipp.cipp.plugins.module_utils._standards_catalog import STANDARD_NAMES
from ansible_collections.cipp.cipp.plugins.module_utils._tenants import ALL_TENANTS

MAX_WAIT = 3600
CHECKS = re.compile(r"(\d+) checks? queued")

ARGUMENT_SPEC = dict(
    tenant=dict(type="str", required=True, aliases=["tenant_filter"]),
    type=dict(type="str", choices=["standards", "baseline"], default="standards"),
    template=dict(type="str"),
    mode=dict(type="str", choices=["run", "compare", "oneoff"], default="run"),
    standard=dict(type="str"),
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=300),
)


def _template_id(cipp, template):
    rows = list_templates(cipp.client)
    for row in rows:
        if template.lower() in (str(row.get("GUID")).lower(), str(row.get("templateName") or "").strip().lower()):
            return row["GUID"]
    known = ", ".join(sorted(str(r.get("templateName")) for r in rows)) or "none"
    raise CippConfigError(f"option 'template': no standards template is named {template!r} (or has that GUID); "
                          f"known templates: {known}", option="template")


def _request(cipp, tenant, template):
    p = cipp.params
    if p["type"] == "standards":
        for option in ("standard",):
            if p[option]:
                raise CippConfigError(f"option '{option}' is for type=baseline only", option=option)
        if p["mode"] != "run":
            raise CippConfigError("option 'mode' is for type=baseline only", option="mode")
        template_id = _template_id(cipp, template) if template else "*"
        return {"endpoint": "ExecStandardsRun", "params": {"tenantFilter": tenant, "templateId": template_id}, "body": None}
    if p["wait"]:
        raise CippConfigError("option 'wait' is supported with type=standards only: baseline results are not reported "
                              "through ListStandardsCompare", option="wait")
    if template and not _looks_like_guid(template):
        raise CippConfigError("option 'template': give the baseline's GUID", option="template")
    if p["standard"] and p["standard"] not in STANDARD_NAMES:
        raise CippConfigError(f"option 'standard': {p['standard']!r} is not a CIPP standard", option="standard")
    if p["mode"] == "oneoff" and (tenant == ALL_TENANTS or not p["standard"]):
        raise CippConfigError("option 'mode': a oneoff run needs one tenant and option 'standard'", option="mode")
    if tenant == ALL_TENANTS and not template:
        raise CippConfigError("option 'template': a baseline run for AllTenants needs the baseline's GUID "
                              "(CIPP: 'Provide a tenantFilter or a templateId to scope the run')", option="template")
    body = {"mode": p["mode"], "tenantFilter": {"value": tenant, "label": tenant}}
    if template:
        body["templateId"] = template
    if p["standard"]:
        body["standard"] = p["standard"]
    return {"endpoint": "ExecBaselineRun", "params": None, "body": body}


def run(cipp):
    p = cipp.params
    if not 1 <= p["wait_timeout"] <= MAX_WAIT:
        raise CippConfigError(f"option 'wait_timeout' must be between 1 and {MAX_WAIT} seconds", option="wait_timeout")
    name = p["tenant"].strip()
    if name.lower() == ALL_TENANTS.lower():
        tenant = ALL_TENANTS
    else:
        tenant = cipp.tenants.resolve(name, endpoint="ExecStandardsRun")["defaultDomainName"]
    template = (p["template"] or "").strip() or None
    request = _request(cipp, tenant, template)
    result = {"changed": True, "queued": False, "request": request}
    if cipp.check_mode:
        return result
    scope = None if tenant == ALL_TENANTS else tenant
    template_id = (request["params"] or {}).get("templateId")
    template_id = None if template_id == "*" else template_id
    before = refresh_marks(cipp.client, scope, template_id) if p["wait"] else None
    response = cipp.client.call(request["endpoint"], params=request["params"], body=request["body"])
    message = " ".join(str(m) for m in response.messages)
    result["message"] = message
    result["queued"] = True
    if request["endpoint"] == "ExecBaselineRun":
        found = CHECKS.search(message)
        result["checks"] = int(found.group(1)) if found else 0
        if message.startswith("Nothing ran"):
            result.update(changed=False, queued=False)
            cipp.module.warn(message)
    if p["wait"]:
        waited = wait_for_refresh(cipp.client, scope, template_id, before, float(p["wait_timeout"]))
        result["waited"] = {"refreshed": waited["refreshed"], "polls": waited["polls"]}
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant=False).run(run)


if __name__ == "__main__":
    main()
