"""Workload identity federation: an external OIDC issuer's assertion exchanged for a token."""
from __future__ import annotations

from pathlib import Path

import jwt

from .entra_helpers import assert_aadsts, confidential, verified_claims


def test_assertion_file_gets_a_token(emu):
    client = emu.clients["federated"]
    assertion = Path(client["assertion_file"]).read_text()
    result = confidential(emu, "federated", credential={"client_assertion": lambda: assertion}
                          ).acquire_token_for_client([client["scope"]])
    assert "access_token" in result, result
    claims = verified_claims(emu, result["access_token"], audience=f"api://{client['client_id']}")
    assert claims["appid"] == client["client_id"] and claims["appidacr"] == "2"
    entry = emu.control.token_requests()[-1]
    assert entry["credential"] == "federated" and entry["body"]["client_assertion"] == "***"


def test_assertion_is_signed_by_the_published_issuer_keys(emu):
    client = emu.clients["federated"]
    assertion = Path(client["assertion_file"]).read_text()
    issuer = emu.info["external_issuers"]["external-oidc"]
    http = emu.session()
    config = http.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert config["issuer"] == issuer
    keys = http.get(config["jwks_uri"], timeout=10).json()["keys"]
    claims = jwt.decode(assertion, jwt.PyJWK(keys[0]).key, algorithms=["RS256"], audience="api://AzureADTokenExchange")
    assert claims["iss"] == issuer
    assert claims["sub"] == client["federated_subject"] == "repo:contoso/cipp-gitops:ref:refs/heads/main"


def test_minted_assertion_works_and_wrong_subject_or_audience_does_not(emu):
    client = emu.clients["federated"]
    fresh = emu.control.mint_federated_assertion()
    ok = confidential(emu, "federated", credential={"client_assertion": lambda: fresh}
                      ).acquire_token_for_client([client["scope"]])
    assert "access_token" in ok, ok
    other_branch = emu.control.mint_federated_assertion(subject="repo:contoso/cipp-gitops:ref:refs/heads/dev")
    result = confidential(emu, "federated", credential={"client_assertion": lambda: other_branch}
                          ).acquire_token_for_client([client["scope"]])
    assert_aadsts(result, 700213, "invalid_client")
    # Subjects match case-sensitively, as Entra does since 2025.
    shouting = emu.control.mint_federated_assertion(subject=client["federated_subject"].upper())
    result = confidential(emu, "federated", credential={"client_assertion": lambda: shouting}
                          ).acquire_token_for_client([client["scope"]])
    assert_aadsts(result, 700213, "invalid_client")
    wrong_aud = emu.control.mint_federated_assertion(audience="api://SomethingElse")
    result = confidential(emu, "federated", credential={"client_assertion": lambda: wrong_aud}
                          ).acquire_token_for_client([client["scope"]])
    assert_aadsts(result, 700212, "invalid_client")


def test_expired_assertion_is_rejected(emu):
    client = emu.clients["federated"]
    stale = emu.control.mint_federated_assertion(lifetime=1, claims={"exp": 1_600_000_000})
    result = confidential(emu, "federated", credential={"client_assertion": lambda: stale}
                          ).acquire_token_for_client([client["scope"]])
    assert_aadsts(result, 700024, "invalid_client")


def test_assertion_for_an_app_without_that_issuer(emu):
    assertion = Path(emu.clients["federated"]["assertion_file"]).read_text()
    # The editor app has no federated credential: its assertion must be its own certificate's.
    result = confidential(emu, "editor", credential={"client_assertion": lambda: assertion}
                          ).acquire_token_for_client([emu.clients["editor"]["scope"]])
    assert_aadsts(result, 700021, "invalid_client")
