# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for reports: one tenant's standards compliance and drift from CIPP's answers, and an
inline SVG bar chart (no JavaScript, no network) for Markdown and HTML reports.
Documentation: standards_report.yml and svg_bar_chart.yml beside this file."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from html import escape

from ansible.errors import AnsibleFilterError

# Compliance states of ListTenantAlignment (granular), in the report's order and names.
STATUSES = {
    "Compliant": "compliant",
    "Accepted Deviation": "accepted",
    "Customer Specific": "customer_specific",
    "Non-Compliant": "non_compliant",
    "License Missing": "license_missing",
}
# Drift states of tenant-only objects (ListTenantDrift) as compliance states.
DRIFT_STATUSES = {"Accepted": "accepted", "CustomerSpecific": "customer_specific"}
TENANT_ONLY_PREFIXES = ("ConditionalAccessTemplates.", "IntuneTemplates.")
DEFAULT_SERIES = [
    {"key": "compliant", "label": "Compliant", "color": "#2e7d32"},
    {"key": "accepted", "label": "Accepted deviation", "color": "#81c784"},
    {"key": "customer_specific", "label": "Customer specific", "color": "#64b5f6"},
    {"key": "non_compliant", "label": "Non-compliant", "color": "#c62828"},
    {"key": "license_missing", "label": "Licence missing", "color": "#9e9e9e"},
]
BAR_HEIGHT = 22
ROW_GAP = 14
LABEL_WIDTH = 220
NOTE_WIDTH = 60
LEGEND_HEIGHT = 26
TITLE_HEIGHT = 28


def _value(text):
    """CIPP stores current/expected values as JSON text; the report shows them as data."""
    if isinstance(text, str) and text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _rows(value, name):
    if value is None:
        return []
    if isinstance(value, dict) and ("data" in value or "result" in value):  # a registered cipp.cipp.api result
        value = value["result"] if "result" in value else value["data"]
    if not isinstance(value, list):
        raise AnsibleFilterError(f"standards_report: '{name}' must be the list CIPP returns, got {type(value).__name__}")
    return [row for row in value if isinstance(row, dict)]


# cipp.cipp.standards_info's states, as the report's.
INFO_STATUSES = {"compliant": "compliant", "accepted_deviation": "accepted", "customer_specific": "customer_specific",
                 "non_compliant": "non_compliant", "license_missing": "license_missing"}
INFO_DRIFT = {"new": "New", "accepted": "Accepted", "denied": "Denied", "denied_remediate": "DeniedRemediate",
              "denied_delete": "DeniedDelete", "customer_specific": "CustomerSpecific"}


def _from_info(tenant, info, display_name):
    """The entry from a registered cipp.cipp.standards_info result (its ``tenants`` list)."""
    key = str(tenant).lower()
    mine = next((t for t in info.get("tenants") or [] if str(t.get("tenant", "")).lower() == key), {})
    templates = []
    for row in mine.get("alignment") or []:
        standards = [{"standard": s.get("standard"), "status": INFO_STATUSES.get(s.get("status"), s.get("status")),
                      "compliance_status": s.get("status"), "deviation_status": s.get("deviation_status"),
                      "current": _value(s.get("current_value")), "expected": _value(s.get("expected_value"))}
                     for s in mine.get("standards") or [] if s.get("template_id") == row.get("template_id")]
        templates.append(_template(row.get("template"), row.get("template_id"), row.get("template_type"),
                                   row.get("alignment_score"), row.get("license_missing_percentage"),
                                   row.get("pending_deviations"), row.get("denied_deviations"),
                                   row.get("latest_data_collection"), standards))
    drift_entries = []
    for row in mine.get("alignment") or []:
        rows = [d for d in mine.get("drift") or [] if d.get("template_id") == row.get("template_id")]
        if row.get("template_type") != "drift" and not rows:
            continue
        deviations = [{"standard": d.get("standard"), "name": d.get("display_name") or d.get("standard"),
                       "status": INFO_DRIFT.get(d.get("status"), d.get("status")), "reason": d.get("reason"),
                       "changed_by": d.get("changed_by"), "policy_only": bool(d.get("policy_only")),
                       "license_missing": d.get("compliance_status") == "license_missing",
                       "current": _value(d.get("current_value") if d.get("current_value") is not None else d.get("received_value")),
                       "expected": _value(d.get("expected_value"))} for d in rows]
        drift_entries.append(_drift(row.get("template"), row.get("template_id"), row.get("alignment_score"), deviations))
    return _entry(tenant, display_name, templates, drift_entries)


