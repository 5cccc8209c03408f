"""Standards, drift, alerts and the scheduler."""
from __future__ import annotations

from tests.emulator_tests.cipp_helpers import CONTOSO, Cipp, kinds, last_entry

import time

BASELINE = "8e9f0a1b-0001-4b21-8b21-000000000801"
DRIFT = "8e9f0a1b-0001-4b21-8b21-000000000802"
MSP_DRIFT = "8e9f0a1b-0002-4b22-8b22-000000000811"   # fixtures/default/standards.yaml
REPORT = {"label": "Report", "value": "Report"}


def test_standards_templates_crud(emu):
    admin = Cipp(emu, client="admin")
    templates = admin.get("listStandardTemplates").json()
    assert [t["templateName"] for t in templates] == ["Contoso baseline", "Contoso drift", "MSP drift baseline"]
    baseline = templates[0]
    assert baseline["createdAt"] and baseline["updatedAt"] and baseline["updatedBy"]
    body = {"templateName": "New baseline", "tenantFilter": [{"value": CONTOSO, "label": "Contoso", "type": "Tenant"}],
            "standards": {"AuditLog": {"remediate": True}}, "runManually": True}
    added = admin.post("AddStandardsTemplate", body).json()
    assert added["Results"] == "Successfully added template"
    guid = added["Metadata"]["id"]
    (stored,) = admin.get("listStandardTemplates", id=guid).json()
    assert stored["updatedBy"] is None                    # API clients have no userDetails
    assert stored["createdAt"] == stored["updatedAt"]
    admin.post("AddStandardsTemplate", {**body, "GUID": guid, "templateName": "Renamed"})
    (renamed,) = admin.get("listStandardTemplates", id=guid).json()
    assert renamed["templateName"] == "Renamed" and renamed["createdAt"] != stored["createdAt"]  # createdAt not sent: reset
    run = admin.get("ExecStandardsRun", tenantFilter=CONTOSO, templateId=guid).json()
    assert run == {"Results": f"Successfully started Standards Run for tenant: {CONTOSO} - Template: Renamed ({guid}) (Manual Only)"}
    removed = admin.post("RemoveStandardTemplate", {"ID": guid}).json()
    assert removed == {"Results": f"Removed Standards Template named: 'Renamed' with id: {guid}"}


def test_compare_alignment_and_drift(emu):
    cipp = Cipp(emu)
    (compare,) = cipp.get("ListStandardsCompare", tenantFilter=CONTOSO, templateId=BASELINE).json()
    assert compare["tenantFilter"] == CONTOSO
    assert compare["standards.PasswordExpireDisabled"]["Value"] is False
    assert compare["standards.AuditLog"]["ExpectedValue"] == {"UnifiedAuditLogIngestionEnabled": True}
    alignment = {r["standardId"]: r for r in cipp.get("ListTenantAlignment").json()}
    assert alignment[BASELINE]["alignmentScore"] == 67 and alignment[BASELINE]["standardType"] == "Classic Standard"
    assert alignment[DRIFT]["pendingDeviationsCount"] == 1 and alignment[DRIFT]["deniedDeviationsCount"] == 0
    (drift,) = cipp.get("ListTenantDrift", TenantFilter=CONTOSO).json()
    assert drift["standardId"] == DRIFT
    standards = [d for d in drift["allDeviations"] if d["standardName"].startswith("standards.")]
    assert {d["standardName"]: d["Status"] for d in standards} == {"standards.DisableSharedMailbox": "Accepted",
                                                                   "standards.EnableMailTips": "New"}
    assert drift["acceptedDeviationsCount"] == 1 and drift["currentDeviationsCount"] == 1
    assert drift["customerSpecificDeviationsCount"] == 2          # the two tenant-only CA policies
    granular = cipp.get("ListTenantAlignment", granular="true").json()
    assert any(r["standardId"] == "standards.DisableSharedMailbox" and r["complianceStatus"] == "Accepted Deviation"
               for r in granular)


