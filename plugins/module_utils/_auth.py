# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entra ID tokens through MSAL, for any scope: the collection's one way to authenticate.

Credentials: client secret, certificate (PEM key + certificate, or PFX), a federated
(workload identity) token file, username/password (ROPC), or a ready access token.
Tokens are shared by every task, host and fork through a 0600 cache file, fetched under
a lock so concurrent processes with one credential make one token request, and keyed by
a fingerprint of the credential so a rotated secret never reuses the old secret's token.
The cache holds tokens only, never a secret. Private: the interface may change.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import base64
import hashlib
import json
import os
import random
import sys
import time
import warnings

from ansible_collections.cipp.cipp.plugins.module_utils._aadsts import aadsts_code_in, hint_for
from ansible_collections.cipp.cipp.plugins.module_utils._cache import JsonCacheFile
from ansible_collections.cipp.cipp.plugins.module_utils._cache_dir import default_cache_dir
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippAuthError, CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._http import MsalHttpClient, build_session, proxy_refusal

EXPIRY_MARGIN = 300  # seconds; a token closer to expiry than this is not handed out
FINGERPRINT_ROUNDS = 20000  # for a password only: the one credential a person chooses
CACHE_OFF_VALUES = ("off", "false", "no", "none", "disabled", "0")


def token_cache_path(setting: str | None) -> str | None:
    """Where tokens are cached: the ``token_cache`` option, else the user's cache dir; None = off."""
    if setting is not None and setting.strip().lower() in CACHE_OFF_VALUES:
        return None
    return os.path.expanduser(setting) if setting else os.path.join(default_cache_dir(), "tokens.json")


