"""Standards modules over the emulator: standards_template walks check-mode create (no write) -> create ->
rerun (changed=0) -> update one setting (the diff shows just it) -> re-apply after CIPP's stamps
(changed=0) -> delete -> rerun; standards_info returns exactly the seeded drift of three tenants;
standards_run queues (nothing in check mode) and waits with a bound; bad input fails naming the option
before any write. Each test asserts which writes reached CIPP and that the conformance log is empty."""
from __future__ import annotations

from tests.integration.harness import run_playbook


def writes(emu, endpoint=None):
    return [r for r in emu.control.requests(service="cipp", endpoint=endpoint) if r.get("state_changed")]


def sent(emu):
    return [r["endpoint"] for r in emu.control.requests(service="cipp")
            if r["endpoint"] in ("AddStandardsTemplate", "RemoveStandardTemplate", "ExecStandardsRun", "ExecBaselineRun")]


def test_standards_template_lifecycle(emu, token_cache):
    run = run_playbook(emu, "governance_standards_template.yml", client="admin", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert sent(emu) == ["AddStandardsTemplate", "AddStandardsTemplate", "RemoveStandardTemplate"], sent(emu)
    assert emu.control.conformance() == []
    reads = [r["endpoint"] for r in emu.control.requests(service="cipp") if r["endpoint"] != "GetVersion"]
    # One list per task, plus one read-back per write; tenant names are resolved once (ListTenants, cached).
    assert reads.count("listStandardTemplates") == 12 and reads.count("ListTenants") == 1 and len(reads) == 16, reads
    create, update, remove = (w["body"] for w in writes(emu))
    assert "GUID" not in create and create["runManually"] is False and create["excludedTenants"] == []
    assert create["tenantFilter"] == [
        {"label": "Contoso Ltd (contoso.com)", "value": "contoso.com", "type": "Tenant"},
        {"label": "Fabrikam Inc (fabrikam.com)", "value": "fabrikam.com", "type": "Tenant"}]
    assert create["standards"]["DisableBasicAuthSMTP"] == {"action": [{"label": "Report", "value": "Report"},
                                                                      {"label": "Alert", "value": "warn"}]}
    assert create["standards"]["ActivityBasedTimeout"] == {
        "timeout": {"label": "1 Hour", "value": "01:00:00"},
        "action": [{"label": "Report", "value": "Report"}, {"label": "Remediate", "value": "Remediate"}]}
    # The update overwrites by GUID and carries createdAt back; the server's other stamps are not sent.
    assert update["GUID"] == remove["ID"] and update["createdAt"]
    assert not {"updatedAt", "updatedBy", "source", "isSynced"} & set(update)
    assert update["standards"]["EnableMailTips"]["MailTipsLargeAudienceThreshold"] == 50


def test_standards_info_returns_the_seeded_drift(emu, token_cache):
    run = run_playbook(emu, "governance_standards_info.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert writes(emu) == []
    reads = [r["endpoint"] for r in emu.control.requests(service="cipp") if r["endpoint"] != "GetVersion"]
    assert reads == [
        # three tenants: their names (one ListTenants), alignment, granular alignment, templates, drift - one read each
        "ListTenants", "ListTenantAlignment", "ListTenantAlignment", "listStandardTemplates", "ListTenantDrift",
        "ListTenantDrift", "listStandardTemplates",       # the gate: drift of all tenants
        "ListStandardsCompare", "listStandardTemplates",  # one tenant's compare rows of one template (by name)
        "ListTenants",                                    # unknown tenant: one fresh tenant list, then the failure
    ], reads                                              # bad query: no request at all
    assert emu.control.conformance() == []


def test_standards_run_queues_and_waits(emu, token_cache):
    run = run_playbook(emu, "governance_standards_run.yml", client="admin", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert sent(emu) == ["ExecStandardsRun", "ExecStandardsRun", "ExecBaselineRun"], sent(emu)
    runs = emu.control.requests(service="cipp", endpoint="ExecStandardsRun")
    assert runs[0]["query"] == {"tenantFilter": "contoso.com", "templateId": "8e9f0a1b-0001-4b21-8b21-000000000801"}
    assert runs[1]["query"] == {"tenantFilter": "tenant01.example", "templateId": "*"}
    (baseline,) = emu.control.requests(service="cipp", endpoint="ExecBaselineRun")
    assert baseline["body"] == {"mode": "compare", "tenantFilter": {"value": "AllTenants", "label": "AllTenants"},
                                "templateId": "0f0e0d0c-0001-4a00-8a00-000000000b01"}
    assert emu.control.conformance() == []


def test_standards_bad_input_fails_before_any_write(emu, token_cache):
    run = run_playbook(emu, "governance_standards_bad_input.yml", client="admin", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert sent(emu) == [] and writes(emu) == []
    assert emu.control.conformance() == []