def test_add_standards_template_stamps_and_upserts_by_guid(emu):
    admin = Cipp(emu, client="admin")
    body = {"templateName": "Stamped", "tenantFilter": [{"value": CONTOSO, "label": "Contoso", "type": "Tenant"}],
            "excludedTenants": [], "runManually": False, "standards": {"AuditLog": {"action": [REPORT]}}}
    guid = admin.post("AddStandardsTemplate", body).json()["Metadata"]["id"]
    (first,) = admin.get("listStandardTemplates", id=guid).json()
    # The whole body is stored, plus GUID/createdAt/updatedBy/updatedAt; the list adds source and isSynced.
    assert set(first) == set(body) | {"GUID", "createdAt", "updatedBy", "updatedAt", "source", "isSynced"}
    time.sleep(0.01)
    # Same GUID + createdAt sent back: overwritten in place, createdAt kept, updatedAt moves.
    resent = {**body, "GUID": guid, "createdAt": first["createdAt"], "description": "now described"}
    again = admin.post("AddStandardsTemplate", resent).json()
    assert again["Metadata"]["id"] == guid
    (second,) = admin.get("listStandardTemplates", id=guid).json()
    assert second["createdAt"] == first["createdAt"] and second["updatedAt"] != first["updatedAt"]
    assert second["description"] == "now described"
    assert [t["GUID"] for t in admin.get("listStandardTemplates").json()].count(guid) == 1
    # The backend reads "Action" as "action" on the way out.
    legacy = admin.post("AddStandardsTemplate", {**body, "templateName": "Legacy", "standards": {"AuditLog": {"Action": [REPORT]}}})
    (stored,) = admin.get("listStandardTemplates", id=legacy.json()["Metadata"]["id"]).json()
    assert stored["standards"] == {"AuditLog": {"action": [REPORT]}}
    bad = admin.post("AddStandardsTemplate", {**body, "tenantFilter": "tenantFilter"})
    assert bad.status_code == 500 and "A standard must be assigned to at least 1 tenant" in bad.text


def test_reporting_disabled_when_no_report_or_remediate_action(emu):
    admin = Cipp(emu, client="admin")
    admin.post("AddStandardsTemplate", {
        "templateName": "Alert only", "tenantFilter": [{"value": "tenant02.example", "label": "t2", "type": "Tenant"}],
        "runManually": False, "standards": {"AuditLog": {"action": [{"label": "Alert", "value": "warn"}]},
                                            "EnableMailTips": {"action": [REPORT]}}})
    granular = [r for r in admin.get("ListTenantAlignment", granular="true").json() if r["templateName"] == "Alert only"]
    assert {r["standardId"]: r["complianceStatus"] for r in granular} == {
        "standards.AuditLog": "Reporting Disabled", "standards.EnableMailTips": "Compliant"}
    (row,) = [r for r in admin.get("ListTenantAlignment").json() if r["standardName"] == "Alert only"]
    assert row["alignmentScore"] == 100          # 1 compliant of (2 - 1 reporting disabled)


def test_seeded_drift_over_three_tenants(emu):
    cipp = Cipp(emu)
    drift = {r["tenantFilter"]: r for r in cipp.get("ListTenantDrift").json() if r["standardId"] == MSP_DRIFT}
    assert sorted(drift) == ["northwind.com", "tenant02.example", "tenant03.example"]
    statuses = {t: {d["standardName"]: d["Status"] for d in r["allDeviations"]} for t, r in drift.items()}
    assert statuses == {"northwind.com": {"standards.DisableBasicAuthSMTP": "Denied", "standards.EnableMailTips": "Accepted"},
                        "tenant02.example": {"standards.AuditLog": "New", "standards.PasswordExpireDisabled": "CustomerSpecific"},
                        "tenant03.example": {"standards.EnableMailTips": "New"}}
    assert drift["northwind.com"]["deniedDeviationsCount"] == 1 and drift["northwind.com"]["currentDeviationsCount"] == 1
    (one,) = cipp.get("ListTenantDrift", tenantFilter="tenant03.example").json()
    assert one["newDeviationsCount"] == 1 and one["alignmentScore"] == 75
    alignment = {r["tenantFilter"]: r for r in cipp.get("ListTenantAlignment").json() if r["standardId"] == MSP_DRIFT}
    expected = {"northwind.com": 75, "tenant02.example": 75, "tenant03.example": 75}
    assert {t: r["alignmentScore"] for t, r in alignment.items()} == expected


