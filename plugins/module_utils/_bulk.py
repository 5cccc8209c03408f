# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bulk desired state: a whole tenant's users (or groups) in one task.

The single-object resources (``UserResource``, ``GroupResource``) do the comparing and the
writing; this module only feeds them: every item is validated against the single module's
argument spec and planned (no writes) before the first write, the tenant is listed once
(paged) instead of once per item, and the writes are verified against one fresh list read
(or per object when there are only a few). Private: the interface may change in any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import fnmatch
import re
import time

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError, CippError
from ansible_collections.cipp.cipp.plugins.module_utils._graph_pages import graph_pages
from ansible_collections.cipp.cipp.plugins.module_utils._group_resource import ARGUMENT_SPEC as GROUP_ARGUMENT_SPEC
from ansible_collections.cipp.cipp.plugins.module_utils._group_resource import GroupResource
from ansible_collections.cipp.cipp.plugins.module_utils._plain_items import PlainItems
from ansible_collections.cipp.cipp.plugins.module_utils._resource import VERIFY_FIRST_WAIT, VERIFY_MAX_WAIT, VERIFY_TIMEOUT
from ansible_collections.cipp.cipp.plugins.module_utils._user_resource import ARGUMENT_SPEC as USER_ARGUMENT_SPEC
from ansible_collections.cipp.cipp.plugins.module_utils._user_resource import PROFILE_FIELDS, UserResource

#: up to this many written objects are verified with one targeted read each; more with list reads
TARGETED_VERIFY_MAX = 10
_OPTION_IN_MESSAGE = re.compile(r"^(?:argument '([^']+)'|value of (\S+) must)")

USER_SELECT = ",".join(["id", "userPrincipalName", "accountEnabled", "usageLocation", "assignedLicenses", "proxyAddresses",
                        "onPremisesSyncEnabled"] + [graph for graph, _field, _clearable in PROFILE_FIELDS.values()])
GROUP_SELECT = "id,displayName,description,mailNickname,groupTypes,mailEnabled,securityEnabled,mail,onPremisesSyncEnabled"

BULK_ARGUMENT_SPEC = dict(
    items=dict(type="list", elements="dict", required=True),
    purge=dict(type="bool", default=False),
    purge_exclude=dict(type="list", elements="str", default=[]),
)


class ItemContext:
    """What a single-object resource reads from its ``CippModule``, for one item of a bulk task."""

    def __init__(self, cipp, params: dict, tenant_row: dict):
        self.cipp = cipp
        self.module = cipp.module
        self.params = params
        self._tenant_row = tenant_row

    @property
    def client(self):
        return self.cipp.client

    @property
    def check_mode(self) -> bool:
        return self.cipp.check_mode

    @property
    def diff_mode(self) -> bool:
        return self.cipp.diff_mode

    def resolve_tenant(self, endpoint=None, option="tenant") -> dict:
        return self._tenant_row


def item_error(index: int, exc: CippError) -> CippConfigError:
    """``exc`` (about one item) renamed so it points at ``items[index]``."""
    msg = exc.msg
    option = exc.details.get("option")
    if option and f"option '{option}'" in msg:
        msg = msg.replace(f"option '{option}'", f"option 'items[{index}].{option}'", 1)
    else:
        msg = f"items[{index}]: {msg}"
    details = dict(exc.details, option=f"items[{index}].{option}" if option else f"items[{index}]", item=index)
    return CippConfigError(msg, **details)


def validate_items(items: list, spec: dict, required_one_of=(), kind: str = "item", secrets: set | None = None) -> list:
    """Each item checked against ``spec`` (the single module's options; defaults filled in).
    The no_log values of every item go into ``secrets`` first (so a failure never shows them);
    then the first bad item raises CippConfigError naming ``items[i].option``."""
    validator = ArgumentSpecValidator(spec, required_one_of=list(required_one_of))
    plain = PlainItems(spec, required_one_of)
    secrets = set() if secrets is None else secrets
    checked, failure = [], None
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            failure = failure or CippConfigError(f"option 'items[{index}]' must be a dictionary of {kind} options, got "
                                                 f"{type(item).__name__}", option=f"items[{index}]", item=index)
            continue
        quick = plain.check(item)
        if quick is not None:
            secrets.update(quick[1])
            checked.append(quick[0])
            continue
        result = validator.validate(item)
        secrets.update(str(value) for value in result._no_log_values)  # pylint: disable=protected-access
        checked.append(result.validated_parameters)
        if failure is None:
            failure = _item_failure(index, result, spec, kind)
    if failure is not None:
        raise failure
    return checked


