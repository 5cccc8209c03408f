"""ROPC with msal.PublicClientApplication: userrealm, tokens, refresh, silent reuse."""
from __future__ import annotations

import pytest

from .entra_helpers import public, verified_claims

ADMIN = "admin@msp-partner.onmicrosoft.com"
PARTNER = "5a1b2c3d-0000-4000-8000-00000000a001"


def _login(emu, app, scopes):
    with pytest.warns(DeprecationWarning):
        return app.acquire_token_by_username_password(ADMIN, emu.info["users"][ADMIN]["password"], scopes=scopes)


def test_ropc_token_for_graph(emu):
    app = public(emu)
    result = _login(emu, app, ["https://graph.microsoft.com/User.Read"])
    assert "access_token" in result, result
    for key in ("refresh_token", "id_token", "client_info"):
        assert key in result, key
    assert result["scope"] == "https://graph.microsoft.com/User.Read offline_access openid profile"
    claims = verified_claims(emu, result["access_token"], audience="https://graph.microsoft.com")
    assert claims["upn"] == ADMIN and claims["scp"] == "User.Read"
    assert claims["oid"] == emu.info["users"][ADMIN]["oid"] and claims["tid"] == PARTNER
    assert claims["appid"] == emu.clients["public"]["client_id"] and claims["appidacr"] == "0"
    realm = emu.control.requests(service="entra", endpoint="userrealm")
    assert len(realm) == 1 and realm[0]["path"] == f"/common/userrealm/{ADMIN}"
    token = emu.control.token_requests()[0]
    assert token["body"]["password"] == "***" and token["grant_type"] == "password"


def test_ropc_default_scope_for_the_cipp_api_and_silent_reuse(emu):
    app = public(emu)
    scope = emu.clients["editor"]["scope"]
    result = _login(emu, app, [scope])
    claims = verified_claims(emu, result["access_token"], audience=f"api://{emu.clients['editor']['client_id']}")
    assert claims["scp"] == "user_impersonation"
    account = app.get_accounts(username=ADMIN)[0]
    again = app.acquire_token_silent([scope], account=account)
    assert again["token_source"] == "cache"
    graph = app.acquire_token_silent(["https://graph.microsoft.com/User.Read"], account=account)
    assert graph["token_source"] == "identity_provider"           # via the refresh token
    assert emu.control.token_requests()[-1]["grant_type"] == "refresh_token"


def test_ropc_without_consent_is_65001(emu):
    app = public(emu)
    with pytest.warns(DeprecationWarning):
        result = app.acquire_token_by_username_password(
            ADMIN, emu.info["users"][ADMIN]["password"], scopes=[emu.clients["readonly"]["scope"]])
    assert result["error_codes"] == [65001] and result["suberror"] == "consent_required"


def test_bad_refresh_token(emu):
    response = emu.session().post(f"{emu.authority}/{PARTNER}/oauth2/v2.0/token", timeout=10, data={
        "client_id": emu.clients["public"]["client_id"], "grant_type": "refresh_token",
        "refresh_token": "1.Anot-a-real-one", "scope": "https://graph.microsoft.com/User.Read"})
    assert response.status_code == 400 and response.json()["error_codes"] == [9002313]
