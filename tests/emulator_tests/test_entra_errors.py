"""One test per AADSTS code: the status, ``error`` and ``error_codes`` Entra sends."""
from __future__ import annotations

import json
import uuid

import pytest

from .entra_helpers import assert_aadsts, authority, confidential, public, token_post

CUSTOMER = "5a1b2c3d-0000-4000-8000-00000000c001"


def _raw_error(response, status: int, code: int, error: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert_aadsts(body, code, error)
    assert "\r\nTrace ID: " in body["error_description"]
    assert "\r\nCorrelation ID: " in body["error_description"]
    return body


def test_7000215_wrong_secret(emu):
    result = confidential(emu, credential="not-the-secret").acquire_token_for_client(
        [emu.clients["editor"]["scope"]])
    assert_aadsts(result, 7000215, "invalid_client")
    assert "client secret value, not the client secret ID" in result["error_description"]
    client = emu.clients["editor"]
    _raw_error(token_post(emu, client_id=client["client_id"], grant_type="client_credentials",
                          client_secret=client["secret_id"], scope=client["scope"]),
               401, 7000215, "invalid_client")     # the secret's ID is not its value


def test_7000222_expired_secret(emu):
    client = emu.clients["expired"]
    assert client["secret_expired"] is True
    result = confidential(emu, "expired").acquire_token_for_client([client["scope"]])
    assert_aadsts(result, 7000222, "invalid_client")
    _raw_error(token_post(emu, client_id=client["client_id"], grant_type="client_credentials",
                          client_secret=client["client_secret"], scope=client["scope"]),
               401, 7000222, "invalid_client")


def test_700016_app_not_in_tenant(emu):
    # A single-tenant app asked for in a customer tenant, and an id nobody registered.
    result = confidential(emu, tenant=CUSTOMER).acquire_token_for_client([emu.clients["editor"]["scope"]])
    assert_aadsts(result, 700016, "unauthorized_client")
    assert "was not found in the directory 'Contoso (customer)'" in result["error_description"]
    stranger = str(uuid.uuid4())
    response = token_post(emu, client_id=stranger, grant_type="client_credentials",
                          client_secret="x", scope=f"api://{stranger}/.default")
    _raw_error(response, 400, 700016, "unauthorized_client")


def test_500011_resource_without_identifier_uri(emu):
    client = emu.clients["nouri"]
    result = confidential(emu, "nouri").acquire_token_for_client([f"api://{client['client_id']}/.default"])
    assert_aadsts(result, 500011, "invalid_resource")
    assert f"resource principal named api://{client['client_id']} was not found" in result["error_description"]
    # The bare app-id scope names the same app by its appId and works.
    ok = confidential(emu, "nouri").acquire_token_for_client([f"{client['client_id']}/.default"])
    assert "access_token" in ok, ok


def test_500011_resource_in_another_tenant(emu):
    editor_scope = emu.clients["editor"]["scope"]     # the editor API lives in the partner tenant
    result = confidential(emu, "powerplatform", tenant=CUSTOMER).acquire_token_for_client([editor_scope])
    assert_aadsts(result, 500011, "invalid_resource")


def test_70011_missing_or_mixed_scope(emu):
    client = emu.clients["editor"]
    base = {"client_id": client["client_id"], "grant_type": "client_credentials",
            "client_secret": client["client_secret"]}
    body = _raw_error(token_post(emu, **base), 400, 70011, "invalid_scope")
    assert "must include a 'scope' input parameter" in body["error_description"]
    mixed = f"{client['scope']} https://graph.microsoft.com/.default"
    body = _raw_error(token_post(emu, **base, scope=mixed), 400, 70011, "invalid_scope")
    assert "not compatible with each other" in body["error_description"]


def test_1002012_scope_without_default_for_client_credentials(emu):
    client = emu.clients["editor"]
    result = confidential(emu).acquire_token_for_client([f"api://{client['client_id']}/user_impersonation"])
    assert_aadsts(result, 1002012, "invalid_scope")
    assert "/.default suffixed" in result["error_description"]


def test_700027_unregistered_certificate(emu):
    stray = emu.clients["cert_unregistered"]
    credential = {"private_key": open(stray["key_pem"]).read(), "thumbprint": stray["thumbprint"]}
    result = confidential(emu, "cert", credential=credential).acquire_token_for_client([stray["scope"]])
    assert_aadsts(result, 700027, "invalid_client")
    assert "The key was not found." in result["error_description"]
    assert stray["thumbprint"] in result["error_description"]


def test_90002_unknown_tenant_raises_in_msal_and_has_entra_shape(emu):
    with pytest.raises(ValueError) as raised:
        confidential(emu, tenant="5a1b2c3d-0000-4000-8000-0000000dead0")
    assert "AADSTS90002" in str(raised.value.__context__)      # where msal keeps the detail
    response = emu.session().get(f"{authority(emu, 'nope.onmicrosoft.com')}/v2.0/.well-known/openid-configuration",
                                 timeout=10)
    _raw_error(response, 400, 90002, "invalid_tenant")
    token = token_post(emu, tenant="nope.onmicrosoft.com", client_id=emu.clients["editor"]["client_id"],
                       grant_type="client_credentials", client_secret="x", scope="x/.default")
    _raw_error(token, 400, 90002, "invalid_tenant")


def test_900023_tenant_neither_guid_nor_domain(emu):
    response = emu.session().get(f"{emu.authority}/not_a_tenant/v2.0/.well-known/openid-configuration", timeout=10)
    _raw_error(response, 400, 900023, "invalid_request")


def _ropc(emu, user: str, password: str | None = None, client: str = "public"):
    app = public(emu, client)
    with pytest.warns(DeprecationWarning):   # msal >= 1.35 deprecates ROPC for public clients
        return app.acquire_token_by_username_password(
            user, password if password is not None else emu.info["users"][user]["password"],
            scopes=["https://graph.microsoft.com/User.Read"])


def test_50126_wrong_password(emu):
    result = _ropc(emu, "admin@msp-partner.onmicrosoft.com", "wrong-password")
    assert_aadsts(result, 50126, "invalid_grant")


def test_50076_mfa_required(emu):
    result = _ropc(emu, "mfa.user@msp-partner.onmicrosoft.com")
    assert_aadsts(result, 50076, "invalid_grant")
    assert result["suberror"] == "basic_action"
    assert json.loads(result["claims"])["access_token"]["capolids"]["essential"] is True


def test_53003_conditional_access_block(emu):
    result = _ropc(emu, "blocked.user@msp-partner.onmicrosoft.com")
    assert_aadsts(result, 53003, "interaction_required")
    assert result["suberror"] == "message_only"


def test_7000218_public_client_flows_disabled(emu):
    result = _ropc(emu, "admin@msp-partner.onmicrosoft.com", client="public_disabled")
    assert_aadsts(result, 7000218, "invalid_client")


def test_50034_unknown_user(emu):
    result = _ropc(emu, "ghost@msp-partner.onmicrosoft.com", "whatever")
    assert_aadsts(result, 50034, "invalid_grant")


def test_7000216_client_credentials_without_credential(emu):
    client = emu.clients["editor"]
    response = token_post(emu, client_id=client["client_id"], grant_type="client_credentials",
                          scope=client["scope"])
    _raw_error(response, 401, 7000216, "invalid_client")


def test_request_shape_errors(emu):
    client = emu.clients["editor"]
    _raw_error(token_post(emu, client_id=client["client_id"], scope=client["scope"]),
               400, 900144, "invalid_request")
    _raw_error(token_post(emu, client_id="not-a-guid", grant_type="client_credentials", scope="x/.default"),
               400, 700038, "unauthorized_client")
    _raw_error(token_post(emu, client_id=client["client_id"], grant_type="magic"),
               400, 70003, "unsupported_grant_type")
    get = emu.session().get(f"{authority(emu)}/oauth2/v2.0/token", timeout=10)
    _raw_error(get, 400, 900561, "invalid_request")
    common = token_post(emu, tenant="organizations", client_id=client["client_id"],
                        grant_type="client_credentials", client_secret=client["client_secret"],
                        scope=client["scope"])
    _raw_error(common, 400, 50059, "invalid_request")


def test_correlation_id_is_the_callers_client_request_id(emu):
    client = emu.clients["editor"]
    response = emu.session().post(f"{authority(emu)}/oauth2/v2.0/token", timeout=10,
                                  headers={"client-request-id": "0f0f0f0f-1111-2222-3333-444444444444"},
                                  data={"client_id": client["client_id"], "grant_type": "client_credentials",
                                        "client_secret": "wrong", "scope": client["scope"]})
    assert response.json()["correlation_id"] == "0f0f0f0f-1111-2222-3333-444444444444"


def test_msal_caches_a_400_so_the_retry_never_reaches_the_emulator(emu):
    app = confidential(emu, tenant=CUSTOMER)
    for _attempt in range(2):
        assert_aadsts(app.acquire_token_for_client([emu.clients["editor"]["scope"]]), 700016,
                      "unauthorized_client")
    assert len(emu.control.requests(service="entra", endpoint="token")) == 1