def test_standards_run_results_land_later(emu):
    admin = Cipp(emu, client="admin")
    (before,) = admin.get("ListStandardsCompare", tenantFilter=CONTOSO, templateId=BASELINE).json()
    admin.post("ExecStandardsRun", params={"tenantFilter": CONTOSO, "templateId": BASELINE})
    (queued,) = admin.get("ListStandardsCompare", tenantFilter=CONTOSO, templateId=BASELINE).json()
    assert queued["standards.AuditLog"]["LastRefresh"] == before["standards.AuditLog"]["LastRefresh"]
    time.sleep(1.2)
    (after,) = admin.get("ListStandardsCompare", tenantFilter=CONTOSO, templateId=BASELINE).json()
    assert after["standards.AuditLog"]["LastRefresh"] > before["standards.AuditLog"]["LastRefresh"]


def test_exec_baseline_run(emu):
    admin = Cipp(emu, client="admin")
    run = admin.post("ExecBaselineRun", {"tenantFilter": {"value": "AllTenants", "label": "*All Tenants"},
                                         "templateId": "0f0e0d0c-0001-4a00-8a00-000000000b01", "mode": "compare"})
    assert run.json() == {"Results": "Started the compare: 4 checks queued. Results appear on the alignment page as "
                                     "each check completes."}
    one = admin.post("ExecBaselineRun", {"tenantFilter": {"value": CONTOSO, "label": CONTOSO}, "standard": "AuditLog",
                                         "mode": "oneoff"})
    assert one.json()["Results"].startswith("Started the oneoff: 1 check queued.")
    nothing = admin.post("ExecBaselineRun", {"tenantFilter": {"value": "tenant02.example", "label": "t2"}})
    assert nothing.status_code == 200 and nothing.json()["Results"].startswith(
        "Nothing ran: no assigned baseline (or tenant override) resolves tenant02.example.")
    bad = admin.post("ExecBaselineRun", {"tenantFilter": {"value": "AllTenants", "label": "all"}})
    assert bad.status_code == 500 and bad.json() == {
        "Results": "Failed to start baseline run: Provide a tenantFilter or a templateId to scope the run."}
    mode = admin.post("ExecBaselineRun", {"tenantFilter": {"value": CONTOSO, "label": CONTOSO}, "mode": "fix"})
    assert mode.status_code == 500 and "Unknown mode 'fix'. Use run, compare, or oneoff." in mode.json()["Results"]


def test_alerts_queue(emu):
    cipp = Cipp(emu)
    queue = cipp.get("ListAlertsQueue").json()
    assert {q["EventType"] for q in queue} == {"Audit log Alert", "Scheduled Task"}
    audit = next(q for q in queue if q["EventType"] == "Audit log Alert")
    assert audit["Conditions"] == "When Operation is Equals to New-InboxRule"
    added = cipp.post("AddAlert", {"tenantFilter": [{"value": CONTOSO, "label": "Contoso"}],
                                   "conditions": [{"Property": {"label": "Operation", "value": "String"},
                                                   "Operator": {"label": "Equals to", "value": "eq"},
                                                   "Input": {"value": "Set-Mailbox"}}],
                                   "actions": [{"value": "email", "label": "Email"}], "logbook": {"value": "Audit.Exchange"}})
    assert added.json() == {"Results": ["Added Audit Log Alert for 1 tenants. It may take up to four hours before Microsoft "
                                        "starts delivering these alerts."]}
    bad = cipp.post("AddAlert", {"conditions": [{"Operator": {"value": "drop table"}}]})
    assert bad.status_code == 400 and bad.json() == {"error": "Invalid operator: drop table"}
    new = next(q for q in cipp.get("ListAlertsQueue").json() if q["Conditions"] == "When Operation is Equals to Set-Mailbox")
    assert cipp.post("RemoveQueuedAlert", {"EventType": "Audit log Alert", "ID": new["RowKey"]}).json() == \
        {"Results": f"Successfully removed alert {new['RowKey']} from queue"}


