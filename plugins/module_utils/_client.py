# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CIPP API client every module, lookup and inventory plugin uses.

It owns the URL (``<base>/api/<Endpoint>``, with or without ``/api`` given), the bearer
token (from ``_auth.TokenProvider``), retries (reads on 429/502/503/504 and network
errors; writes only when the request provably never reached CIPP), the reading of
CIPP's answers (HTML from a wrong base URL, 401/403/404/5xx, failures inside HTTP 200,
queued AllTenants results) and the pre-flight check of every request against the
endpoint manifest. Private: the interface may change in any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import hashlib
import os
import time

from ansible_collections.cipp.cipp.plugins.module_utils._auth import TokenProvider, token_cache_path
from ansible_collections.cipp.cipp.plugins.module_utils._cache import JsonCacheFile
from ansible_collections.cipp.cipp.plugins.module_utils._errors import (
    CippApiError, CippConfigError, CippResultError)
from ansible_collections.cipp.cipp.plugins.module_utils._http_pool import HttpPool
from ansible_collections.cipp.cipp.plugins.module_utils._manifest import (
    check_request, endpoint_role, find_endpoint, is_read_endpoint)
from ansible_collections.cipp.cipp.plugins.module_utils._results import result_failures, result_messages
from ansible_collections.cipp.cipp.plugins.module_utils._transport import (
    NetworkFailure, describe_network_error, is_tls_error, json_payload as _json_payload, looks_like_html as _looks_like_html,
    parse_body as _parse_body, query_params as _query_params, send_with_retries)
from ansible_collections.cipp.cipp.plugins.module_utils._versions import version_tuple

MIN_TESTED_CIPP_VERSION = (10, 0, 0)
QUEUE_TIMEOUT = 300.0
QUEUE_POLL_START, QUEUE_POLL_MAX = 1.0, 10.0
METADATA_TTL = 12 * 3600
LOADING_PREFIX = "loading data for all tenants"
TEXT_EXCERPT = 500


class CippResponse:
    """One answer from CIPP: ``status``, parsed ``data`` (JSON or text), ``headers``."""

    def __init__(self, endpoint: str, status: int, data, headers, attempts: int = 1):
        self.endpoint = endpoint
        self.status = status
        self.data = data
        self.headers = dict(headers or {})
        self.attempts = attempts

    @property
    def messages(self) -> list:
        """CIPP's ``Results`` messages, flattened."""
        return result_messages(self.data)


def normalise_base_url(api_url: str) -> str:
    """``https://host[/path]`` without a trailing ``/api`` or slash."""
    base = api_url.strip().rstrip("/")
    if base.lower().endswith("/api"):
        base = base[:-4]
    return base.rstrip("/")


