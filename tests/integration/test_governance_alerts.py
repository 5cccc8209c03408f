"""Alert and scheduled-task modules over the emulator: each playbook walks check-mode create (no write) ->
create -> rerun (changed=0) -> update one setting (the diff shows only it) -> export fed back (changed=0) ->
bad input fails naming the field before any write -> delete -> rerun. Each test asserts which writes reached
CIPP, their shapes, and that the emulator's conformance log is empty."""
from __future__ import annotations

from tests.integration.harness import run_playbook


def writes(emu, endpoint=None):
    return [r for r in emu.control.requests(service="cipp", endpoint=endpoint) if r.get("state_changed")]


def sent(emu):
    return [r["endpoint"] for r in writes(emu)]


def test_scheduled_task_lifecycle(emu, token_cache):
    run = run_playbook(emu, "governance_scheduled_task.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert "[WARNING]" not in run.output
    assert sent(emu) == ["AddScheduledItem", "AddScheduledItem", "RemoveScheduledItem"], sent(emu)
    assert emu.control.conformance() == []
    create, update, remove = (w["body"] for w in writes(emu))
    assert create == {"TenantFilter": {"value": "contoso.com", "label": "contoso.com"},
                      "Name": "Ansible - weekly licence overview",
                      "Command": {"value": "Get-CIPPLicenseOverview", "label": "Get-CIPPLicenseOverview"},
                      "Parameters": {}, "ScheduledTime": 1925445600, "Recurrence": "7d",  # 2031-01-06T06:00:00Z
                      "PostExecution": {"Webhook": False, "Email": True, "PSA": False}}
    assert update == dict(create, Recurrence="1d", RowKey=update["RowKey"])  # the whole task again, same start
    assert remove == {"id": update["RowKey"]}


def test_alert_lifecycle(emu, token_cache):
    run = run_playbook(emu, "governance_alert.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert "[WARNING]" not in run.output
    assert sent(emu) == ["AddAlert", "AddAlert", "AddScriptedAlert", "AddScriptedAlert",
                         "AddScriptedAlert", "AddScriptedAlert", "RemoveQueuedAlert",  # the two-tenant alert
                         "RemoveQueuedAlert", "RemoveQueuedAlert"], sent(emu)
    assert emu.control.conformance() == []
    create, webhook, scripted, every_4h, two, comment, _removed, remove_audit, remove_scripted = (w["body"] for w in writes(emu))
    assert [t["value"] for t in two["tenantFilter"]] == ["contoso.com", "fabrikam.com"] and "excludedTenants" not in two
    assert comment["RowKey"] and comment["AlertComment"] == "Renew before the end of the month"
    assert comment["tenantFilter"] == two["tenantFilter"] and comment["Recurrence"] == "1d"
    assert create["tenantFilter"] == [{"value": "contoso.com", "label": "Contoso Ltd", "type": "Tenant",
                                       "customerId": "5a1b2c3d-0000-4000-8000-00000000c001"}]
    assert create["logbook"] == {"value": "Audit.Exchange", "label": "Audit.Exchange"}
    assert create["conditions"][1] == {"Property": {"label": "UserId"}, "Operator": {"value": "notin", "label": "Not In"},
                                       "Input": [{"value": "admin@contoso.com", "label": "admin@contoso.com"},
                                                 {"value": "svc-backup@contoso.com", "label": "svc-backup@contoso.com"}]}
    assert create["actions"] == [{"value": "generatemail", "label": "Generate an email"}] and "RowKey" not in create
    assert webhook["RowKey"] == remove_audit["ID"] and len(webhook["actions"]) == 2
    assert scripted["tenantFilter"] == [{"value": "contoso.com", "label": "contoso.com", "type": "Tenant"}]
    assert scripted["Command"]["value"] == "Get-CIPPAlertQuotaUsed" and scripted["Parameters"] == {"InputValue": 90}
    assert scripted["Recurrence"] == "1d" and scripted["PostExecution"] == {"Webhook": False, "Email": True, "PSA": False}
    assert every_4h["RowKey"] == remove_scripted["ID"] and every_4h["Recurrence"] == "4h"
    assert every_4h["ScheduledTime"] > 0  # the next run is kept
    assert remove_audit["EventType"] == "Audit log Alert" and remove_scripted["EventType"] == "Scheduled Task"


def test_converged_request_count(emu, token_cache):
    """A converged alert costs one ListAlertsQueue; a converged task one ListScheduledItems (plus the tenant list
    and version, read once per run and cached beside the token cache)."""
    run = run_playbook(emu, "governance_alerts_converged.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert "[WARNING]" not in run.output
    assert writes(emu) == []
    calls = [r["endpoint"] for r in emu.control.requests(service="cipp")]
    assert [c for c in calls if c not in ("GetVersion", "ListTenants")] == ["ListAlertsQueue", "ListAlertsQueue",
                                                                            "ListScheduledItems"], calls
    assert calls.count("ListTenants") == 1 and calls.count("GetVersion") == 1, calls
    assert emu.control.conformance() == []
