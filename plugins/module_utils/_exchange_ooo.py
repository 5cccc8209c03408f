# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``cipp.cipp.out_of_office`` resource: automatic replies read through ListOoO (query
``userid``, lower case) and written through ExecSetOoO.

ExecSetOoO reads ``userId``, ``tenantFilter``, ``AutoReplyState`` (``.value`` first, so a
``{value, label}`` object), ``InternalMessage`` / ``ExternalMessage`` (blank ones are dropped,
so a message cannot be cleared) and, for ``Scheduled`` only, ``StartTime`` / ``EndTime`` as
Unix seconds. Set-CIPPOutOfOffice sets ``ExternalAudience`` to ``None`` unless an external
message is sent, so every write carries the external message (the desired one, else the
current one). Exchange stores messages as HTML; they are compared as text. ListOoO shows
times as ``yyyy-MM-dd HH:mm`` in the function app's time zone (UTC). Private.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime
import html
import re

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._exchange_mailboxes import MailboxDirectory
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource, differences
from ansible_collections.cipp.cipp.plugins.module_utils._shapes import label_value

STATES = {"enabled": "Enabled", "disabled": "Disabled", "scheduled": "Scheduled"}
MESSAGES = ("internal_message", "external_message")
TIME_FORMAT = "%Y-%m-%d %H:%M"
TAG = re.compile(r"<[^>]*>")
BREAK = re.compile(r"<\s*(br|/p|/div|/li)\b[^>]*>", re.IGNORECASE)
SPACE = re.compile(r"\s+")

ARGUMENT_SPEC = dict(
    mailbox=dict(type="str", required=True),
    state=dict(type="str", choices=sorted(STATES), default="enabled"),
    internal_message=dict(type="str"),
    external_message=dict(type="str"),
    start_time=dict(type="str"),
    end_time=dict(type="str"),
)


def message_text(value) -> str:
    """A message as text: HTML tags dropped, entities decoded, whitespace collapsed."""
    text = BREAK.sub(" ", str(value or ""))
    text = html.unescape(TAG.sub("", text)).replace("\xa0", " ")
    return SPACE.sub(" ", text).strip()


def parse_time(value, option: str) -> datetime.datetime:
    """An aware UTC datetime from ISO 8601 (``2026-07-01 08:00``, ``2026-07-01T08:00:00+02:00``)
    or Unix seconds; a time without zone is UTC."""
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{9,11}", text):
            return datetime.datetime.fromtimestamp(int(text), datetime.timezone.utc)
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise CippConfigError(f"option '{option}': {value!r} is not a date and time such as 2026-07-01 08:00 "
                              "(ISO 8601; UTC unless it carries an offset)", option=option) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.astimezone(datetime.timezone.utc)


class OutOfOfficeResource(StatefulResource):
    result_key = "out_of_office"

    def __init__(self, cipp):
        super().__init__(cipp)
        p = self.params
        for option in MESSAGES:
            if p[option] is not None and not message_text(p[option]):
                raise CippConfigError(f"option '{option}': CIPP cannot clear a message (it drops empty ones); "
                                      "leave the option out to keep the current text", option=option)
        self.start = self.end = None
        if p["state"] == "scheduled":
            for option in ("start_time", "end_time"):
                if not p[option]:
                    raise CippConfigError(f"option '{option}' is required with state: scheduled", option=option)
            self.start, self.end = parse_time(p["start_time"], "start_time"), parse_time(p["end_time"], "end_time")
            if self.end <= self.start:
                raise CippConfigError(f"option 'end_time': {p['end_time']} is not after start_time {p['start_time']}",
                                      option="end_time")
        elif p["start_time"] or p["end_time"]:
            option = "start_time" if p["start_time"] else "end_time"
            raise CippConfigError(f"option '{option}': start_time and end_time apply to state: scheduled only", option=option)
        self.tenant = cipp.resolve_tenant(endpoint="ExecSetOoO")["defaultDomainName"]
        self.upn = MailboxDirectory(self.client, self.tenant).require(p["mailbox"], "mailbox")["UPN"]

    def run(self) -> dict:
        # Automatic replies always exist as a setting of the mailbox: state says which.
        return self._present(self.read())

    def read(self):
        data = self.client.call("ListOoO", params={"tenantFilter": self.tenant, "userid": self.upn}).data
        data = data if isinstance(data, dict) else {}
        state = str(data.get("AutoReplyState") or "Disabled").lower()
        return {"mailbox": self.upn, "state": state, "internal_message": data.get("InternalMessage") or "",
                "external_message": data.get("ExternalMessage") or "",
                "start_time": data.get("StartTime") or "", "end_time": data.get("EndTime") or ""}

    def desired(self) -> dict:
        p = self.params
        wanted = {"state": p["state"], "internal_message": p["internal_message"],
                  "external_message": p["external_message"]}
        if self.start is not None:
            wanted.update(start_time=self.start.strftime(TIME_FORMAT), end_time=self.end.strftime(TIME_FORMAT))
        return wanted

    def compare(self, current: dict, desired: dict) -> dict:
        plain = {k: v for k, v in desired.items() if k not in MESSAGES}
        changes = differences(current, plain)
        for option in MESSAGES:
            if desired.get(option) is not None and message_text(desired[option]) != message_text(current.get(option)):
                changes[option] = desired[option]
        return changes

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        state = STATES[desired["state"]]
        body = {"tenantFilter": self.tenant, "userId": self.upn, "AutoReplyState": label_value(state)}
        for option, field in (("internal_message", "InternalMessage"), ("external_message", "ExternalMessage")):
            text = desired.get(option) if desired.get(option) is not None else current.get(option)
            if text:
                body[field] = text
        if state == "Scheduled":
            body.update(StartTime=int(self.start.timestamp()), EndTime=int(self.end.timestamp()))
        self.client.call("ExecSetOoO", body=body)
