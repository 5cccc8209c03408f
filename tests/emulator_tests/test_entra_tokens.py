"""Client-credential tokens: claims, audiences, caching behaviour msal depends on."""
from __future__ import annotations

import time

import jwt
import pytest

from .entra_helpers import confidential, token_post, verified_claims

PARTNER = "5a1b2c3d-0000-4000-8000-00000000a001"
CUSTOMER = "5a1b2c3d-0000-4000-8000-00000000c001"


def test_secret_token_has_entra_v1_app_claims(emu):
    client = emu.clients["editor"]
    result = confidential(emu).acquire_token_for_client([client["scope"]])
    assert "access_token" in result, result
    claims = verified_claims(emu, result["access_token"], audience=f"api://{client['client_id']}")
    assert claims["iss"] == f"https://sts.windows.net/{PARTNER}/"
    assert claims["tid"] == PARTNER
    assert claims["appid"] == claims["azp"] == client["client_id"]
    assert claims["appidacr"] == "1"
    assert claims["idtyp"] == "app" and claims["ver"] == "1.0"
    assert claims["oid"] == claims["sub"]
    assert "roles" not in claims            # Entra omits roles when none are granted
    assert abs((claims["exp"] - claims["iat"]) - 3599) <= 1
    assert claims["exp"] > time.time() + 3000


def test_client_credentials_response_has_no_scope_and_is_cached(emu):
    app = confidential(emu)
    scope = emu.clients["editor"]["scope"]
    first = app.acquire_token_for_client([scope])
    assert first["token_source"] == "identity_provider"
    raw = token_post(emu, client_id=emu.clients["editor"]["client_id"], grant_type="client_credentials",
                     client_secret=emu.clients["editor"]["client_secret"], scope=scope).json()
    assert set(raw) == {"token_type", "expires_in", "ext_expires_in", "access_token"}
    assert raw["token_type"] == "Bearer" and raw["expires_in"] == raw["ext_expires_in"] == 3599
    second = app.acquire_token_for_client([scope])
    assert second["token_source"] == "cache"       # only true if the response had no "scope"
    assert len(emu.control.token_requests()) == 2   # the msal one and the raw one


def test_bare_guid_scope_gives_guid_audience(emu):
    client = emu.clients["bare_audience"]
    result = confidential(emu, "bare_audience").acquire_token_for_client([f"{client['client_id']}/.default"])
    assert verified_claims(emu, result["access_token"])["aud"] == client["client_id"]


def test_domain_authority_works_and_token_names_the_tenant_guid(emu):
    result = confidential(emu, tenant="msp-partner.onmicrosoft.com").acquire_token_for_client(
        [emu.clients["editor"]["scope"]])
    assert verified_claims(emu, result["access_token"])["tid"] == PARTNER
    discovery = emu.control.requests(service="entra", endpoint="discovery")[0]
    assert discovery["path"].startswith("/msp-partner.onmicrosoft.com/")
    # msal followed the GUID token endpoint the discovery document announced.
    assert emu.control.requests(service="entra", endpoint="token")[0]["path"].startswith(f"/{PARTNER}/")


@pytest.mark.parametrize("tenant", [PARTNER, CUSTOMER])
def test_power_platform_token(emu, tenant):
    result = confidential(emu, "powerplatform", tenant=tenant).acquire_token_for_client(
        ["https://api.powerplatform.com/.default"])
    claims = verified_claims(emu, result["access_token"])
    assert claims["aud"] == "https://api.powerplatform.com"
    assert claims["tid"] == tenant


def test_graph_token_for_any_app_in_the_tenant(emu):
    result = confidential(emu, "readonly").acquire_token_for_client(["https://graph.microsoft.com/.default"])
    assert verified_claims(emu, result["access_token"])["aud"] == "https://graph.microsoft.com"


def test_token_lifetime_control_and_already_expired_tokens(emu):
    emu.control.set_token_lifetime(600)
    result = confidential(emu).acquire_token_for_client([emu.clients["editor"]["scope"]])
    assert result["expires_in"] == 600
    claims = verified_claims(emu, result["access_token"])
    assert claims["exp"] - claims["iat"] == 600
    emu.control.set_token_lifetime(3599, expired=True)
    result = confidential(emu, "readonly").acquire_token_for_client([emu.clients["readonly"]["scope"]])
    assert result["expires_in"] == 3599          # the IdP says fine, the token says otherwise
    with pytest.raises(jwt.ExpiredSignatureError):
        verified_claims(emu, result["access_token"])


def test_token_log_entry_names_client_grant_scope_and_outcome(emu):
    confidential(emu).acquire_token_for_client([emu.clients["editor"]["scope"]])
    entry = emu.control.token_requests()[0]
    assert entry["client_id"] == emu.clients["editor"]["client_id"]
    assert entry["grant_type"] == "client_credentials"
    assert entry["scope"] == emu.clients["editor"]["scope"]
    assert entry["aadsts"] is None and entry["status"] == 200
    assert entry["body"]["client_secret"] == "***"


def test_v1_endpoint_with_resource(emu):
    client = emu.clients["powerplatform"]
    response = emu.session().post(f"{emu.authority}/{PARTNER}/oauth2/token", timeout=10, data={
        "client_id": client["client_id"], "client_secret": client["client_secret"],
        "grant_type": "client_credentials", "resource": "https://api.powerplatform.com"})
    assert response.status_code == 200, response.text
    assert verified_claims(emu, response.json()["access_token"])["aud"] == "https://api.powerplatform.com"
    missing = emu.session().post(f"{emu.authority}/{PARTNER}/oauth2/token", timeout=10, data={
        "client_id": client["client_id"], "client_secret": client["client_secret"],
        "grant_type": "client_credentials"})
    assert missing.status_code == 400 and missing.json()["error_codes"] == [900144]
