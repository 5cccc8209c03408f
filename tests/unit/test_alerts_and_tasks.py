"""Alerts and scheduled tasks: option values the modules accept or refuse (naming the option), and how
ListAlertsQueue / ListScheduledItems rows read back in the modules' vocabulary."""
import json

import pytest

from ansible_collections.cipp.cipp.plugins.module_utils import _alerts as alerts
from ansible_collections.cipp.cipp.plugins.module_utils import _scheduled_tasks as tasks
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError


@pytest.mark.parametrize("given, stored", [("once", "once"), ("0", "once"), ("1d", "1d"), ("30M", "30m"), ("7", "7d"),
                                           (" 4h ", "4h"), ("365d", "365d")])
def test_recurrence(given, stored):
    assert tasks.normalise_recurrence(given) == stored


@pytest.mark.parametrize("given", ["weekly", "2w", "1.5d", "-1d", "0d", "d"])
def test_bad_recurrence_names_the_option(given):
    with pytest.raises(CippConfigError, match=r"^option 'recurrence': .*'once'"):
        tasks.normalise_recurrence(given)


def test_start_time():
    assert tasks.parse_start_time("2031-01-06T06:00:00Z") == 1925445600
    assert tasks.parse_start_time("2031-01-06T07:00:00+01:00") == 1925445600
    assert tasks.parse_start_time("2031-01-06T06:00:00") == 1925445600  # UTC without an offset
    assert tasks.parse_start_time("1925445600") == 1925445600
    with pytest.raises(CippConfigError, match=r"^option 'start_time'"):
        tasks.parse_start_time("next monday")


def test_post_execution_is_sent_as_booleans():
    assert tasks.post_execution_body(["email"]) == {"Webhook": False, "Email": True, "PSA": False}
    assert tasks.post_execution_list("Webhook,PSA") == ["psa", "webhook"]
    assert tasks.post_execution_list("") == []


def test_task_row():
    row = {"RowKey": "r1", "Name": "n", "Tenant": {"label": "contoso.com", "value": "contoso.com", "type": "Tenant"},
           "Command": "Get-CIPPLicenseOverview", "Parameters": {"Verbose": True}, "Recurrence": "Once",
           "PostExecution": "Email", "excludedTenants": "", "ScheduledTime": "2031-01-06T06:00:00Z", "TaskState": "Planned",
           "Hidden": False}
    task = tasks.normalise(row)
    assert task["tenant"] == "contoso.com" and task["recurrence"] == "once" and task["excluded_tenants"] == []
    assert tasks.iso_to_epoch(task["scheduled_time"]) == 1925445600


@pytest.mark.parametrize("condition, normalised", [
    ({"property": "Operation", "operator": "EQ", "value": "New-InboxRule"},
     {"property": "Operation", "operator": "eq", "value": "New-InboxRule"}),
    ({"property": "UserId", "operator": "notin", "value": ["b", "a"]}, {"property": "UserId", "operator": "notin", "value": ["a", "b"]}),
    ({"property": "UserId", "operator": "in", "value": "a"}, {"property": "UserId", "operator": "in", "value": ["a"]}),
    ({"property": "ResultStatus", "operator": "ne", "value": True}, {"property": "ResultStatus", "operator": "ne", "value": "True"}),
])
def test_conditions(condition, normalised):
    assert alerts.normalise_condition(condition, 0) == normalised


@pytest.mark.parametrize("condition, field", [
    ({"property": "Operation", "operater": "eq", "value": "x"}, r"conditions\[2\]': unknown key\(s\) operater"),
    ({"property": "Operation", "operator": "startswith", "value": "x"}, r"conditions\[2\]\.operator"),
    ({"property": "Operation; rm", "operator": "eq", "value": "x"}, r"conditions\[2\]\.property"),
    ({"property": "Operation", "operator": "eq", "value": ["x"]}, r"conditions\[2\]\.value"),
    ({"property": "Operation", "operator": "eq"}, r"conditions\[2\]': value missing"),
    ("Operation eq x", r"conditions\[2\]' must be a dict"),
])
def test_bad_conditions_name_the_field(condition, field):
    with pytest.raises(CippConfigError, match=field):
        alerts.normalise_condition(condition, 2)