def _item_failure(index: int, result, spec: dict, kind: str):
    unsupported = sorted(result._unsupported_parameters)  # pylint: disable=protected-access
    if unsupported:
        where = f"items[{index}].{unsupported[0]}"
        others = f" (also {', '.join(unsupported[1:])})" if len(unsupported) > 1 else ""
        return CippConfigError(f"option '{where}': unsupported {kind} option{others}; supported: {', '.join(sorted(spec))}",
                               option=where, item=index)
    if result.errors.errors:
        message = result.errors.errors[0].error_message
        match = _OPTION_IN_MESSAGE.match(message)
        name = (match.group(1) or match.group(2)) if match else None
        where = f"items[{index}].{name}" if name else f"items[{index}]"
        return CippConfigError(f"option '{where}': {message}", option=where, item=index)
    return None


def matches_any(value: str, patterns) -> bool:
    """Whether ``value`` matches one of the shell-style ``patterns`` (a list, or one pattern; case-insensitive)."""
    text = str(value or "").lower()
    patterns = [patterns] if isinstance(patterns, str) else patterns or []
    return any(fnmatch.fnmatchcase(text, str(pattern).lower()) for pattern in patterns)


class BulkKind:
    """One kind of object a bulk module manages; subclasses declare the specifics."""

    #: name of an object in messages and results (``user``, ``group``)
    noun = "object"
    #: the single module's argument spec and required_one_of
    argument_spec: dict = {}
    required_one_of = ()

    def __init__(self, cipp, tenant_row: dict):
        self.cipp = cipp
        self.tenant_row = tenant_row
        self.tenant = tenant_row["defaultDomainName"]
        self.shared = {}

    def resource(self, params: dict):
        """The single-object resource for one item."""
        raise NotImplementedError

    def list_rows(self) -> list:
        """Every object of the tenant (raw rows), in as few requests as the API allows."""
        raise NotImplementedError

    def item_key(self, params: dict) -> str:
        """How the results name an item (its UPN, display name or id)."""
        raise NotImplementedError

    def find(self, index: dict, params: dict, position: int):
        """The row ``params`` names, from ``index`` (built by ``index_rows``), or None."""
        raise NotImplementedError

    def index_rows(self, rows: list) -> dict:
        raise NotImplementedError

    def row_key(self, row: dict) -> str:
        raise NotImplementedError

    def purge_params(self, row: dict) -> dict:
        """Item options that address ``row`` for deletion."""
        raise NotImplementedError

    def purge_protected(self, row: dict) -> str | None:
        """Why ``row`` is never purged (e.g. synced from on-premises), or None."""
        return None


