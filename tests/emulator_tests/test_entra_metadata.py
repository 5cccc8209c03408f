"""Discovery, JWKS, userrealm and the other GET endpoints msal and resources read."""
from __future__ import annotations

from .entra_helpers import authority

PARTNER = "5a1b2c3d-0000-4000-8000-00000000a001"


def test_discovery_by_guid_and_domain_announces_guid_endpoints(emu):
    http = emu.session()
    for tenant in (PARTNER, "msp-partner.onmicrosoft.com", "MSP-Partner.onmicrosoft.com"):
        doc = http.get(f"{emu.authority}/{tenant}/v2.0/.well-known/openid-configuration", timeout=10).json()
        assert doc["token_endpoint"] == f"{emu.authority}/{PARTNER}/oauth2/v2.0/token"
        assert doc["authorization_endpoint"] == f"{emu.authority}/{PARTNER}/oauth2/v2.0/authorize"
        assert doc["issuer"] == f"{emu.authority}/{PARTNER}/v2.0"
        assert doc["jwks_uri"] == f"{emu.authority}/{PARTNER}/discovery/v2.0/keys"


def test_discovery_for_organizations_keeps_the_placeholder_issuer(emu):
    doc = emu.session().get(f"{emu.authority}/organizations/v2.0/.well-known/openid-configuration",
                            timeout=10).json()
    assert doc["token_endpoint"] == f"{emu.authority}/organizations/oauth2/v2.0/token"
    assert doc["issuer"] == f"{emu.authority}/{{tenantid}}/v2.0"


def test_jwks_and_authorize(emu):
    http = emu.session()
    keys = http.get(f"{authority(emu)}/discovery/v2.0/keys", timeout=10).json()["keys"]
    assert keys and {"kty", "kid", "n", "e"} <= set(keys[0])
    page = http.get(f"{authority(emu)}/oauth2/v2.0/authorize", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")


def test_userrealm_managed_and_unknown(emu):
    http = emu.session()
    managed = http.get(f"{emu.authority}/common/userrealm/admin@msp-partner.onmicrosoft.com",
                       params={"api-version": "1.0"}, timeout=10).json()
    assert managed["account_type"] == "Managed" and managed["domain_name"] == "msp-partner.onmicrosoft.com"
    unknown = http.get(f"{emu.authority}/common/userrealm/someone@fabrikam.example",
                       params={"api-version": "1.0"}, timeout=10).json()
    assert unknown["account_type"] == "Unknown"


def test_entra_headers_and_unknown_paths(emu):
    http = emu.session()
    response = http.get(f"{authority(emu)}/v2.0/.well-known/openid-configuration", timeout=10)
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "x-ms-request-id" in response.headers
    assert http.get(f"{emu.authority}/no/such/path", timeout=10).status_code == 404
