# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of playbooks/converge.yml and playbooks/export.yml: one tenant's outcome from its
registered task results (converge_outcome), the run's plan/apply summary over all tenants
(converge_summary), and a tenant's current users and groups as desired-state items
(desired_users, desired_groups). Documentation: the .yml files of the same names beside this file."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.cipp.cipp.plugins.module_utils._bulk import matches_any
from ansible_collections.cipp.cipp.plugins.module_utils._user_resource import PROFILE_FIELDS

ACTIONS = ("create", "update", "delete")
LISTS = {"create": "created", "update": "updated", "delete": "deleted"}
ITEM_NAMES = ("user_principal_name", "display_name", "name", "upn")
SHARED = "CIPP-wide"


def _item_name(entry: dict) -> str:
    """A loop item's name: its UPN or name; an alert (which has none) by what it runs or watches and its id."""
    item = entry.get("item")
    if isinstance(item, dict):
        for key in ITEM_NAMES:
            if item.get(key):
                return str(item[key])
        definition = item.get("definition")
        if isinstance(definition, dict) and definition.get("displayName"):
            return str(definition["displayName"])
        parts = [str(item[key]) for key in ("command", "log_type") if item.get(key)]
        if item.get("id"):
            parts.append(f"({item['id']})" if parts else str(item["id"]))
        if parts:
            return " ".join(parts)
    return str(item) if item is not None else "?"


def _loop_action(entry: dict) -> str:
    """What one loop iteration of a single-object module did, from its result and diff."""
    if not entry.get("changed"):
        return "none"
    diff = entry.get("diff")
    diff = diff[0] if isinstance(diff, list) and diff else diff
    if isinstance(diff, dict):
        if diff.get("before") in ({}, None, ""):
            return "create"
        if diff.get("after") in ({}, None, ""):
            return "delete"
        return "update"
    # Without --diff: the modules list the changed options of an update in ``changes``.
    if "changes" in entry:
        return "update"
    item = entry.get("item")
    return "delete" if isinstance(item, dict) and item.get("state") == "absent" else "create"


def _kind_outcome(result) -> dict | None:
    """``{created, updated, deleted, failed}`` of one kind's registered result; None when skipped."""
    if not isinstance(result, dict) or not result or (result.get("skipped") and not result.get("results")):
        return None
    lists = {name: [] for name in LISTS.values()}
    if any(name in result for name in LISTS.values()):  # a bulk module (cipp.cipp.users, ...)
        for name in LISTS.values():
            lists[name] = sorted(str(key) for key in result.get(name) or [])
    elif isinstance(result.get("results"), list):  # a single-object module in a loop
        for entry in result["results"]:
            if isinstance(entry, dict) and not entry.get("skipped"):
                action = _loop_action(entry)
                if action != "none":
                    lists[LISTS[action]].append(_item_name(entry))
        lists = {name: sorted(keys) for name, keys in lists.items()}
    elif result.get("changed"):  # one single-object task
        lists[LISTS[_loop_action(result)]].append(_item_name(result))
    lists["failed"] = bool(result.get("failed"))
    return lists


def converge_outcome(results, error=None, tenant=None):
    """One tenant's outcome: ``{tenant, failed, error, kinds: {kind: {created, updated, deleted}}}``."""
    if not isinstance(results, dict):
        raise AnsibleFilterError("converge_outcome expects a dictionary of kind -> registered result")
    kinds = {}
    for kind in sorted(results):
        outcome = _kind_outcome(results[kind])
        if outcome is not None:
            kinds[kind] = outcome
    failed = bool(error) or any(k["failed"] for k in kinds.values())
    return {"tenant": tenant, "failed": failed, "error": str(error) if error else None, "kinds": kinds}


def _summarise_one(name: str, outcome, totals: dict, lines: list) -> dict:
    """One tenant's (or the CIPP-wide objects') entry of the summary; adds to ``totals`` and ``lines``."""
    if not isinstance(outcome, dict) or not outcome:
        outcome = {"failed": True, "error": "no result recorded (unreachable or stopped)", "kinds": {}}
    kinds = {}
    for kind, lists in sorted((outcome.get("kinds") or {}).items()):
        counts = {action: len(lists.get(LISTS[action]) or []) for action in ACTIONS}
        kinds[kind] = dict(counts, **{LISTS[a]: list(lists.get(LISTS[a]) or []) for a in ACTIONS})
        for action in ACTIONS:
            totals[action] += counts[action]
    status = "FAILED" if outcome.get("failed") else (
        "changed" if any(k[a] for k in kinds.values() for a in ACTIONS) else "ok")
    parts = [f"{kind}: +{k['create']} ~{k['update']} -{k['delete']}" for kind, k in kinds.items()]
    line = f"{name}: {status}" + (f" ({', '.join(parts)})" if parts else "")
    if outcome.get("error"):
        line += f" - {outcome['error']}"
    lines.append(line)
    for kind, k in kinds.items():
        for action, sign in (("create", "+"), ("update", "~"), ("delete", "-")):
            lines.extend(f"    {sign} {kind} {key}" for key in k[LISTS[action]])
    return {"status": status, "error": outcome.get("error"), "kinds": kinds}


