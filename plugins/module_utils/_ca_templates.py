# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CIPP's Conditional Access templates: ListCAtemplates and the ``cipp.cipp.ca_template`` resource
over AddCATemplate / RemoveCATemplate.

AddCATemplate always stores a new template under a new GUID (there is no update by name or GUID):
it keeps the whole request body (minus nulls), replaces user, group and named location ids by their
display names as found in ``tenantFilter``'s tenant, and adds ``LocationInfo`` (the named locations'
definitions). ListCAtemplates answers each template's JSON plus ``GUID``, ``source``, ``isSynced``
and ``package``. RemoveCATemplate takes the GUID as ``ID``. A changed template is therefore
replaced: the new one is stored first, then the old one removed, so it gets a new GUID. Private.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import copy
import re

from ansible_collections.cipp.cipp.plugins.module_utils._conditional_access import (
    CIPP_KEYS, LOCATION_KEYWORDS, USER_KEYWORDS, comparable, exportable, list_named_locations, parse_definition, validate_definition)
from ansible_collections.cipp.cipp.plugins.module_utils._directory import find_groups
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError, CippResultError
from ansible_collections.cipp.cipp.plugins.module_utils._graph_pages import graph_pages, odata_literal
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource
from ansible_collections.cipp.cipp.plugins.module_utils._users import is_guid