def test_scheduler(emu):
    cipp = Cipp(emu)
    added = cipp.post("AddScheduledItem", {"TenantFilter": {"value": CONTOSO, "label": "Contoso"}, "Name": "Nightly report",
                                           "Command": {"value": "Get-CIPPLicenseOverview"}, "Parameters": {},
                                           "ScheduledTime": 0, "Recurrence": {"value": "1d"}})
    assert added.json()["Results"].startswith("Successfully added task: Nightly report. It will run in ")
    (task,) = cipp.get("ListScheduledItems", Name="Nightly report").json()
    assert task["Recurrence"] == "1d" and task["TaskState"] == "Planned" and task["Tenant"]["value"] == CONTOSO
    dup = cipp.post("AddScheduledItem", {"TenantFilter": CONTOSO, "Name": "Nightly report",
                                         "Command": {"value": "Get-CIPPLicenseOverview"}},
                    params={"DisallowDuplicateName": "true"})
    assert dup.json() == {"Results": "Task with name Nightly report already exists"}
    bad = cipp.post("AddScheduledItem", {"TenantFilter": CONTOSO, "Name": "x", "Command": {"value": "Invoke-ListUsers"}})
    assert bad.json() == {"Results": "Error - The command 'Invoke-ListUsers' is not permitted to run as a scheduled task."}
    missing = cipp.post("AddScheduledItem", {"TenantFilter": CONTOSO, "Name": "x", "Command": "Get-Nothing"})
    assert missing.json() == {"Results": "Error - The command 'Get-Nothing' does not exist and cannot be scheduled."}
    hidden = cipp.post("AddScheduledItem", {"TenantFilter": CONTOSO, "Name": "Hidden one",
                                            "Command": {"value": "Get-CIPPLicenseOverview"}}, params={"hidden": "false"})
    assert hidden.status_code == 200 and "ignored_field" in kinds(last_entry(emu))
    assert cipp.get("ListScheduledItems", Name="Hidden one").json() == []
    assert len(cipp.get("ListScheduledItems", Name="Hidden one", ShowHidden="true").json()) == 1
    assert cipp.post("RemoveScheduledItem", {"id": task["RowKey"]}).json() == {"Results": "Task removed successfully."}
    assert cipp.post("RemoveScheduledItem", {"id": task["RowKey"]}).json() == {"Results": "Task removed successfully."}


def test_scheduled_item_details_after_offboarding(emu):
    cipp = Cipp(emu)
    cipp.post("ExecOffboardUser", {"tenantFilter": CONTOSO, "user": [{"value": "lee.gu@contoso.com"}], "DisableSignIn": True})
    (task,) = cipp.get("ListScheduledItems", Name="Offboarding: lee.gu@contoso.com").json()
    details = cipp.get("ListScheduledItemDetails", RowKey=task["RowKey"]).json()
    assert details["Task"]["TaskState"] == "Completed"
    assert details["Details"][0]["Results"] == ["Successfully set account enabled state to False for lee.gu@contoso.com"]
    assert cipp.get("ListScheduledItemDetails").status_code == 400
    assert cipp.get("ListScheduledItemDetails", RowKey="nope").status_code == 404