class BulkRun:
    """Plan every item, then write, then verify; the result of a bulk task."""

    def __init__(self, cipp, kind: BulkKind):
        self.cipp = cipp
        self.kind = kind
        self.params = cipp.params

    def run(self) -> dict:
        items = self.params["items"] or []
        checked = validate_items(items, self.kind.argument_spec, self.kind.required_one_of, self.kind.noun,
                                 secrets=self.cipp.module.no_log_values)
        if self.params["purge"] and not items:
            raise CippConfigError(f"option 'purge': with an empty 'items' list purge would delete every {self.kind.noun} "
                                  f"of tenant {self.kind.tenant}; list the {self.kind.noun}s to keep", option="purge")
        entries = []
        for position, params in enumerate(checked):
            try:
                entries.append({"index": position, "key": self.kind.item_key(params),
                                "resource": self.kind.resource(params)})
            except CippError as exc:
                raise item_error(position, exc) from None
        self._check_duplicates(entries)
        rows = self.kind.list_rows()
        index = self.kind.index_rows(rows)
        listed_ids = set()
        for entry in entries:
            try:
                row = self.kind.find(index, entry["resource"].params, entry["index"])
                if row is not None:
                    listed_ids.add(str(row.get("id")).lower())
                entry["plan"] = entry["resource"].plan(entry["resource"].adopt(row))
            except CippError as exc:
                raise item_error(entry["index"], exc) from None
        if self.params["purge"]:
            entries.extend(self._purge_entries(rows, listed_ids))
        if not self.cipp.check_mode:
            self._apply(entries)
        return self._result(entries)

    # ------------------------------------------------------------------ planning
    def _check_duplicates(self, entries: list) -> None:
        seen = {}
        for entry in entries:
            key = str(entry["key"]).lower()
            if key in seen:
                raise CippConfigError(f"option 'items[{entry['index']}]': {self.kind.noun} {entry['key']} is already "
                                      f"listed as items[{seen[key]}]; list each {self.kind.noun} once",
                                      option=f"items[{entry['index']}]", item=entry["index"])
            seen[key] = entry["index"]

    def _purge_entries(self, rows: list, listed_ids: set) -> list:
        patterns = self.params["purge_exclude"] or []
        entries = []
        for row in sorted(rows, key=lambda r: str(self.kind.row_key(r)).lower()):
            if str(row.get("id")).lower() in listed_ids:
                continue
            key = self.kind.row_key(row)
            if matches_any(key, patterns) or self.kind.purge_protected(row):
                continue
            params = validate_items([self.kind.purge_params(row)], self.kind.argument_spec,
                                    self.kind.required_one_of, self.kind.noun)
            resource = self.kind.resource(params[0])
            entries.append({"index": None, "key": key, "resource": resource,
                            "plan": resource.plan(resource.adopt(row)), "purged": True})
        return entries

    # ------------------------------------------------------------------ writing
    def _apply(self, entries: list) -> None:
        todo = [entry for entry in entries if entry["plan"]["action"] != "none"]
        done = []
        for entry in todo:
            try:
                entry["resource"].apply(entry["plan"])
            except CippError as exc:
                raise self._write_failed(entry, exc, done) from None
            done.append(entry)
        if len(done) <= TARGETED_VERIFY_MAX:
            for entry in done:
                try:
                    plan = entry["plan"]
                    entry["now"] = entry["resource"]._verify(  # pylint: disable=protected-access
                        None if plan["action"] == "delete" else plan["desired"], plan["action"])
                except CippError as exc:
                    raise self._write_failed(entry, exc, done) from None
            return
        self._verify_by_listing(done)

    def _verify_by_listing(self, done: list) -> None:
        """Read the tenant again until every write shows (bounded, like the single modules)."""
        deadline = time.monotonic() + VERIFY_TIMEOUT
        wait = VERIFY_FIRST_WAIT
        waiting = list(done)
        while True:
            index = self.kind.index_rows(self.kind.list_rows())
            still = []
            for entry in waiting:
                resource, plan = entry["resource"], entry["plan"]
                row = self.kind.find(index, resource.params, entry["index"])
                now = resource.adopt(row) if row is not None else None
                if resource.pending(plan, now):
                    still.append((entry, now))
                else:
                    entry["now"] = now
            if not still:
                return
            if time.monotonic() + wait > deadline:
                entry, now = still[0]
                exc = entry["resource"].not_applied(entry["plan"], now, entry["resource"].pending(entry["plan"], now))
                raise self._write_failed(entry, exc, done)
            waiting = [entry for entry, _now in still]
            time.sleep(wait)
            wait = min(VERIFY_MAX_WAIT, wait * 2)

    def _write_failed(self, entry: dict, exc: CippError, done: list) -> CippError:
        where = f"items[{entry['index']}] ({entry['key']})" if entry["index"] is not None else f"purge of {entry['key']}"
        sent = ", ".join(f"{e['plan']['action']} {e['key']}" for e in done if e is not entry) or "none"
        exc.msg = f"{where}: {exc.msg}. Writes sent before it: {sent}; a rerun continues from the current state"
        exc.details.setdefault("item", entry["index"])
        exc.details["key"] = entry["key"]
        return exc

    # ------------------------------------------------------------------ output
    def _result(self, entries: list) -> dict:
        results, diffs = [], []
        lists = {"create": [], "update": [], "delete": []}
        for entry in entries:
            resource, plan = entry["resource"], entry["plan"]
            single = resource.outcome(plan, entry.get("now"))
            item = {"key": entry["key"], "action": plan["action"], "changes": single.get("changes", [])}
            if plan["action"] == "create":
                item["changes"] = sorted(k for k, v in plan["desired"].items() if v is not None)
            if entry.get("purged"):
                item["purged"] = True
            generated = getattr(resource, "generated_password", None)
            if generated:
                self.cipp.module.no_log_values.add(generated)
                item["generated_password"] = generated
            results.append(item)
            if plan["action"] != "none":
                lists[plan["action"]].append(entry["key"])
                if "diff" in single:
                    header = f"{self.kind.noun} {entry['key']}"
                    diffs.append(dict(single["diff"], before_header=header, after_header=header))
        result = {"changed": any(lists.values()), "tenant": self.kind.tenant, "results": results,
                  "created": lists["create"], "updated": lists["update"], "deleted": lists["delete"]}
        if self.cipp.diff_mode:
            result["diff"] = diffs
        return result