def converge_summary(outcomes, targets=None, mode="apply", shared=None):
    """The run's summary over tenants: per tenant and kind the creates/updates/deletes, totals,
    the failed tenants (a target without an outcome - unreachable, or stopped before recording
    it - counts as failed) and ``lines`` for the console. ``shared`` is the converge_outcome of
    the CIPP-wide objects (templates, alerts and tasks for several tenants), shown first."""
    if not isinstance(outcomes, dict):
        raise AnsibleFilterError("converge_summary expects a dictionary of tenant -> converge_outcome")
    if shared is not None and not isinstance(shared, dict):
        raise AnsibleFilterError("converge_summary: shared must be the converge_outcome of the CIPP-wide objects")
    names = sorted(set(targets or []) | set(outcomes), key=str.lower)
    totals = {action: 0 for action in ACTIONS}
    lines = [f"{'PLAN' if mode == 'plan' else 'APPLY'}: {len(names)} tenant(s)"]
    shared_entry = _summarise_one(SHARED, shared, totals, lines) if shared else None
    tenants = {name: _summarise_one(name, outcomes.get(name), totals, lines) for name in names}
    failed = [name for name in names if tenants[name]["status"] == "FAILED"]
    shared_failed = bool(shared_entry and shared_entry["status"] == "FAILED")
    lines.append(f"TOTAL: {totals['create']} to create, {totals['update']} to update, {totals['delete']} to delete"
                 f"{' (planned)' if mode == 'plan' else ''}; {len(failed)} tenant(s) FAILED"
                 + (f": {', '.join(failed)}" if failed else "")
                 + ("; the CIPP-wide objects FAILED" if shared_failed else ""))
    return {"mode": mode, "tenants": tenants, "shared": shared_entry, "totals": totals, "failed": failed,
            "lines": lines}


# CIPP sets mailNickname to the UPN's user name on every write, so it is not desired state of its own:
# exported, a nickname that differs would make every later edit of the user fail.
NOT_EXPORTED = ("mail_nickname",)
# Graph properties desired_users reads; user_info's ``properties`` should ask for these.
USER_PROPERTIES = ["userPrincipalName", "accountEnabled", "usageLocation"] + [
    g for option, (g, _f, _c) in PROFILE_FIELDS.items() if option not in NOT_EXPORTED]
GROUP_FIELDS = ("display_name", "group_type", "description", "mail_nickname", "members", "owners")


def has_value(value) -> bool:
    """Whether an exported field is worth writing (not None, empty text, an empty list or dict)."""
    return value not in (None, "", [], {})


def desired_users(rows, exclude=None):
    """Graph ``users`` rows as cipp.cipp.users items: UPN first, then the set fields in the
    option order of cipp.cipp.user, sorted by UPN; no ids, no server-only fields, no secrets."""
    if not isinstance(rows, list):
        raise AnsibleFilterError("desired_users expects a list of Graph user rows (cipp.cipp.user_info's users)")
    items = []
    for row in rows:
        if not isinstance(row, dict) or not row.get("userPrincipalName"):
            continue
        if exclude and matches_any(row["userPrincipalName"], exclude):
            continue
        item = {"user_principal_name": row["userPrincipalName"]}
        for option, (graph_key, _field, _clearable) in PROFILE_FIELDS.items():
            if option in NOT_EXPORTED:
                continue
            value = row.get(graph_key)
            if has_value(value):
                item[option] = list(value) if isinstance(value, list) else value
        if has_value(row.get("usageLocation")):
            item["usage_location"] = row["usageLocation"]
        if row.get("accountEnabled") is not None:
            item["account_enabled"] = bool(row["accountEnabled"])
        items.append(item)
    return sorted(items, key=lambda i: i["user_principal_name"].lower())


def desired_groups(rows, exclude=None):
    """cipp.cipp.group_info groups as cipp.cipp.groups items, sorted by display name (members and
    owners only when group_info read them)."""
    if not isinstance(rows, list):
        raise AnsibleFilterError("desired_groups expects a list of groups (cipp.cipp.group_info's groups)")
    items = []
    for row in rows:
        if not isinstance(row, dict) or not row.get("display_name"):
            continue
        if exclude and matches_any(row["display_name"], exclude):
            continue
        item = {}
        for field in GROUP_FIELDS:
            value = row.get(field)
            if has_value(value) or (field in ("members", "owners") and isinstance(value, list)):
                item[field] = sorted(value, key=str.lower) if isinstance(value, list) else value
        items.append(item)
    return sorted(items, key=lambda i: i["display_name"].lower())


class FilterModule:
    def filters(self):
        return {"converge_outcome": converge_outcome, "converge_summary": converge_summary,
                "desired_users": desired_users, "desired_groups": desired_groups}
