"""Key material for the emulated apps: certificate credentials and an external OIDC issuer.

Generated once per emulator process (``World.credentials``) and kept across ``reset()``,
because the files written from it (PEM, PFX, the federated assertion) are what the tests
hold: a reset must not invalidate them. The fixture only *names* certificates; which app
registers which certificate is fixture state and is reloaded on reset like everything else.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from .tls import write_private

PFX_PASSWORD = "emu-pfx-Passw0rd"
FEDERATED_AUDIENCE = "api://AzureADTokenExchange"


@dataclass
class AppCertificate:
    """A self-signed RSA certificate as an app registration's key credential."""

    name: str
    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    files: dict[str, str] = field(default_factory=dict)   # set by write()

    @property
    def thumbprint_sha1(self) -> bytes:
        return self.cert.fingerprint(hashes.SHA1())  # noqa: S303 - the portal's "Thumbprint" is SHA-1

    @property
    def thumbprint_sha256(self) -> bytes:
        return self.cert.fingerprint(hashes.SHA256())

    def cert_pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def key_pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode()

    def write(self, folder: Path) -> dict[str, str]:
        """Write ``<name>.key.pem``, ``<name>.cert.pem`` and ``<name>.pfx``; return their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        key_path, cert_path, pfx_path = (folder / f"{self.name}{ext}"
                                         for ext in (".key.pem", ".cert.pem", ".pfx"))
        write_private(key_path, self.key_pem().encode())
        cert_path.write_text(self.cert_pem())
        pfx = pkcs12.serialize_key_and_certificates(
            self.name.encode(), self.key, self.cert, None,
            serialization.BestAvailableEncryption(PFX_PASSWORD.encode()))
        write_private(pfx_path, pfx)
        self.files = {"key_pem": str(key_path), "cert_pem": str(cert_path), "pfx_path": str(pfx_path)}
        return self.files


class ExternalIssuer:
    """The OIDC issuer the emulator plays for workload identity federation (think GitHub
    Actions): it signs assertions that apps exchange at the token endpoint."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key = self._key.public_key()
        numbers = self.public_key.public_numbers()
        self.kid = hashlib.sha256(numbers.n.to_bytes(256, "big")).hexdigest()[:20]
        self._jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                     "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [dict(self._jwk)]}

    def mint(self, issuer_url: str, subject: str, audience: str = FEDERATED_AUDIENCE,
             lifetime: int = 12 * 3600, extra: dict[str, Any] | None = None) -> str:
        """A signed assertion shaped like a GitHub Actions OIDC token."""
        now = int(time.time())
        claims = {
            "jti": str(uuid.uuid4()), "sub": subject, "aud": audience, "iss": issuer_url,
            "iat": now, "nbf": now - 5, "exp": now + lifetime,
            "repository": "contoso/cipp-gitops", "repository_owner": "contoso",
            "ref": "refs/heads/main", "event_name": "push", "runner_environment": "github-hosted",
            **(extra or {}),
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})


class CredentialStore:
    """Certificates and issuers by name, generated on first use and then kept."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._certs: dict[str, AppCertificate] = {}
        self._issuers: dict[str, ExternalIssuer] = {}

    def certificate(self, name: str, subject: str | None = None) -> AppCertificate:
        with self._lock:
            if name not in self._certs:
                self._certs[name] = _self_signed(name, subject or f"CN={name}")
            return self._certs[name]

    def issuer(self, name: str) -> ExternalIssuer:
        with self._lock:
            if name not in self._issuers:
                self._issuers[name] = ExternalIssuer(name)
            return self._issuers[name]

    def certificates(self) -> list[AppCertificate]:
        with self._lock:
            return list(self._certs.values())


def _self_signed(name: str, subject: str) -> AppCertificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    common_name = subject.split("=", 1)[-1]
    subject_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject_name).issuer_name(subject_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return AppCertificate(name, key, cert)


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
