# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Conditional Access policies: definitions (parse, validate, normalise, export), reading them
through ListConditionalAccessPolicies and the ``cipp.cipp.ca_policy`` resource over AddCAPolicy /
EditCAPolicy / RemoveCAPolicy.

What the backend does, and why this module writes the way it does:

- ListConditionalAccessPolicies answers one row per policy with names resolved for display and the
  Graph policy itself as a JSON string in ``rawjson``; that string is the only faithful copy.
- AddCAPolicy reads ``tenantFilter.value`` (a bare string deploys nowhere), the policy as a JSON
  string ``RawJSON`` and ``NewState``. New-CIPPCAPolicy drops ``id``/``GUID``/``*time*`` keys and
  every empty array or null, matches an existing policy by display name (case-insensitively) and,
  with ``overwrite``, PATCHes the whole definition onto it; without it, it refuses
  ("Already exists"). Named locations are resolved from ``LocationInfo`` (created when missing);
  users and groups are kept as object ids (names only with ``replacename=displayName``).
- EditCAPolicy PATCHes only ``state`` and ``displayName``; anything else goes through AddCAPolicy
  with ``overwrite``.

So the module resolves user principal names, group names and named location names to object ids
itself, before any write, and sends ids. Private.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import copy
import json

from ansible_collections.cipp.cipp.plugins.module_utils._directory import find_groups, resolve_user_ids
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._graph_pages import graph_pages, odata_literal
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource
from ansible_collections.cipp.cipp.plugins.module_utils._shapes import label_value
from ansible_collections.cipp.cipp.plugins.module_utils._users import is_guid

STATE_TO_GRAPH = {"enabled": "enabled", "disabled": "disabled", "report_only": "enabledForReportingButNotEnforced"}
GRAPH_TO_STATE = {graph.lower(): state for state, graph in STATE_TO_GRAPH.items()}

#: keys Graph sets on a policy; never compared, never sent
SERVER_KEYS = ("id", "createdDateTime", "modifiedDateTime", "deletedDateTime", "templateId")
#: CIPP template keys New-CIPPCAPolicy reads from RawJSON and removes before Graph sees the policy
CIPP_KEYS = ("LocationInfo", "AuthContextInfo")
POLICY_KEYS = ("displayName", "description", "state", "conditions", "grantControls", "sessionControls",
               "partialEnablementStrategy")
CONDITION_KEYS = ("agentIdRiskLevels", "applications", "authenticationFlows", "clientApplications", "clientAppTypes",
                  "devices", "deviceStates", "insiderRiskLevels", "locations", "platforms",
                  "servicePrincipalRiskLevels", "signInRiskLevels", "times", "userRiskLevels", "users")
USER_KEYS = ("includeUsers", "excludeUsers", "includeGroups", "excludeGroups", "includeRoles", "excludeRoles",
             "includeGuestsOrExternalUsers", "excludeGuestsOrExternalUsers")
USER_KEYWORDS = ("All", "None", "GuestsOrExternalUsers")
LOCATION_KEYWORDS = ("All", "AllTrusted")
OPTION = "definition"
VACATION_PREFIX = "Vacation Exclusion - "
IN_CLAUSE_LIMIT = 15  # Graph accepts at most 15 values in one "in (...)" filter

ARGUMENT_SPEC = dict(
    display_name=dict(type="str", aliases=["name"]),
    id=dict(type="str"),
    definition=dict(type="raw"),
    state=dict(type="str", choices=["enabled", "disabled", "report_only", "absent"]),
    disable_security_defaults=dict(type="bool", default=False),
)


# ------------------------------------------------------------------ definitions