@pytest.mark.parametrize("given", ["OverusedLicenses", "Get-CIPPAlertOverusedLicenses", "get-cippalertOverusedLicenses"])
def test_alert_command(given):
    assert alerts.full_command(given) == "Get-CIPPAlertOverusedLicenses"


def test_alert_command_refused():
    with pytest.raises(CippConfigError, match=r"^option 'command'"):
        alerts.full_command("Get-CIPPLicenseOverview")


def test_audit_row():
    row = {"RowKey": "a1", "PartitionKey": "Webhookv2", "EventType": "Audit log Alert", "excludedTenants": [None],
           "RawAlert": {"Tenants": [{"value": "contoso.com", "label": "Contoso"}], "type": "Audit.Exchange",
                        "Conditions": [{"Property": {"label": "UserId", "value": "String"}, "Operator": {"value": "notIn"},
                                        "Input": [{"value": "b"}, {"value": "a"}]},
                                       {"Property": {"label": "Operation"}, "Operator": {"value": "eq"}, "Input": {"value": "x"}}],
                        "Actions": [{"value": "generatemail"}, {"value": "disableUser"}], "AlertComment": None}}
    alert = alerts.normalise(row)
    assert alert["kind"] == "audit" and alert["tenants"] == ["contoso.com"] and alert["excluded_tenants"] == []
    assert alert["conditions"] == [{"property": "UserId", "operator": "notin", "value": ["a", "b"]},
                                   {"property": "Operation", "operator": "eq", "value": "x"}]
    assert alert["actions"] == ["disable_user", "email"] and alert["alert_comment"] == "" and alert["command"] is None


def test_scripted_row_drops_the_stored_headers():
    raw = {"Tenant": "AllTenants", "excludedTenants": "northwind.com", "Command": "Get-CIPPAlertQuotaUsed",
           "Parameters": json.dumps({"InputValue": 90, "Headers": {"x-ms-client-principal-name": "id"}}),
           "Recurrence": "4h", "PostExecution": "Email,Webhook", "Name": "AllTenants: QuotaUsed", "ScheduledTime": "1925445600",
           "Tenants": json.dumps([{"value": "contoso.com"}, {"value": "fabrikam.com"}])}
    alert = alerts.normalise({"RowKey": "s1", "EventType": "Scheduled Task", "RawAlert": raw})
    assert alert["tenants"] == ["contoso.com", "fabrikam.com"] and alert["excluded_tenants"] == []
    assert alert["input"] == 90 and alert["recurrence"] == "4h" and alert["actions"] == ["email", "webhook"]
    assert "Headers" not in json.dumps(alerts.public(alert))


class _Response:
    def __init__(self, data):
        self.data = data


class _Client:
    """ListAlertsQueue answers ``rows``; AddScriptedAlert recomputes the exclusions as CIPP does."""

    def __init__(self, rows, managed):
        self.rows, self.managed, self.calls = rows, managed, []

    def call(self, endpoint, params=None, body=None, **_kwargs):
        self.calls.append((endpoint, body))
        if endpoint == "AddScriptedAlert":
            listed = [t["value"] for t in body["tenantFilter"]]
            self.rows[0]["RawAlert"]["excludedTenants"] = ",".join(d for d in self.managed if d not in listed)
        return _Response(self.rows)


class _Tenants:
    def __init__(self, managed):
        self.rows = [{"defaultDomainName": d, "customerId": d, "displayName": d} for d in managed]

    def list(self):
        return self.rows

    def resolve(self, name, **_kwargs):
        return next(r for r in self.rows if r["defaultDomainName"] == name)


