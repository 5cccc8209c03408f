"""Group endpoints."""
from __future__ import annotations

from tests.emulator_tests.cipp_helpers import (
    ALEX, ALEX_ID, CONTOSO, GROUP_FINANCE_DL, GROUP_MARKETING, GROUP_VPN, MEGAN_ID, Cipp, kinds, last_entry)


def test_list_groups_and_detail(emu):
    cipp = Cipp(emu)
    groups = cipp.get("ListGroups", tenantFilter=CONTOSO).json()
    by_name = {g["displayName"]: g for g in groups}
    assert [g["displayName"] for g in groups] == sorted(by_name, key=str.lower)
    assert by_name["Marketing"]["groupType"] == "Microsoft 365"
    assert by_name["Marketing"]["calculatedGroupType"] == "m365"
    assert by_name["Finance DL"]["groupType"] == "Distribution List"
    assert by_name["Executives"]["groupType"] == "Mail-Enabled Security"
    assert by_name["VPN Users"]["calculatedGroupType"] == "generic"
    assert by_name["Dynamic - Sales"]["dynamicGroupBool"] is True
    assert by_name["Marketing"]["primDomain"] == CONTOSO
    assert by_name["Marketing"]["SID"].startswith("S-1-12-1-")
    detail = cipp.get("ListGroups", tenantFilter=CONTOSO, groupID=GROUP_MARKETING, groupType="Microsoft 365",
                      members="true", owners="true").json()
    assert detail["groupInfo"]["displayName"] == "Marketing"
    assert {m["id"] for m in detail["members"]} == {MEGAN_ID, ALEX_ID}
    assert [o["id"] for o in detail["owners"]] == [MEGAN_ID]
    assert detail["allowExternal"] is False and detail["sendCopies"] is False
    needs_id = cipp.get("ListGroups", tenantFilter=CONTOSO, members="true")
    assert needs_id.status_code == 400


def test_add_group_and_ten_minute_cache(emu):
    cipp = Cipp(emu)
    body = {"tenantFilter": CONTOSO, "displayName": "Project X", "description": "x", "groupType": "generic",
            "username": "projectx", "owners": [{"value": MEGAN_ID}], "members": [{"value": ALEX_ID}]}
    first = cipp.post("AddGroup", body)
    assert first.json() == {"Results": [f"Successfully created group Project X for {CONTOSO}"]}
    assert last_entry(emu)["state_changed"] is True
    second = cipp.post("AddGroup", body)
    assert second.json() == first.json()
    names = [g["displayName"] for g in cipp.get("ListGroups", tenantFilter=CONTOSO).json()]
    assert names.count("Project X") == 1
    missing_type = cipp.post("AddGroup", {"tenantFilter": CONTOSO, "displayName": "No Type"})
    assert missing_type.status_code == 500
    assert missing_type.json()["Results"][0].startswith("Failed to create group. No Type for contoso.com")


def test_edit_group_members(emu):
    cipp = Cipp(emu)
    response = cipp.post("EditGroup", {"tenantFilter": CONTOSO, "groupId": GROUP_VPN, "groupName": "VPN Users",
                                       "AddMember": [{"value": MEGAN_ID, "addedFields": {"userPrincipalName": "megan.bowen@contoso.com"}}],
                                       "RemoveMember": [{"value": ALEX_ID, "addedFields": {"userPrincipalName": ALEX}}]})
    assert response.status_code == 200
    assert response.json() == {"Results": ["Success - Added member megan.bowen@contoso.com to VPN Users group",
                                           f"Success - Removed member {ALEX} from VPN Users group"]}
    members = cipp.get("ListGroups", tenantFilter=CONTOSO, groupID=GROUP_VPN, members="true").json()["members"]
    ids = {m["id"] for m in members}
    assert MEGAN_ID in ids and ALEX_ID not in ids


def test_edit_group_remove_member_bare_string_is_an_error_line(emu):
    cipp = Cipp(emu)
    response = cipp.post("EditGroup", {"tenantFilter": CONTOSO, "groupId": GROUP_MARKETING, "groupName": "Marketing",
                                       "RemoveMember": [ALEX]})
    assert response.status_code == 200
    results = response.json()["Results"]
    assert len(results) == 1 and results[0].startswith("Error - ")
    assert "bare_labelvalue" in kinds(last_entry(emu))
    members = cipp.get("ListGroups", tenantFilter=CONTOSO, groupID=GROUP_MARKETING, members="true").json()["members"]
    assert ALEX_ID in {m["id"] for m in members}


def test_edit_group_distribution_list_goes_through_exchange(emu):
    response = Cipp(emu).post("EditGroup", {"tenantFilter": CONTOSO, "groupId": GROUP_FINANCE_DL, "groupName": "Finance DL",
                                            "AddMember": [ALEX]})
    assert response.json() == {"Results": [f"Success - Added member {ALEX} to Finance DL group"]}


def test_groups_delete_needs_exact_group_type(emu):
    cipp = Cipp(emu)
    wrong = cipp.post("ExecGroupsDelete", {"tenantFilter": CONTOSO, "id": GROUP_VPN, "displayName": "VPN Users",
                                           "GroupType": "securitygroup"})
    assert wrong.status_code == 200 and wrong.json() == {"Results": None}
    assert "ignored_field" in kinds(last_entry(emu))
    ok = cipp.post("ExecGroupsDelete", {"tenantFilter": CONTOSO, "id": GROUP_VPN, "displayName": "VPN Users",
                                        "GroupType": "Security"})
    assert ok.json() == {"Results": "Successfully Deleted Security group VPN Users"}
    assert GROUP_VPN not in {g["id"] for g in cipp.get("ListGroups", tenantFilter=CONTOSO).json()}


def test_list_user_groups(emu):
    rows = Cipp(emu).get("ListUserGroups", tenantFilter=CONTOSO, userId=ALEX_ID).json()
    names = [r["DisplayName"] for r in rows]
    assert names == sorted(names, key=str.lower)
    assert {"All Company", "Marketing", "VPN Users"} <= set(names)
    marketing = next(r for r in rows if r["DisplayName"] == "Marketing")
    assert marketing["GroupTypes"] == "Unified" and marketing["groupType"] == "Microsoft 365"
