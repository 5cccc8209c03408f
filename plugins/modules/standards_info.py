#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: standards_info
short_description: Read per-tenant standards compliance and drift from CIPP
version_added: 1.0.0
description:
  - Returns, per tenant, how it aligns with the standards templates that apply to it, as data a playbook can assert on.
  - V(alignment) reads C(ListTenantAlignment) - one score per tenant and template.
  - V(standards) reads C(ListTenantAlignment?granular=true) and C(listStandardTemplates) - one row per tenant, template
    and standard with its compliance, current and expected value, and the template's actions for it.
  - V(compare) reads C(ListStandardsCompare) - the raw last reported value of each standard, with its refresh time.
  - V(drift) reads C(ListTenantDrift) (and C(listStandardTemplates)) - the deviations of drift templates with their
    status (new, accepted, denied, customer specific) and whether the standard is remediated.
  - Each section is one request for all tenants (C(compare) and C(drift) ask for one tenant only when one is named).
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  tenant:
    description:
      - The tenants to report on, each as its default domain, initial domain or tenant ID, or C(AllTenants) (every
        tenant with standards data). An unknown tenant fails before any other request.
    type: list
    elements: str
    default: [AllTenants]
    aliases: [tenant_filter, tenants]
  sections:
    description: What to read.
    type: list
    elements: str
    choices: [alignment, standards, compare, drift]
    default: [alignment, standards, drift]
  template:
    description: Only the data of this standards template (its name or GUID).
    type: str
  query:
    description: A JMESPath expression applied to the whole result (RV(tenants) and RV(summary)); the outcome is
      returned as RV(result).
    type: str
seealso:
  - module: cipp.cipp.standards_template
  - module: cipp.cipp.standards_run
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: Compliance and drift of every tenant
  cipp.cipp.standards_info:
  register: compliance

- name: Fail the pipeline if any tenant has an unaccepted drift on a remediate standard
  ansible.builtin.assert:
    that: compliance.summary.open_remediate_drift == 0
    fail_msg: >-
      Unaccepted drift on remediated standards:
      {{ compliance.tenants | map(attribute='drift') | flatten | rejectattr('accepted') | selectattr('remediate')
         | map(attribute='standard') | list }}

- name: The same check as one JMESPath query, for two tenants
  cipp.cipp.standards_info:
    tenant: [contoso.com, fabrikam.com]
    sections: [drift]
    query: "tenants[].drift[?!accepted && remediate][]"
  register: open_drift
  failed_when: open_drift.result | length > 0

- name: Non-compliant standards of one tenant
  cipp.cipp.standards_info:
    tenant: contoso.com
    sections: [standards]
    query: "tenants[0].standards[?status=='non_compliant'].{standard: standard, current: current_value, expected: expected_value}"
  register: failing
