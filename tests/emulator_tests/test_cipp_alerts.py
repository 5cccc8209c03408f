"""Alert rules as CIPP stores and lists them: AddAlert (audit-log rules, WebhookRules table), AddScriptedAlert
(hidden Get-CIPPAlert* scheduled tasks), ListAlertsQueue and RemoveQueuedAlert."""
from __future__ import annotations

import json

from tests.emulator_tests.cipp_helpers import CONTOSO, Cipp, kinds, last_entry

FABRIKAM = "fabrikam.com"

AUDIT = {"tenantFilter": [{"value": CONTOSO, "label": "Contoso", "type": "Tenant"}],
         "excludedTenants": [],
         "logbook": {"value": "Audit.Exchange", "label": "Audit.Exchange"},
         "conditions": [{"Property": {"label": "Operation"}, "Operator": {"value": "eq", "label": "Equals to"},
                         "Input": {"value": "Set-Mailbox"}},
                        {"Property": {"label": "UserId"}, "Operator": {"value": "in", "label": "In"},
                         "Input": [{"value": "a@contoso.com", "label": "a@contoso.com"}]}],
         "actions": [{"value": "generatemail", "label": "Email"}],
         "AlertComment": "Mailbox changes"}


def scripted(tenants, **extra):
    return {"tenantFilter": tenants, "Name": "Contoso: Overused licences", "Command": {"value": "Get-CIPPAlertOverusedLicenses"},
            "Parameters": {}, "Recurrence": "1d", "PostExecution": {"Webhook": False, "Email": True, "PSA": False},
            "AlertComment": "", "CustomSubject": "", **extra}


def test_audit_alert_is_stored_as_sent_and_listed(emu):
    cipp = Cipp(emu)
    assert cipp.post("AddAlert", AUDIT).status_code == 200
    assert kinds(last_entry(emu, "AddAlert")) == []          # Input and Property.value are read, not unknown
    row = next(q for q in cipp.get("ListAlertsQueue").json() if q.get("AlertComment") == "Mailbox changes")
    assert row["EventType"] == "Audit log Alert" and row["PartitionKey"] == "Webhookv2" and row["LogType"] == "Audit.Exchange"
    assert row["Tenants"] == ["Contoso"] and row["Actions"] == "Email" and row["RepeatsEvery"] == "When received"
    assert row["Conditions"] == "When Operation is Equals to Set-Mailbox and When UserId is In a@contoso.com"
    assert row["RawAlert"]["Conditions"] == AUDIT["conditions"]
    assert row["RawAlert"]["Tenants"] == AUDIT["tenantFilter"]
    # The same RowKey replaces the rule (the UI's edit).
    cipp.post("AddAlert", {**AUDIT, "RowKey": row["RowKey"], "AlertComment": "Edited"})
    rows = [q for q in cipp.get("ListAlertsQueue").json() if q["RowKey"] == row["RowKey"]]
    assert len(rows) == 1 and rows[0]["AlertComment"] == "Edited"
    removed = cipp.post("RemoveQueuedAlert", {"EventType": "Audit log Alert", "ID": row["RowKey"]})
    assert removed.json() == {"Results": f"Successfully removed alert {row['RowKey']} from queue"}
    again = cipp.post("RemoveQueuedAlert", {"EventType": "Audit log Alert", "ID": row["RowKey"]})
    assert again.status_code == 500 and again.json()["Results"].startswith("Failed to remove alert from queue")


def test_audit_alert_bare_values_are_conformance_findings(emu):
    cipp = Cipp(emu)
    cipp.post("AddAlert", {**AUDIT, "tenantFilter": [CONTOSO], "actions": ["generatemail"],
                           "conditions": [{"Property": {"label": "Operation"}, "Operator": {"value": "eq"}, "Input": "x"}]})
    found = {(f["kind"], f["field"]) for f in last_entry(emu, "AddAlert")["conformance"]}
    assert found == {("bare_labelvalue", "body.tenantFilter[0]"), ("bare_labelvalue", "body.actions[0]"),
                     ("bare_labelvalue", "body.conditions[0].Input")}