class CippClient:
    """Talks to one CIPP instance with one credential. ``warn`` gets user-facing warnings."""

    def __init__(self, settings, warn=None):
        self.settings = settings
        self.warn = warn or (lambda message: None)
        self.http = HttpPool(settings)
        self.tokens = TokenProvider(settings, warn=self.warn)
        self.base_url = normalise_base_url(settings.api_url)
        self.request_count = 0
        self._scope = settings.effective_scope
        cache_path = token_cache_path(settings.token_cache)
        self._metadata = JsonCacheFile(os.path.join(os.path.dirname(cache_path), "metadata.json"),
                                       on_problem=self.warn) if cache_path else None
        self._metadata_key = hashlib.sha256(f"{self.base_url}|{settings.client_id}".encode()).hexdigest()
        self._memory_metadata: dict = {}
        self._version_checked = False
        remembered_scope = self.metadata_get("scope") if settings.scope_was_defaulted else None
        if remembered_scope:
            self._scope = remembered_scope

    # ------------------------------------------------------------------ public API
    def call(self, endpoint: str, method: str | None = None, params: dict | None = None, body=None, *,
             check_results: bool = True, wait_for_queue: bool = True, preflight: bool = True) -> CippResponse:
        """Send one request; raise CippApiError/CippResultError/CippAuthError on failure."""
        endpoint = self.canonical_endpoint(endpoint)
        if preflight:
            self.preflight(endpoint, params, body)
        if not self._version_checked and endpoint != "GetVersion":
            self.cipp_version()
        method = (method or self.default_method(endpoint)).upper()
        deadline = time.monotonic() + QUEUE_TIMEOUT
        delay = QUEUE_POLL_START
        while True:
            response = self._send(endpoint, method, params, body)
            if not (wait_for_queue and _is_queued(response.data)):
                break
            if time.monotonic() + delay > deadline:
                raise CippApiError(
                    f"{endpoint}: CIPP was still loading data for all tenants after {int(QUEUE_TIMEOUT)}s; "
                    "run the task again later (CIPP caches the result once its queue completes)",
                    endpoint=endpoint, status=response.status, queue_id=_queue_id(response.data))
            time.sleep(delay)
            delay = min(QUEUE_POLL_MAX, delay * 2)
        if check_results:
            failures = result_failures(response.data)
            if failures:
                raise CippResultError(
                    f"{endpoint} reported a failure: {'; '.join(str(f) for f in failures)}",
                    endpoint=endpoint, status=response.status, cipp_message=failures)
        return response

    def canonical_endpoint(self, endpoint: str) -> str:
        """The exact spelling of ``endpoint`` (the backend is case-insensitive, the spec is not)."""
        name = str(endpoint or "").strip().strip("/")
        if name.lower().startswith("api/"):
            name = name[4:]
        if not name or "/" in name or "?" in name:
            raise CippConfigError(f"option 'endpoint': {endpoint!r} is not a CIPP endpoint name such as "
                                  "'ListUsers' (no slashes, no query string: use params)", option="endpoint")
        found = find_endpoint(name)
        return found[0] if found else name

    def default_method(self, endpoint: str) -> str:
        """The method CIPP's spec gives the endpoint (GET for unknown List*/Get*, else POST)."""
        found = find_endpoint(endpoint)
        if found and found[1].get("method"):
            return found[1]["method"].upper()
        return "GET" if endpoint.lower().startswith(("list", "get")) else "POST"

    def preflight(self, endpoint: str, params, body) -> list:
        """Check the request against the manifest; warn (or fail with ``strict``) on findings."""
        findings = check_request(endpoint, params, body)
        if not findings:
            return []
        lines = [f"{f.field}: {f.message}" + (f" Fix: {f.fix}" if f.fix else "") for f in findings]
        if self.settings.strict:
            raise CippConfigError(f"{endpoint}: request would not do what it says (strict mode): "
                                  + " | ".join(lines), option="strict", endpoint=endpoint,
                                  findings=[f.to_dict() for f in findings])
        for line in lines:
            self.warn(f"{endpoint}: {line}")
        return findings

    def is_read(self, endpoint: str, method: str | None = None) -> bool:
        return is_read_endpoint(endpoint) if find_endpoint(endpoint) else (method or "").upper() == "GET"

    # ------------------------------------------------------------------ metadata cache
    def metadata_get(self, name: str, max_age: float = METADATA_TTL):
        entry = self._memory_metadata.get(name)
        if entry is None and self._metadata is not None:
            scoped = self._metadata.read().get(self._metadata_key)
            entry = scoped.get(name) if isinstance(scoped, dict) else None
        # A file of another shape (older version, hand-edited) counts as empty, never as a crash.
        at = entry.get("at") if isinstance(entry, dict) else None
        if isinstance(at, (int, float)) and not isinstance(at, bool) and time.time() - at < max_age:
            return entry.get("value")
        return None

    def metadata_put(self, name: str, value) -> None:
        if self._metadata is None:
            self._memory_metadata[name] = {"at": time.time(), "value": value}
            return
        with self._metadata.locked():
            self._store_metadata(name, value)

    def metadata_fetch(self, name: str, fetch, max_age: float = METADATA_TTL):
        """The cached ``name``, or ``fetch()``'s result stored for the run. Concurrent
        processes wait for the first one's fetch instead of all asking CIPP (single flight)."""
        cached = self.metadata_get(name, max_age)
        if cached is not None or self._metadata is None:
            if cached is None:
                cached = fetch()
                self._memory_metadata[name] = {"at": time.time(), "value": cached}
            return cached
        with self._metadata.locked():
            cached = self.metadata_get(name, max_age)
            if cached is None:
                cached = fetch()
                self._store_metadata(name, cached)
            return cached

    def _store_metadata(self, name: str, value) -> None:
        """Write one entry; the caller holds the metadata lock."""
        entry = {"at": time.time(), "value": value}
        self._memory_metadata[name] = entry
        data = self._metadata.read()
        if not isinstance(data.get(self._metadata_key), dict):
            data[self._metadata_key] = {}
        data[self._metadata_key][name] = entry
        self._metadata.write(data)

    def cipp_version(self) -> str | None:
        """CIPP's API version from ``GetVersion``, read once per run (cached beside the
        token cache); warns once when it is older than the oldest version tested."""
        self._version_checked = True
        version = self.metadata_fetch("version", self._read_version)
        return version or None

    def _read_version(self) -> str:
        try:
            data = self._send("GetVersion", "GET", None, None).data
        except CippApiError:
            return ""  # GetVersion asks GitHub and fails offline: remembered, never fatal
        version = str(data.get("LocalCIPPAPIVersion") or "") if isinstance(data, dict) else ""
        if version and version_tuple(version) < MIN_TESTED_CIPP_VERSION:
            oldest = ".".join(str(p) for p in MIN_TESTED_CIPP_VERSION)
            self.warn(f"CIPP API version {version} is older than {oldest}, the oldest this collection "
                      "is tested against; update CIPP if requests fail")
        return version

    # ------------------------------------------------------------------ transport
    def _send(self, endpoint: str, method: str, params, body) -> CippResponse:
        url = f"{self.base_url}/api/{endpoint}"
        is_write = not self.is_read(endpoint, method)
        auth_retries = {"fresh_token": False, "bare_scope": False}
        payload = _json_payload(method, body)
        query = _query_params(params)
        try:
            raw, attempts = send_with_retries(
                lambda token: self._http(method, url, query, payload, token),
                lambda: self.tokens.get_token(self._scope),
                is_write=is_write, retries=self.settings.retries, warn=self.warn, label=endpoint, server="CIPP",
                on_unauthorized=lambda token, _raw: self._handle_unauthorized(token, auth_retries))
        except NetworkFailure as failure:
            raise self._network_error(failure.error, endpoint, is_write, failure.reached, failure.attempts) from None
        return self._interpret(endpoint, raw, attempts, is_write)

    def _http(self, method, url, query, payload, token):
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        self.request_count += 1
        return self.http.request(method, url, params=query, data=payload, headers=headers, timeout=self.settings.timeout)

    def _handle_unauthorized(self, token: str, tried: dict) -> bool:
        """After a 401: fetch a fresh token once, then (default scope only) try the bare scope."""
        if not self.tokens.can_change_scope:
            return False
        if not tried["fresh_token"]:
            tried["fresh_token"] = True
            self.tokens.discard(token)
            return True
        if not tried["bare_scope"] and self.settings.scope_was_defaulted and self._scope.startswith("api://"):
            tried["bare_scope"] = True
            bare = f"{self.settings.client_id}/.default"
            self.warn(f"CIPP rejected the token for scope {self._scope} (401); retrying with {bare}. "
                      f"Set scope: {bare} to skip this step, or give the app the Application ID URI "
                      f"api://{self.settings.client_id} and add it to CIPP's allowed audiences (Save to Azure)")
            self._scope = bare
            self.metadata_put("scope", bare)
            return True
        return False

    # ------------------------------------------------------------------ interpretation
    def _interpret(self, endpoint: str, raw, attempts: int, is_write: bool) -> CippResponse:
        status = raw.status_code
        text = raw.text or ""
        content_type = (raw.headers.get("Content-Type") or "").lower()
        if _looks_like_html(content_type, text):
            if 200 <= status < 400:
                raise CippApiError(
                    f"{self.base_url} serves the CIPP web page, not its API: use the API URL from CIPP's "
                    "integration settings (Integrations > API clients), normally "
                    "https://<your-cipp-function-app>.azurewebsites.net", endpoint=endpoint, status=status,
                    api_url=self.settings.api_url)
            raise self._status_error(endpoint, status, "an HTML error page from the front end", is_write)
        data = _parse_body(text, content_type)
        if 200 <= status < 300:
            return CippResponse(endpoint, status, data, raw.headers, attempts)
        cipp_text = _cipp_text(data, text)
        if status == 401:
            raise CippApiError(
                f"{endpoint}: CIPP rejected the bearer token (401). Check that client_id is an API client "
                f"enabled in CIPP (Integrations > API clients, then 'Save to Azure'), that tenant_id is the "
                f"partner tenant, and that scope ({self._scope}) is the one CIPP's 'Copy API Scope' gives",
                endpoint=endpoint, status=status, cipp_message=cipp_text or None)
        if status == 403:
            role = endpoint_role(endpoint)
            if cipp_text.lower().startswith(("access to this", "you do not have permission")) or not cipp_text:
                needs = f" The endpoint needs the CIPP role '{role}'; give the API client a role that includes it." \
                    if role else ""
                raise CippApiError(f"{endpoint}: CIPP denied access (403): {cipp_text or 'no reason given'}.{needs}",
                                   endpoint=endpoint, status=status, cipp_message=cipp_text, required_role=role)
            # Several handlers (ListMailboxes, RemoveTransportRule, ...) answer 403 for their own failures.
            raise CippApiError(f"{endpoint} failed (HTTP 403): {cipp_text}", endpoint=endpoint, status=status,
                               cipp_message=cipp_text)
        if status == 404 and "endpoint not found" in cipp_text.lower():
            version = self.cipp_version()
            known = find_endpoint(endpoint)
            where = f"this CIPP (API version {version})" if version else "this CIPP version"
            raise CippApiError(
                f"endpoint {endpoint} is not in {where}" +
                ("; the collection knows it from a newer CIPP: update CIPP" if known else
                 "; check the endpoint name (names are case-sensitive, e.g. ListUsers)"),
                endpoint=endpoint, status=status, cipp_version=version, cipp_message=cipp_text)
        raise self._status_error(endpoint, status, cipp_text, is_write)

    def _status_error(self, endpoint: str, status: int, detail: str, is_write: bool) -> CippApiError:
        advice = ""
        if is_write and status in (502, 503, 504):
            advice = (" The write was not repeated because CIPP may have applied it: run the task again "
                      "(stateful modules read the current state first).")
        return CippApiError(f"{endpoint}: CIPP answered HTTP {status}: {detail or 'no details'}.{advice}",
                            endpoint=endpoint, status=status, cipp_message=detail or None)

    def _network_error(self, exc, endpoint, is_write, reached, attempts) -> CippApiError:
        what = _describe_network_error(exc)
        if is_tls_error(exc):
            return CippApiError(f"{endpoint}: TLS verification of {self.base_url} failed: set ca_path to the "
                                "CA bundle that signs it (validate_certs: false only for a lab)", endpoint=endpoint)
        if is_write and reached:
            return CippApiError(
                f"{endpoint}: {what} after the request was sent; it was not repeated because CIPP may have "
                "applied it: run the task again (stateful modules read the current state first)",
                endpoint=endpoint, attempts=attempts)
        return CippApiError(f"{endpoint}: {what} ({attempts} attempt(s)); check api_url ({self.base_url}), "
                            "network access and proxy settings", endpoint=endpoint, attempts=attempts)


# ---------------------------------------------------------------------- helpers
def _describe_network_error(exc) -> str:
    return describe_network_error(exc, "CIPP")


def _cipp_text(data, text: str) -> str:
    messages = result_messages(data) if isinstance(data, (dict, list)) else []
    if messages:
        return "; ".join(str(m) for m in messages)
    if isinstance(data, dict) and data.get("error"):
        error = data["error"]
        return str(error.get("message", error)) if isinstance(error, dict) else str(error)
    return (text or "").strip()[:TEXT_EXCERPT]


def _is_queued(data) -> bool:
    if isinstance(data, dict):
        metadata = data.get("Metadata") or data.get("metadata")
        if isinstance(metadata, dict) and (metadata.get("Queued") or metadata.get("QueueId")):
            results = data.get("Results")
            return metadata.get("Queued") is True or not results
        return False
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        return any(isinstance(v, str) and v.lower().startswith(LOADING_PREFIX) for v in data[0].values())
    return False


def _queue_id(data):
    if isinstance(data, dict) and isinstance(data.get("Metadata"), dict):
        return data["Metadata"].get("QueueId")
    return None