#: keys ListCAtemplates adds to a template, and request keys AddCATemplate stores with it
TEMPLATE_KEYS = ("GUID", "source", "isSynced", "package", "tenantFilter", "name")
CREATED_GUID = re.compile(r"with GUID (\S+)\s*$")
IN_CLAUSE_LIMIT = 15

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True, aliases=["display_name"]),
    definition=dict(type="raw"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def list_templates(client) -> list:
    """Every CA template CIPP stores (ListCAtemplates)."""
    data = client.call("ListCAtemplates").data
    if isinstance(data, dict):
        data = [data]
    return [row for row in data or [] if isinstance(row, dict) and row.get("GUID")]


def template_definition(row: dict) -> dict:
    """A stored template as ``cipp.cipp.ca_template`` accepts it."""
    return exportable({k: v for k, v in row.items() if k not in TEMPLATE_KEYS + CIPP_KEYS})


def summarise(row: dict) -> dict:
    return {"guid": row.get("GUID"), "name": row.get("displayName"), "source": row.get("source"),
            "is_synced": bool(row.get("isSynced")), "package": row.get("package"),
            "location_info": row.get("LocationInfo") or [], "definition": template_definition(row)}


class TemplateResource(StatefulResource):
    result_key = "template"

    def __init__(self, cipp):
        super().__init__(cipp)
        p = self.params
        self.name = p["name"].strip()
        if not self.name:
            raise CippConfigError("option 'name' is empty", option="name")
        self.definition = None
        if p["definition"] is not None:
            self.definition = parse_definition(p["definition"])
            validate_definition(self.definition)
            given = self.definition.get("displayName")
            if given is not None and given != self.name:
                raise CippConfigError(f"option 'definition': displayName {given!r} differs from option 'name' "
                                      f"{self.name!r}; the template's name is its displayName", option="definition.displayName")
        self.tenant = None
        if p["state"] == "present":
            if self.definition is None:
                raise CippConfigError("option 'definition' is required with state=present", option="definition")
            if not p["tenant"]:
                raise CippConfigError("option 'tenant' is required with state=present: CIPP reads the ids in the "
                                      "definition (users, groups, named locations) in that tenant", option="tenant")
            self.tenant = cipp.resolve_tenant()["defaultDomainName"]
        self._stored = None

    def read(self):
        rows = [r for r in list_templates(self.client) if str(r.get("displayName") or "").lower() == self.name.lower()]
        if len(rows) > 1:
            raise CippConfigError(f"{len(rows)} CA templates are named {self.name!r} (GUIDs "
                                  f"{', '.join(r['GUID'] for r in rows)}); remove the extra ones first", option="name")
        return _template(rows[0]) if rows else None

    def desired(self) -> dict:
        if self._stored is None:
            self._stored = self._as_stored(copy.deepcopy(self.definition))
        return {"name": self.name, "definition": exportable(self._stored)}

    def compare(self, current: dict, desired: dict) -> dict:
        changes = {}
        if desired["name"] != current["name"]:
            changes["name"] = desired["name"]
        if comparable(desired["definition"], ignore=()) != comparable(current["definition"], ignore=()):
            changes["definition"] = desired["definition"]
        return changes

    # ---------------------------------------------------------------- what CIPP will store
    def _as_stored(self, definition: dict) -> dict:
        """The definition as AddCATemplate stores it: user, group and location ids as display names."""
        definition["displayName"] = self.name
        conditions = definition.get("conditions") if isinstance(definition.get("conditions"), dict) else {}
        users = conditions.get("users") if isinstance(conditions.get("users"), dict) else {}
        user_ids = [v for key in ("includeUsers", "excludeUsers") for v in _strings(users.get(key))
                    if is_guid(v) and v not in USER_KEYWORDS]
        names = self._user_names(user_ids) if user_ids else {}
        for key in ("includeUsers", "excludeUsers"):
            if users.get(key) is not None:
                users[key] = [names.get(v.lower(), v) if is_guid(v) else v for v in _strings(users[key])]
        for key in ("includeGroups", "excludeGroups"):
            if users.get(key) is not None:
                users[key] = [self._group_name(v) if is_guid(v) else v for v in _strings(users[key])]
        locations = conditions.get("locations") if isinstance(conditions.get("locations"), dict) else {}
        if any(is_guid(v) for key in ("includeLocations", "excludeLocations") for v in _strings(locations.get(key))):
            by_id = {str(loc["id"]).lower(): loc.get("displayName") for loc in list_named_locations(self.client, self.tenant)}
            for key in ("includeLocations", "excludeLocations"):
                if locations.get(key) is not None:
                    locations[key] = [by_id.get(v.lower()) or v if is_guid(v) else v for v in _strings(locations[key])]
        return {k: v for k, v in definition.items() if k not in CIPP_KEYS}

    def _location_ids(self, definition: dict) -> None:
        """Named locations given by display name, as ids: CIPP stores a location's definition (LocationInfo,
        from which deployments create it) only for the ids it finds; a name it does not know stays a name."""
        locations = (definition.get("conditions") or {}).get("locations")
        if not isinstance(locations, dict):
            return
        names = [v for key in ("includeLocations", "excludeLocations") for v in _strings(locations.get(key))
                 if not is_guid(v) and v not in LOCATION_KEYWORDS]
        if not names:
            return
        by_name = {str(loc.get("displayName") or "").lower(): loc["id"] for loc in list_named_locations(self.client, self.tenant)}
        for key in ("includeLocations", "excludeLocations"):
            if locations.get(key) is not None:
                locations[key] = [by_name.get(v.lower(), v) if v not in LOCATION_KEYWORDS else v for v in _strings(locations[key])]

    def _user_names(self, ids: list) -> dict:
        names = {}
        for start in range(0, len(ids), IN_CLAUSE_LIMIT):
            chunk = ids[start:start + IN_CLAUSE_LIMIT]
            query = {"$filter": f"id in ({','.join(odata_literal(v) for v in chunk)})", "$select": "id,displayName"}
            rows, _pages = graph_pages(self.client, self.tenant, "users", query)
            names.update({str(r["id"]).lower(): r.get("displayName") for r in rows if r.get("id") and r.get("displayName")})
        return names

    def _group_name(self, group_id: str) -> str:
        groups = find_groups(self.client, self.tenant, group_id=group_id)
        return groups[0].get("displayName") or group_id if groups else group_id

    # ---------------------------------------------------------------- writes
    def _add(self) -> str | None:
        body = dict(copy.deepcopy(self.definition), displayName=self.name, tenantFilter=self.tenant)
        self._location_ids(body)
        body.pop("LocationInfo", None)  # CIPP builds it from the named locations the policy names by id
        messages = self.client.call("AddCATemplate", body=body).messages
        found = [CREATED_GUID.search(str(m)) for m in messages]
        return next((m.group(1) for m in found if m), None)

    def create(self, desired: dict) -> None:
        self._add()

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        # No update in CIPP: store the new template first, then remove the old one.
        new_guid = self._add()
        if new_guid is None:
            rows = [r for r in list_templates(self.client) if str(r.get("displayName") or "").lower() == self.name.lower()
                    and r["GUID"] != current["guid"]]
            new_guid = rows[0]["GUID"] if rows else None
        if new_guid is None:
            raise CippResultError(f"AddCATemplate did not store template {self.name!r}; the old one was kept",
                                  endpoint="AddCATemplate")
        self.client.call("RemoveCATemplate", body={"ID": current["guid"]})

    def delete(self, current: dict) -> None:
        self.client.call("RemoveCATemplate", body={"ID": current["guid"]})


def _strings(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _template(row: dict) -> dict:
    summary = summarise(row)
    return {"guid": summary["guid"], "name": summary["name"], "source": summary["source"],
            "package": summary["package"], "definition": summary["definition"]}