def parse_definition(value, option: str = OPTION) -> dict:
    """A definition given as a dict (YAML) or as a JSON string, as a dict."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise CippConfigError(f"option '{option}' is not valid JSON: {exc}", option=option) from None
    if not isinstance(value, dict):
        raise CippConfigError(f"option '{option}' must be a dict (YAML) or a JSON object string, not "
                              f"{type(value).__name__}", option=option)
    return copy.deepcopy(value)


def _check_keys(obj, allowed: tuple, where: str, option: str) -> None:
    if obj is None:
        return
    if not isinstance(obj, dict):
        raise CippConfigError(f"option '{option}': {where} must be a dict, not {type(obj).__name__}",
                              option=f"{option}.{where}" if where else option)
    for key in obj:
        if "@odata" in key or key in allowed:
            continue
        close = [k for k in allowed if k.lower() == str(key).lower()]
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        path = f"{where}.{key}" if where else key
        raise CippConfigError(f"option '{option}': unknown key '{path}'{hint}; valid keys{' of ' + where if where else ''}: "
                              f"{', '.join(sorted(allowed))}", option=f"{option}.{path}")


def validate_definition(definition: dict, option: str = OPTION, extra_keys: tuple = ()) -> None:
    """Unknown keys (top level, ``conditions``, ``conditions.users``) and an invalid ``state``
    fail naming the key and the valid ones."""
    _check_keys(definition, POLICY_KEYS + SERVER_KEYS + CIPP_KEYS + extra_keys, "", option)
    conditions = definition.get("conditions")
    _check_keys(conditions, CONDITION_KEYS, "conditions", option)
    _check_keys((conditions or {}).get("users"), USER_KEYS, "conditions.users", option)
    state = definition.get("state")
    if state is not None and str(state).lower() not in GRAPH_TO_STATE:
        raise CippConfigError(f"option '{option}': state {state!r} is not a Graph policy state; use one of "
                              f"{', '.join(STATE_TO_GRAPH.values())} (or the module's option 'state')",
                              option=f"{option}.state")
    for key in ("grantControls", "sessionControls"):
        if definition.get(key) is not None and not isinstance(definition[key], dict):
            raise CippConfigError(f"option '{option}': {key} must be a dict", option=f"{option}.{key}")


def _empty(value) -> bool:
    return value is None or value == [] or value == {} or value == ""


def _prune(value, keep_type: bool, sort_lists: bool):
    """Nulls, empty strings and empty containers dropped (Graph treats them as unset), lists sorted."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if "@odata" in key and not (keep_type and key == "@odata.type"):
                continue
            item = _prune(item, keep_type, sort_lists)
            if not _empty(item):
                out[key] = item
        return out
    if isinstance(value, list):
        items = [_prune(item, keep_type, sort_lists) for item in value]
        items = [item for item in items if not _empty(item)]
        if sort_lists:  # Graph treats every list in a policy as a set
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return items
    return value


def exportable(policy: dict) -> dict:
    """A Graph policy as ``cipp.cipp.ca_policy`` accepts it: no server-set keys, no nulls or
    empty lists, no ``@odata.context`` (``@odata.type`` kept: Graph needs it on create), lists sorted."""
    body = {k: v for k, v in policy.items() if k not in SERVER_KEYS}
    session = body.get("sessionControls")
    if isinstance(session, dict) and session.get("disableResilienceDefaults") is not True:
        # New-CIPPCAPolicy drops it unless it is true; Graph answers false or null otherwise
        body["sessionControls"] = {k: v for k, v in session.items() if k != "disableResilienceDefaults"}
    return _prune(body, keep_type=True, sort_lists=True)


def _lower_guids(value):
    """Object ids in lower case; nested server timestamps (e.g. of an embedded authenticationStrength) dropped."""
    if isinstance(value, dict):
        return {k: _lower_guids(v) for k, v in value.items() if k not in ("createdDateTime", "modifiedDateTime")}
    if isinstance(value, list):
        return sorted((_lower_guids(v) for v in value), key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, str) and is_guid(value):
        return value.lower()
    return value


def comparable(definition: dict, ignore: tuple = ("displayName", "state")) -> dict:
    """The form two definitions are compared in: ``exportable`` without ``@odata`` keys, CIPP's
    template keys and ``ignore`` (compared separately), object ids in lower case."""
    body = exportable({k: v for k, v in definition.items() if k not in CIPP_KEYS + ignore})
    return _lower_guids(_prune(body, keep_type=False, sort_lists=True))


def changed_paths(before, after, prefix: str = "") -> list:
    """Dotted paths of the settings that differ between two comparable forms."""
    if isinstance(before, dict) and isinstance(after, dict):
        paths = []
        for key in sorted(set(before) | set(after)):
            paths.extend(changed_paths(before.get(key), after.get(key), f"{prefix}.{key}" if prefix else key))
        return paths
    return [] if before == after else [prefix]


def state_of(graph_state) -> str | None:
    """Graph ``state`` in the module's vocabulary (``report_only`` for enabledForReportingButNotEnforced)."""
    if graph_state is None:
        return None
    return GRAPH_TO_STATE.get(str(graph_state).lower(), str(graph_state))


