"""Standards: the ``standards`` option checked and stored in the shape CIPP's UI stores, stored templates read back
in the module's vocabulary (so an export feeds back unchanged), and the bounded wait of standards_run."""
import pytest

from ansible_collections.cipp.cipp.plugins.module_utils import _standards as standards
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError, CippResultError

REPORT = {"label": "Report", "value": "Report"}
ALERT = {"label": "Alert", "value": "warn"}
REMEDIATE = {"label": "Remediate", "value": "Remediate"}


def test_actions_are_stored_as_the_ui_stores_them_and_read_back():
    option = {"AuditLog": {"action": "remediate"},
              "EnableMailTips": {"action": ["warn", "report", "report"], "settings": {"MailTipsLargeAudienceThreshold": 25}}}
    checked = standards.validate_standards(option)
    assert checked == {"AuditLog": {"action": ["remediate"], "settings": {}},
                       "EnableMailTips": {"action": ["report", "alert"], "settings": {"MailTipsLargeAudienceThreshold": 25}}}
    stored = standards.stored_standards(checked)
    assert stored == {"AuditLog": {"action": [REMEDIATE]},
                      "EnableMailTips": {"MailTipsLargeAudienceThreshold": 25, "action": [REPORT, ALERT]}}
    assert standards.normalise_standards(stored) == checked


def test_multiple_standards_take_a_list():
    ca = [{"action": "remediate", "settings": {"TemplateList": {"label": "MFA", "value": "5b6c7d8e-0001"}}}]
    stored = standards.stored_standards(standards.validate_standards({"ConditionalAccessTemplate": ca}))
    assert stored == {"ConditionalAccessTemplate": [{"TemplateList": {"label": "MFA", "value": "5b6c7d8e-0001"},
                                                     "action": [REMEDIATE]}]}
    with pytest.raises(CippConfigError, match=r"^option 'standards.AuditLog': only .* take a list"):
        standards.validate_standards({"AuditLog": [{"action": "report"}]})


@pytest.mark.parametrize("option, message", [
    ({"AuditLogs": {"action": "report"}}, r"^option 'standards': 'AuditLogs' is not a CIPP standard"),
    ({"auditlog": {"action": "report"}}, r"Did you mean AuditLog\?"),
    ({"standards.AuditLog": {"action": "report"}}, r"Leave out the 'standards.' prefix: AuditLog"),
    ({"AuditLog": {"action": "fix"}}, r"^option 'standards.AuditLog.action': 'fix' is not an action"),
    ({"AuditLog": {"action": []}}, r"^option 'standards.AuditLog.action' is empty"),
    ({"AuditLog": {}}, r"^option 'standards.AuditLog.action' is required"),
    ({"AuditLog": "report"}, r"^option 'standards.AuditLog' must be a dict"),
    ({"EnableMailTips": {"action": "report", "MailTipsLargeAudienceThreshold": 25}}, r"unknown key\(s\) MailTipsLarge"),
    ({"EnableMailTips": {"action": "report", "settings": {"action": "x"}}}, r"^option 'standards.EnableMailTips.settings'"),
    ({"AddDMARCToMOERA": {"action": "remediate"}}, r"does not implement remediate"),
])
def test_bad_standards_name_the_option(option, message):
    with pytest.raises(CippConfigError, match=message):
        standards.validate_standards(option)


def test_stored_template_in_the_module_vocabulary():
    row = {"GUID": "g1", "templateName": "T", "tenantFilter": [{"label": "C", "value": "contoso.com", "type": "Tenant"}],
           "excludedTenants": [], "runManually": False, "type": "drift", "createdAt": "a", "updatedAt": "b", "updatedBy": None,
           "standards": {"AuditLog": {"action": [REPORT, {"label": "Remediate", "value": "remediate"}]}}, "source": None}
    assert standards.summarise(row) == {
        "guid": "g1", "name": "T", "description": None, "tenants": ["contoso.com"], "excluded_tenants": [],
        "standards": {"AuditLog": {"action": ["report", "remediate"], "settings": {}}}, "run_manually": False,
        "drift": True, "created_at": "a", "updated_at": "b", "updated_by": None}
    # CIPP's placeholder strings for "nothing selected" read as no tenants
    assert standards.summarise({"excludedTenants": "excludedTenants"})["excluded_tenants"] == []


def test_template_actions_by_standard_id():
    rows = [{"GUID": "G", "standards": {"AuditLog": {"action": [REPORT]},
                                        "IntuneTemplate": [{"action": [REMEDIATE], "TemplateList": {"value": "i1"}}]}}]
    assert standards.template_actions(rows) == {("g", "standards.AuditLog"): ["report"],
                                                ("g", "standards.IntuneTemplate.i1"): ["remediate"]}


class FakeClient:
    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = []

    def call(self, endpoint, params=None, body=None):
        self.calls.append((endpoint, params))
        data = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return type("R", (), {"data": data})()


def compare(stamp):
    return [{"tenantFilter": "contoso.com", "standards.AuditLog": {"LastRefresh": stamp}}]


def test_wait_returns_when_every_result_is_newer():
    client = FakeClient([compare("t0"), compare("t1")])
    before = standards.refresh_marks(client, "contoso.com", None)
    sleeps = []
    done = standards.wait_for_refresh(client, "contoso.com", None, before, 60, sleep=sleeps.append, clock=lambda: 0.0)
    assert done["refreshed"] == 1 and done["polls"] == 1 and sleeps == []
    assert client.calls[0] == ("ListStandardsCompare", {"tenantFilter": "contoso.com"})


def test_wait_is_bounded():
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    client = FakeClient([compare("t0")])
    before = standards.refresh_marks(client, None, "tpl")
    with pytest.raises(CippResultError, match=r"did not arrive within 10s \(option 'wait_timeout'\); still waiting for: "
                                              r"contoso.com/standards.AuditLog") as failure:
        standards.wait_for_refresh(client, None, "tpl", before, 10, sleep=sleep, clock=lambda: now[0])
    assert now[0] <= 10 and failure.value.details["timed_out"] is True
    assert client.calls[0] == ("ListStandardsCompare", {"templateId": "tpl"})
