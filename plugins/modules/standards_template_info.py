#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: standards_template_info
short_description: Read CIPP's standards templates
version_added: 1.0.0
description:
  - Returns CIPP's standards templates from C(listStandardTemplates), each in the form the options of
    M(cipp.cipp.standards_template) take, so a template read here and fed back reports no change.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  name:
    description: Only the template with this name (case-insensitive).
    type: str
    aliases: [template_name]
  guid:
    description: Only the template with this GUID (read with C(listStandardTemplates?id=)).
    type: str
    aliases: [id]
  raw:
    description: Also return each template as CIPP stores it (RV(templates[].raw)).
    type: bool
    default: false
  query:
    description: A JMESPath expression applied to RV(templates); the outcome is returned as RV(result).
    type: str
seealso:
  - module: cipp.cipp.standards_template
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: Every standards template
  cipp.cipp.standards_template_info:
  register: templates

- name: Re-apply every template as read (reports no change)
  cipp.cipp.standards_template:
    name: "{{ item.name }}"
    description: "{{ item.description | default(omit, true) }}"
    tenants: "{{ item.tenants }}"
    excluded_tenants: "{{ item.excluded_tenants }}"
    standards: "{{ item.standards }}"
    run_manually: "{{ item.run_manually }}"
    drift: "{{ item.drift }}"
  loop: "{{ templates.templates }}"
  loop_control:
    label: "{{ item.name }}"

- name: Names of the templates that remediate AuditLog
  cipp.cipp.standards_template_info:
    query: "[?contains(standards.AuditLog.action || `[]`, 'remediate')].name"
  register: remediating
'''

RETURN = r'''
templates:
  description: The templates, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    guid:
      description: CIPP's GUID of the template.
      type: str
      sample: 8e9f0a1b-0001-4b21-8b21-000000000801
    name:
      description: The template's name.
      type: str
      sample: Contoso baseline
    description:
      description: The template's description.
      type: str
      sample: Baseline security standards
    tenants:
      description: The C(value)s of C(tenantFilter).
      type: list
      elements: str
      sample: [contoso.com]
    excluded_tenants:
      description: The C(value)s of C(excludedTenants).
      type: list
      elements: str
      sample: []
    standards:
      description: The standards, as M(cipp.cipp.standards_template) takes them.
      type: dict
      sample: {"AuditLog": {"action": ["report", "remediate"], "settings": {}}}
    run_manually:
      description: Whether the template runs only on demand.
      type: bool
      sample: false
    drift:
      description: Whether this is a drift template.
      type: bool
      sample: false
    created_at:
      description: When CIPP first stored the template.
      type: str
      sample: "2025-11-02T09:14:00Z"
    updated_at:
      description: When CIPP last stored the template.
      type: str
      sample: "2026-02-10T16:40:00Z"
    updated_by:
      description: Who stored it last (empty for API clients).
      type: str
      sample: admin@msp-partner.onmicrosoft.com
    source:
      description: Where the template came from (a community repository), if anywhere.
      type: str
      sample: null
    raw:
      description: The template as CIPP stores it (with O(raw)).
      type: dict
      sample: {"templateName": "Contoso baseline", "standards": {"AuditLog": {"action": [{"label": "Report", "value": "Report"}]}}}
  sample: [{"guid": "8e9f0a1b-0001-4b21-8b21-000000000801", "name": "Contoso baseline", "tenants": ["contoso.com"]}]
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: ["Contoso baseline"]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._standards import list_templates, summarise

ARGUMENT_SPEC = dict(
    name=dict(type="str", aliases=["template_name"]),
    guid=dict(type="str", aliases=["id"]),
    raw=dict(type="bool", default=False),
    query=dict(type="str"),
)


def run(cipp: CippModule) -> dict:
    p = cipp.params
    if p["query"]:
        evaluate(p["query"], None, option="query")  # a bad expression fails before any request
    rows = list_templates(cipp.client, guid=p["guid"].strip() if p["guid"] else None)
    templates = []
    for row in rows:
        if p["name"] and str(row.get("templateName") or "").strip().lower() != p["name"].strip().lower():
            continue
        template = dict(summarise(row), source=row.get("source"))
        if p["raw"]:
            template["raw"] = row
        templates.append(template)
    templates.sort(key=lambda t: str(t.get("name") or "").lower())
    result = {"changed": False, "templates": templates}
    if p["query"]:
        result["result"] = evaluate(p["query"], templates, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant=False).run(run)


if __name__ == "__main__":
    main()