# ---------------------------------------------------------------------- the kinds

class UsersKind(BulkKind):
    """``cipp.cipp.users``: items are ``cipp.cipp.user`` options; one paged read of the tenant's users."""

    noun = "user"
    argument_spec = USER_ARGUMENT_SPEC
    required_one_of = (("user_principal_name", "id"),)

    def __init__(self, cipp, tenant_row: dict):
        super().__init__(cipp, tenant_row)
        self.shared["unmanaged_licenses_unnamed"] = True

    def resource(self, params: dict):
        return UserResource(ItemContext(self.cipp, params, self.tenant_row), shared=self.shared)

    def list_rows(self) -> list:
        rows, _pages = graph_pages(self.cipp.client, self.tenant, "users", {
            "$select": USER_SELECT, "$expand": "manager($select=id,userPrincipalName)", "$top": "999"})
        return rows

    def item_key(self, params: dict) -> str:
        return params.get("user_principal_name") or params["id"]

    def index_rows(self, rows: list) -> dict:
        index = {}
        for row in rows:
            for value in (row.get("id"), row.get("userPrincipalName")):
                if value:
                    index[str(value).lower()] = row
        return index

    def find(self, index: dict, params: dict, position: int):
        return index.get(str(params.get("id") or params.get("user_principal_name") or "").lower())

    def row_key(self, row: dict) -> str:
        return row.get("userPrincipalName") or row["id"]

    def purge_params(self, row: dict) -> dict:
        return {"id": row["id"], "state": "absent"}

    def purge_protected(self, row: dict):
        return "synchronised from on-premises" if row.get("onPremisesSyncEnabled") else None


class GroupsKind(BulkKind):
    """``cipp.cipp.groups``: items are ``cipp.cipp.group`` options; one paged read of the tenant's
    groups, plus one members (owners) read per existing group whose item manages them."""

    noun = "group"
    argument_spec = GROUP_ARGUMENT_SPEC
    required_one_of = (("display_name", "id"),)

    def resource(self, params: dict):
        return GroupResource(ItemContext(self.cipp, params, self.tenant_row))

    def list_rows(self) -> list:
        rows, _pages = graph_pages(self.cipp.client, self.tenant, "groups", {"$select": GROUP_SELECT, "$top": "999"})
        return rows

    def item_key(self, params: dict) -> str:
        return params.get("display_name") or params["id"]

    def index_rows(self, rows: list) -> dict:
        index = {}
        for row in rows:
            index[("id", str(row.get("id")).lower())] = [row]
            index.setdefault(("name", str(row.get("displayName") or "").lower()), []).append(row)
        return index

    def find(self, index: dict, params: dict, position: int):
        if params.get("id"):
            found = index.get(("id", str(params["id"]).lower()), [])
        else:
            found = index.get(("name", str(params["display_name"]).lower()), [])
        if len(found) > 1:
            ids = ", ".join(row["id"] for row in found)
            raise CippConfigError(f"option 'display_name': {len(found)} groups in {self.tenant} are named "
                                  f"{params['display_name']!r} ({ids}); set id to choose one", option="display_name")
        return found[0] if found else None

    def row_key(self, row: dict) -> str:
        return row.get("displayName") or row["id"]

    def purge_params(self, row: dict) -> dict:
        return {"id": row["id"], "state": "absent"}

    def purge_protected(self, row: dict):
        return "synchronised from on-premises" if row.get("onPremisesSyncEnabled") else None
