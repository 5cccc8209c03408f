"""How the worker and Receive-CippHttpTrigger turn a request into $Request (parsing quirks)."""
from __future__ import annotations

import json

from tests.emulator_tests.cipp_helpers import ALEX, ALEX_ID, CONTOSO, Cipp, kinds, last_entry, user


def test_body_is_ignored_without_json_content_type(emu):
    cipp = Cipp(emu)
    body = json.dumps({"tenantFilter": CONTOSO, "id": ALEX_ID, "username": "alex.wilber", "Domain": CONTOSO,
                       "jobTitle": "Changed"})
    response = cipp.call("POST", "EditUser", data=body, headers={"Content-Type": "text/plain"})
    assert response.status_code == 400
    assert response.json() == {"Results": ["Failed to edit user. No user ID provided"]}
    assert "body_ignored" in kinds(last_entry(emu))
    assert user(cipp, CONTOSO, ALEX_ID)["jobTitle"] == "Marketing Assistant"


def test_missing_content_type_still_parses_json(emu):
    response = Cipp(emu).call("POST", "ExecDisableUser",
                              data=json.dumps({"tenantFilter": CONTOSO, "ID": ALEX, "Enable": True}))
    assert response.status_code == 200
    assert response.json() == {"Results": f"Successfully set account enabled state to True for {ALEX}"}


def test_parameter_names_are_case_insensitive(emu):
    cipp = Cipp(emu)
    response = cipp.get("ListUsers", TENANTFILTER=CONTOSO, userid=ALEX_ID)
    assert response.status_code == 200
    assert response.json()[0]["userPrincipalName"] == ALEX
    assert set(kinds(last_entry(emu))) == {"key_case"}
    edited = cipp.post("EditUser", {"TenantFilter": CONTOSO, "ID": ALEX_ID, "UserName": "alex.wilber",
                                    "DOMAIN": CONTOSO, "JobTitle": "Case Test"})
    assert edited.status_code == 200, edited.text
    assert user(cipp, CONTOSO, ALEX_ID)["jobTitle"] == "Case Test"


def test_keys_differing_only_in_case_crash_the_function(emu):
    response = Cipp(emu).call("POST", "EditUser", data='{"id":"a","ID":"b"}',
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 500
    assert response.content == b""
    assert "duplicate_key_case" in kinds(last_entry(emu))


def test_malformed_json_reaches_the_handler_as_a_raw_string(emu):
    response = Cipp(emu).call("POST", "EditUser", data='{"id": "x", ',
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"Results": ["Failed to edit user. No user ID provided"]}
    assert "malformed_json" in kinds(last_entry(emu))


def test_query_wins_over_body_for_exec_endpoints(emu):
    cipp = Cipp(emu)
    response = cipp.post("ExecDisableUser", {"tenantFilter": CONTOSO, "ID": "nobody@contoso.com", "Enable": "false"},
                         params={"ID": ALEX})
    assert response.status_code == 200, response.text
    assert response.json()["Results"] == f"Successfully set account enabled state to False for {ALEX}"
    assert user(cipp, CONTOSO, ALEX)["accountEnabled"] is False


def test_convert_toboolean_rejects_yes_with_500_text(emu):
    response = Cipp(emu).post("ExecDisableUser", {"tenantFilter": CONTOSO, "ID": ALEX, "Enable": "yes"})
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == ('Exception calling "ToBoolean" with "1" argument(s): "String \'yes\' was not recognized '
                             'as a valid Boolean."')
    assert "invalid_boolean" in kinds(last_entry(emu))


def test_unknown_key_is_flagged_and_ignored(emu):
    cipp = Cipp(emu)
    response = cipp.post("EditUser", {"tenantFilter": CONTOSO, "id": ALEX_ID, "username": "alex.wilber",
                                      "Domain": CONTOSO, "jobTitel": "Typo"})
    assert response.status_code == 200
    entry = last_entry(emu)
    assert [f["field"] for f in entry["conformance"] if f["kind"] == "unknown_key"] == ["body.jobTitel"]
    assert user(cipp, CONTOSO, ALEX_ID)["jobTitle"] == "Marketing Assistant"