def test_scripted_alert_single_tenant(emu):
    cipp = Cipp(emu)
    added = cipp.post("AddScriptedAlert", scripted([{"value": CONTOSO, "label": "Contoso", "type": "Tenant"}]))
    assert added.json()["Results"].startswith("Successfully added task: Contoso: Overused licences.")
    assert kinds(last_entry(emu, "AddScriptedAlert")) == []
    row = next(q for q in cipp.get("ListAlertsQueue").json() if q["Conditions"] == "Contoso: Overused licences")
    assert row["LogType"] == "Scripted" and row["EventType"] == "Scheduled Task" and row["RepeatsEvery"] == "1d"
    assert row["Tenants"] == [{"label": CONTOSO, "value": CONTOSO, "type": "Tenant"}] and row["Actions"] == "Email"
    raw = row["RawAlert"]
    assert raw["Hidden"] is True and raw["Tenant"] == CONTOSO and raw["Command"] == "Get-CIPPAlertOverusedLicenses"
    assert isinstance(raw["Parameters"], str) and "Headers" in json.loads(raw["Parameters"])  # the raw row
    # Hidden: not in the scheduler's normal list.
    assert cipp.get("ListScheduledItems", Name="Contoso: Overused licences").json() == []
    # The same RowKey edits in place and keeps the task hidden.
    cipp.post("AddScriptedAlert", scripted([{"value": CONTOSO, "label": "Contoso"}], RowKey=row["RowKey"], Recurrence="7d"))
    rows = [q for q in cipp.get("ListAlertsQueue").json() if q["RowKey"] == row["RowKey"]]
    assert len(rows) == 1 and rows[0]["RepeatsEvery"] == "7d" and rows[0]["RawAlert"]["Hidden"] is True
    assert cipp.post("RemoveQueuedAlert", {"EventType": "Scheduled Task", "ID": row["RowKey"]}).status_code == 200
    assert not [q for q in cipp.get("ListAlertsQueue").json() if q["RowKey"] == row["RowKey"]]


def test_scripted_alert_several_tenants_becomes_all_tenants_with_exclusions(emu):
    cipp = Cipp(emu)
    selection = [{"value": CONTOSO, "label": "Contoso", "type": "Tenant"}, {"value": FABRIKAM, "label": "Fabrikam", "type": "Tenant"}]
    cipp.post("AddScriptedAlert", scripted(selection, Name="Two tenants"))
    row = next(q for q in cipp.get("ListAlertsQueue").json() if q["Conditions"] == "Two tenants")
    assert [t["value"] for t in row["Tenants"]] == [CONTOSO, FABRIKAM] and row["excludedTenants"] == []
    raw = row["RawAlert"]
    assert raw["Tenant"] == "AllTenants" and json.loads(raw["Tenants"]) == selection
    excluded = raw["excludedTenants"].split(",")
    assert CONTOSO not in excluded and FABRIKAM not in excluded and "northwind.com" in excluded


def test_scheduled_task_bare_values_and_unknown_keys_are_findings(emu):
    cipp = Cipp(emu)
    cipp.post("AddScriptedAlert", scripted([{"value": CONTOSO, "label": "Contoso"}], Name="Bare",
                                           PostExecution=["Email"], excludedTenants=[FABRIKAM], Interval="1d"))
    found = {(f["kind"], f["field"]) for f in last_entry(emu, "AddScriptedAlert")["conformance"]}
    assert found == {("bare_labelvalue", "body.PostExecution[0]"), ("bare_labelvalue", "body.excludedTenants[0]"),
                     ("unknown_key", "body.Interval")}
    row = next(q for q in cipp.get("ListAlertsQueue").json() if q["Conditions"] == "Bare")
    assert row["Actions"] == "" and row["excludedTenants"] == []   # both dropped, as the backend does
