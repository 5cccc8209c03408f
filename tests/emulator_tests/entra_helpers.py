"""Helpers for the Entra emulator tests: real msal apps and raw token calls against it."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jwt
import msal
import requests


def authority(emu: Any, tenant: str | None = None) -> str:
    return f"{emu.authority}/{tenant or emu.tenant_id}"


def confidential(emu: Any, client: str = "editor", credential: Any = None, tenant: str | None = None,
                 client_id: str | None = None, http: requests.Session | None = None
                 ) -> msal.ConfidentialClientApplication:
    """A ConfidentialClientApplication for an info-file client (its secret unless told otherwise)."""
    info = emu.clients[client]
    return msal.ConfidentialClientApplication(
        client_id or info["client_id"],
        client_credential=credential if credential is not None else info["client_secret"],
        authority=authority(emu, tenant), instance_discovery=False, http_client=http or emu.session())


class PortRestoringSession(requests.Session):
    """msal asks for userrealm on ``https://<host>/`` (port 443, port dropped). Send such
    requests to the Entra port instead, as the collection's own HTTP layer does."""

    def __init__(self, ca_file: str, entra_url: str) -> None:
        super().__init__()
        self.trust_env = False
        self.verify = ca_file
        self._entra = urlsplit(entra_url)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(url)
        if parts.hostname == self._entra.hostname and parts.port is None:
            url = urlunsplit(parts._replace(netloc=self._entra.netloc))
        return super().request(method, url, *args, **kwargs)


def public(emu: Any, client: str = "public", tenant: str | None = None) -> msal.PublicClientApplication:
    return msal.PublicClientApplication(
        emu.clients[client]["client_id"], authority=authority(emu, tenant), instance_discovery=False,
        http_client=PortRestoringSession(emu.ca_file, emu.authority))


def token_post(emu: Any, tenant: str | None = None, **form: str) -> requests.Response:
    """A raw form POST to the token endpoint (for requests msal would refuse to build)."""
    return emu.session().post(f"{authority(emu, tenant)}/oauth2/v2.0/token", data=form, timeout=10)


def verified_claims(emu: Any, token: str, audience: str | None = None) -> dict[str, Any]:
    """Claims of an access token, signature checked against the published JWKS."""
    keys = emu.session().get(f"{authority(emu)}/discovery/v2.0/keys", timeout=10).json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(jwt.PyJWK(k) for k in keys["keys"] if k["kid"] == kid)
    options = {"verify_aud": audience is not None}
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=audience, options=options)


def assert_aadsts(result: dict[str, Any], code: int, error: str) -> None:
    """msal's error dict carries Entra's code, error and the AADSTS-prefixed description."""
    assert result.get("error_codes") == [code], result
    assert result.get("error") == error, result
    assert result["error_description"].startswith(f"AADSTS{code}: "), result
    for key in ("trace_id", "correlation_id", "timestamp", "error_uri"):
        assert result.get(key), (key, result)
