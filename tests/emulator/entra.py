"""The Entra ID (login.microsoftonline.com) side of the emulator, as msal sees it on the wire.

``EntraService(world).handle(req)`` serves:

* ``GET  /{tenant}/v2.0/.well-known/openid-configuration``  tenant discovery (GUID, domain,
  ``common``/``organizations``); a domain answers with GUID endpoints, as Entra does
* ``POST /{tenant}/oauth2/v2.0/token``  client credentials (secret, certificate assertion,
  federated assertion), password (ROPC) and refresh_token grants - see ``entra_grants.py``
* ``GET  /common/userrealm/{user}?api-version=1.0``  realm discovery msal runs before ROPC
* ``GET  /{tenant}/discovery/v2.0/keys``  the JWKS of the access-token signer
* ``GET  /{tenant}/oauth2/v2.0/authorize``  an HTML page (never used by the collection)
* ``GET  /external-oidc/.well-known/openid-configuration`` and ``.../jwks``  the external
  OIDC issuer that signs federated assertions

Errors carry Entra's JSON shape, status and ``error`` value from the ``AADSTS`` table below.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any, NamedTuple

from .entra_grants import AadstsError, TokenEndpoint, TokenRequest
from .http import HttpRequest, HttpResponse

DOCS_CERT = "https://learn.microsoft.com/entra/identity-platform/certificate-credentials"
DOCS_WIF = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
_NOT_INSTALLED = ("This can happen if the application has not been installed by the administrator "
                  "of the tenant or consented to by any user in the tenant. You may have sent your "
                  "authentication request to the wrong tenant.")


class Aadsts(NamedTuple):
    status: int
    error: str
    text: str                       # str.format()-ed with AadstsError.params
    extra: dict[str, Any] | None = None   # further top-level fields (suberror, claims)


# code -> how Entra answers it. Texts follow what Entra sends today (2024-2026 wire captures
# in public issue threads); where Entra's wording is unknown the text says what happened.
AADSTS: dict[int, Aadsts] = {
    # request shape
    900144: Aadsts(400, "invalid_request", "The request body must contain the following parameter: '{param}'."),
    900561: Aadsts(400, "invalid_request", "The endpoint only accepts POST, OPTIONS requests. Received a {method} request."),
    70003: Aadsts(400, "unsupported_grant_type", "The app requested an unsupported grant type '{grant_type}'."),
    50027: Aadsts(400, "invalid_request", "JWT token is invalid or malformed. {detail}"),
    # tenant
    90002: Aadsts(400, "invalid_tenant", "Tenant '{tenant}' not found. Check to make sure you have the correct "
                  "tenant ID and are signing into the correct cloud. Check with your subscription "
                  "administrator, this may happen if there are no active subscriptions for the tenant."),
    900023: Aadsts(400, "invalid_request", "Specified tenant identifier '{tenant}' is neither a valid DNS name, "
                   "nor a valid external domain."),
    50059: Aadsts(400, "invalid_request", "No tenant-identifying information found in either the request or "
                  "implied by any provided credentials."),
    # client app
    700016: Aadsts(400, "unauthorized_client", "Application with identifier '{client_id}' was not found in the "
                   "directory '{tenant}'. " + _NOT_INSTALLED),
    700038: Aadsts(400, "unauthorized_client", "{client_id} is not a valid application identifier."),
    # client credential
    7000215: Aadsts(401, "invalid_client", "Invalid client secret provided. Ensure the secret being sent in the "
                    "request is the client secret value, not the client secret ID, for a secret added to "
                    "app '{client_id}'."),
    7000222: Aadsts(401, "invalid_client", "The provided client secret keys for app '{client_id}' are expired. "
                    "Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, "
                    "or consider using certificate credentials for added security: https://aka.ms/certCreds."),
    7000216: Aadsts(401, "invalid_client", "'client_assertion', 'client_secret' or 'request' is required for the "
                    "'client_credentials' grant type."),
    7000218: Aadsts(401, "invalid_client", "The request body must contain the following parameter: "
                    "'client_assertion' or 'client_secret'."),
    700025: Aadsts(401, "invalid_client", "Client is public so neither 'client_assertion' nor 'client_secret' "
                   "should be presented."),
    700027: Aadsts(401, "invalid_client", "Client assertion contains an invalid signature. [Reason - {reason}, "
                   "Thumbprint of key used by client: '{thumbprint}'{found}, Please visit the Azure Portal, Graph "
                   "Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'. Review the "
                   "documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the "
                   "corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get"
                   "?view=graph-rest-1.0&tabs=http to build a query request URL, such as "
                   "'https://graph.microsoft.com/beta/applications/{client_id}']"),
    700021: Aadsts(401, "invalid_client", "Client assertion application identifier doesn't match 'client_id' "
                   "parameter. Review the documentation at " + DOCS_CERT + " ."),
    50013: Aadsts(401, "invalid_client", "Assertion failed signature validation. [Reason - Assertion audience "
                  "claim '{audience}' does not match the required value '{expected}'.]"),
    700024: Aadsts(401, "invalid_client", "Client assertion is not within its valid time range. Current time: "
                   "{now}, assertion valid from {nbf}, expiry time of assertion {exp}. Review the documentation "
                   "at " + DOCS_CERT + " ."),
    700211: Aadsts(401, "invalid_client", "No matching federated identity record found for presented assertion "
                   "issuer '{issuer}'. Please check your federated identity credential Subject, Audience and "
                   "Issuer against the presented assertion. " + DOCS_WIF),
    700212: Aadsts(401, "invalid_client", "No matching federated identity record found for presented assertion "
                   "audience '{audience}'. Please check your federated identity credential Subject, Audience "
                   "and Issuer against the presented assertion. " + DOCS_WIF),
    700213: Aadsts(401, "invalid_client", "No matching federated identity record found for presented assertion "
                   "subject '{subject}'. Please check your federated identity credential Subject, Audience and "
                   "Issuer against the presented assertion. " + DOCS_WIF),
    50166: Aadsts(400, "invalid_request", "Request to External OIDC endpoint failed. Issuer: '{issuer}'."),
    # scope / resource
    70011: Aadsts(400, "invalid_scope", "{detail}"),
    1002012: Aadsts(400, "invalid_scope", "The provided value for scope {scope} is not valid. Client credential "
                    "flows must have a scope value with /.default suffixed to the resource identifier "
                    "(application ID URI)."),
    500011: Aadsts(400, "invalid_resource", "The resource principal named {resource} was not found in the tenant "
                   "named {tenant}. " + _NOT_INSTALLED.replace("You may", "You might")),
    65001: Aadsts(400, "invalid_grant", "The user or administrator has not consented to use the application with "
                  "ID '{client_id}' named '{client_name}'. Send an interactive authorization request for this "
                  "user and resource.", {"suberror": "consent_required"}),
    # users (ROPC)
    50034: Aadsts(400, "invalid_grant", "The user account {{EUII Hidden}} does not exist in the {domain} directory. "
                  "To sign into this application, the account must be added to the directory."),
    50126: Aadsts(400, "invalid_grant", "Error validating credentials due to invalid username or password."),
    50057: Aadsts(400, "invalid_grant", "The user account is disabled."),
    50076: Aadsts(400, "invalid_grant", "Due to a configuration change made by your administrator, or because you "
                  "moved to a new location, you must use multi-factor authentication to access '{resource}'.",
                  {"suberror": "basic_action",
                   "claims": '{"access_token":{"capolids":{"essential":true,"values":'
                             '["5a1b2c3d-0000-4000-8000-0000000ca001"]}}}'}),
    53003: Aadsts(400, "interaction_required", "Access has been blocked by Conditional Access policies. The access "
                  "policy does not allow token issuance.", {"suberror": "message_only"}),
    # refresh tokens
    9002313: Aadsts(400, "invalid_grant", "Invalid request. Request is malformed or invalid."),
    70000: Aadsts(400, "invalid_grant", "The provided value for the input parameter 'refresh_token' or 'assertion' "
                  "is not valid."),
}

_TENANT_PATH = re.compile(r"^/(?P<tenant>[^/]+)/(?P<rest>.*)$")
_COMMON_HEADERS = {
    "Cache-Control": "no-store, no-cache", "Pragma": "no-cache", "Expires": "-1",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff", "X-XSS-Protection": "0",
    "P3P": 'CP="DSP CUR OTPi IND OTRi ONL FIN"', "x-ms-ests-server": "2.1.99999.1 - EMU ProdSlices",
}


def endpoint_of(path: str) -> str:
    """The fault/log name of an Entra path: token, discovery, userrealm, keys, authorize,
    external-oidc or unknown."""
    lowered = path.lower()
    if lowered.startswith("/external-oidc/"):
        return "external-oidc"
    match = _TENANT_PATH.match(lowered)
    rest = match.group("rest") if match else ""
    if rest in ("oauth2/v2.0/token", "oauth2/token"):
        return "token"
    if rest in ("v2.0/.well-known/openid-configuration", ".well-known/openid-configuration"):
        return "discovery"
    if rest.startswith("userrealm"):
        return "userrealm"
    if rest in ("discovery/v2.0/keys", "discovery/keys"):
        return "keys"
    if rest in ("oauth2/v2.0/authorize", "oauth2/authorize"):
        return "authorize"
    return "unknown"


class EntraService:
    """Answers Entra ID requests from ``world.identity``; one instance per world state."""

    def __init__(self, world: Any) -> None:
        self.world = world

    def handle(self, req: HttpRequest) -> HttpResponse:
        endpoint = endpoint_of(req.path)
        handler = {
            "token": self._token, "discovery": self._discovery, "userrealm": self._userrealm,
            "keys": self._keys, "authorize": self._authorize, "external-oidc": self._external_oidc,
        }.get(endpoint)
        if handler is None:
            return _html(404, "<html><body><h1>404 - Not Found</h1></body></html>", endpoint)
        response = handler(req)
        response.endpoint = endpoint
        return response

    # -- token -----------------------------------------------------------------------
    def _token(self, req: HttpRequest) -> HttpResponse:
        tenant_ref = req.path.split("/")[1]
        if req.method != "POST":
            return self._error(req, AadstsError(900561, method=req.method))
        token_req = TokenRequest(tenant_ref=tenant_ref, form=req.form(),
                                 authorization=req.headers.get("Authorization") or "",
                                 client_ip=req.client_ip, v1="/v2.0/" not in req.path.lower())
        with self.world.lock:
            endpoint = TokenEndpoint(self.world.identity, self.world.signer, self.world.entra_url)
            try:
                body = endpoint.issue(token_req)
            except AadstsError as exc:
                return self._error(req, exc, token_req)
        response = _json(200, body, req)
        response.client_id = token_req.client_id
        response.note = _describe(token_req, "ok")
        response.log_extra = _log_fields(token_req, None)
        return response

    def _error(self, req: HttpRequest, exc: AadstsError, token_req: TokenRequest | None = None) -> HttpResponse:
        entry = AADSTS[exc.code]
        trace_id = str(uuid.uuid4())
        # Entra reports the caller's client-request-id (msal sends one) as the correlation id.
        correlation_id = req.headers.get("client-request-id") or str(uuid.uuid4())
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        try:
            text = entry.text.format(**exc.params)
        except (KeyError, IndexError):
            text = entry.text
        body = {
            "error": entry.error,
            "error_description": f"AADSTS{exc.code}: {text}\r\nTrace ID: {trace_id}\r\n"
                                 f"Correlation ID: {correlation_id}\r\nTimestamp: {now}",
            "error_codes": [exc.code], "timestamp": now, "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={exc.code}",
            **(entry.extra or {}),
        }
        response = _json(entry.status, body, req)
        response.headers["x-ms-request-id"] = trace_id
        if token_req is not None:
            response.client_id = token_req.client_id
            response.note = _describe(token_req, f"AADSTS{exc.code}")
            response.log_extra = _log_fields(token_req, exc.code)
        else:
            response.note = f"AADSTS{exc.code}"
            response.log_extra = {"aadsts": exc.code}
        return response

    # -- metadata --------------------------------------------------------------------
    def _discovery(self, req: HttpRequest) -> HttpResponse:
        segment = req.path.split("/")[1]
        v2 = "/v2.0/" in req.path.lower()
        with self.world.lock:
            endpoint = TokenEndpoint(self.world.identity, self.world.signer, self.world.entra_url)
            try:
                tenant = endpoint.resolve_tenant(segment)
            except AadstsError as exc:
                return self._error(req, exc)
            region = "EU" if tenant else None
        base = self.world.entra_url
        # Like Entra: a domain or GUID authority gets GUID endpoints; common keeps its name
        # and its issuer holds the literal "{tenantid}" placeholder.
        tid = tenant.tenant_id if tenant else segment.lower()
        issuer_tid = tenant.tenant_id if tenant else "{tenantid}"
        oauth = f"{base}/{tid}/oauth2/v2.0" if v2 else f"{base}/{tid}/oauth2"
        doc = {
            "token_endpoint": f"{oauth}/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{base}/{tid}/discovery/v2.0/keys" if v2 else f"{base}/{tid}/discovery/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/{issuer_tid}/v2.0" if v2 else f"https://sts.windows.net/{issuer_tid}/",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{oauth}/authorize",
            "device_authorization_endpoint": f"{oauth}/devicecode",
            "http_logout_supported": True, "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{oauth}/logout",
            "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
                                 "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time",
                                 "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash",
                                 "c_hash", "email"],
            "kerberos_endpoint": f"{base}/{tid}/kerberos",
            "tenant_region_scope": region, "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net", "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }
        response = _json(200, doc, req, cache="max-age=86400, private")
        response.note = f"discovery {segment}"
        return response

    def _userrealm(self, req: HttpRequest) -> HttpResponse:
        user = req.path.split("/", 3)[3] if req.path.count("/") >= 3 else req.query.get("user", "")
        domain = user.rsplit("@", 1)[-1].lower() if "@" in user else ""
        with self.world.lock:
            tenant = self.world.identity.tenant(domain) if domain else None
        if tenant is None:
            doc = {"ver": "1.0", "account_type": "Unknown", "cloud_instance_name": "microsoftonline.com"}
        else:
            doc = {"ver": "1.0", "account_type": "Managed", "domain_name": domain,
                   "cloud_instance_name": "microsoftonline.com",
                   "cloud_audience_urn": "urn:federation:MicrosoftOnline"}
        response = _json(200, doc, req)
        response.note = f"userrealm {doc['account_type']}"
        return response

    def _keys(self, req: HttpRequest) -> HttpResponse:
        return _json(200, self.world.signer.jwks(), req, cache="max-age=86400, private")

    def _authorize(self, req: HttpRequest) -> HttpResponse:
        return _html(200, "<!DOCTYPE html><html><head><title>Sign in to your account</title></head>"
                          "<body><p>The emulator does not run interactive sign-in.</p></body></html>",
                     "authorize")

    def _external_oidc(self, req: HttpRequest) -> HttpResponse:
        with self.world.lock:
            identity = self.world.identity
            names = {path: name for name, path in identity.issuer_paths.items()}
        prefix = "/" + req.path.split("/")[1]
        name = names.get(prefix)
        if name is None:
            return _html(404, "<html><body><h1>404 - Not Found</h1></body></html>", "external-oidc")
        issuer = self.world.entra_url + prefix
        rest = req.path[len(prefix):]
        if rest == "/.well-known/openid-configuration":
            return _json(200, {
                "issuer": issuer, "jwks_uri": f"{issuer}/.well-known/jwks",
                "subject_types_supported": ["public", "pairwise"],
                "response_types_supported": ["id_token"],
                "claims_supported": ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository",
                                     "repository_owner", "event_name", "runner_environment"],
                "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid"],
            }, req)
        if rest in ("/.well-known/jwks", "/keys"):
            return _json(200, identity.issuer_key(name).jwks(), req)
        return _html(404, "<html><body><h1>404 - Not Found</h1></body></html>", "external-oidc")


def _json(status: int, data: Any, req: HttpRequest, cache: str | None = None) -> HttpResponse:
    response = HttpResponse.json(status, data)
    response.headers.update(_COMMON_HEADERS)
    if cache:
        response.headers["Cache-Control"] = cache
        response.headers.pop("Pragma", None)
        response.headers.pop("Expires", None)
        response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("x-ms-request-id", str(uuid.uuid4()))
    if req.headers.get("client-request-id"):
        response.headers["client-request-id"] = req.headers["client-request-id"]
    return response


def _html(status: int, html: str, endpoint: str) -> HttpResponse:
    response = HttpResponse.html(status, html, endpoint=endpoint)
    response.headers.update(_COMMON_HEADERS)
    return response


def _describe(token_req: TokenRequest, outcome: str) -> str:
    parts = [token_req.grant_type or "(no grant_type)"]
    if token_req.credential:
        parts.append(f"credential={token_req.credential}")
    if token_req.user:
        parts.append(f"user={token_req.user}")
    parts.append(f"scope={token_req.scope!r}" if token_req.scope is not None else "scope=(none)")
    parts.append(outcome)
    return " ".join(parts + token_req.notes)


def _log_fields(token_req: TokenRequest, code: int | None) -> dict[str, Any]:
    return {"grant_type": token_req.grant_type, "scope": token_req.scope, "aadsts": code,
            "credential": token_req.credential, "tenant": token_req.tenant_ref, "user": token_req.user}