def _template(name, template_id, kind, score, missing, pending, denied, latest, standards):
    counts = {series["key"]: 0 for series in DEFAULT_SERIES}
    for item in standards:
        if item["status"] in counts:
            counts[item["status"]] += 1
    counts["total"] = sum(counts.values())
    return {"name": name, "id": template_id, "type": kind, "alignment_score": score, "license_missing_percentage": missing,
            "pending_deviations": pending, "denied_deviations": denied, "latest_data_collection": latest,
            "counts": counts, "standards": standards}


def _drift(name, template_id, score, deviations):
    def count(status):
        return len([d for d in deviations if d["status"] == status and not d.get("license_missing")])

    return {"template": name, "id": template_id, "alignment_score": score, "new": count("New"),
            "accepted": count("Accepted"),
            "denied": len([d for d in deviations if str(d["status"]).startswith("Denied") and not d.get("license_missing")]),
            "customer_specific": count("CustomerSpecific"),
            "license_missing": len([d for d in deviations if d.get("license_missing")]),
            "open": [d for d in deviations if d["status"] in ("New", "Denied") and not d.get("license_missing")],
            "deviations": deviations}


def _entry(tenant, display_name, templates, drift_entries):
    # A drift template also counts the tenant's own CA policies and Intune templates (as CIPP's score does).
    for template in templates:
        for entry in drift_entries:
            if entry["id"] != template["id"]:
                continue
            for deviation in entry["deviations"]:
                if deviation.get("policy_only") or str(deviation["standard"]).startswith(TENANT_ONLY_PREFIXES):
                    template["counts"][DRIFT_STATUSES.get(deviation["status"], "non_compliant")] += 1
                    template["counts"]["total"] += 1
    scores = [t["alignment_score"] for t in templates if isinstance(t["alignment_score"], (int, float))]
    chart_rows = [{"label": t["name"], "values": {k: v for k, v in t["counts"].items() if k != "total"},
                   "note": f"{t['alignment_score']}%" if t["alignment_score"] is not None else None} for t in templates]
    return {"tenant": tenant, "display_name": display_name or tenant, "templates": templates, "drift": drift_entries,
            "chart_rows": chart_rows,
            "lowest_score": min(scores) if scores else None,
            "open_deviations": sum(len(d["open"]) for d in drift_entries),
            "non_compliant": sum(t["counts"]["non_compliant"] for t in templates)}


def standards_report(tenant, alignment=None, granular=None, drift=None, display_name=None):
    """One tenant's entry of the report: its templates with counts, scores and standards, and its drift.

    ``alignment`` is either a registered cipp.cipp.standards_info result (then ``granular`` and ``drift``
    are not needed), or the rows of ListTenantAlignment, with ``granular`` and ``drift`` the rows of
    ListTenantAlignment?granular=true and ListTenantDrift.
    """
    if isinstance(alignment, dict) and "tenants" in alignment:
        return _from_info(tenant, alignment, display_name)
    key = str(tenant).lower()
    mine = [row for row in _rows(alignment, "alignment") if str(row.get("tenantFilter", "")).lower() == key]
    details = [row for row in _rows(granular, "granular") if str(row.get("tenantFilter", "")).lower() == key]
    templates = []
    for row in mine:
        template_id = row.get("standardId")
        standards = [{"standard": d.get("standardName"), "status": STATUSES.get(d.get("complianceStatus"), "non_compliant"),
                      "compliance_status": d.get("complianceStatus"), "deviation_status": d.get("deviationStatus"),
                      "current": _value(d.get("currentValue")), "expected": _value(d.get("expectedValue"))}
                     for d in details if d.get("templateId") == template_id]
        templates.append(_template(row.get("standardName"), template_id, row.get("standardType"), row.get("alignmentScore"),
                                   row.get("LicenseMissingPercentage"), row.get("pendingDeviationsCount"),
                                   row.get("deniedDeviationsCount"), row.get("latestDataCollection"), standards))
    drift_entries = []
    for row in _rows(drift, "drift"):
        if str(row.get("tenantFilter", "")).lower() != key:
            continue
        deviations = [{"standard": d.get("standardName"), "name": d.get("standardDisplayName") or d.get("standardName"),
                       "status": d.get("Status"), "reason": d.get("Reason"), "changed_by": d.get("lastChangedByUser"),
                       "license_missing": d.get("ComplianceStatus") == "License Missing",
                       "current": _value(d.get("CurrentValue", d.get("receivedValue"))),
                       "expected": _value(d.get("ExpectedValue", d.get("expectedValue")))}
                      for d in row.get("allDeviations") or [] if isinstance(d, dict)]
        drift_entries.append(_drift(row.get("standardName"), row.get("standardId"), row.get("alignmentScore"), deviations))
    return _entry(tenant, display_name, templates, drift_entries)