'''

RETURN = r'''
tenants:
  description: One entry per tenant (in the order of O(tenant), else sorted), with a list per section read.
  returned: always
  type: list
  elements: dict
  contains:
    tenant:
      description: The tenant's default domain.
      type: str
      sample: contoso.com
    alignment:
      description: One row per template that applies to the tenant (V(alignment)).
      type: list
      elements: dict
      contains:
        template:
          description: Template name.
          type: str
        template_id:
          description: Template GUID.
          type: str
        template_type:
          description: C(classic) or C(drift).
          type: str
        alignment_score:
          description: Percentage of the template's (reporting) standards that are compliant.
          type: int
        license_missing_percentage:
          description: Percentage of standards the tenant lacks the licence for.
          type: int
        combined_score:
          description: RV(tenants[].alignment[].alignment_score) plus RV(tenants[].alignment[].license_missing_percentage).
          type: int
        pending_deviations:
          description: New (undecided) deviations (drift templates; null otherwise).
          type: int
        denied_deviations:
          description: Denied deviations (drift templates; null otherwise).
          type: int
        latest_data_collection:
          description: When the newest result of the template's standards was reported.
          type: str
    standards:
      description: One row per template and standard (V(standards)).
      type: list
      elements: dict
      contains:
        template:
          description: Template name.
          type: str
        template_id:
          description: Template GUID.
          type: str
        template_type:
          description: C(classic) or C(drift).
          type: str
        standard:
          description: The standard's name as M(cipp.cipp.standards_template) keys it (C(AuditLog),
            C(IntuneTemplate.<guid>) for template instances).
          type: str
        standard_id:
          description: CIPP's id of the standard (C(standards.AuditLog)).
          type: str
        display_name:
          description: CIPP's name for it (the policy name for template instances).
          type: str
        actions:
          description: The template's actions for the standard (C(report), C(alert), C(remediate)).
          type: list
          elements: str
        remediate:
          description: Whether the template remediates the standard.
          type: bool
        compliant:
          description: Whether the tenant complies.
          type: bool
        status:
          description: C(compliant), C(non_compliant), C(license_missing), C(reporting_disabled), C(accepted_deviation)
            or C(customer_specific).
          type: str
        deviation_status:
          description: The drift status of a non-compliant standard of a drift template (see RV(tenants[].drift[].status)).
          type: str
        license_available:
          description: Whether the tenant has the licence the standard needs.
          type: bool
        current_value:
          description: The value found in the tenant.
          type: raw
        expected_value:
          description: The value the standard wants.
          type: raw
        latest_data_collection:
          description: When the template's newest result was reported.
          type: str
    compare:
      description: One row per reported standard (V(compare)).
      type: list
      elements: dict
      contains:
        standard:
          description: The standard's name.
          type: str
        standard_id:
          description: CIPP's id of the standard.
          type: str
        template_id:
          description: GUID of the template that reported it.
          type: str
        value:
          description: The reported value (C(true) when compliant, else the found state).
          type: raw
        current_value:
          description: The value found in the tenant.
          type: raw
        expected_value:
          description: The value the standard wants.
          type: raw
        license_available:
          description: Whether the tenant has the licence the standard needs.
          type: bool
        last_refresh:
          description: When the value was reported (UTC, C(yyyy-MM-ddTHH:mm:ssZ)).
          type: str
    drift:
      description: One row per deviation of a drift template (V(drift)).
      type: list
      elements: dict
      contains:
        template:
          description: Template name.
          type: str
        template_id:
          description: Template GUID.
          type: str
        standard:
          description: The standard's name, or C(ConditionalAccessTemplates.<id>) / C(IntuneTemplates.<id>) for a policy
            that exists only in the tenant.
          type: str
        standard_id:
          description: CIPP's id of the deviation.
          type: str
        display_name:
          description: CIPP's display name of the deviation, if any.
          type: str
        status:
          description: C(new), C(accepted), C(denied), C(denied_remediate), C(denied_delete) or C(customer_specific).
          type: str
        accepted:
          description: Whether the deviation is accepted (C(accepted) or C(customer_specific)).
          type: bool
        actions:
          description: The template's actions for the standard (empty for tenant-only policies).
          type: list
          elements: str
        remediate:
          description: Whether the template remediates the standard.
          type: bool
        policy_only:
          description: Whether the deviation is a policy that exists only in the tenant (not a standard).
          type: bool
        compliance_status:
          description: As RV(tenants[].standards[].status), for standards.
          type: str
        reason:
          description: The reason given when the deviation was accepted or denied.
          type: str
        changed_by:
          description: Who last changed the status.
          type: str
        current_value:
          description: The value found in the tenant.
          type: raw
        expected_value:
          description: The value the standard wants.
          type: raw
        received_value:
          description: CIPP's raw reported value (JSON text).
          type: str
  sample: [{"tenant": "contoso.com", "drift": [{"standard": "EnableMailTips", "status": "new", "accepted": false,
            "remediate": false}]}]
summary:
  description: Counts over all the tenants returned.
  returned: always
  type: dict
  contains:
    tenants:
      description: Number of tenants.
      type: int
    lowest_alignment_score:
      description: The lowest alignment score (with V(alignment)).
      type: int
    non_compliant:
      description: Number of non-compliant standard rows (with V(standards)).
      type: int
    open_drift:
      description: Number of deviations not accepted (with V(drift)).
      type: int
    open_remediate_drift:
      description: Number of those on a standard the template remediates (with V(drift)).
      type: int
  sample: {"tenants": 3, "lowest_alignment_score": 50, "non_compliant": 4, "open_drift": 3, "open_remediate_drift": 1}
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: []
'''

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._standards import SECTIONS, compliance_report
from ansible_collections.cipp.cipp.plugins.module_utils._tenants import ALL_TENANTS

ARGUMENT_SPEC = dict(
    tenant=dict(type="list", elements="str", default=[ALL_TENANTS], aliases=["tenant_filter", "tenants"]),
    sections=dict(type="list", elements="str", choices=list(SECTIONS), default=["alignment", "standards", "drift"]),
    template=dict(type="str"),
    query=dict(type="str"),
)


def run(cipp: CippModule) -> dict:
    p = cipp.params
    if p["query"]:
        evaluate(p["query"], None, option="query")  # a bad expression fails before any request
    names = [str(t).strip() for t in p["tenant"] if str(t).strip()]
    tenants = []
    if not names or any(n.lower() == ALL_TENANTS.lower() for n in names):
        tenants = None
    else:
        for name in names:
            domain = cipp.tenants.resolve(name, endpoint="ListTenantAlignment")["defaultDomainName"]
            if domain not in tenants:
                tenants.append(domain)
    report = compliance_report(cipp.client, tenants, p["sections"], template=(p["template"] or "").strip() or None)
    result = dict(report, changed=False)
    if p["query"]:
        result["result"] = evaluate(p["query"], report, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant=False).run(run)


if __name__ == "__main__":
    main()
