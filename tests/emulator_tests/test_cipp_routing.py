"""Routing as CIPP's catch-all HTTP trigger does it (CIPPHttpTrigger/function.json + New-CippCoreRequest)."""
from __future__ import annotations

from tests.emulator_tests.cipp_helpers import CONTOSO, Cipp, kinds, last_entry


def test_path_outside_api_is_the_web_ui_html(emu):
    cipp = Cipp(emu)
    response = cipp.call("GET", "", path="/ListUsers", params={"tenantFilter": CONTOSO})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.lstrip().lower().startswith("<!doctype html")


def test_unknown_endpoint_is_404_endpoint_not_found(emu):
    response = Cipp(emu).get("ListUserz", tenantFilter=CONTOSO)
    assert response.status_code == 404
    assert response.text == "Endpoint not found"
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "unknown_endpoint" in kinds(last_entry(emu))


def test_extra_path_segment_is_404(emu):
    response = Cipp(emu).call("GET", "", path="/api/ListUsers/extra", params={"tenantFilter": CONTOSO})
    assert response.status_code == 404
    assert response.text == "Endpoint not found"


def test_endpoint_name_is_case_insensitive_and_flagged(emu):
    response = Cipp(emu).get("listusers", tenantFilter=CONTOSO)
    assert response.status_code == 200
    assert isinstance(response.json(), list)
    entry = last_entry(emu)
    assert entry["endpoint"] == "ListUsers"
    assert kinds(entry) == ["endpoint_case"]


def test_any_http_method_reaches_the_handler(emu):
    response = Cipp(emu).call("DELETE", "GetVersion", params={"LocalVersion": "10.8.2"})
    assert response.status_code == 200
    assert response.json()["LocalCIPPAPIVersion"] == "10.8.2"


def test_real_but_unimplemented_endpoint_is_501_and_logged(emu):
    response = Cipp(emu).get("ListIntunePolicy", TenantFilter=CONTOSO)
    assert response.status_code == 501
    assert response.text == "Emulator: endpoint ListIntunePolicy is not implemented"
    assert "unimplemented" in kinds(last_entry(emu))


def test_clean_call_has_empty_conformance(emu):
    response = Cipp(emu).get("ListUsers", tenantFilter=CONTOSO)
    assert response.status_code == 200
    assert last_entry(emu)["conformance"] == []


def test_batch_runs_each_item_with_rbac(emu):
    response = Cipp(emu, client="readonly").post("$batch", {"requests": [
        {"id": "1", "url": "GetVersion", "method": "GET", "query": {"LocalVersion": "10.8.2"}},
        {"id": "2", "url": "EditUser", "method": "POST", "body": {"tenantFilter": CONTOSO, "id": "x"}},
        {"id": "3", "url": "NoSuchThing", "method": "GET"}]})
    assert response.status_code == 200
    by_id = {r["id"]: r for r in response.json()["responses"]}
    assert by_id["1"]["status"] == 200 and by_id["1"]["body"]["LocalCIPPAPIVersion"] == "10.8.2"
    assert by_id["2"]["status"] == 403 and "'readonly' base role" in by_id["2"]["body"]
    assert by_id["3"]["status"] == 404 and by_id["3"]["body"] == "Endpoint not found"
    empty = Cipp(emu).post("$batch", {"requests": []})
    assert empty.status_code == 400 and empty.json() == {"error": {"message": "No requests found in batch body"}}
