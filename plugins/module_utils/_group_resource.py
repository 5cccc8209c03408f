# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``cipp.cipp.group`` resource: AddGroup / EditGroup / ExecGroupsDelete in the shapes
the backend reads, members and owners as ``{value, label}`` arrays. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.cipp.cipp.plugins.module_utils._directory import find_groups, group_links, resolve_user_ids
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource
from ansible_collections.cipp.cipp.plugins.module_utils._shapes import label_value
from ansible_collections.cipp.cipp.plugins.module_utils._users import is_guid

# option value: (AddGroup groupType, ExecGroupsDelete GroupType)
GROUP_TYPES = {
    "security": ("generic", "Security"),
    "m365": ("m365", "Microsoft 365"),
    "distribution": ("distribution", "Distribution List"),
    "mail_enabled_security": ("security", "Mail-Enabled Security"),
}

ARGUMENT_SPEC = dict(
    display_name=dict(type="str", aliases=["name"]),
    id=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    group_type=dict(type="str", choices=sorted(GROUP_TYPES)),
    description=dict(type="str"),
    mail_nickname=dict(type="str"),
    members=dict(type="list", elements="str"),
    owners=dict(type="list", elements="str"),
    purge_members=dict(type="bool", default=False),
    purge_owners=dict(type="bool", default=False),
)


def group_type_of(group: dict) -> str:
    """The module's name for a Graph group's kind."""
    if "Unified" in (group.get("groupTypes") or []):
        return "m365"
    if group.get("mailEnabled"):
        return "mail_enabled_security" if group.get("securityEnabled") else "distribution"
    return "security"


def _linked(ids: list, names: dict) -> list:
    """Members/owners as EditGroup reads them: the object id in ``value``, the UPN in ``addedFields``."""
    return [dict(label_value(i, names.get(i, i)), addedFields={"userPrincipalName": names.get(i, i)}) for i in ids]


