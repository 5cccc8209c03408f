#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: audit_log_info
short_description: Read CIPP's logbook (who did what, where, when)
version_added: 1.0.0
description:
  - Returns entries of CIPP's own logbook from C(ListLogs), newest first, the same entries CIPP's
    Logbook page shows. One request, whatever the date range.
  - CIPP files its logbook by day, in the time zone the instance sets (C(CIPP_TIMEZONE), UTC by default).
    Without a date option the module returns CIPP's today.
  - "Filters applied by CIPP: the days, O(severity), O(user), O(api), O(standard_template_id),
    O(scheduled_task_id) and O(baseline_run_id). Filters applied by the module to CIPP's answer:
    O(tenant), O(search), the exact time of O(since) and O(limit)."
  - Every option is checked before anything is sent; a bad date fails the task naming the option.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  date:
    description:
      - One day of the logbook, as V(YYYY-MM-DD), V(YYYYMMDD), V(today) or V(yesterday).
      - V(today) and V(yesterday) are counted in UTC.
    type: str
  start_date:
    description:
      - The first day to read, in the formats of O(date).
      - Without O(end_date) the module reads up to now.
    type: str
  end_date:
    description:
      - The last day to read (inclusive), in the formats of O(date). Needs O(start_date).
    type: str
  since:
    description:
      - Only entries newer than this, given as a duration back from now (V(30m), V(12h), V(7d), V(2w))
        or an ISO 8601 date or date-time (V(2026-11-30T08:00:00Z); UTC unless it carries an offset).
      - The module reads the whole days around that instant from CIPP and drops the older entries itself,
        so the cut is exact whatever time zone CIPP uses.
    type: str
  severity:
    description:
      - Only entries of these levels (case-insensitive) - V(info), V(warning), V(error), V(critical),
        V(alert), V(debug). V(warning) (or V(warn)) matches both C(Warn) and C(Warning) entries.
      - By default CIPP returns every level but C(Debug); it writes C(Debug) entries only in debug mode.
    type: list
    elements: str
  user:
    description:
      - Only entries by this user or API client, as CIPP logs it (a user principal name, an API client's
        name, or V(CIPP) for CIPP's own jobs). Case-insensitive; V(*) and V(?) are wildcards.
    type: str
  api:
    description:
      - Only entries written by these CIPP functions or jobs (the logbook's API column, e.g. V(EditUser),
        V(Standards), V(Scheduler)); exact names, case-insensitive.
    type: list
    elements: str
  tenant:
    description:
      - Only entries about this customer tenant (default domain, initial domain or tenant ID), checked against
        the tenants CIPP manages first; an unknown tenant fails the task before the logbook is read.
      - Matched by the module against every name of the tenant, because CIPP logs an entry under whichever
        name the caller used and its own tenant filter matches one name only. V(AllTenants) means no tenant filter.
    type: str
    aliases: [tenant_filter]
  search:
    description: Only entries whose message contains this text (case-insensitive).
    type: str
  standard_template_id:
    description: Only entries written while applying this standards template (its GUID).
    type: str
  scheduled_task_id:
    description: Only entries written by this scheduled task (its GUID).
    type: str
  baseline_run_id:
    description: Only entries of this baseline run (its GUID).
    type: str
  limit:
    description: Return at most this many entries (the newest).
    type: int
  query:
    description: A JMESPath expression applied to RV(entries); the outcome is returned as RV(result).
    type: str
notes:
  - Read-only; needs the C(CIPP.Core.Read) permission. An API client limited to some tenants sees their
    entries and CIPP's own (tenant C(CIPP)) only.
extends_documentation_fragment:
  - cipp.cipp.connection
  - cipp.cipp.attributes
  - cipp.cipp.attributes.info_module
'''

EXAMPLES = r'''
- name: Errors of the last 24 hours
  cipp.cipp.audit_log_info:
    since: 24h
    severity: [error, critical]
  register: errors

- name: What the GitOps client changed in Contoso in November
  cipp.cipp.audit_log_info:
    start_date: 2026-11-01
    end_date: 2026-11-30
    tenant: contoso.com
    user: cipp-gitops-editor
  register: november

- name: Users edited or removed this week, as "time user message" lines
  cipp.cipp.audit_log_info:
    since: 7d
    api: [EditUser, RemoveUser]
    query: "[].join(' ', [time, user, message])"
  register: user_changes

- name: Fail the pipeline when a standards run logged an error today
  cipp.cipp.audit_log_info:
    api: [Standards]
    severity: [error]
  register: standards_errors
  failed_when: standards_errors.entries | length > 0
'''

RETURN = r'''
entries:
  description: The logbook entries, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The entry's ID (RowKey in CIPP's CippLogs table).
      type: str
      sample: 0b6f7a1c-5c1e-4d0e-9d3a-7d2a1f0e9b11
    time:
      description: When CIPP wrote the entry (ISO 8601, UTC).
      type: str
      sample: "2026-12-02T08:02:11.0000000Z"
    day:
      description: The logbook day the entry is filed under (YYYY-MM-DD, CIPP's time zone).
      type: str
      sample: "2026-12-02"
    tenant:
      description: The tenant as the entry names it (a domain or tenant ID), C(CIPP) for CIPP itself, C(None) for none.
      type: str
      sample: contoso.com
    tenant_id:
      description: The tenant ID CIPP stored with the entry, when it stored one.
      type: str
      sample: null
    api:
      description: The CIPP function or job that wrote the entry.
      type: str
      sample: EditUser
    message:
      description: The message.
      type: str
      sample: Edited user Alex Wilber with id 2b4c1d7e-0001-4a1a-9a1a-00000000c102
    user:
      description: Who did it - a user principal name, an API client's name, or C(CIPP).
      type: str
      sample: admin@msp-partner.onmicrosoft.com
    severity:
      description: C(Info), C(Warn), C(Warning), C(Error), C(Critical), C(Alert) or C(Debug).
      type: str
      sample: Info
    log_data:
      description: Extra data CIPP logged with the entry (parsed when it is JSON).
      type: raw
      sample: ""
    app_id:
      description: The application ID of the API client that made the call, for API calls.
      type: str
      sample: 11111111-1111-4111-8111-111111111111
    ip:
      description: The caller's IP address, when CIPP logged one.
      type: str
      sample: 203.0.113.10
    standard:
      description: The standards template and standard the entry belongs to, when CIPP resolved them (else empty).
      type: dict
      sample: {}
  sample: [{"id": "0b6f7a1c-5c1e-4d0e-9d3a-7d2a1f0e9b11", "time": "2026-12-02T08:02:11.0000000Z", "day": "2026-12-02",
            "tenant": "contoso.com", "api": "EditUser", "severity": "Info", "user": "admin@msp-partner.onmicrosoft.com",
            "message": "Edited user Alex Wilber"}]
start_date:
  description: The first day read (YYYY-MM-DD); null when no date option was set (CIPP's today).
  returned: always
  type: str
  sample: "2026-11-25"
end_date:
  description: The last day read (YYYY-MM-DD); null when no date option was set.
  returned: always
  type: str
  sample: "2026-12-03"
since:
  description: The exact cut-off of O(since) (ISO 8601, UTC).
  returned: when O(since) is set
  type: str
  sample: "2026-11-25T14:30:00+00:00"
result:
  description: The outcome of O(query).
  returned: when O(query) is set
  type: raw
  sample: ["2026-12-02T08:02:11.0000000Z admin@msp-partner.onmicrosoft.com Edited user Alex Wilber"]
'''

import datetime as dt

from ansible_collections.cipp.cipp.plugins.module_utils import _bytecode_cache  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cipp.cipp.plugins.module_utils._audit_log import (
    build_query, day_range, normalise, parse_timestamp, tenant_matcher)
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippApiError, CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._jmespath import evaluate
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._tenants import ALL_TENANTS

ARGUMENT_SPEC = dict(
    date=dict(type="str"),
    start_date=dict(type="str"),
    end_date=dict(type="str"),
    since=dict(type="str"),
    severity=dict(type="list", elements="str"),
    user=dict(type="str"),
    api=dict(type="list", elements="str"),
    search=dict(type="str"),
    standard_template_id=dict(type="str"),
    scheduled_task_id=dict(type="str"),
    baseline_run_id=dict(type="str"),
    limit=dict(type="int"),
    query=dict(type="str"),
)
MUTUALLY_EXCLUSIVE = [("date", "start_date"), ("date", "end_date"), ("date", "since"), ("since", "start_date"),
                      ("since", "end_date")]


def _keep(entry: dict, p: dict, since, in_tenant) -> bool:
    if not in_tenant(entry):
        return False
    if p["search"] and p["search"].lower() not in str(entry.get("message") or "").lower():
        return False
    if since is not None:
        when = parse_timestamp(entry.get("time"))
        if when is not None and when < since:
            return False
    return True


def run(cipp: CippModule) -> dict:
    p = cipp.params
    if p["limit"] is not None and p["limit"] < 1:
        raise CippConfigError("option 'limit' must be 1 or more", option="limit")
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    first, last, since = day_range(p, now)
    query = build_query(p, first, last)       # every check before the first request
    tenant_row = None
    if p["tenant"] is not None and str(p["tenant"]).strip().lower() != ALL_TENANTS.lower():
        tenant_row = cipp.resolve_tenant(endpoint="ListLogs")
    rows = cipp.client.call("ListLogs", params=query).data
    if isinstance(rows, dict):
        rows = [rows]
    if not isinstance(rows, list):
        raise CippApiError(f"ListLogs answered with {type(rows).__name__}, not a list", endpoint="ListLogs")
    in_tenant = tenant_matcher(tenant_row)
    entries = [e for e in (normalise(row) for row in rows if isinstance(row, dict)) if _keep(e, p, since, in_tenant)]
    entries.sort(key=lambda e: parse_timestamp(e["time"]) or dt.datetime.min.replace(tzinfo=dt.timezone.utc),
                 reverse=True)
    if p["limit"]:
        entries = entries[:p["limit"]]
    result = {"changed": False, "entries": entries,
              "start_date": first.isoformat() if first else None, "end_date": last.isoformat() if last else None}
    if since is not None:
        result["since"] = since.isoformat()
    if p["query"]:
        result["result"] = evaluate(p["query"], entries, option="query")
    return result


def main():
    CippModule(ARGUMENT_SPEC, with_tenant=True, mutually_exclusive=MUTUALLY_EXCLUSIVE).run(run)


if __name__ == "__main__":
    main()
