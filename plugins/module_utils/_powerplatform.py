# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Power Platform API client (``https://api.powerplatform.com``).

Same credentials, token helper and token cache as the CIPP client (a separate cache entry
per scope, so a CIPP token and a Power Platform token never mix), same retry policy (from
``_transport``), and errors that say what to do about the API's own answers: a token for
the wrong audience, a service principal that is not registered as a Power Platform
management application, a missing api-version. Collections are followed page by page
(``@odata.nextLink``/``nextLink``), never to another host. Private: the interface may
change in any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import base64
import json
from urllib.parse import urljoin, urlsplit

from ansible_collections.cipp.cipp.plugins.module_utils._auth import TokenProvider
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippApiError, CippAuthError, CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._http_pool import HttpPool
from ansible_collections.cipp.cipp.plugins.module_utils._options import CONNECTION_OPTIONS, ConnectionSettings
from ansible_collections.cipp.cipp.plugins.module_utils._transport import (
    NetworkFailure, describe_network_error, is_tls_error, json_payload, looks_like_html, parse_body,
    query_params, send_with_retries)

DEFAULT_URL = "https://api.powerplatform.com"
DEFAULT_SCOPE = "https://api.powerplatform.com/.default"
DEFAULT_API_VERSION = "2024-10-01"
RESOURCE_APP_ID = "8578e004-a5c6-46e7-913e-12f58912df43"  # "Power Platform API" in Entra ID
ENVIRONMENTS_PATH = "/environmentmanagement/environments"
READ_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_PAGES = 1000
TEXT_EXCERPT = 500
SERVER = "the Power Platform API"
# The Power Platform API needs no CIPP URL; a placeholder satisfies the shared validation.
NO_API_URL = "https://api-url-not-needed.invalid"
REQUEST_ID_HEADERS = ("x-ms-service-request-id", "x-ms-correlation-request-id", "x-ms-request-id", "request-id")
API_VERSION_CODES = ("MissingApiVersionParameter", "InvalidApiVersionParameter", "UnsupportedApiVersion")
AUDIENCE_CODE = "InvalidAuthenticationAudience"

# name: (type, env var, default); options of the Power Platform plugins only.
POWER_PLATFORM_OPTIONS = {
    "power_platform_url": ("str", "CIPP_POWER_PLATFORM_URL", DEFAULT_URL),
    "power_platform_scope": ("str", "CIPP_POWER_PLATFORM_SCOPE", DEFAULT_SCOPE),
}

# AADSTS code: what it means for the Power Platform API in particular (added to _aadsts' hint).
POWER_PLATFORM_AADSTS_ADVICE = {
    65001: ("app {client_id} needs the delegated permission 'Power Platform API > user_impersonation' "
            "(API ID " + RESOURCE_APP_ID + ") with admin consent in tenant {tenant_id}: App registrations > "
            "the app > API permissions > Add a permission > APIs my organization uses > Power Platform API, "
            "then 'Grant admin consent'"),
    7000218: ("username/password sign-in needs a public client: set 'Allow public client flows' to Yes on app "
              "{client_id} (Authentication), or sign in as a service principal with client_secret or "
              "certificate_path"),
    50076: ("accounts that must use MFA cannot sign in with a password: use a service principal (client_secret or "
            "certificate_path) registered as a Power Platform management application"),
    50079: ("accounts that must use MFA cannot sign in with a password: use a service principal (client_secret or "
            "certificate_path) registered as a Power Platform management application"),
    500011: ("tenant {tenant_id} has no service principal for the Power Platform API: create it once "
             "(New-MgServicePrincipal -AppId " + RESOURCE_APP_ID + "), and check power_platform_scope ({scope})"),
}


def power_platform_argument_spec() -> dict:
    """Argument spec entries for the Power Platform options (env fallbacks included)."""
    from ansible.module_utils.basic import env_fallback  # only modules call this

    return {name: {"type": kind, "default": default, "fallback": (env_fallback, [env])}
            for name, (kind, env, default) in POWER_PLATFORM_OPTIONS.items()}


