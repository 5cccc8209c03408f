"""Certificate credentials: the forms msal sends (RS256/x5t, PS256/x5t#S256, PFX)."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

import jwt
import pytest

from .entra_helpers import assert_aadsts, authority, confidential, token_post, verified_claims


def _pem(path: str) -> str:
    return Path(path).read_text()


def _assert_cert_token(emu, result):
    assert "access_token" in result, result
    claims = verified_claims(emu, result["access_token"], audience=emu.clients["cert"]["scope"][:-len("/.default")])
    assert claims["appid"] == emu.clients["cert"]["client_id"]
    assert claims["appidacr"] == "2"


def _sent_assertion_header(emu) -> dict:
    entry = emu.control.requests(service="entra", endpoint="token")[-1]
    assert entry["body"]["client_assertion"] == "***"     # masked in the log
    assert entry["credential"] == "certificate"
    return entry


def test_rs256_with_sha1_thumbprint(emu):
    cert = emu.clients["cert"]
    credential = {"private_key": _pem(cert["key_pem"]), "thumbprint": cert["thumbprint"]}
    _assert_cert_token(emu, confidential(emu, "cert", credential=credential).acquire_token_for_client([cert["scope"]]))
    _sent_assertion_header(emu)


def test_lower_case_thumbprint_also_works(emu):
    cert = emu.clients["cert"]
    credential = {"private_key": _pem(cert["key_pem"]), "thumbprint": cert["thumbprint"].lower()}
    _assert_cert_token(emu, confidential(emu, "cert", credential=credential).acquire_token_for_client([cert["scope"]]))


def test_ps256_with_public_certificate(emu):
    cert = emu.clients["cert"]
    credential = {"private_key": _pem(cert["key_pem"]), "public_certificate": _pem(cert["cert_pem"])}
    _assert_cert_token(emu, confidential(emu, "cert", credential=credential).acquire_token_for_client([cert["scope"]]))


def test_pfx_path_with_passphrase(emu):
    cert = emu.clients["cert"]
    credential = {"private_key_pfx_path": cert["pfx_path"], "passphrase": cert["pfx_password"]}
    _assert_cert_token(emu, confidential(emu, "cert", credential=credential).acquire_token_for_client([cert["scope"]]))


def test_sha256_hex_passed_as_thumbprint_is_rejected(emu):
    # msal accepts it locally and sends a 32-byte x5t with RS256; Entra finds no such key.
    cert = emu.clients["cert"]
    credential = {"private_key": _pem(cert["key_pem"]), "thumbprint": cert["thumbprint_sha256"]}
    result = confidential(emu, "cert", credential=credential).acquire_token_for_client([cert["scope"]])
    assert_aadsts(result, 700027, "invalid_client")


def test_right_thumbprint_wrong_key_fails_signature(emu):
    cert, stray = emu.clients["cert"], emu.clients["cert_unregistered"]
    credential = {"private_key": _pem(stray["key_pem"]), "thumbprint": cert["thumbprint"]}
    result = confidential(emu, "cert", credential=credential).acquire_token_for_client([cert["scope"]])
    assert_aadsts(result, 700027, "invalid_client")
    assert "did not match the expected signature value" in result["error_description"]


def _hand_made_assertion(emu, **overrides) -> str:
    cert = emu.clients["cert"]
    now = int(time.time())
    claims = {"aud": f"{authority(emu)}/oauth2/v2.0/token", "iss": cert["client_id"], "sub": cert["client_id"],
              "jti": str(uuid.uuid4()), "iat": now, "nbf": now, "exp": now + 600, **overrides}
    x5t = jwt.utils.base64url_encode(bytes.fromhex(cert["thumbprint"])).decode()
    return jwt.encode(claims, _pem(cert["key_pem"]), algorithm="RS256", headers={"x5t": x5t})


def _post_assertion(emu, assertion: str):
    cert = emu.clients["cert"]
    return token_post(emu, client_id=cert["client_id"], grant_type="client_credentials", scope=cert["scope"],
                      client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                      client_assertion=assertion)


@pytest.mark.parametrize(("overrides", "code"), [
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000, "nbf": int(time.time()) - 4000}, 700024),
    ({"aud": "https://login.microsoftonline.com/common/oauth2/v2.0/token"}, 50013),
    ({"iss": "00000000-0000-4000-8000-000000000000"}, 700021),
])
def test_assertion_claims_are_checked(emu, overrides, code):
    response = _post_assertion(emu, _hand_made_assertion(emu, **overrides))
    assert response.status_code == 401
    assert response.json()["error_codes"] == [code]


def test_garbage_assertion_is_malformed(emu):
    response = _post_assertion(emu, "not-a-jwt")
    assert response.status_code == 400 and response.json()["error_codes"] == [50027]