class GroupResource(StatefulResource):
    result_key = "group"
    unordered_fields = ("members", "owners")
    case_insensitive_fields = ("members", "owners")

    def __init__(self, cipp):
        super().__init__(cipp)
        self.tenant = cipp.resolve_tenant()["defaultDomainName"]
        if self.params["id"] and not is_guid(self.params["id"]):
            raise CippConfigError(f"option 'id': {self.params['id']!r} is not an object ID (a GUID)", option="id")
        self._links = {}

    # ------------------------------------------------------------------ read
    def read(self):
        p = self.params
        groups = find_groups(self.client, self.tenant, name=p["display_name"], group_id=p["id"])
        if len(groups) > 1:
            ids = ", ".join(g["id"] for g in groups)
            raise CippConfigError(f"option 'display_name': {len(groups)} groups in {self.tenant} are named "
                                  f"{p['display_name']!r} ({ids}); set id to choose one", option="display_name")
        return self.adopt(groups[0] if groups else None)

    def adopt(self, raw):
        """The current group from a Graph ``groups`` row (None: absent), as ``read`` returns it;
        members and owners are read (one paged request each) only when the task manages them."""
        if raw is None:
            return None
        p = self.params
        group = {"id": raw["id"], "display_name": raw.get("displayName"), "description": raw.get("description") or "",
                 "mail_nickname": raw.get("mailNickname"), "group_type": group_type_of(raw), "mail": raw.get("mail")}
        for relation, wanted in (("members", p["members"]), ("owners", p["owners"])):
            if wanted is not None:
                rows = group_links(self.client, self.tenant, raw["id"], relation)
                self._links[relation] = rows
                group[relation] = sorted(r.get("userPrincipalName") or r["id"] for r in rows)
        return group

    # ------------------------------------------------------------------ desired
    def desired(self) -> dict:
        p = self.params
        wanted = {"display_name": p["display_name"], "description": p["description"],
                  "mail_nickname": p["mail_nickname"], "group_type": p["group_type"]}
        for relation in ("members", "owners"):
            if p[relation] is not None:
                wanted[relation] = self._wanted_links(relation)
        return wanted

    def _wanted_links(self, relation: str) -> list:
        given = self.params[relation]
        have = {str(r.get("userPrincipalName") or r["id"]).lower(): r for r in self._links.get(relation, [])}
        have_ids = {r["id"].lower(): r for r in self._links.get(relation, [])}
        names = []
        for name in given:
            row = have.get(name.lower()) or have_ids.get(name.lower())
            names.append(row.get("userPrincipalName") or row["id"] if row else name)
        if not self.params[f"purge_{relation}"]:
            names.extend(r.get("userPrincipalName") or r["id"] for r in self._links.get(relation, []))
        return sorted({n.lower(): n for n in names}.values())

    def validate(self, current, desired: dict) -> None:
        if current is None and self.params["state"] == "present":
            for option in ("display_name", "group_type"):
                if not self.params[option]:
                    raise CippConfigError(f"option '{option}' is required to create a group", option=option)
        if current is not None and desired.get("group_type") and desired["group_type"] != current["group_type"]:
            raise CippConfigError(f"option 'group_type': group {current['display_name']} is "
                                  f"{current['group_type']}; a group's type cannot be changed, delete and recreate it",
                                  option="group_type")

    # ------------------------------------------------------------------ writes
    def create(self, desired: dict) -> None:
        body = {"tenantFilter": label_value(self.tenant), "displayName": desired["display_name"],
                "groupType": GROUP_TYPES[desired["group_type"]][0]}
        if desired.get("description"):
            body["description"] = desired["description"]
        nickname = desired.get("mail_nickname") or "".join(ch for ch in desired["display_name"] if ch.isalnum())
        body["username"] = nickname
        for relation in ("members", "owners"):
            if desired.get(relation):
                ids = resolve_user_ids(self.client, self.tenant, desired[relation], relation)
                body[relation] = [label_value(ids[n], n) for n in desired[relation]]
        self.client.call("AddGroup", body=body)

    def update(self, current: dict, changes: dict, desired: dict) -> None:
        body = {"tenantFilter": self.tenant, "groupId": label_value(current["id"], current["display_name"]),
                "groupName": current["display_name"]}
        properties = (("display_name", "displayName"), ("description", "description"), ("mail_nickname", "mailNickname"))
        if any(option in changes for option, _field in properties):
            # EditGroup PATCHes displayName, description and mailNickname together: one left out
            # is sent as null and the edit fails, so the unchanged ones go along as they are.
            for option, field in properties:
                body[field] = changes.get(option, current.get(option))
        for relation, add_key, remove_key in (("members", "AddMember", "RemoveMember"),
                                              ("owners", "AddOwner", "RemoveOwner")):
            if relation not in changes:
                continue
            have = {str(r.get("userPrincipalName") or r["id"]).lower(): r for r in self._links[relation]}
            want = {n.lower(): n for n in changes[relation]}
            to_add = [want[k] for k in want if k not in have]
            to_remove = [have[k] for k in have if k not in want]
            if to_add:
                ids = resolve_user_ids(self.client, self.tenant, to_add, relation)
                body[add_key] = _linked([ids[n] for n in to_add], {ids[n]: n for n in to_add})
            if to_remove:
                # RemoveMember/RemoveOwner need the object id in value: a UPN there makes an invalid URL.
                names = {r["id"]: r.get("userPrincipalName") or r["id"] for r in to_remove}
                body[remove_key] = _linked([r["id"] for r in to_remove], names)
        self.client.call("EditGroup", body=body)

    def delete(self, current: dict) -> None:
        self.client.call("ExecGroupsDelete", body={
            "tenantFilter": self.tenant, "id": current["id"], "displayName": current["display_name"],
            "GroupType": GROUP_TYPES[current["group_type"]][1]})