class TokenProvider:
    """Hands out bearer tokens for ``settings``; ``warn`` receives user-facing warnings.
    ``session`` is the requests session msal sends token requests with (built on the first
    token request when not given: a token from the cache never loads requests or msal)."""

    def __init__(self, settings, session=None, warn=None):
        self.settings = settings
        self.session = session
        self.warn = warn or (lambda message: None)
        self.authority = f"{settings.authority.rstrip('/')}/{settings.tenant_id}"
        path = token_cache_path(settings.token_cache)
        self._cache = JsonCacheFile(path, on_problem=self.warn) if path else None
        self._memory: dict = {}
        self._fingerprint = None
        self.token_requests = 0  # tokens actually requested from Entra by this process

    # ----------------------------------------------------------------- public API
    def get_token(self, scope: str | None = None) -> str:
        """A valid access token for ``scope`` (default: the settings' effective scope)."""
        if self.settings.auth_method == "access_token":
            return self.settings.access_token
        scope = scope or self.settings.effective_scope
        key = self._cache_key(scope)
        token = self._cached(key)
        if token:
            return token
        if self._cache is None:
            return self._fetch_and_store(key, scope)
        with self._cache.locked():
            token = self._cached(key)  # another process may have fetched it meanwhile
            return token or self._fetch_and_store(key, scope)

    def discard(self, token: str) -> None:
        """Forget ``token`` (the API rejected it); the next ``get_token`` fetches a new one."""
        self._memory = {k: v for k, v in self._memory.items() if v.get("access_token") != token}
        if self._cache is None:
            return
        with self._cache.locked():
            data = self._cache.read()
            kept = {k: v for k, v in data.items() if isinstance(v, dict) and v.get("access_token") != token}
            if len(kept) != len(data):
                self._cache.write(kept)

    @property
    def can_change_scope(self) -> bool:
        """True when the provider requests tokens itself (not a ready access token)."""
        return self.settings.auth_method != "access_token"

    # ----------------------------------------------------------------- caching
    def _cache_key(self, scope: str) -> str:
        material = json.dumps([self.authority.lower(), self.settings.client_id, scope,
                               self.settings.auth_method, self._credential_fingerprint()])
        return hashlib.sha256(material.encode()).hexdigest()

    def _cached(self, key: str) -> str | None:
        now = time.time()
        entry = self._memory.get(key)
        if entry is None and self._cache is not None:
            entry = self._cache.read().get(key)
        if isinstance(entry, dict) and _expires_on(entry) - now > EXPIRY_MARGIN \
                and isinstance(entry.get("access_token"), str) and entry["access_token"]:
            self._memory[key] = entry
            return entry.get("access_token")
        return None

    def _fetch_and_store(self, key: str, scope: str) -> str:
        result = self._acquire_with_retries(scope)
        entry = {"access_token": result["access_token"],
                 "expires_on": int(time.time()) + int(result.get("expires_in") or 600)}
        self._memory[key] = entry
        if self._cache is not None:
            now = time.time()
            data = {k: v for k, v in self._cache.read().items()
                    if isinstance(v, dict) and _expires_on(v) > now}  # prune expired and unreadable entries
            data[key] = entry
            self._cache.write(data)
        return entry["access_token"]

    def _credential_fingerprint(self) -> str:
        """A salted hash (slow for a password) of the credential or its public identity: never the secret itself."""
        if self._fingerprint is None:
            method = self.settings.auth_method
            salt = f"cipp.cipp|{self.settings.client_id}|{method}".encode()
            if method == "client_secret":
                secret = self.settings.client_secret
            elif method == "password":
                secret = f"{self.settings.username}\n{self.settings.password}"
            elif method == "certificate":
                secret = self._certificate()["sha256"]
            else:  # federated: the assertion changes every run; its issuer/subject do not
                secret = _assertion_identity(self._read_federated_token())
            # Entra generates client secrets (40 random characters); a thumbprint and an assertion's
            # issuer are not secret: slowing guesses down only pays for a password, and costs ~5 ms a process.
            rounds = FINGERPRINT_ROUNDS if method == "password" else 1
            digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, rounds)
            self._fingerprint = digest.hex()
        return self._fingerprint

    # ----------------------------------------------------------------- MSAL
    def _acquire_with_retries(self, scope: str) -> dict:
        attempts = self.settings.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._acquire_once(scope)
            except _TransientTokenError as exc:
                if attempt == attempts:
                    raise CippAuthError(
                        f"the token service at {self.settings.authority} failed {attempts} time(s): {exc}; "
                        "check authority, network access and proxy settings, then retry",
                        authority=self.settings.authority) from None
                delay = min(30.0, exc.retry_after or (2 ** (attempt - 1)) * (0.5 + random.random()))
                self.warn(f"token request failed ({exc}); retrying in {delay:.1f}s (attempt {attempt}/{attempts - 1})")
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _acquire_once(self, scope: str) -> dict:
        msal = _msal()
        if msal is None:
            raise CippConfigError(
                "the Python library 'msal' is required on the host that runs the task "
                "(pip install -r requirements.txt from the cipp.cipp collection)", option="msal")
        if self.session is None:
            self.session = build_session(self.settings)
        http_client = MsalHttpClient(self.session, self.settings.authority, self.settings.timeout)
        try:
            app = self._build_app(msal, http_client)
            self.token_requests += 1
            if self.settings.auth_method == "password":
                self.warn("username/password sign-in (ROPC) cannot pass MFA or Conditional Access "
                          "that requires it; prefer a client secret or certificate for automation")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    result = app.acquire_token_by_username_password(
                        self.settings.username, self.settings.password, scopes=[scope])
            else:
                result = app.acquire_token_for_client(scopes=[scope])
        except (CippAuthError, CippConfigError):
            raise
        except json.JSONDecodeError:
            raise _TransientTokenError("the token service answered with something that is not JSON") from None
        except ValueError as exc:  # msal raises it for a failed tenant discovery (AADSTS90002)
            raise self._auth_error_from_exception(exc, scope) from None
        except Exception as exc:  # msal and requests raise many types; classify, never leak a traceback
            raise self._classify_exception(exc, scope) from None
        if not isinstance(result, dict):
            raise CippAuthError("the token service returned no result", authority=self.settings.authority)
        if "access_token" in result:
            return result
        return self._raise_token_error(result, scope)

    def _build_app(self, msal, http_client):
        common = {"authority": self.authority, "http_client": http_client, "instance_discovery": False,
                  "token_cache": msal.TokenCache()}
        method = self.settings.auth_method
        if method == "password":
            return msal.PublicClientApplication(self.settings.client_id, **common)
        if method == "client_secret":
            credential = self.settings.client_secret
        elif method == "certificate":
            credential = self._certificate()["msal"]
        else:
            credential = {"client_assertion": self._read_federated_token}
        return msal.ConfidentialClientApplication(self.settings.client_id, client_credential=credential, **common)

    def _certificate(self) -> dict:
        if not hasattr(self, "_cert_cache"):
            # Imported here: cryptography costs tens of milliseconds, and only certificate sign-in needs it.
            from ansible_collections.cipp.cipp.plugins.module_utils._certificates import (  # pylint: disable=import-outside-toplevel
                load_certificate_credential)
            self._cert_cache = load_certificate_credential(
                self.settings.certificate_path, self.settings.certificate_key_path,
                self.settings.certificate_password, msal_version=getattr(_msal(), "__version__", "0"))
        return self._cert_cache

    def _read_federated_token(self) -> str:
        path = self.settings.federated_token_file
        try:
            with open(path, "r", encoding="utf-8") as handle:
                token = handle.read().strip()
        except OSError as exc:
            raise CippConfigError(f"option 'federated_token_file': cannot read {path} ({exc.strerror})",
                                  option="federated_token_file") from None
        if token.count(".") != 2:
            raise CippConfigError(f"option 'federated_token_file': {path} does not hold a JWT",
                                  option="federated_token_file")
        return token

    # ----------------------------------------------------------------- errors
    def _hint(self, code, scope):
        return hint_for(code, client_id=self.settings.client_id, tenant_id=self.settings.tenant_id,
                        scope=scope, username=self.settings.username)

    def _raise_token_error(self, result: dict, scope: str):
        codes = result.get("error_codes") or []
        code = codes[0] if codes else aadsts_code_in(result.get("error_description"))
        if result.get("error") in ("temporarily_unavailable", "server_error") or code in (50196,):
            raise _TransientTokenError(result.get("error_description") or result.get("error"))
        if code is None and result.get("error") == "throttled":
            raise _TransientTokenError("throttled", retry_after=5)
        description = (result.get("error_description") or result.get("error") or "unknown error").splitlines()[0]
        hint = self._hint(code, scope)
        msg = f"Entra ID refused the token request: {hint}. ({description})" if hint else \
            f"Entra ID refused the token request: {description}"
        raise CippAuthError(msg, aadsts_code=code, error=result.get("error"), hint=hint,
                            trace_id=result.get("trace_id"), correlation_id=result.get("correlation_id"),
                            client_id=self.settings.client_id, tenant_id=self.settings.tenant_id, scope=scope)

    def _auth_error_from_exception(self, exc: ValueError, scope: str) -> CippAuthError:
        code = aadsts_code_in(exc, exc.__context__)
        if code is None and "authority" not in str(exc).lower():
            return CippConfigError(f"invalid credential or authority settings: {exc}", option="authority")
        hint = self._hint(code or 90002, scope)
        return CippAuthError(f"Entra ID could not find the tenant: {hint}", aadsts_code=code or 90002,
                             hint=hint, tenant_id=self.settings.tenant_id, authority=self.settings.authority)

    def _classify_exception(self, exc: Exception, scope: str) -> Exception:
        requests = sys.modules.get("requests")  # loaded by msal's request that raised, if it was
        if requests is not None and isinstance(exc, requests.exceptions.SSLError):
            return CippAuthError(
                f"TLS verification of {self.settings.authority} failed: set ca_path to the CA bundle that "
                "signs it (or validate_certs: false for a lab only)", authority=self.settings.authority)
        if requests is not None and isinstance(exc, requests.exceptions.ProxyError):
            return CippAuthError(
                f"the proxy refused the token request to {self.settings.authority}{_in_parentheses(proxy_refusal(exc))}: check "
                "proxy_url and its credentials", authority=self.settings.authority)
        if requests is not None and isinstance(exc, (requests.exceptions.ConnectionError,
                                                     requests.exceptions.Timeout)):
            return _TransientTokenError(f"cannot reach {self.settings.authority}: {type(exc).__name__}")
        msal = sys.modules.get("msal")  # loaded by the request that raised, if it was msal's
        if msal is not None and isinstance(exc, msal.exceptions.MsalServiceError):
            return _TransientTokenError(str(exc))
        if isinstance(exc, (TypeError, KeyError)) and self.settings.auth_method == "certificate":
            return CippConfigError(f"the certificate could not be used: {exc}", option="certificate_path")
        return CippAuthError(f"token request failed: {type(exc).__name__}: {exc}", authority=self.settings.authority)


def _in_parentheses(text: str | None) -> str:
    return f" ({text})" if text else ""


def _expires_on(entry: dict) -> float:
    """An entry's expiry (Unix seconds); 0 - expired - when another writer left something else there."""
    value = entry.get("expires_on")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return value


def _msal():
    """msal, imported on first use (or None when it is missing): a run whose token comes from
    the cache never needs it, and importing it costs a module process tens of milliseconds."""
    try:
        import msal  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    return msal


class _TransientTokenError(Exception):
    """A token request failure worth retrying (5xx, 429, network)."""

    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.retry_after = retry_after


def _assertion_identity(assertion: str) -> str:
    """``iss|sub|aud`` of a JWT, decoded without verification (Entra verifies it)."""
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return f"{claims.get('iss')}|{claims.get('sub')}|{claims.get('aud')}"
    except (IndexError, ValueError):
        return "unparsable-assertion"
