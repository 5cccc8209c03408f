"""The logbook's date and filter options: what the module accepts, what it refuses (naming the
option) and the ListLogs query it builds."""
import datetime as dt
import re

import pytest

from ansible_collections.cipp.cipp.plugins.module_utils import _audit_log as log
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError

NOW = dt.datetime(2026, 12, 2, 14, 30, tzinfo=dt.timezone.utc)
EMPTY = {key: None for key in ("date", "start_date", "end_date", "since", "severity", "user", "api",
                               "standard_template_id", "scheduled_task_id", "baseline_run_id")}


def options(**values):
    return dict(EMPTY, **values)


@pytest.mark.parametrize("text, day", [("2026-11-30", dt.date(2026, 11, 30)), ("20261130", dt.date(2026, 11, 30)),
                                       ("Today", dt.date(2026, 12, 2)), ("yesterday", dt.date(2026, 12, 1))])
def test_days(text, day):
    assert log.parse_day(text, "date", NOW.date()) == day


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "30/11/2026", "last tuesday", "", "2026-11-30T08:00:00Z"])
def test_bad_days_name_the_option(text):
    with pytest.raises(CippConfigError, match=r"^option 'start_date': .*YYYY-MM-DD"):
        log.parse_day(text, "start_date", NOW.date())


@pytest.mark.parametrize("text, back", [("30m", dt.timedelta(minutes=30)), ("12h", dt.timedelta(hours=12)),
                                        ("7d", dt.timedelta(days=7)), ("2 weeks", dt.timedelta(days=14)),
                                        ("1 day", dt.timedelta(days=1))])
def test_since_durations(text, back):
    assert log.parse_since(text, "since", NOW) == NOW - back


def test_since_instants():
    assert log.parse_since("2026-11-30T08:00:00+02:00", "since", NOW) == dt.datetime(2026, 11, 30, 6, tzinfo=dt.timezone.utc)
    assert log.parse_since("2026-11-30", "since", NOW) == dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc)
    for bad in ("7 fortnights", "0d", "soon"):
        with pytest.raises(CippConfigError, match="^option 'since'"):
            log.parse_since(bad, "since", NOW)


def test_day_range():
    assert log.day_range(options(), NOW) == (None, None, None)
    assert log.day_range(options(date="2026-11-30"), NOW)[:2] == (dt.date(2026, 11, 30),) * 2
    first, last, since = log.day_range(options(since="24h"), NOW)
    # A day of slack either side: CIPP's partitions are days in its own time zone.
    assert (first, last, since) == (dt.date(2026, 11, 30), dt.date(2026, 12, 3), NOW - dt.timedelta(hours=24))
    assert log.day_range(options(start_date="2026-11-01"), NOW)[:2] == (dt.date(2026, 11, 1), dt.date(2026, 12, 3))
    with pytest.raises(CippConfigError, match="after the end"):
        log.day_range(options(start_date="2026-11-30", end_date="2026-11-01"), NOW)
    with pytest.raises(CippConfigError, match="^option 'end_date' needs 'start_date'"):
        log.day_range(options(end_date="2026-11-01"), NOW)
    with pytest.raises(CippConfigError, match="future"):
        log.day_range(options(since="2027-01-01T00:00:00Z"), NOW)


def test_query():
    query = log.build_query(options(severity=["warning", "Error", "warn"], user="admin@*", api=["EditUser", "Odd.Name"],
                                    scheduled_task_id="0B6F7A1C-5C1E-4D0E-9D3A-7D2A1F0E9B11"),
                            dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert query == {"Filter": "true", "StartDate": "20261101", "EndDate": "20261130", "Severity": "Warn,Warning,Error",
                     "User": "admin@*", "API": r"^(EditUser|Odd\.Name)$",
                     "ScheduledTaskId": "0b6f7a1c-5c1e-4d0e-9d3a-7d2a1f0e9b11"}
    assert re.search(query["API"], "odd.name", re.IGNORECASE) and not re.search(query["API"], "OddxName")
    assert log.build_query(options(), None, None) == {"Filter": "true"}
    with pytest.raises(CippConfigError, match="^option 'severity'"):
        log.build_query(options(severity=["loud"]), None, None)
    with pytest.raises(CippConfigError, match="^option 'baseline_run_id'"):
        log.build_query(options(baseline_run_id="run-1"), None, None)


def test_entries_and_tenant_match():
    row = {"DateTime": "2026-12-02T08:02:11.1234567Z", "Tenant": "contoso.onmicrosoft.com", "API": "EditUser",
           "Message": "m", "User": "u", "Severity": "Info", "LogData": "", "TenantID": "None", "AppId": None, "IP": None,
           "RowKey": "r", "StandardInfo": {}, "DateFilter": "20261202"}
    entry = log.normalise(row)
    assert entry["day"] == "2026-12-02" and entry["tenant_id"] is None and entry["standard"] == {}
    assert log.parse_timestamp(entry["time"]) == dt.datetime(2026, 12, 2, 8, 2, 11, 123456, tzinfo=dt.timezone.utc)
    contoso = {"defaultDomainName": "contoso.com", "initialDomainName": "contoso.onmicrosoft.com",
               "customerId": "5a1b2c3d-0000-4000-8000-00000000c001"}
    assert log.tenant_matcher(contoso)(entry)
    assert log.tenant_matcher(contoso)({"tenant": "None", "tenant_id": "5A1B2C3D-0000-4000-8000-00000000C001"})
    assert not log.tenant_matcher(contoso)({"tenant": "subcontoso.com", "tenant_id": None})
    assert log.tenant_matcher(None)({"tenant": "anything"})