def token_claims(token: str) -> dict:
    """The claims of a JWT, decoded without verification (only to explain a refusal)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (AttributeError, IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


class PowerPlatformResponse:
    """One answer: ``status``, parsed ``data`` (JSON or text), ``headers``, ``attempts``."""

    def __init__(self, status: int, data, headers, attempts: int = 1):
        self.status = status
        self.data = data
        self.headers = dict(headers or {})
        self.attempts = attempts


class PowerPlatformClient:
    """Talks to the Power Platform API with one credential. ``warn`` gets user-facing warnings."""

    def __init__(self, settings, base_url: str = DEFAULT_URL, scope: str = DEFAULT_SCOPE, warn=None):
        self.settings = settings
        self.warn = warn or (lambda message: None)
        self.base_url = _normalise_url(base_url)
        self.scope = (scope or "").strip()
        if not self.scope:
            raise CippConfigError("option 'power_platform_scope' must not be empty", option="power_platform_scope")
        self.http = HttpPool(settings)
        self.tokens = TokenProvider(settings, warn=self.warn)
        self.request_count = 0

    @classmethod
    def from_module_params(cls, params: dict, warn=None) -> "PowerPlatformClient":
        """From ``AnsibleModule.params`` (connection options plus the Power Platform ones)."""
        return cls.from_getter(params.get, warn)

    @classmethod
    def from_getter(cls, get_option, warn=None) -> "PowerPlatformClient":
        """From any ``get_option``-like callable (a plugin's, or ``params.get``)."""
        values = {name: get_option(name) for name in CONNECTION_OPTIONS}
        if not values.get("api_url"):
            values["api_url"] = NO_API_URL
        return cls(ConnectionSettings(values), base_url=get_option("power_platform_url") or DEFAULT_URL,
                   scope=get_option("power_platform_scope") or DEFAULT_SCOPE, warn=warn)

    # ------------------------------------------------------------------ public API
    @staticmethod
    def is_read(method: str) -> bool:
        return (method or "GET").upper() in READ_METHODS

    def call(self, path: str, method: str = "GET", api_version: str | None = DEFAULT_API_VERSION,
             params: dict | None = None, body=None) -> PowerPlatformResponse:
        """Send one request to ``<power_platform_url><path>``; raise a CippError on failure."""
        path = self.canonical_path(path)
        method = (method or "GET").upper()
        query = dict(params or {})
        if api_version and not any(key.lower() == "api-version" for key in query):
            query["api-version"] = api_version
        return self._request(method, self.base_url + path, query_params(query), json_payload(method, body), path)

    def get_all(self, path: str, api_version: str | None = DEFAULT_API_VERSION, params: dict | None = None,
                collection: bool = False) -> tuple:
        """GET ``path``, following every next link of a paged collection: ``(data, pages, status)``.

        A collection comes back whole as ``{"value": [every item]}``; any other answer as it is
        (``collection=True`` makes that an error)."""
        path = self.canonical_path(path)
        response = self.call(path, "GET", api_version, params)
        if not _is_collection(response.data):
            if collection:
                raise CippApiError(f"Power Platform API GET {path}: the answer is not a collection (no 'value' "
                                   "list)", path=path, status=response.status)
            return response.data, 1, response.status
        items = list(response.data["value"])
        pages, seen = 1, set()
        link = _next_link(response.data)
        while link:
            url = self._same_host(link, path)
            if url in seen:
                raise CippApiError(f"Power Platform API GET {path}: the next page link repeats itself ({url}); "
                                   "stopped instead of looping", path=path, pages=pages)
            if pages >= MAX_PAGES:
                raise CippApiError(f"Power Platform API GET {path}: more than {MAX_PAGES} pages; narrow the request "
                                   "(params such as $filter or $top)", path=path, pages=pages)
            seen.add(url)
            response = self._request("GET", url, None, None, path)
            if not _is_collection(response.data):
                raise CippApiError(f"Power Platform API GET {path}: page {pages + 1} is not a collection",
                                   path=path, pages=pages)
            items.extend(response.data["value"])
            pages += 1
            link = _next_link(response.data)
        return {"value": items}, pages, response.status

    def list_all(self, path: str, api_version: str | None = DEFAULT_API_VERSION, params: dict | None = None):
        """Every item of a paged collection: ``(items, pages)``."""
        data, pages, _status = self.get_all(path, api_version, params, collection=True)
        return data["value"], pages

    @staticmethod
    def canonical_path(path: str) -> str:
        """``/path/below/the/base`` (a leading slash added); full URLs and query strings refused."""
        text = str(path or "").strip()
        if not text or text.lower().startswith(("http://", "https://")) or "?" in text:
            raise CippConfigError(
                f"option 'path': {path!r} is not an API path such as {ENVIRONMENTS_PATH} (no host: set "
                "power_platform_url; no query string: use params and api_version)", option="path")
        return "/" + text.lstrip("/")

    # ------------------------------------------------------------------ transport
    def _request(self, method: str, url: str, query, payload, path: str) -> PowerPlatformResponse:
        is_write = not self.is_read(method)
        label = f"Power Platform API {method} {path}"
        fresh = {"done": False}

        def on_unauthorized(token, raw):
            # One fresh token after a 401 (revoked, or expired early); a ready access_token cannot be
            # renewed, and a fresh token for the same scope has the same wrong audience.
            if fresh["done"] or not self.tokens.can_change_scope or _error_code(raw) == AUDIENCE_CODE:
                return False
            fresh["done"] = True
            self.tokens.discard(token)
            return True

        sent = {}

        def send(token):
            sent["token"] = token
            return self._http(method, url, query, payload, token)

        try:
            raw, attempts = send_with_retries(send, self._token, is_write=is_write, retries=self.settings.retries,
                                              warn=self.warn, label=label, server=SERVER,
                                              on_unauthorized=on_unauthorized)
        except NetworkFailure as failure:
            raise self._network_error(failure, label, is_write) from None
        return self._interpret(raw, method, path, attempts, is_write, sent.get("token", ""))

    def _http(self, method, url, query, payload, token):
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        self.request_count += 1
        return self.http.request(method, url, params=query, data=payload, headers=headers, timeout=self.settings.timeout)

    def _token(self) -> str:
        try:
            return self.tokens.get_token(self.scope)
        except CippAuthError as exc:
            raise self._auth_error(exc) from None

    def _same_host(self, link: str, path: str) -> str:
        """The absolute next-page URL, only on the API's own host (the bearer token goes with it)."""
        url = urljoin(self.base_url + "/", str(link))
        base, target = urlsplit(self.base_url), urlsplit(url)
        if (target.scheme.lower(), target.netloc.lower()) != (base.scheme.lower(), base.netloc.lower()):
            raise CippApiError(f"Power Platform API GET {path}: the next page is on another host ({target.netloc}); "
                               "refusing to send the token there", path=path, next_link=url)
        return url

    # ------------------------------------------------------------------ interpretation
    def _interpret(self, raw, method: str, path: str, attempts: int, is_write: bool, token: str):
        status = raw.status_code
        text = raw.text or ""
        content_type = (raw.headers.get("Content-Type") or "").lower()
        where = f"Power Platform API {method} {path}"
        if looks_like_html(content_type, text):
            raise CippApiError(f"{where}: answered HTTP {status} with an HTML page, not the API's JSON: check "
                               f"power_platform_url ({self.base_url})", status=status, method=method, path=path)
        data = parse_body(text, content_type)
        if 200 <= status < 300:
            return PowerPlatformResponse(status, data, raw.headers, attempts)
        code, message = _api_error(data, text)
        fields = {"status": status, "method": method, "path": path, "error_code": code or None,
                  "api_message": message or None, "request_id": _request_id(raw.headers)}
        said = f"{code}: {message}" if code and message else (code or message or "no details")
        if status == 401:
            raise CippApiError(self._unauthorized_message(where, code, said, token), **fields)
        if status == 403:
            raise CippApiError(self._forbidden_message(where, code, said, message, token), **fields)
        if status == 400 and code in API_VERSION_CODES:
            raise CippApiError(f"{where}: the API refused the api-version ({said}). Set api_version to a version this "
                               f"operation supports (e.g. {DEFAULT_API_VERSION} for environmentmanagement; each "
                               "operation's page in Microsoft's Power Platform API reference lists them)", **fields)
        if status == 404:
            raise CippApiError(f"{where}: not found (HTTP 404, {said}); check the path and api_version", **fields)
        advice = ""
        if is_write and status in (500, 502, 503, 504):
            advice = (" The write was not repeated because the API may have applied it: check the current state, "
                      "then run the task again.")
        raise CippApiError(f"{where}: HTTP {status} ({said}).{advice}", **fields)

    def _unauthorized_message(self, where: str, code: str, said: str, token: str) -> str:
        audience = str(token_claims(token).get("aud") or "")
        wrong = code == AUDIENCE_CODE or (audience and audience.rstrip("/").lower() != self.audience.rstrip("/").lower())
        if not wrong:
            return (f"{where}: the API rejected the token (401, {said}); check tenant_id ({self.settings.tenant_id}) "
                    "and the clock of this host, then run the task again")
        if self.settings.auth_method == "access_token":
            fix = ("access_token holds a token for another API (a CIPP token, perhaps): give a Power Platform API "
                   "token, or sign in with client_secret, certificate_path or username/password instead")
        elif self.scope != DEFAULT_SCOPE:
            fix = (f"power_platform_scope is {self.scope!r}: set it to the Power Platform API's scope ({DEFAULT_SCOPE}, "
                   "or <API URL>/.default in a sovereign cloud) or leave it unset; the option 'scope' (CIPP_SCOPE) "
                   "is the CIPP API's and is not used here")
        else:
            fix = (f"power_platform_url ({self.base_url}) and power_platform_scope ({self.scope}) must be of the same "
                   "cloud: change both for a sovereign cloud")
        return f"{where}: the API refused a token issued for audience {audience or '?'!r} (401, {said}). {fix}"

    def _forbidden_message(self, where: str, code: str, said: str, message: str, token: str) -> str:
        claims = token_claims(token)
        app_id = claims.get("appid") or claims.get("azp") or self.settings.client_id
        tenant = claims.get("tid") or self.settings.tenant_id
        if claims.get("scp"):
            user = claims.get("upn") or claims.get("unique_name") or self.settings.username or "the user"
            return (f"{where}: the API denied {user} (403, {said}). The account needs the Power Platform "
                    "administrator (or Dynamics 365 administrator) role, or rights in the environment")
        if "does not have permission" in (message or "").lower() or "not registered" in (message or "").lower():
            return (f"{where}: service principal {app_id} is not registered as a Power Platform management "
                    f"application in tenant {tenant} (HTTP 403 {code or 'Forbidden'}; the API's text is in "
                    "api_message). A Power Platform or Global administrator "
                    f"registers it once: 'pac admin application register --application-id {app_id}', or "
                    f"New-PowerAppManagementApp -ApplicationId {app_id} (Microsoft.PowerApps.Administration."
                    "PowerShell); see the collection's docs/power_platform.md")
        return (f"{where}: the API denied service principal {app_id} (403, {said}); give it a Power Platform role "
                "that allows this operation, or check that it is registered as a management application")

    def _auth_error(self, exc: CippAuthError) -> CippAuthError:
        """The token helper's error, with what the AADSTS code means for Power Platform."""
        template = POWER_PLATFORM_AADSTS_ADVICE.get(exc.details.get("aadsts_code"))
        if template is None:
            return exc
        advice = template.format(client_id=self.settings.client_id or "?", tenant_id=self.settings.tenant_id or "?",
                                 scope=self.scope)
        return CippAuthError(f"{exc.msg} For the Power Platform API: {advice}.",
                             **dict(exc.details, power_platform_hint=advice))

    def _network_error(self, failure: NetworkFailure, label: str, is_write: bool) -> CippApiError:
        what = describe_network_error(failure.error, SERVER)
        if is_tls_error(failure.error):
            return CippApiError(f"{label}: TLS verification of {self.base_url} failed: set ca_path to the CA bundle "
                                "that signs it (validate_certs: false only for a lab)", attempts=failure.attempts)
        if is_write and failure.reached:
            return CippApiError(f"{label}: {what} after the request was sent; it was not repeated because the API may "
                                "have applied it: check the current state, then run the task again",
                                attempts=failure.attempts)
        return CippApiError(f"{label}: {what} ({failure.attempts} attempt(s)); check power_platform_url "
                            f"({self.base_url}), network access and proxy settings", attempts=failure.attempts)

    @property
    def audience(self) -> str:
        """The audience tokens for ``scope`` carry (the scope without ``/.default``)."""
        return self.scope[:-len("/.default")] if self.scope.endswith("/.default") else self.scope


# ---------------------------------------------------------------------- environments
def normalise_environment(raw: dict) -> dict:
    """One environment, from either shape the APIs answer (the Power Platform API's flat
    object, or BAP's ``{name, location, properties}``), with the API's own object as ``raw``."""
    props = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}

    def pick(*names):
        for name in names:
            for source in (raw, props):
                value = source.get(name)
                if value not in (None, ""):
                    return value
        return None

    states = props.get("states") if isinstance(props.get("states"), dict) else {}
    management = states.get("management") if isinstance(states.get("management"), dict) else {}
    linked = props.get("linkedEnvironmentMetadata") if isinstance(props.get("linkedEnvironmentMetadata"), dict) else {}
    group = props.get("parentEnvironmentGroup") if isinstance(props.get("parentEnvironmentGroup"), dict) else {}
    env_id = raw.get("name") if props else raw.get("id")
    env_type = pick("type", "environmentSku") if not props else pick("environmentSku")
    return {
        "id": env_id,
        "display_name": pick("displayName"),
        "type": env_type,
        "state": pick("state") if not props else (management.get("id") or pick("provisioningState")),
        "region": pick("geo", "location"),
        "azure_region": pick("azureRegion"),
        "url": pick("url") or linked.get("instanceUrl"),
        "domain_name": pick("domainName") or linked.get("domainName"),
        "dataverse_id": pick("dataverseId") or linked.get("resourceId"),
        "version": pick("version") or linked.get("version"),
        "tenant_id": pick("tenantId"),
        "environment_group_id": pick("environmentGroupId") or group.get("id"),
        "is_default": bool(pick("isDefault")) or str(env_type or "").lower() == "default",
        "created": pick("createdDateTime", "createdTime"),
        "deleted": pick("deletedDateTime"),
        "admin_mode": pick("adminMode"),
        "protection_level": pick("protectionLevel"),
        "raw": raw,
    }


