"""ListLogs, ListDomains and ListGDAPRoles as Invoke-ListLogs.ps1 / Invoke-ListDomains.ps1 /
Invoke-ListGDAPRoles.ps1 answer them: days compared as text with yyyyMMdd partitions, the
validators' 500s, StartDate alone meaning one day, case-insensitive severities, substring tenant
matching, unverified domains listed by ListDomains without saying so."""
from __future__ import annotations

import datetime as dt

from tests.emulator_tests.cipp_helpers import CONTOSO, Cipp, kinds, last_entry


def _day(days_ago: int, dashed: bool = False) -> str:
    day = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=days_ago)
    return day.isoformat() if dashed else day.strftime("%Y%m%d")


def _apis(response) -> list:
    assert response.status_code == 200, response.text
    return [row["API"] for row in response.json()]


def test_list_logs_days_are_yyyymmdd_text(emu):
    cipp = Cipp(emu)
    ranged = cipp.get("ListLogs", Filter="true", StartDate=_day(10), EndDate=_day(4))
    assert _apis(ranged) == ["Standards", "AddGroup"]
    assert {row["DateFilter"] for row in ranged.json()} == {_day(5), _day(9)}
    assert kinds(last_entry(emu)) == []
    # yyyy-MM-dd passes ConvertTo-CIPPODataFilterValue, then compares as text with '20261127': nothing.
    dashed = cipp.get("ListLogs", Filter="true", StartDate=_day(10, dashed=True), EndDate=_day(4, dashed=True))
    assert dashed.status_code == 200 and dashed.json() == []
    assert kinds(last_entry(emu)) == ["wrong_date_format", "wrong_date_format"]


def test_list_logs_start_alone_is_one_day_and_end_alone_is_ignored(emu):
    cipp = Cipp(emu)
    assert _apis(cipp.get("ListLogs", Filter="true", StartDate=_day(1))) == ["RemoveUser"]
    assert _apis(cipp.get("ListLogs", Filter="true", DateFilter=_day(3))) == ["ExecResetPass"]
    today = _apis(cipp.get("ListLogs", Filter="true"))
    assert _apis(cipp.get("ListLogs", Filter="true", EndDate=_day(1))) == today
    assert kinds(last_entry(emu)) == ["ignored_field"]
    ignored = cipp.get("ListLogs", StartDate=_day(10), EndDate=_day(4))      # no Filter=true
    assert _apis(ignored) == today
    assert kinds(last_entry(emu)) == ["ignored_field", "ignored_field"]


def test_list_logs_invalid_date_or_guid_is_a_500(emu):
    cipp = Cipp(emu)
    bad = cipp.get("ListLogs", Filter="true", StartDate="30/11/2026")
    assert bad.status_code == 500
    assert bad.text.startswith("Invalid date format for OData filter. Expected ISO 8601")
    guid = cipp.get("ListLogs", Filter="true", ScheduledTaskId="task-1")
    assert guid.status_code == 500 and guid.text == "Invalid GUID format for OData filter: 'task-1'"
    none = cipp.get("ListLogs", Filter="true", ScheduledTaskId="0b6f7a1c-5c1e-4d0e-9d3a-7d2a1f0e9b11")
    assert none.status_code == 200 and none.json() == []
    row = cipp.get("ListLogs", logentryid="not-a-guid")
    assert row.status_code == 500 and "Invalid GUID" in row.text


def test_list_logs_filters_as_the_function_applies_them(emu):
    cipp = Cipp(emu)
    span = {"Filter": "true", "StartDate": _day(60), "EndDate": _day(0)}
    # -in is case-insensitive; Debug only when asked for.
    assert _apis(cipp.get("ListLogs", **span, Severity="error")) == ["ExecDisableUser", "Standards"]
    assert _apis(cipp.get("ListLogs", **span, Severity="Debug")) == ["Scheduler"]
    assert "Scheduler" not in _apis(cipp.get("ListLogs", **span))
    # Tenant: -like "*x*" on the name the row was logged under, so the initial domain's rows are
    # missed by the default domain, and a fragment matches both.
    by_default = cipp.get("ListLogs", **span, Tenant=CONTOSO).json()
    assert "contoso.onmicrosoft.com" not in {r["Tenant"] for r in by_default}
    fragment = cipp.get("ListLogs", **span, Tenant="contoso").json()
    assert {r["Tenant"] for r in fragment} == {CONTOSO, "contoso.onmicrosoft.com"}
    # User: -like with wildcards; API: -match (a regex, case-insensitive).
    assert len(cipp.get("ListLogs", **span, User="ADMIN@*").json()) == 4
    assert _apis(cipp.get("ListLogs", **span, API="^(edituser|RemoveUser)$")) == ["EditUser", "RemoveUser", "EditUser"]
    assert kinds(last_entry(emu)) == []
    rows = cipp.get("ListLogs", **span).json()
    assert [r["DateTime"] for r in rows] == sorted((r["DateTime"] for r in rows), reverse=True)
    assert set(rows[0]) == {"DateTime", "Tenant", "API", "Message", "User", "Severity", "LogData", "TenantID", "AppId",
                            "IP", "RowKey", "StandardInfo", "DateFilter"}


def test_list_domains_lists_unverified_domains_without_saying_so(emu):
    cipp = Cipp(emu)
    domains = cipp.get("ListDomains", tenantFilter=CONTOSO).json()
    assert domains[0] == {"id": CONTOSO, "isDefault": True, "isInitial": False}
    assert {"id": "contoso.net", "isDefault": False, "isInitial": False} in domains
    graph = cipp.get("ListGraphRequest", tenantFilter=CONTOSO, Endpoint="domains").json()["Results"]
    assert {d["id"]: d["isVerified"] for d in graph}["contoso.net"] is False
    org = cipp.get("ListGraphRequest", tenantFilter=CONTOSO, Endpoint="organization").json()["Results"][0]
    assert "contoso.net" not in {d["name"] for d in org["verifiedDomains"]}


def test_list_gdap_roles_is_always_an_array(emu):
    roles = Cipp(emu).get("ListGDAPRoles").json()
    assert isinstance(roles, list) and len(roles) == 4
    assert all(set(r) == {"GroupName", "GroupId", "RoleName", "roleDefinitionId"} for r in roles)
