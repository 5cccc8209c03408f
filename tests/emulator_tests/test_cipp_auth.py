"""Easy Auth (App Service) and Test-CIPPAccess in front of every CIPP endpoint."""
from __future__ import annotations

from tests.emulator_tests.cipp_helpers import (
    ALEX_ID, BARE_AUDIENCE, CONTOSO, CONTOSO_ID, DISABLED_UNSAVED, HELPDESK, IP_RESTRICTED, NOURI, Cipp,
    client_token, runtime_client_token)
from tests.emulator_tests.entra_helpers import public

FORBIDDEN_PAGE = "You do not have permission to view this directory or page."


def test_no_token_is_401_with_bearer_challenge(emu):
    response = Cipp(emu, token="").get("ListTenants")
    assert response.status_code == 401
    assert response.text == ""
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


def test_garbled_and_badly_signed_tokens_are_401(emu):
    good = client_token(emu, "editor")
    header, payload, signature = good.split(".")
    for token in ("not-a-jwt", f"{header}.{payload}.{signature[:-4]}AAAA"):
        assert Cipp(emu, token=token).get("ListTenants").status_code == 401


def test_expired_token_is_401(emu):
    emu.control.set_token_lifetime(3600, expired=True)
    token = client_token(emu, "editor", cache=False)
    assert Cipp(emu, token=token).get("ListTenants").status_code == 401


def test_audience_must_be_an_allowed_one(emu):
    # This client is configured (as Easy Auth has it) for the bare GUID audience only.
    api_uri = client_token(emu, "bare_audience", scope=f"api://{BARE_AUDIENCE}/.default")
    assert Cipp(emu, token=api_uri).get("ListTenants").status_code == 401
    bare = client_token(emu, "bare_audience", scope=f"{BARE_AUDIENCE}/.default")
    assert Cipp(emu, token=bare).get("ListTenants").status_code == 200


def test_client_without_identifier_uri_works_with_guid_audience(emu):
    token = client_token(emu, "nouri", scope=f"{NOURI}/.default")
    assert Cipp(emu, token=token).get("ListTenants").status_code == 200


def test_client_missing_from_api_clients_table_is_403(emu):
    # 7777 passes Easy Auth (a stale "Save to Azure") but has no ApiClients row: role 'cipp-api'.
    response = Cipp(emu, client="unlisted").get("ListTenants")
    assert response.status_code == 403
    assert response.text == ("Access to this CIPP API endpoint is not allowed, the user does not have the required "
                             "permission")


def test_client_not_in_allowed_applications_is_403_page(emu):
    token = runtime_client_token(emu, "disabled-unsaved", DISABLED_UNSAVED)
    own_audience = Cipp(emu, token=token).get("ListTenants")
    assert own_audience.status_code == 401          # api://<its id> was never saved as an audience
    other = client_token(emu, "", client_id=DISABLED_UNSAVED, secret=emu.control.live_info()["clients"]["disabled-unsaved"]["client_secret"],
                         scope="api://11111111-1111-4111-8111-111111111111/.default", cache=False)
    response = Cipp(emu, token=other).get("ListTenants")
    assert response.status_code == 403
    assert response.text == FORBIDDEN_PAGE


def test_readonly_cannot_edit_users(emu):
    response = Cipp(emu, client="readonly").post("EditUser", {"tenantFilter": CONTOSO, "id": ALEX_ID})
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == ("Access to this CIPP API endpoint is not allowed, the 'readonly' base role does not have "
                             "the required permission: Identity.User.ReadWrite")


def test_editor_cannot_write_standards_but_admin_can(emu):
    body = {"templateName": "rbac probe", "tenantFilter": [{"value": CONTOSO, "label": CONTOSO}], "standards": {}}
    response = Cipp(emu).post("AddStandardsTemplate", body)
    assert response.status_code == 403
    assert response.text == ("Access to this CIPP API endpoint is not allowed, the 'editor' base role does not have "
                             "the required permission: Tenant.Standards.ReadWrite")
    assert Cipp(emu, client="admin").post("AddStandardsTemplate", body).status_code == 200


def test_editor_cannot_call_app_settings(emu):
    response = Cipp(emu).post("ExecExcludeTenant", {"value": [CONTOSO_ID]}, params={"AddExclusion": "true"})
    assert response.status_code == 403
    assert "'editor' base role does not have the required permission: CIPP.AppSettings.ReadWrite" in response.text


def test_custom_role_blocked_endpoint_and_tenant_scope(emu):
    token = runtime_client_token(emu, "helpdesk", HELPDESK)
    cipp = Cipp(emu, token=token)
    blocked = cipp.post("RemoveUser", {"tenantFilter": CONTOSO, "ID": ALEX_ID})
    assert blocked.status_code == 403
    assert blocked.text == ("Access to this CIPP API endpoint is not allowed, the custom role 'helpdesk-contoso' has "
                            "blocked this endpoint: RemoveUser")
    other = cipp.get("ListUsers", tenantFilter="fabrikam.com")
    assert other.status_code == 403 and other.text == "Access to this tenant is not allowed"
    assert cipp.get("ListUsers", tenantFilter=CONTOSO).status_code == 200
    missing = cipp.get("ListMailboxes", tenantFilter=CONTOSO)
    assert missing.text == ("Access to this CIPP API endpoint is not allowed, you do not have the required "
                            "permission: Exchange.Mailbox.Read")
    tenants = cipp.get("ListTenants").json()
    assert [t["defaultDomainName"] for t in tenants] == [CONTOSO]


def test_ip_restricted_client_outside_its_range(emu):
    token = runtime_client_token(emu, "ip-restricted", IP_RESTRICTED)
    cipp = Cipp(emu, token=token)
    response = cipp.get("ListTenants")
    assert response.status_code == 403
    assert response.text == ("Access to this CIPP API endpoint is not allowed, the API Client does not have the "
                             "required permission")
    inside = cipp.call("GET", "ListTenants", headers={"X-Forwarded-For": "10.20.1.2:5555"})
    assert inside.status_code == 200


def test_portal_user_token_is_a_user_with_admin_role(emu):
    app = public(emu)     # the entra tests' msal PublicClientApplication (ROPC)
    result = app.acquire_token_by_username_password(
        "admin@msp-partner.onmicrosoft.com", "Emu-Admin-Passw0rd!",
        scopes=["api://11111111-1111-4111-8111-111111111111/user_impersonation"])
    assert "access_token" in result, result
    cipp = Cipp(emu, token=result["access_token"])
    assert cipp.get("ListTenants").status_code == 200
    # admin, not superadmin: CIPP.SuperAdmin.* stays closed
    denied = cipp.post("ExecSAMAppPermissions", {})
    assert denied.status_code == 403
    assert "'admin' base role does not have the required permission: CIPP.SuperAdmin.ReadWrite" in denied.text


def test_api_me_for_a_base_role_client_fails_binding(emu):
    response = Cipp(emu).get("me")
    assert response.status_code == 403
    assert response.text == "Cannot bind argument to parameter 'UserRoles' because it is null."
