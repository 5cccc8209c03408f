#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: standards_template
short_description: Manage a CIPP standards template
version_added: 1.0.0
description:
  - Creates, updates or removes one of CIPP's standards templates - the set of standards (with their settings and
    actions) CIPP applies to a list of tenants - with C(AddStandardsTemplate) and C(RemoveStandardTemplate).
  - The template is found by its name (C(templateName), case-insensitive) in C(listStandardTemplates); an update keeps
    its GUID and its C(createdAt).
  - Only the options you set are compared; the fields CIPP stamps on a template (C(GUID), C(createdAt), C(updatedAt),
    C(updatedBy), C(source), C(isSynced)) never are, so a template re-applied after CIPP stamped it reports no change.
  - Standard names, actions and the shape of each standard are checked before any request.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  name:
    description: The template's name (C(templateName)).
    type: str
    required: true
    aliases: [template_name]
  description:
    description: The template's description.
    type: str
  tenants:
    description:
      - The tenants the template applies to (CIPP's C(tenantFilter)), each as its default domain, initial domain or
        tenant ID, or C(AllTenants). An unknown tenant fails before any write.
      - Required when the template is created. Compared without order or case.
    type: list
    elements: str
  excluded_tenants:
    description: Tenants the template never applies to (C(excludedTenants)), e.g. when O(tenants=AllTenants).
    type: list
    elements: str
  standards:
    description:
      - The standards of the template, keyed by the standard's name as CIPP names it (C(AuditLog),
        C(DisableBasicAuthSMTP), C(EnableMailTips), ... without the C(standards.) prefix). This is the whole set - a
        standard left out is removed from the template. Required when the template is created.
      - >-
        Each value is a dict with C(action) (one of, or a list of, C(report), C(alert) (alias C(warn)) and
        C(remediate)) and optional C(settings) (the standard's own fields, as CIPP's UI stores them, e.g.
        C({timeout: {label: 1 Hour, value: "01:00:00"}}) for C(ActivityBasedTimeout)).
      - The standards that deploy CIPP templates (C(IntuneTemplate), C(ConditionalAccessTemplate),
        C(QuarantineTemplate), C(ReusableSettingsTemplate)) take a list of such dicts, one per deployed template.
      - CIPP runs a standard only if it has an action; C(remediate) also reports (CIPP adds C(report) to it).
    type: dict
  run_manually:
    description:
      - Run the template only on demand (M(cipp.cipp.standards_run)), not on CIPP's schedule (C(runManually)).
      - Created templates get C(false) unless set, because CIPP's scheduler skips a template without the field.
    type: bool
  drift:
    description: A drift template (C(type=drift)), whose deviations CIPP tracks for accepting or denying.
    type: bool
  state:
    description: Whether the template should exist.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Writing a standards template needs the C(Tenant.Standards.ReadWrite) role, which CIPP's C(editor) role lacks.
  - CIPP records no user in C(updatedBy) for API clients.
seealso:
  - module: cipp.cipp.standards_template_info
  - module: cipp.cipp.standards_info
  - module: cipp.cipp.standards_run
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.stateful
'''

EXAMPLES = r'''
- name: The MSP baseline for two tenants
  cipp.cipp.standards_template:
    name: MSP baseline
    description: Security baseline for managed tenants
    tenants: [contoso.com, fabrikam.com]
    standards:
      AuditLog:
        action: remediate
      DisableBasicAuthSMTP:
        action: [report, alert]
      ActivityBasedTimeout:
        action: [report, remediate]
        settings:
          timeout: {label: 1 Hour, value: "01:00:00"}
      EnableMailTips:
        action: report
        settings:
          MailTipsLargeAudienceThreshold: 25

- name: A drift template for every tenant but one, run on demand
  cipp.cipp.standards_template:
    name: MSP drift
    drift: true
    run_manually: true
    tenants: [AllTenants]
    excluded_tenants: [northwind.com]
    standards:
      EnableMailTips:
        action: [report, alert]

- name: Remove a template
  cipp.cipp.standards_template:
    name: MSP drift
    state: absent
'''

RETURN = r'''
template:
  description: The template after the task (in check mode, as it would be), in the form the options take.
  returned: when the template exists after the task
  type: dict
  contains:
    guid:
      description: CIPP's GUID of the template (absent in check mode before creation).
      type: str
      sample: 8e9f0a1b-0001-4b21-8b21-000000000801
    name:
      description: The template's name.
      type: str
      sample: MSP baseline
    description:
      description: The template's description.
      type: str
      sample: Security baseline for managed tenants
    tenants:
      description: The C(value)s of C(tenantFilter) (default domains, C(AllTenants) or tenant group ids).
      type: list
      elements: str
      sample: [contoso.com, fabrikam.com]
    excluded_tenants:
      description: The C(value)s of C(excludedTenants).
      type: list
      elements: str
      sample: []
    standards:
      description: The standards, as O(standards) takes them (C(action) as a list in the order report, alert, remediate).
      type: dict
      sample: {"AuditLog": {"action": ["remediate"], "settings": {}}}
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
      sample: "2026-03-01T09:00:00.0000000Z"
    updated_at:
      description: When CIPP last stored the template.
      type: str
      sample: "2026-03-02T10:00:00.0000000Z"
    updated_by:
      description: Who stored it last (empty for API clients).
      type: str
      sample: null
changes:
  description: The options that differed and were (or in check mode would be) written.
  returned: when the template existed and was changed
  type: list
  elements: str
  sample: [standards]
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._standards import TEMPLATE_ARGUMENT_SPEC, StandardsTemplateResource


def main():
    cipp = CippModule(TEMPLATE_ARGUMENT_SPEC, with_tenant=False)
    cipp.run(lambda module: StandardsTemplateResource(module).run())


if __name__ == "__main__":
    main()