class _Cipp:
    check_mode = False
    diff_mode = True

    def __init__(self, params, client, tenants):
        self.params, self.client, self.tenants = params, client, tenants


def test_a_tenant_added_after_a_several_tenant_alert_is_excluded_again():
    managed = ["contoso.com", "fabrikam.com", "northwind.com", "new.example"]
    raw = {"Tenant": "AllTenants", "excludedTenants": "northwind.com", "Command": "Get-CIPPAlertExpiringLicenses",
           "Parameters": "{}", "Recurrence": "1d", "PostExecution": "Webhook", "ScheduledTime": "1925445600",
           "Tenants": json.dumps([{"value": "contoso.com"}, {"value": "fabrikam.com"}])}
    client = _Client([{"RowKey": "s1", "EventType": "Scheduled Task", "RawAlert": raw}], managed)
    params = dict.fromkeys(alerts.ARGUMENT_SPEC)
    params.update(state="present", tenants=["contoso.com", "fabrikam.com"], command="ExpiringLicenses", actions=["webhook"])
    result = alerts.AlertResource(_Cipp(params, client, _Tenants(managed))).run()
    assert result["changed"] and result["changes"] == ["also_runs_for"]
    assert result["diff"]["before"]["also_runs_for"] == ["new.example"] and result["diff"]["after"]["also_runs_for"] == []
    (write,) = [body for endpoint, body in client.calls if endpoint == "AddScriptedAlert"]
    assert write["RowKey"] == "s1" and write["ScheduledTime"] == 1925445600
    again = alerts.AlertResource(_Cipp(params, client, _Tenants(managed))).run()
    assert not again["changed"]


class _TaskClient:
    def __init__(self, row):
        self.row, self.calls = row, []

    def call(self, endpoint, params=None, body=None, **_kwargs):
        self.calls.append((endpoint, body))
        if endpoint == "AddScheduledItem":
            self.row.update(Recurrence=body["Recurrence"])
        return _Response([self.row])


def _task_row(**extra):
    return dict({"RowKey": "t1", "Name": "Report", "Tenant": {"value": "contoso.com"}, "Command": "Get-CIPPLicenseOverview",
                 "Parameters": {}, "Recurrence": "7d", "PostExecution": "", "excludedTenants": "", "Hidden": False,
                 "ScheduledTime": "2031-01-06T06:00:00Z", "TaskState": "Completed"}, **extra)


def _task_params(**values):
    params = dict.fromkeys(tasks.ARGUMENT_SPEC)
    params.update(state="present", name="Report", tenant="contoso.com", **values)
    return params


class _TaskCipp(_Cipp):
    def resolve_tenant(self, **_kwargs):
        return {"defaultDomainName": "contoso.com"}


def test_a_task_rewrite_keeps_cipps_own_fields_and_the_next_run():
    client = _TaskClient(_task_row(Reference="offboarding-1", AlertComment="keep me"))
    result = tasks.ScheduledTaskResource(_TaskCipp(_task_params(recurrence="1d"), client, None)).run()
    assert result["changes"] == ["recurrence"]
    (write,) = [body for endpoint, body in client.calls if endpoint == "AddScheduledItem"]
    assert write["RowKey"] == "t1" and write["ScheduledTime"] == 1925445600
    assert write["Reference"] == "offboarding-1" and write["AlertComment"] == "keep me"


def test_a_triggered_task_is_not_rewritten():
    client = _TaskClient(_task_row(Trigger={"Type": {"value": "DeltaQuery"}}))
    with pytest.raises(CippConfigError, match="triggered task"):
        tasks.ScheduledTaskResource(_TaskCipp(_task_params(recurrence="1d"), client, None)).run()
    assert [endpoint for endpoint, _body in client.calls] == ["ListScheduledItems"]
    unchanged = tasks.ScheduledTaskResource(_TaskCipp(_task_params(recurrence="7d"), client, None)).run()
    assert not unchanged["changed"]
