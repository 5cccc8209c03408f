# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CIPP's logbook (``ListLogs``): friendly dates and filters turned into the query the backend
reads, and its rows into snake_case entries. Private: the interface may change in any release.

What ``Invoke-ListLogs.ps1`` does with the query (it reads nothing without ``Filter=true``):
``StartDate``/``EndDate`` (or ``DateFilter`` for both) select the table partitions, one per day
(``yyyyMMdd`` in the instance's ``CIPP_TIMEZONE``, UTC by default), compared *as text*: a dashed
``yyyy-MM-dd`` passes its validator and then matches no day, so days are always sent as
``yyyyMMdd``. ``StartDate`` alone reads that one day only, which is why an open range is sent
with an end. ``StandardTemplateId``/``ScheduledTaskId``/``BaselineRunId`` are table filters;
``Severity`` (csv, default every level but Debug), ``User`` (``-like``), ``API`` (``-match``) and
``Tenant`` (``-like *x*`` on the one name the row was logged under) are applied by the function
before it answers.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime as dt
import re

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError

UTC = dt.timezone.utc
SEVERITIES = {"info": ("Info",), "warn": ("Warn", "Warning"), "warning": ("Warn", "Warning"), "error": ("Error",),
              "critical": ("Critical",), "alert": ("Alert",), "debug": ("Debug",)}
SEVERITY_CHOICES = ("info", "warning", "error", "critical", "alert", "debug")
_DAY = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_DURATION = re.compile(r"^(\d+)\s*(m|min|minutes?|h|hours?|d|days?|w|weeks?)$", re.IGNORECASE)
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)
# Time zones reach at most 14 hours from UTC: one day either side of a UTC instant covers
# whichever day CIPP filed it under.
ZONE_SLACK = dt.timedelta(days=1)