# ------------------------------------------------------------------ reading

def read_policies(client, tenant: str) -> list:
    """``(policy, group names)`` per policy: the Graph object parsed from each row's ``rawjson``, and
    ``{group id: display name}`` for its included and excluded groups, as the row resolved them (in order;
    "No Data" for a group Graph did not return)."""
    data = client.call("ListConditionalAccessPolicies", params={"tenantFilter": tenant}).data
    rows = data.get("Results") if isinstance(data, dict) else data
    policies = []
    for row in rows or []:
        if not isinstance(row, dict) or not row.get("id"):
            continue
        try:
            policy = json.loads(row.get("rawjson") or "null")
        except ValueError:
            policy = None
        if not isinstance(policy, dict):
            policy = {"id": row["id"], "displayName": row.get("displayName"), "state": row.get("state")}
        users = (policy.get("conditions") or {}).get("users") or {}
        names = {}
        for key in ("includeGroups", "excludeGroups"):
            ids = users.get(key) if isinstance(users.get(key), list) else []
            shown = str(row.get(key) or "").splitlines()
            if len(ids) == len(shown):
                names.update({gid: name for gid, name in zip(ids, shown) if name and name != "No Data"})
        policies.append((policy, names))
    return policies


def list_policies(client, tenant: str) -> list:
    """The tenant's policies as Graph objects."""
    return [policy for policy, _names in read_policies(client, tenant)]


def vacation_groups(group_names: dict) -> list:
    """The groups CIPP's vacation mode manages (ExecCAExclusion's "Vacation Exclusion - <policy>"),
    which AddCAPolicy keeps on every overwrite."""
    return [gid for gid, name in group_names.items() if name.startswith(VACATION_PREFIX)]


def _user_upns(client, tenant: str, ids: list) -> dict:
    upns = {}
    for start in range(0, len(ids), IN_CLAUSE_LIMIT):
        chunk = ids[start:start + IN_CLAUSE_LIMIT]
        query = {"$filter": f"id in ({','.join(odata_literal(v) for v in chunk)})", "$select": "id,userPrincipalName"}
        rows, _pages = graph_pages(client, tenant, "users", query)
        upns.update({str(r["id"]).lower(): r["userPrincipalName"] for r in rows if r.get("id") and r.get("userPrincipalName")})
    return upns


def portable_definitions(client, tenant: str, pairs: list) -> list:
    """Exportable definitions with users as UPNs, groups and named locations as display names and the
    named locations' definitions in ``LocationInfo`` (from which CIPP creates them where they are missing),
    so they apply to other tenants. One more request for the locations, one per 15 users."""
    definitions = [(exportable(policy), names) for policy, names in pairs]
    conditions = [d.get("conditions") or {} for d, _names in definitions]
    user_ids = sorted({v.lower() for c in conditions for key in ("includeUsers", "excludeUsers")
                       for v in (c.get("users") or {}).get(key) or [] if is_guid(v)})
    upns = _user_upns(client, tenant, user_ids) if user_ids else {}
    located = any(is_guid(v) for c in conditions for key in ("includeLocations", "excludeLocations")
                  for v in (c.get("locations") or {}).get(key) or [])
    by_id = {str(loc["id"]).lower(): loc for loc in list_named_locations(client, tenant)} if located else {}
    out = []
    for definition, names in definitions:
        users = (definition.get("conditions") or {}).get("users") or {}
        for key in ("includeUsers", "excludeUsers"):
            if key in users:
                users[key] = sorted(upns.get(v.lower(), v) for v in users[key])
        for key in ("includeGroups", "excludeGroups"):
            if key in users:
                users[key] = sorted(names.get(v, v) for v in users[key])
        locations = (definition.get("conditions") or {}).get("locations") or {}
        info = []
        for key in ("includeLocations", "excludeLocations"):
            if key not in locations:
                continue
            shown = []
            for value in locations[key]:
                loc = by_id.get(str(value).lower())
                shown.append(loc["displayName"] if loc else value)
                if loc and not any(x["displayName"] == loc["displayName"] for x in info):
                    info.append({k: v for k, v in loc.items() if k not in ("id", "rangeOrLocation")
                                 and "time" not in k.lower() and (k == "@odata.type" or "@odata" not in k)})
            locations[key] = sorted(shown)
        if info:
            definition["LocationInfo"] = info
        out.append(definition)
    return out


