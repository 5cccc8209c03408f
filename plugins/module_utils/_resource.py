# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declarative base of every stateful module: find -> normalise -> compare only what
the user set -> check mode -> write -> read back and verify -> diff -> return.

CIPP answers "success" for writes that did nothing (an unknown tenant, a dropped field),
so a write is reported done only when a fresh read shows the desired state; the read is
retried for a short, bounded time because Graph is eventually consistent. A subclass
declares how to read, create, update and delete one object; everything else is here.
Private: the interface may change in any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import time

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippResultError
from ansible_collections.cipp.cipp.plugins.module_utils._masking import MASK

VERIFY_TIMEOUT = 30.0
VERIFY_FIRST_WAIT = 0.5
VERIFY_MAX_WAIT = 4.0


def _comparable(value, unordered: bool):
    if isinstance(value, str):
        return value
    if isinstance(value, list) and unordered:
        return sorted((_comparable(v, False) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: _comparable(v, False) for k, v in value.items()}
    return value


def differences(current: dict, desired: dict, unordered=(), case_insensitive=()) -> dict:
    """Fields of ``desired`` (None = unmanaged) whose value differs from ``current``."""
    changes = {}
    for field, wanted in desired.items():
        if wanted is None:
            continue
        have = current.get(field)
        if field in case_insensitive and isinstance(wanted, str) and isinstance(have, str):
            same = wanted.lower() == have.lower()
        elif field in case_insensitive and isinstance(wanted, list) and isinstance(have, list):
            same = sorted(str(v).lower() for v in wanted) == sorted(str(v).lower() for v in have)
        else:
            same = _comparable(wanted, field in unordered) == _comparable(have, field in unordered)
        if not same:
            changes[field] = wanted
    return changes


class StatefulResource:
    """Subclasses set the class attributes and implement ``read``/``create``/``update``/``delete``."""

    #: key of the object in the task result (``user``, ``group``, ...)
    result_key = "object"
    #: fields that are written but can never be read back (passwords): not compared, masked
    write_only_fields = ()
    #: list fields whose order does not matter
    unordered_fields = ()
    #: string (or list of strings) fields compared without case
    case_insensitive_fields = ()

    def __init__(self, cipp):
        self.cipp = cipp
        self.params = cipp.params
        self.client = cipp.client

    # --------------------------------------------------------------- to implement
    def read(self):
        """The current object in the module's own vocabulary, or None when absent."""
        raise NotImplementedError

    def desired(self) -> dict:
        """Managed fields and wanted values (None = unmanaged), in ``read``'s vocabulary."""
        raise NotImplementedError

    def create(self, desired: dict) -> None:
        raise NotImplementedError

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        raise NotImplementedError

    def delete(self, current: dict) -> None:
        raise NotImplementedError

    def validate(self, current, desired: dict) -> None:
        """Checks that need the current state (e.g. free licence seats); raise CippConfigError."""

    def extra_changes(self, current: dict, desired: dict) -> dict:
        """Changes the plain comparison cannot see (e.g. a password with update_password=always)."""
        return {}

    # --------------------------------------------------------------- the flow
    def run(self) -> dict:
        current = self.read()
        if self.params.get("state", "present") == "absent":
            return self._absent(current)
        return self._present(current)

    def _present(self, current) -> dict:
        return self._finish(self.plan_present(current))

    def _absent(self, current) -> dict:
        return self._finish(self.plan_absent(current))

    def _finish(self, plan: dict) -> dict:
        """Write ``plan`` (unless check mode), verify it by reading back, return the result."""
        if plan["action"] == "none" or self.cipp.check_mode:
            return self.outcome(plan)
        self.apply(plan)
        if plan["action"] == "delete":
            return self.outcome(plan, self._verify(None, "delete"))
        return self.outcome(plan, self._verify(plan["desired"], plan["action"]))

    # The pieces of the flow, for callers that handle many objects at once (the bulk modules):
    # plan every object first (no writes), apply the plans, verify against one fresh read.
    def plan(self, current) -> dict:
        """What the task would do to ``current`` (None: absent): ``{action, current, desired, changes}``
        with ``action`` one of create/update/delete/none. Validates; never writes."""
        if self.params.get("state", "present") == "absent":
            return self.plan_absent(current)
        return self.plan_present(current)

    def plan_present(self, current) -> dict:
        desired = self.desired()
        self.validate(current, desired)
        if current is None:
            return {"action": "create", "current": None, "desired": desired, "changes": {}}
        changes = self.compare(current, desired)
        changes.update(self.extra_changes(current, desired))
        return {"action": "update" if changes else "none", "current": current, "desired": desired, "changes": changes}

    def plan_absent(self, current) -> dict:
        return {"action": "none" if current is None else "delete", "current": current, "desired": None, "changes": {}}

    def apply(self, plan: dict) -> None:
        """Send the writes of ``plan`` (no read-back)."""
        if plan["action"] == "create":
            self.create(plan["desired"])
        elif plan["action"] == "update":
            self.update(plan["current"], plan["changes"], plan["desired"])
        elif plan["action"] == "delete":
            self.delete(plan["current"])

    def pending(self, plan: dict, now) -> dict:
        """What of ``plan`` a fresh read ``now`` does not show yet ({} = applied)."""
        if plan["action"] == "delete":
            return {"exists": True} if now is not None else {}
        if plan["action"] == "none":
            return {}
        if now is None:
            return {"exists": False}
        return self.compare(now, plan["desired"])

    def not_applied(self, plan: dict, now, pending: dict) -> CippResultError:
        """The error for a write that a fresh read does not show."""
        return CippResultError(self._not_applied_message(plan["action"], now, pending), action=plan["action"],
                               not_applied=sorted(pending))

    def outcome(self, plan: dict, now=None) -> dict:
        """The task result for ``plan``; ``now`` is the verified read-back after the writes
        (None in check mode or when nothing was written: the result is predicted)."""
        action, current, desired, changes = plan["action"], plan["current"], plan["desired"], plan["changes"]
        if action == "none":
            return self._result(False, {}, {}, None) if current is None else self._result(False, current, current, current)
        if action == "delete":
            return self._result(True, current, {}, None)
        if action == "create":
            after = {k: v for k, v in desired.items() if v is not None}
            if now is not None:
                after = self._with_write_only(now, desired)
            return self._result(True, {}, after, after)
        after = dict(current, **changes) if now is None else self._with_write_only(now, changes)
        return self._result(True, current, after, after, changes)

    def compare(self, current: dict, desired: dict) -> dict:
        comparable = {k: v for k, v in desired.items() if k not in self.write_only_fields}
        return differences(current, comparable, self.unordered_fields, self.case_insensitive_fields)

    def _verify(self, desired, action: str):
        """Read back until the object shows ``desired`` (None: until it is gone), bounded."""
        deadline = time.monotonic() + VERIFY_TIMEOUT
        wait = VERIFY_FIRST_WAIT
        while True:
            now = self.read()
            if desired is None:
                if now is None:
                    return None
                pending = {"exists": True}
            elif now is None:
                pending = {"exists": False}
            else:
                pending = self.compare(now, desired)
                if not pending:
                    return now
            if time.monotonic() + wait > deadline:
                raise self.not_applied({"action": action}, now, pending)
            time.sleep(wait)
            wait = min(VERIFY_MAX_WAIT, wait * 2)

    def _not_applied_message(self, action: str, now, pending: dict) -> str:
        name = self.result_key
        if action == "delete":
            return f"CIPP reported the {name} deleted, but it still exists after {int(VERIFY_TIMEOUT)}s"
        if now is None:
            return f"CIPP reported the {name} {action}d, but it cannot be found after {int(VERIFY_TIMEOUT)}s"
        details = ", ".join(f"{field} is {now.get(field)!r}, wanted {value!r}" for field, value in sorted(pending.items()))
        return f"CIPP reported the {name} {action}d, but these changes did not stick: {details}"

    # --------------------------------------------------------------- output
    def _with_write_only(self, obj: dict, written: dict) -> dict:
        """``obj`` plus the write-only fields that were sent (shown masked, never read back)."""
        extra = {k: written[k] for k in self.write_only_fields if written.get(k) is not None}
        return dict(obj, **extra)

    def mask(self, obj):
        if not isinstance(obj, dict):
            return obj
        return {k: (MASK if k in self.write_only_fields and v not in (None, "") else v) for k, v in obj.items()}

    def _result(self, changed: bool, before, after, obj, changes=None) -> dict:
        result = {"changed": changed, self.result_key: self.mask(obj) if obj is not None else None}
        if changes is not None:
            result["changes"] = sorted(changes)
        if self.cipp.diff_mode:
            result["diff"] = {"before": self.mask(before or {}), "after": self.mask(after or {})}
        return result
