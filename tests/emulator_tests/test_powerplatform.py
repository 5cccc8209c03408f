"""The Power Platform API front: paging, the API's error shapes, the audience and
registration checks, the request log and faults (raw HTTP with real msal tokens)."""
from __future__ import annotations

import pytest

from .entra_helpers import confidential, public

PP_SCOPE = "https://api.powerplatform.com/.default"
PARTNER = "5a1b2c3d-0000-4000-8000-00000000a001"
CUSTOMER = "5a1b2c3d-0000-4000-8000-00000000c001"
VERSION = {"api-version": "2024-10-01"}
ENVIRONMENTS = "/environmentmanagement/environments"
GROUPS = "/environmentmanagement/environmentGroups"
BAP = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments"


def app_token(emu, client="powerplatform", scope=PP_SCOPE, tenant=None) -> str:
    result = confidential(emu, client, tenant=tenant).acquire_token_for_client([scope])
    assert "access_token" in result, result
    return result["access_token"]


def get(emu, path, token=None, params=None, url=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    target = url or f"{emu.info['powerplatform_url']}{path}"
    return emu.session().get(target, params=params, headers=headers, timeout=10)


def pp_log(emu, endpoint=None):
    return emu.control.requests(service="powerplatform", endpoint=endpoint)


def test_info_names_the_power_platform_url(emu):
    assert emu.info["powerplatform_url"].startswith("https://127.0.0.1:")
    assert emu.info["powerplatform_url"] not in (emu.info["cipp_url"], emu.info["authority"])


def test_environments_are_paged_with_odata_next_link(emu):
    token = app_token(emu)
    response = get(emu, ENVIRONMENTS, token, VERSION)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    seen, pages = list(response.json()["value"]), 1
    link = response.json().get("@odata.nextLink")
    while link:
        assert link.startswith(emu.info["powerplatform_url"] + ENVIRONMENTS) and "api-version=2024-10-01" in link
        page = get(emu, None, token, url=link).json()
        seen += page["value"]
        pages += 1
        link = page.get("@odata.nextLink")
    assert (len(seen), pages) == (25, 3)
    assert len({e["id"] for e in seen}) == 25
    default = next(e for e in seen if e["type"] == "Default")
    assert default["id"] == f"Default-{PARTNER}" and default["tenantId"] == PARTNER
    for key in ("displayName", "type", "geo", "azureRegion", "state", "createdDateTime"):
        assert key in default, key
    assert [e["page"] for e in pp_log(emu, "environments")] == [1, 2, 3]
    assert all(e["client_id"] == emu.clients["powerplatform"]["client_id"] for e in pp_log(emu))


def test_top_skip_filter_and_select(emu):
    token = app_token(emu)
    sandboxes = get(emu, ENVIRONMENTS, token, {**VERSION, "$filter": "type eq 'Sandbox'"}).json()
    assert sandboxes["value"] and {e["type"] for e in sandboxes["value"]} == {"Sandbox"}
    assert "@odata.nextLink" not in sandboxes
    few = get(emu, ENVIRONMENTS, token, {**VERSION, "$top": "3", "$skip": "1", "$select": "id,displayName"}).json()
    assert len(few["value"]) == 3 and set(few["value"][0]) == {"id", "displayName"}
    bad = get(emu, ENVIRONMENTS, token, {**VERSION, "$filter": "startswith(displayName, 'A')"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "BadRequest"


def test_token_tenant_selects_the_data(emu):
    token = app_token(emu, tenant=CUSTOMER)
    names = [e["displayName"] for e in get(emu, ENVIRONMENTS, token, VERSION).json()["value"]]
    assert names == ["Contoso (default)", "Contoso Production", "Contoso Sandbox"]


def test_missing_and_unknown_api_version_are_400(emu):
    token = app_token(emu)
    missing = get(emu, ENVIRONMENTS, token)
    assert missing.status_code == 400
    assert missing.json() == {"error": {"code": "MissingApiVersionParameter", "message":
                                        "The api-version query parameter (?api-version=) is required for all requests."}}
    unknown = get(emu, ENVIRONMENTS, token, {"api-version": "2019-01-01"})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "InvalidApiVersionParameter"
    assert "2024-10-01" in unknown.json()["error"]["message"]


@pytest.mark.parametrize("header,code", [
    (None, "AuthenticationFailed"),
    ("Bearer not.a.jwt", "InvalidAuthenticationToken"),
    ("Basic Zm9vOmJhcg==", "AuthenticationFailed"),
])
def test_requests_without_a_valid_token_are_401(emu, header, code):
    headers = {"Authorization": header} if header else {}
    response = emu.session().get(f"{emu.info['powerplatform_url']}{ENVIRONMENTS}", params=VERSION, headers=headers,
                                 timeout=10)
    assert response.status_code == 401 and response.json()["error"]["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


def test_expired_token_is_401(emu):
    emu.control.set_token_lifetime(3599, expired=True)
    response = get(emu, ENVIRONMENTS, app_token(emu), VERSION)
    assert response.status_code == 401 and response.json()["error"]["code"] == "ExpiredAuthenticationToken"


def test_a_cipp_token_is_refused_for_its_audience(emu):
    cipp_token = app_token(emu, "editor", scope=emu.clients["editor"]["scope"])
    response = get(emu, ENVIRONMENTS, cipp_token, VERSION)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "InvalidAuthenticationAudience"
    assert "api://11111111-1111-4111-8111-111111111111" in error["message"]
    assert "'https://api.powerplatform.com'" in error["message"]
    entry = pp_log(emu)[-1]
    assert entry["status"] == 401 and "audience" in entry["note"] and entry["client_id"] == emu.clients["editor"]["client_id"]


def test_a_power_platform_token_is_refused_by_cipp(emu):
    response = emu.session().get(f"{emu.api_url}/ListTenants", headers={"Authorization": f"Bearer {app_token(emu)}"},
                                 timeout=10)
    assert response.status_code == 401
    assert "https://api.powerplatform.com" in emu.control.requests(service="cipp")[-1]["note"]


def test_unregistered_service_principal_is_403_with_the_apis_text(emu):
    token = app_token(emu, "editor")   # a valid Power Platform token: Entra issues it to any app
    response = get(emu, ENVIRONMENTS, token, VERSION)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "Forbidden"
    assert error["message"].startswith("The service principal with id '")
    assert f"for application {emu.clients['editor']['client_id']} does not have permission to access the path" \
        in error["message"] and f"in tenant {PARTNER}." in error["message"]
    assert "registered" in pp_log(emu)[-1]["note"]


def test_registration_is_per_tenant(emu):
    # The powerplatform app is registered in the customer tenant too; the editor nowhere.
    assert get(emu, ENVIRONMENTS, app_token(emu, "powerplatform", tenant=CUSTOMER), VERSION).status_code == 200
    assert get(emu, ENVIRONMENTS, app_token(emu, "editor"), VERSION).status_code == 403


def test_user_token_lists_environments(emu):
    info = emu.clients["powerplatform_user"]
    with pytest.warns(DeprecationWarning):
        result = public(emu, "powerplatform_user").acquire_token_by_username_password(
            info["username"], info["password"], scopes=[PP_SCOPE])
    assert "access_token" in result, result
    response = get(emu, ENVIRONMENTS, result["access_token"], VERSION)
    assert response.status_code == 200 and len(response.json()["value"]) == 10
    assert pp_log(emu)[-1]["caller"] == "user"


def test_user_without_consent_gets_65001_from_entra(emu):
    info = emu.clients["public"]
    with pytest.warns(DeprecationWarning):
        result = public(emu).acquire_token_by_username_password(info["username"], info["password"], scopes=[PP_SCOPE])
    assert result["error_codes"] == [65001]


def test_single_environment_and_not_found(emu):
    token = app_token(emu)
    found = get(emu, f"{ENVIRONMENTS}/0e1f2a3b-0001-4000-8000-00000000e001", token, VERSION)
    assert found.status_code == 200 and found.json()["displayName"] == "MSP Operations"
    missing = get(emu, f"{ENVIRONMENTS}/00000000-0000-4000-8000-000000000000", token, VERSION)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "EnvironmentNotFound"
    unknown = get(emu, "/environmentmanagement/nothing", token, VERSION)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "NotFound"


def test_environment_groups_write_and_log_state_changes(emu):
    token = app_token(emu)
    base = f"{emu.info['powerplatform_url']}{GROUPS}"
    headers = {"Authorization": f"Bearer {token}"}
    created = emu.session().post(base, params=VERSION, json={"displayName": "Audit", "description": "x"},
                                 headers=headers, timeout=10)
    assert created.status_code == 201 and created.json()["displayName"] == "Audit"
    names = [g["displayName"] for g in get(emu, GROUPS, token, VERSION).json()["value"]]
    assert names == ["Client delivery", "Audit"]
    deleted = emu.session().delete(f"{base}/{created.json()['id']}", params=VERSION, headers=headers, timeout=10)
    assert deleted.status_code == 204
    invalid = emu.session().post(base, params=VERSION, json={}, headers=headers, timeout=10)
    assert invalid.status_code == 400
    changed = [(e["method"], e["endpoint"]) for e in pp_log(emu) if e["state_changed"]]
    assert changed == [("POST", "environmentGroups"), ("DELETE", "environmentGroup")]
    not_allowed = emu.session().put(base, params=VERSION, json={}, headers=headers, timeout=10)
    assert not_allowed.status_code == 405


def test_reset_restores_the_groups(emu):
    token = app_token(emu)
    emu.session().post(f"{emu.info['powerplatform_url']}{GROUPS}", params=VERSION, json={"displayName": "Temp"},
                       headers={"Authorization": f"Bearer {token}"}, timeout=10)
    emu.control.reset()
    assert [g["displayName"] for g in get(emu, GROUPS, token, VERSION).json()["value"]] == ["Client delivery"]


def test_bap_admin_list_has_its_own_shape_and_next_link(emu):
    token = app_token(emu)
    first = get(emu, BAP, token, {"api-version": "2020-10-01"}).json()
    row = first["value"][1]
    assert row["id"] == f"{BAP}/{row['name']}" and row["type"] == "Microsoft.BusinessAppPlatform/scopes/environments"
    assert row["properties"]["environmentSku"] == "Production"
    assert row["properties"]["linkedEnvironmentMetadata"]["instanceUrl"].startswith("https://")
    assert "nextLink" in first and "@odata.nextLink" not in first
    assert get(emu, BAP, token, VERSION).status_code == 400   # BAP's own api-versions


def test_faults_apply_to_the_power_platform_front(emu):
    token = app_token(emu)
    emu.control.add_fault(service="powerplatform", endpoint="environments", kind="status", status=503, count=1)
    faulted = get(emu, ENVIRONMENTS, token, VERSION)
    assert faulted.status_code == 503 and faulted.json()["error"]["code"] == "ServiceUnavailable"
    assert get(emu, ENVIRONMENTS, token, VERSION).status_code == 200
    entries = pp_log(emu, "environments")
    assert [e["status"] for e in entries] == [503, 200] and entries[0]["note"] == "fault:status"
    emu.control.add_fault(service="powerplatform", endpoint="*", kind="status", status=429, retry_after=2)
    throttled = get(emu, GROUPS, token, VERSION)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