def without_groups(definition: dict, group_ids: list, keep: list) -> dict:
    """``definition`` without the excluded groups ``group_ids`` (except those in ``keep``)."""
    users = (definition.get("conditions") or {}).get("users") or {}
    excluded = users.get("excludeGroups")
    drop = {g.lower() for g in group_ids} - {str(g).lower() for g in keep or []}
    if not drop or not isinstance(excluded, list):
        return definition
    out = copy.deepcopy(definition)
    out["conditions"]["users"]["excludeGroups"] = [g for g in excluded if str(g).lower() not in drop]
    return out


def summarise(policy: dict) -> dict:
    """A policy in the collection's vocabulary; ``definition`` feeds ``cipp.cipp.ca_policy`` as is."""
    return {"id": policy.get("id"), "display_name": policy.get("displayName"), "state": state_of(policy.get("state")),
            "created": policy.get("createdDateTime") or None, "modified": policy.get("modifiedDateTime") or None,
            "definition": exportable(policy)}


def list_named_locations(client, tenant: str) -> list:
    data = client.call("ListNamedLocations", params={"tenantFilter": tenant}).data
    return [row for row in data or [] if isinstance(row, dict) and row.get("id")] if isinstance(data, list) else []


# ------------------------------------------------------------------ name resolution

class References:
    """Resolves user principal names, group names and named location names in a definition to
    object ids (what Graph and New-CIPPCAPolicy keep), reading only what the definition names."""

    def __init__(self, client, tenant: str, option: str = OPTION):
        self.client = client
        self.tenant = tenant
        self.option = option
        self._locations = None
        self.pending_locations = []  # names CIPP creates from LocationInfo during the write

    def locations(self, refresh: bool = False) -> list:
        if self._locations is None or refresh:
            self._locations = list_named_locations(self.client, self.tenant)
        return self._locations

    def resolve(self, definition: dict) -> dict:
        conditions = definition.get("conditions")
        if not isinstance(conditions, dict):
            return definition
        users = conditions.get("users")
        if isinstance(users, dict):
            for key in ("includeUsers", "excludeUsers"):
                users[key] = self._users(users.get(key), f"conditions.users.{key}")
            for key in ("includeGroups", "excludeGroups"):
                users[key] = self._groups(users.get(key), f"conditions.users.{key}")
            for key in ("includeRoles", "excludeRoles"):
                for value in self._values(users.get(key), f"conditions.users.{key}"):
                    if not is_guid(value) and value != "All":
                        raise CippConfigError(f"option '{self.option}': conditions.users.{key}: {value!r} is not a role "
                                              "template id (directory roles are given by their template id, e.g. "
                                              "62e90394-69f5-4237-9190-012177145e10 for Global Administrator)",
                                              option=f"{self.option}.conditions.users.{key}")
            for key in list(users):
                if users[key] is None:
                    del users[key]
        locations = conditions.get("locations")
        if isinstance(locations, dict):
            template_names = {str(loc.get("displayName")).lower() for loc in definition.get("LocationInfo") or []
                              if isinstance(loc, dict) and loc.get("displayName")}
            for key in ("includeLocations", "excludeLocations"):
                if locations.get(key) is not None:
                    locations[key] = self._locations_of(locations[key], f"conditions.locations.{key}", template_names)
        return definition

    def _values(self, value, where: str) -> list:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CippConfigError(f"option '{self.option}': {where} must be a list of strings", option=f"{self.option}.{where}")
        return value

    def _users(self, value, where: str):
        if value is None:
            return None
        values = self._values(value, where)
        names = [v for v in values if v not in USER_KEYWORDS and not is_guid(v)]
        if not names:
            return values
        for name in names:
            if "@" not in name:
                raise CippConfigError(f"option '{self.option}': {where}: {name!r} is neither a user object id, a user "
                                      f"principal name nor one of {', '.join(USER_KEYWORDS)}", option=f"{self.option}.{where}")
        ids = resolve_user_ids(self.client, self.tenant, names, option=f"{self.option}.{where}")
        return [ids.get(v, v) for v in values]

    def _groups(self, value, where: str):
        if value is None:
            return None
        resolved = []
        for name in self._values(value, where):
            if is_guid(name):
                resolved.append(name)
                continue
            groups = find_groups(self.client, self.tenant, name=name)
            if len(groups) != 1:
                found = "no group" if not groups else f"{len(groups)} groups ({', '.join(g.get('id', '?') for g in groups)})"
                raise CippConfigError(f"option '{self.option}': {where}: {found} named {name!r} in tenant {self.tenant}; "
                                      "give the group's object id", option=f"{self.option}.{where}")
            resolved.append(groups[0]["id"])
        return resolved

    def _locations_of(self, value, where: str, template_names: set) -> list:
        resolved = []
        for name in self._values(value, where):
            if is_guid(name) or name in LOCATION_KEYWORDS:
                resolved.append(name)
                continue
            match = [loc for loc in self.locations() if str(loc.get("displayName") or "").lower() == name.lower()]
            if match:
                resolved.append(match[0]["id"])
            elif name.lower() in template_names:
                resolved.append(name)  # CIPP creates it from LocationInfo and puts its id in the policy
                self.pending_locations.append(name)
            else:
                known = ", ".join(sorted(str(loc.get("displayName")) for loc in self.locations())) or "none"
                raise CippConfigError(f"option '{self.option}': {where}: no named location {name!r} in tenant "
                                      f"{self.tenant} (known: {known}); create it, or describe it in the definition's "
                                      "LocationInfo list so CIPP creates it", option=f"{self.option}.{where}")
        return resolved

    def settle(self, definition: dict) -> None:
        """After a write that created named locations from LocationInfo: their ids, in place."""
        if not self.pending_locations:
            return
        by_name = {str(loc.get("displayName") or "").lower(): loc["id"] for loc in self.locations(refresh=True)}
        locations = (definition.get("conditions") or {}).get("locations") or {}
        for key in ("includeLocations", "excludeLocations"):
            if isinstance(locations.get(key), list):
                locations[key] = [by_name.get(v.lower(), v) if v in self.pending_locations else v for v in locations[key]]
        self.pending_locations = []


