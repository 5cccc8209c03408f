#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ca_template_info
short_description: Read CIPP's Conditional Access templates
version_added: 1.0.0
description:
  - Returns the Conditional Access templates CIPP stores, from C(ListCAtemplates) (one request), including the
    built-in ones CIPP ships.
  - Each template's RV(templates[].definition) is in the form the O(cipp.cipp.ca_template#module:definition) option of
    M(cipp.cipp.ca_template) accepts.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  name:
    description: Only the template with this name (C(displayName), case-insensitive).
    type: str
    aliases: [display_name]
  guid:
    description: Only the template with this GUID.
    type: str
  query:
    description: A JMESPath expression applied to RV(templates); the outcome is returned as RV(result).
    type: str
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: All CA templates
  cipp.cipp.ca_template_info:
  register: ca_templates

- name: GUID of one template (for a standards template)
  cipp.cipp.ca_template_info:
    name: MSP - Block legacy authentication
    query: "[0].guid"
  register: legacy_guid
'''

RETURN = r'''
templates:
  description: The templates, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    guid:
      description: CIPP's GUID of the template (built-in templates use their file name).
      type: str
      sample: 5b6c7d8e-0001-4a11-8a11-000000000701
    name:
      description: Name (C(displayName)) of the template.
      type: str
      sample: CIPP - Require MFA for all users
    source:
      description: Where the template came from (a community repository), if anywhere.
      type: str
      sample: null
    is_synced:
      description: Whether the template is kept in step with a community repository.
      type: bool
      sample: false
    package:
      description: The template package (tag) it belongs to, if any.
      type: str
      sample: null
    location_info:
      description: The named locations CIPP stored with the template (created in tenants that lack them on deployment).
      type: list
      elements: dict
      sample: []
    definition:
      description: The policy as CIPP stores it (users, groups and locations by display name), without CIPP's own keys.
      type: dict
      sample: {"displayName": "CIPP - Require MFA for all users", "state": "enabledForReportingButNotEnforced",
               "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}
  sample: [{"guid": "5b6c7d8e-0001-4a11-8a11-000000000701", "name": "CIPP - Require MFA for all users",
            "is_synced": false, "definition": {"displayName": "CIPP - Require MFA for all users"}}]
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: "5b6c7d8e-0001-4a11-8a11-000000000701"
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._ca_templates import list_templates, summarise
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule

ARGUMENT_SPEC = dict(
    name=dict(type="str", aliases=["display_name"]),
    guid=dict(type="str"),
    query=dict(type="str"),
)


def run(cipp: CippModule) -> dict:
    p = cipp.params
    templates = [summarise(row) for row in list_templates(cipp.client)]
    if p["name"]:
        templates = [t for t in templates if str(t["name"] or "").lower() == p["name"].strip().lower()]
    if p["guid"]:
        templates = [t for t in templates if str(t["guid"]).lower() == p["guid"].strip().lower()]
    templates.sort(key=lambda t: (str(t["name"] or "").lower(), str(t["guid"])))
    result = {"changed": False, "templates": templates}
    if p["query"]:
        result["result"] = evaluate(p["query"], templates, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant=False).run(run)


if __name__ == "__main__":
    main()
