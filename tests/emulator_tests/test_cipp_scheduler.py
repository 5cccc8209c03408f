"""CIPP's scheduler as the collection uses it: AddScheduledItem creates, and with an existing RowKey replaces
the task (state reset to Planned, hidden kept); ListScheduledItems answers the stored row with ISO times and
the parameters minus the caller's headers; RemoveScheduledItem."""
from __future__ import annotations

import datetime as dt

from tests.emulator_tests.cipp_helpers import CONTOSO, Cipp, kinds, last_entry

START = int(dt.datetime(2031, 1, 6, 2, 0, tzinfo=dt.timezone.utc).timestamp())


def task(**extra):
    return {"TenantFilter": CONTOSO, "Name": "Licence report", "Command": {"value": "Get-CIPPLicenseOverview"},
            "Parameters": {"Verbose": True, "Empty": ""}, "ScheduledTime": START, "Recurrence": "7d",
            "PostExecution": {"Webhook": True, "Email": False, "PSA": True}, **extra}


def test_create_list_edit_remove(emu):
    cipp = Cipp(emu)
    added = cipp.post("AddScheduledItem", task()).json()
    assert added["Results"].startswith("Successfully added task: Licence report. It will run in ")
    assert kinds(last_entry(emu, "AddScheduledItem")) == []
    (row,) = cipp.get("ListScheduledItems", Name="Licence report").json()
    assert row["Tenant"] == {"label": CONTOSO, "value": CONTOSO, "type": "Tenant"}
    assert row["Parameters"] == {"Verbose": True}            # empty values dropped, Headers removed
    assert row["ScheduledTime"] == "2031-01-06T02:00:00Z" and row["Recurrence"] == "7d"
    assert row["PostExecution"] == "Webhook,PSA" and row["Hidden"] is False and row["TaskState"] == "Planned"
    cipp.post("AddScheduledItem", task(RowKey=row["RowKey"], Recurrence="0", PostExecution={"Email": True}))
    (edited,) = cipp.get("ListScheduledItems", Name="Licence report").json()
    assert edited["RowKey"] == row["RowKey"] and edited["Recurrence"] == "Once" and edited["PostExecution"] == "Email"
    assert edited["ScheduledTime"] == row["ScheduledTime"]
    assert cipp.get("ListScheduledItems", Name="Licence report", tenantFilter="fabrikam.com").json() == []
    assert len(cipp.get("ListScheduledItems", Name="Licence report", tenantFilter=CONTOSO).json()) == 1
    assert cipp.post("RemoveScheduledItem", {"id": row["RowKey"]}).json() == {"Results": "Task removed successfully."}
    assert cipp.get("ListScheduledItems", Name="Licence report").json() == []


def test_all_tenants_task_with_exclusions(emu):
    cipp = Cipp(emu)
    cipp.post("AddScheduledItem", task(TenantFilter={"value": "AllTenants", "label": "*All Tenants"}, Name="Everyone",
                                       excludedTenants=[{"value": "fabrikam.com", "label": "fabrikam.com"}]))
    (row,) = cipp.get("ListScheduledItems", Name="Everyone").json()
    assert row["Tenant"]["value"] == "AllTenants" and row["excludedTenants"] == "fabrikam.com"


def test_unknown_keys_and_bare_post_execution_are_findings(emu):
    cipp = Cipp(emu)
    cipp.post("AddScheduledItem", task(Name="Bad", PostExecution=["Email"], Interval="7d"))
    found = {(f["kind"], f["field"]) for f in last_entry(emu, "AddScheduledItem")["conformance"]}
    assert found == {("bare_labelvalue", "body.PostExecution[0]"), ("unknown_key", "body.Interval")}
    (row,) = cipp.get("ListScheduledItems", Name="Bad").json()
    assert row["PostExecution"] == ""


def test_trigger_is_stored_and_listed_as_an_object(emu):
    cipp = Cipp(emu)
    trigger = {"Type": {"value": "DeltaQuery"}, "DeltaResource": {"value": "users"}, "EventType": {"value": "created"}}
    cipp.post("AddScheduledItem", task(Name="On new users", Trigger=trigger, Reference="ref-1"))
    (row,) = cipp.get("ListScheduledItems", Name="On new users").json()
    assert row["Trigger"] == trigger and row["Reference"] == "ref-1"