# ------------------------------------------------------------------ the resource

class PolicyResource(StatefulResource):
    result_key = "policy"

    def __init__(self, cipp):
        super().__init__(cipp)
        p = self.params
        self.definition = None
        if p["definition"] is not None:
            self.definition = parse_definition(p["definition"])
            validate_definition(self.definition)
        self.name = p["display_name"] or (self.definition or {}).get("displayName")
        if not self.name and not p["id"]:
            raise CippConfigError("set option 'display_name' (or 'id'), or give the policy's displayName in option "
                                  "'definition'", option="display_name")
        row = cipp.resolve_tenant()
        self.tenant = row["defaultDomainName"]
        self.tenant_label = row.get("displayName") or self.tenant
        self.references = References(self.client, self.tenant)
        self.others_named = 0
        self._sent = None

    # ---------------------------------------------------------------- reading
    def read(self):
        pairs = read_policies(self.client, self.tenant)
        policies = [policy for policy, _names in pairs]
        vacation = {str(policy.get("id")): vacation_groups(names) for policy, names in pairs}
        if self.params["id"]:
            found = [p for p in policies if str(p.get("id")).lower() == self.params["id"].lower()]
        else:
            found = [p for p in policies if str(p.get("displayName") or "").lower() == self.name.lower()]
            if len(found) > 1:
                raise CippConfigError(f"{len(found)} Conditional Access policies in {self.tenant} are named {self.name!r} "
                                      f"(ids {', '.join(p['id'] for p in found)}); set option 'id' to pick one",
                                      option="display_name")
        if not found:
            return None
        self.others_named = sum(1 for p in policies if p.get("id") != found[0].get("id") and str(
            p.get("displayName") or "").lower() == str(self.name or found[0].get("displayName") or "").lower())
        policy = summarise(found[0])
        return {"id": policy["id"], "display_name": policy["display_name"], "state": policy["state"],
                "definition": policy["definition"], "_vacation": vacation.get(str(policy["id"])) or []}

    def desired(self) -> dict:
        p = self.params
        state = p["state"] or state_of((self.definition or {}).get("state"))
        if self.definition is None:
            return {"display_name": self.name, "state": state, "definition": None}
        state = state or "enabled"
        if self._sent is None:
            self._sent = self.references.resolve(copy.deepcopy(self.definition))
            self._sent["displayName"] = self.name
            self._sent["state"] = STATE_TO_GRAPH[state]
        body = {k: v for k, v in self._sent.items() if k not in CIPP_KEYS}
        return {"display_name": self.name, "state": state, "definition": exportable(body)}

    def compare(self, current: dict, desired: dict) -> dict:
        changes = {k: desired[k] for k in ("display_name", "state")
                   if desired.get(k) is not None and desired[k] != current.get(k)}
        if desired.get("definition") is not None:
            wanted = desired["definition"]
            have = without_groups(current["definition"], current.get("_vacation") or [],
                                  ((wanted.get("conditions") or {}).get("users") or {}).get("excludeGroups"))
            if comparable(wanted) != comparable(have):
                changes["definition"] = wanted
        return changes

    def validate(self, current, desired: dict) -> None:
        if current is None and self.params["id"]:
            raise CippConfigError(f"no Conditional Access policy with id {self.params['id']} in {self.tenant}; omit "
                                  "option 'id' to create the policy", option="id")
        if current is None and self.definition is None:
            raise CippConfigError(f"policy {self.name!r} does not exist in {self.tenant}: option 'definition' is "
                                  "required to create it", option="definition")
        if current is None and not isinstance(self.definition.get("conditions"), dict):
            raise CippConfigError("option 'definition': conditions is required to create a policy (Graph needs at "
                                  "least conditions.users and conditions.applications)", option="definition.conditions")
        changes = self.compare(current, desired) if current is not None else {}
        if self.others_named and ("definition" in changes or "display_name" in changes):
            name = desired.get("display_name") or current["display_name"]
            raise CippConfigError(f"another Conditional Access policy in {self.tenant} is named {name!r}: CIPP's "
                                  "AddCAPolicy finds the policy to rewrite by display name, so rename or remove the "
                                  "other one first", option="display_name")

    # ---------------------------------------------------------------- writes
    def _add(self, desired: dict, overwrite: bool) -> None:
        body = {"tenantFilter": label_value(self.tenant, self.tenant_label), "RawJSON": json.dumps(self._sent),
                "NewState": STATE_TO_GRAPH[desired["state"]], "overwrite": overwrite}
        if self.params["disable_security_defaults"]:
            body["DisableSD"] = True
        self.client.call("AddCAPolicy", body=body)
        if self.references.pending_locations:
            self.references.settle(self._sent)
            desired["definition"] = exportable({k: v for k, v in self._sent.items() if k not in CIPP_KEYS})

    def create(self, desired: dict) -> None:
        self._add(desired, overwrite=False)

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        edit = {}
        if "display_name" in changes:
            edit["newDisplayName"] = changes["display_name"]
        if "state" in changes and "definition" not in changes:
            edit["State"] = STATE_TO_GRAPH[changes["state"]]
        if edit:
            self.client.call("EditCAPolicy", body=dict({"tenantFilter": self.tenant, "GUID": current["id"]}, **edit))
        if "definition" in changes:
            if not self._sent.get("displayName"):  # found by id, no name given: keep the current one
                self._sent["displayName"] = current["display_name"]
            self._add(desired, overwrite=True)

    def delete(self, current: dict) -> None:
        self.client.call("RemoveCAPolicy", body={"tenantFilter": self.tenant, "GUID": current["id"]})

    # ---------------------------------------------------------------- output
    def run(self) -> dict:
        if self.params["state"] == "absent":
            return self._absent(self.read())
        return self._present(self.read())

    def _result(self, changed: bool, before, after, obj, changes=None) -> dict:
        settings = None
        if changes and "definition" in changes and before:
            wanted = changes["definition"]
            have = without_groups(before["definition"], before.get("_vacation") or [],
                                  ((wanted.get("conditions") or {}).get("users") or {}).get("excludeGroups"))
            settings = changed_paths(comparable(have), comparable(wanted))
        before, after, obj = (_public(x) for x in (before, after, obj))
        result = super()._result(changed, before, _in_step(after), _in_step(obj), changes)
        if settings is not None:
            result["changed_settings"] = settings
        return result


def _public(obj):
    return {k: v for k, v in obj.items() if not k.startswith("_")} if isinstance(obj, dict) else obj


def _in_step(obj):
    """``obj`` with its definition's displayName/state matching the top-level fields."""
    if not isinstance(obj, dict) or not isinstance(obj.get("definition"), dict):
        return obj
    definition = dict(obj["definition"])
    if obj.get("display_name") is not None:
        definition["displayName"] = obj["display_name"]
    if obj.get("state") in STATE_TO_GRAPH:
        definition["state"] = STATE_TO_GRAPH[obj["state"]]
    return dict(obj, definition=definition)