# ---------------------------------------------------------------------- helpers
def _normalise_url(url: str) -> str:
    base = str(url or "").strip().rstrip("/")
    if not base.lower().startswith("https://") or not urlsplit(base).netloc:
        raise CippConfigError(f"option 'power_platform_url' must be an https:// URL such as {DEFAULT_URL}, got {url!r}",
                              option="power_platform_url")
    return base


def _is_collection(data) -> bool:
    return isinstance(data, dict) and isinstance(data.get("value"), list)


def _next_link(data):
    if not isinstance(data, dict):
        return None
    return data.get("@odata.nextLink") or data.get("nextLink") or None


def _api_error(data, text: str) -> tuple:
    """``(code, message)`` from the API's ``{"error": {"code", "message"}}`` (or whatever came)."""
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            return str(error.get("code") or ""), str(error.get("message") or "")
        if isinstance(error, str):
            return "", error
        if data.get("message"):
            return str(data.get("code") or data.get("statusCode") or ""), str(data["message"])
    return "", (text or "").strip()[:TEXT_EXCERPT]


def _error_code(raw) -> str:
    """The API's error code in a raw response, or ''."""
    try:
        error = json.loads(raw.text or "{}").get("error")
    except (AttributeError, ValueError):
        return ""
    return str(error.get("code") or "") if isinstance(error, dict) else ""


def _request_id(headers) -> str | None:
    lowered = {str(k).lower(): v for k, v in (headers or {}).items()}
    for name in REQUEST_ID_HEADERS:
        if lowered.get(name):
            return lowered[name]
    return None
