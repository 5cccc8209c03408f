"""Signing and checking the emulator's RS256 access tokens (the Entra side signs, CIPP checks)."""
from __future__ import annotations

import base64
import hashlib
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


class TokenError(Exception):
    """A bearer token the resource server must reject; ``reason`` is one of
    ``malformed``, ``bad_signature``, ``expired``, ``not_yet_valid``."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class TokenSigner:
    """One RSA key pair per emulator process; publishes its JWKS."""

    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key = self._key.public_key()
        numbers = self.public_key.public_numbers()
        self.kid = hashlib.sha1(numbers.n.to_bytes(256, "big")).hexdigest()[:16]
        self._jwk = {
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
            "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e),
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [dict(self._jwk)]}

    def issue(self, claims: dict[str, Any], lifetime: int = 3599) -> str:
        """Sign ``claims`` plus iat/nbf/exp/uti; returns the compact JWT."""
        now = int(time.time())
        payload = {"iat": now, "nbf": now, "exp": now + lifetime, "uti": uuid.uuid4().hex, **claims}
        return jwt.encode(payload, self._key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})

    def decode(self, token: str) -> dict[str, Any]:
        """Verify signature and lifetime (not audience: the caller decides); raise TokenError."""
        try:
            return jwt.decode(token, self.public_key, algorithms=["RS256"],
                              options={"verify_aud": False, "require": ["exp", "iat"]}, leeway=5)
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("expired", str(exc)) from exc
        except jwt.ImmatureSignatureError as exc:
            raise TokenError("not_yet_valid", str(exc)) from exc
        except jwt.InvalidSignatureError as exc:
            raise TokenError("bad_signature", str(exc)) from exc
        except jwt.PyJWTError as exc:
            raise TokenError("malformed", str(exc)) from exc


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
