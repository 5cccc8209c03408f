"""The report filters: a tenant's entry from CIPP's alignment and drift rows, and the SVG chart."""
import xml.etree.ElementTree as ET

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cipp.cipp.plugins.filter.report import FilterModule, standards_report, svg_bar_chart

ALIGNMENT = [
    {"tenantFilter": "contoso.com", "standardName": "Baseline", "standardId": "t1", "standardType": "Classic Standard",
     "alignmentScore": 50, "LicenseMissingPercentage": 0, "latestDataCollection": "2026-12-02T08:00:00Z"},
    {"tenantFilter": "contoso.com", "standardName": "Drift", "standardId": "t2", "standardType": "drift", "alignmentScore": 67},
    {"tenantFilter": "fabrikam.com", "standardName": "Baseline", "standardId": "t1", "alignmentScore": 100},
]
GRANULAR = [
    {"tenantFilter": "contoso.com", "templateId": "t1", "standardName": "standards.A", "complianceStatus": "Compliant",
     "currentValue": '{"a": true}', "expectedValue": '{"a": true}'},
    {"tenantFilter": "contoso.com", "templateId": "t1", "standardName": "standards.B", "complianceStatus": "Non-Compliant",
     "currentValue": '{"b": 1}', "expectedValue": '{"b": 2}'},
    {"tenantFilter": "contoso.com", "templateId": "t2", "standardName": "standards.C", "complianceStatus": "Accepted Deviation",
     "deviationStatus": "Accepted"},
    {"tenantFilter": "contoso.com", "templateId": "t2", "standardName": "standards.D", "complianceStatus": "License Missing"},
]
DRIFT = [{"tenantFilter": "contoso.com", "standardName": "Drift", "standardId": "t2", "alignmentScore": 67,
          "newDeviationsCount": 0, "acceptedDeviationsCount": 1, "customerSpecificDeviationsCount": 1,
          "allDeviations": [
              {"standardName": "standards.C", "Status": "Accepted", "CurrentValue": '{"c": 0}', "ExpectedValue": '{"c": 1}'},
              {"standardName": "ConditionalAccessTemplates.p1", "standardDisplayName": "Conditional Access - Mine",
               "Status": "CustomerSpecific", "receivedValue": '{"id": "p1"}', "expectedValue": "Only in the tenant."},
              {"standardName": "ConditionalAccessTemplates.p2", "Status": "New", "receivedValue": "{}"}]}]


def test_entry_counts_states_and_parses_values():
    entry = standards_report("Contoso.com", ALIGNMENT, GRANULAR, DRIFT, display_name="Contoso Ltd")
    assert entry["display_name"] == "Contoso Ltd"
    baseline, drift = entry["templates"]
    assert baseline["counts"] == {"compliant": 1, "accepted": 0, "customer_specific": 0, "non_compliant": 1,
                                  "license_missing": 0, "total": 2}
    assert baseline["standards"][1]["current"] == {"b": 1} and baseline["standards"][1]["expected"] == {"b": 2}
    # The drift template also counts the tenant-only CA policies, as CIPP's score does.
    assert drift["counts"] == {"compliant": 0, "accepted": 1, "customer_specific": 1, "non_compliant": 1,
                               "license_missing": 1, "total": 4}
    assert [d["standard"] for d in entry["drift"][0]["open"]] == ["ConditionalAccessTemplates.p2"]
    assert entry["drift"][0]["deviations"][1]["expected"] == "Only in the tenant."
    assert entry["lowest_score"] == 50 and entry["open_deviations"] == 1 and entry["non_compliant"] == 2
    assert entry["chart_rows"][0] == {"label": "Baseline", "note": "50%", "values": {
        "compliant": 1, "accepted": 0, "customer_specific": 0, "non_compliant": 1, "license_missing": 0}}


def test_entry_of_a_tenant_without_templates():
    entry = standards_report("tenant01.example", ALIGNMENT, GRANULAR, DRIFT)
    assert entry["templates"] == [] and entry["drift"] == [] and entry["lowest_score"] is None
    assert entry["display_name"] == "tenant01.example"


def test_registered_api_results_are_accepted():
    entry = standards_report("fabrikam.com", {"data": ALIGNMENT}, {"data": []}, {"data": []})
    assert entry["templates"][0]["alignment_score"] == 100


def test_wrong_input_names_the_argument():
    with pytest.raises(AnsibleFilterError, match="'granular' must be the list CIPP returns"):
        standards_report("contoso.com", ALIGNMENT, "oops", [])


def test_chart_is_valid_svg_and_escapes_text():
    rows = [{"label": "<script>alert(1)</script> & more", "values": {"compliant": 2, "non_compliant": 1}, "note": "67%"}]
    svg = svg_bar_chart(rows, title="A & B")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "A &amp; B" in svg
    widths = [float(r.get("width")) for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.find(
        "{http://www.w3.org/2000/svg}title") is not None]
    assert widths[0] == pytest.approx(2 * widths[1], rel=0.01)  # 2 compliant : 1 non-compliant


def test_chart_without_rows_says_so():
    svg = svg_bar_chart([], title="t", empty_text="Nothing here")
    assert "Nothing here" in svg
    ET.fromstring(svg)
    with pytest.raises(AnsibleFilterError):
        svg_bar_chart({"label": "x"})


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"standards_report", "svg_bar_chart"}