def svg_bar_chart(rows, title="", series=None, width=640, empty_text="No data"):
    """A horizontal stacked bar chart as an inline SVG document (text, no scripts).

    ``rows``: ``[{label, values: {series key: number}, note}]``; ``series``: ``[{key, label, color}]``.
    Every row's bar is scaled to the row's own total, so rows of different sizes compare as shares.
    """
    if not isinstance(rows, list):
        raise AnsibleFilterError("svg_bar_chart: the input must be a list of {label, values, note} rows")
    series = series or DEFAULT_SERIES
    width = int(width)
    bar_width = max(width - LABEL_WIDTH - NOTE_WIDTH - 10, 50)
    height = TITLE_HEIGHT + LEGEND_HEIGHT + max(len(rows), 1) * (BAR_HEIGHT + ROW_GAP) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{escape(str(title))}" font-family="Segoe UI, Helvetica, Arial, sans-serif" font-size="12">',
           f'<title>{escape(str(title))}</title>',
           f'<text x="0" y="18" font-size="14" font-weight="bold">{escape(str(title))}</text>']
    x = 0
    for item in series:
        out.append(f'<rect x="{x}" y="{TITLE_HEIGHT}" width="12" height="12" fill="{escape(item["color"])}"/>')
        out.append(f'<text x="{x + 16}" y="{TITLE_HEIGHT + 10}">{escape(str(item["label"]))}</text>')
        x += 24 + 7 * len(str(item["label"]))
    y = TITLE_HEIGHT + LEGEND_HEIGHT
    if not rows:
        out.append(f'<text x="0" y="{y + 15}" fill="#616161">{escape(str(empty_text))}</text>')
    for row in rows:
        if not isinstance(row, dict):
            raise AnsibleFilterError("svg_bar_chart: every row must be a dict with label and values")
        values = row.get("values") or {}
        numbers = [(item, float(values.get(item["key"]) or 0)) for item in series]
        total = sum(number for _item, number in numbers)
        label = str(row.get("label", ""))
        shown = label if len(label) <= 32 else label[:31] + "\u2026"
        out.append(f'<text x="0" y="{y + 15}"><title>{escape(label)}</title>{escape(shown)}</text>')
        out.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar_width}" height="{BAR_HEIGHT}" fill="#eeeeee"/>')
        offset = float(LABEL_WIDTH)
        for item, number in numbers:
            if number <= 0 or total <= 0:
                continue
            part = bar_width * number / total
            out.append(f'<rect x="{offset:.1f}" y="{y}" width="{part:.1f}" height="{BAR_HEIGHT}" fill="{escape(item["color"])}">'
                       f'<title>{escape(str(item["label"]))}: {number:g}</title></rect>')
            offset += part
        note = row.get("note")
        if note is not None:
            out.append(f'<text x="{LABEL_WIDTH + bar_width + 8}" y="{y + 15}" font-weight="bold">{escape(str(note))}</text>')
        y += BAR_HEIGHT + ROW_GAP
    out.append("</svg>")
    return "\n".join(out)


class FilterModule:
    """cipp.cipp report filters."""

    def filters(self):
        return {"standards_report": standards_report, "svg_bar_chart": svg_bar_chart}