def parse_day(value, option: str, today: dt.date) -> dt.date:
    """A calendar day: ``YYYY-MM-DD``, ``YYYYMMDD``, ``today`` or ``yesterday`` (UTC)."""
    text = str(value).strip().lower()
    if text == "today":
        return today
    if text == "yesterday":
        return today - dt.timedelta(days=1)
    match = _DAY.match(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CippConfigError(f"option '{option}': {value!r} is not a date; use YYYY-MM-DD (e.g. 2026-11-30), "
                          "YYYYMMDD, today or yesterday", option=option)


def parse_since(value, option: str, now: dt.datetime) -> dt.datetime:
    """An instant: a duration back from now (``90m``, ``12h``, ``7d``, ``2w``) or an ISO 8601
    date or date-time (UTC unless it carries an offset)."""
    text = str(value).strip()
    match = _DURATION.match(text)
    if match:
        amount = int(match.group(1))
        if amount <= 0:
            raise CippConfigError(f"option '{option}': {value!r} is not a positive duration", option=option)
        return now - dt.timedelta(seconds=amount * _UNIT_SECONDS[match.group(2)[0].lower()])
    if _DAY.match(text):
        return dt.datetime.combine(parse_day(text, option, now.date()), dt.time(), UTC)
    when = parse_timestamp(text)
    if when is None:
        raise CippConfigError(f"option '{option}': {value!r} is neither a duration such as 30m, 12h, 7d or 2w nor "
                              "an ISO 8601 date-time such as 2026-11-30T08:00:00Z", option=option)
    return when


def parse_timestamp(text) -> dt.datetime | None:
    """``2026-12-02T08:02:11.1234567Z`` / ``...+01:00`` (CIPP's DateTime) as an aware datetime."""
    match = _TIMESTAMP.match(str(text or "").strip())
    if not match:
        return None
    day, clock, fraction, zone = match.groups()
    micro = (fraction or ".0")[1:7].ljust(6, "0")
    offset = UTC
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return dt.datetime.fromisoformat(f"{day}T{clock}.{micro}").replace(tzinfo=offset)
    except ValueError:
        return None


def partition(day: dt.date) -> str:
    """The day as ListLogs compares it with its PartitionKeys."""
    return day.strftime("%Y%m%d")


def day_range(params: dict, now: dt.datetime) -> tuple:
    """``(first_day, last_day, since)`` from the date options (validated; nothing sent yet);
    ``(None, None, None)`` without any: CIPP then reads its own today."""
    today = now.date()
    since = None
    if params.get("since") is not None:
        since = parse_since(params["since"], "since", now)
        if since > now:
            raise CippConfigError(f"option 'since': {params['since']!r} lies in the future", option="since")
        return (since - ZONE_SLACK).date(), today + ZONE_SLACK, since
    if params.get("date") is not None:
        day = parse_day(params["date"], "date", today)
        return day, day, None
    if params.get("start_date") is None:
        if params.get("end_date") is not None:
            raise CippConfigError("option 'end_date' needs 'start_date' (CIPP ignores an end without a start)",
                                  option="end_date")
        return None, None, None  # CIPP's own default: its today, in its time zone
    first = parse_day(params["start_date"], "start_date", today)
    last = parse_day(params["end_date"], "end_date", today) if params.get("end_date") is not None else today + ZONE_SLACK
    if first > last:
        raise CippConfigError(f"options 'start_date' ({first.isoformat()}) and 'end_date' ({last.isoformat()}): "
                              "the start lies after the end", option="start_date")
    return first, last, None


def severities(values) -> list:
    """CIPP's severity names for the ``severity`` option (case-insensitive; warn = Warn and Warning)."""
    out = []
    for value in values or []:
        names = SEVERITIES.get(str(value).strip().lower())
        if names is None:
            raise CippConfigError(f"option 'severity': {value!r} is not a CIPP log level; choose from "
                                  f"{', '.join(SEVERITY_CHOICES)}", option="severity")
        out.extend(name for name in names if name not in out)
    return out


def guid(value, option: str) -> str | None:
    """A GUID option (CIPP fails the whole request with a 500 on anything else)."""
    if value is None:
        return None
    text = str(value).strip()
    if not _GUID.match(text):
        raise CippConfigError(f"option '{option}': {value!r} is not a GUID", option=option)
    return text.lower()


def api_pattern(names) -> str | None:
    """A .NET regex matching exactly one of ``names`` (ListLogs applies ``API`` with ``-match``)."""
    cleaned = [str(name).strip() for name in names or [] if str(name).strip()]
    if not cleaned:
        return None
    return "^(" + "|".join(re.sub(r"([^A-Za-z0-9_])", r"\\\1", name) for name in cleaned) + ")$"


def build_query(params: dict, first: dt.date | None, last: dt.date | None) -> dict:
    """The ListLogs query for the options (validated by the caller)."""
    query = {"Filter": "true"}
    if first is not None:
        query.update(StartDate=partition(first), EndDate=partition(last))
    levels = severities(params.get("severity"))
    if levels:
        query["Severity"] = ",".join(levels)
    if params.get("user"):
        query["User"] = str(params["user"]).strip()
    pattern = api_pattern(params.get("api"))
    if pattern:
        query["API"] = pattern
    for option, key in (("standard_template_id", "StandardTemplateId"), ("scheduled_task_id", "ScheduledTaskId"),
                        ("baseline_run_id", "BaselineRunId")):
        value = guid(params.get(option), option)
        if value:
            query[key] = value
    return query


def normalise(row: dict) -> dict:
    """One ListLogs row as a snake_case entry."""
    day = str(row.get("DateFilter") or "")
    tenant_id = row.get("TenantID")
    standard = row.get("StandardInfo") if "StandardInfo" in row else row.get("Standard")
    return {
        "id": row.get("RowKey"),
        "time": row.get("DateTime"),
        "day": f"{day[:4]}-{day[4:6]}-{day[6:8]}" if re.match(r"^\d{8}$", day) else day or None,
        "tenant": row.get("Tenant"),
        "tenant_id": None if tenant_id in (None, "", "None") else tenant_id,
        "api": row.get("API"),
        "message": row.get("Message"),
        "user": row.get("User"),
        "severity": row.get("Severity"),
        "log_data": row.get("LogData"),
        "app_id": row.get("AppId"),
        "ip": row.get("IP"),
        "standard": standard if isinstance(standard, dict) else {},
    }


def tenant_matcher(row: dict | None):
    """A predicate: was the entry logged for this tenant (under any of its names)?"""
    if row is None:
        return lambda entry: True
    names = {str(row.get(key) or "").lower() for key in ("defaultDomainName", "initialDomainName", "customerId")}
    names.discard("")
    customer_id = str(row.get("customerId") or "").lower()

    def matches(entry: dict) -> bool:
        return (str(entry.get("tenant") or "").lower() in names
                or (bool(customer_id) and str(entry.get("tenant_id") or "").lower() == customer_id))
    return matches
