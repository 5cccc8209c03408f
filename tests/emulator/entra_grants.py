"""What Entra ID's token endpoint decides: which client, which credential, which resource.

``TokenEndpoint.issue`` takes one parsed token request and either returns the JSON body of
a successful response or raises ``AadstsError`` with the AADSTS code Entra would answer;
``entra.py`` turns that code into Entra's wire shape. Checks run in Entra's order: tenant,
request parameters, client app in the tenant, client credential, then scope/resource.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import secrets as _random
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import jwt

from .identity import App, IdentityDirectory, RefreshGrant, Tenant, User, is_guid

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
OIDC_SCOPES = {"openid", "profile", "offline_access", "email"}
MULTI_TENANT_PATHS = {"common", "organizations", "consumers"}
CLOCK_SKEW = 300            # seconds Entra tolerates on assertion nbf/exp
REFRESH_TOKEN_LIFETIME = 90 * 86400
SCOPE_MISSING = "The provided request must include a 'scope' input parameter."
SCOPE_INVALID = "The provided value for the input parameter 'scope' is not valid."


class AadstsError(Exception):
    """Entra would answer with AADSTS ``code``; ``params`` fill the text in entra.AADSTS."""

    def __init__(self, code: int, **params: Any) -> None:
        super().__init__(f"AADSTS{code}")
        self.code = code
        self.params = params


@dataclass
class TokenRequest:
    """One token request, plus what the endpoint learned about it (for the request log)."""

    tenant_ref: str
    form: dict[str, str]
    authorization: str = ""
    client_ip: str = "127.0.0.1"
    v1: bool = False                     # /oauth2/token (resource=) instead of /oauth2/v2.0/token
    client_id: str | None = None
    grant_type: str | None = None
    scope: str | None = None
    credential: str | None = None        # "secret", "certificate", "federated", "none"
    user: str | None = None
    notes: list[str] = field(default_factory=list)


class TokenEndpoint:
    """Entra's ``/oauth2/v2.0/token`` decisions, against an ``IdentityDirectory``."""

    def __init__(self, identity: IdentityDirectory, signer: Any, entra_url: str) -> None:
        self.identity = identity
        self.signer = signer
        self.entra_url = entra_url

    # -- entry point -----------------------------------------------------------------
    def issue(self, req: TokenRequest) -> dict[str, Any]:
        path_tenant = self.resolve_tenant(req.tenant_ref)
        form = req.form
        basic_id, basic_secret = _basic_auth(req.authorization)
        req.grant_type = form.get("grant_type") or None
        req.client_id = (form.get("client_id") or basic_id or "").strip() or None
        req.scope = form.get("scope")
        if req.v1:
            # The v1 endpoint names a resource; it behaves like the v2 "<resource>/.default".
            if not form.get("resource"):
                raise AadstsError(900144, param="resource")
            req.scope = f"{form['resource'].rstrip('/')}/.default"
        if not req.grant_type:
            raise AadstsError(900144, param="grant_type")
        if not req.client_id:
            raise AadstsError(900144, param="client_id")
        if not is_guid(req.client_id):
            raise AadstsError(700038, client_id=req.client_id)
        secret = form.get("client_secret") or basic_secret
        if req.grant_type == "client_credentials":
            return self._client_credentials(req, path_tenant, secret)
        if req.grant_type == "password":
            return self._password(req, path_tenant, secret)
        if req.grant_type == "refresh_token":
            return self._refresh(req, path_tenant, secret)
        raise AadstsError(70003, grant_type=req.grant_type)

    def resolve_tenant(self, ref: str) -> Tenant | None:
        """The tenant a path segment names; None for common/organizations/consumers."""
        if ref.lower() in MULTI_TENANT_PATHS:
            return None
        tenant = self.identity.tenant(ref)
        if tenant is not None:
            return tenant
        if is_guid(ref) or _looks_like_domain(ref):
            raise AadstsError(90002, tenant=ref)
        raise AadstsError(900023, tenant=ref)

    # -- grants ----------------------------------------------------------------------
    def _client_credentials(self, req: TokenRequest, tenant: Tenant | None, secret: str | None) -> dict:
        if tenant is None:
            raise AadstsError(50059)
        app = self._client_app(req.client_id, tenant)
        acr = self._authenticate(req, app, tenant, secret)
        resource, aud, roles = self._app_scope(req.scope, tenant, app)
        claims = self._base_claims(tenant, aud, app, acr)
        claims.update({"idtyp": "app", "oid": self.identity.service_principal_id(app, tenant.tenant_id)})
        claims["sub"] = claims["oid"]
        if roles:
            # Entra omits "roles" when no app role is granted; it is never an empty list.
            claims["roles"] = roles
        req.notes.append(f"resource={resource.app_id}")
        return self._token_response(claims)

    def _password(self, req: TokenRequest, tenant: Tenant | None, secret: str | None) -> dict:
        username, password = req.form.get("username", ""), req.form.get("password", "")
        req.user = username or None
        if tenant is None:    # common/organizations: the user's home tenant decides
            found = self.identity.user(username)
            tenant = self.identity.tenant(found.tenant_id) if found else self.identity.partner
        app = self._client_app(req.client_id, tenant)
        acr = self._authenticate_user_flow(req, app, tenant, secret)
        if not username:
            raise AadstsError(900144, param="username")
        if not password:
            raise AadstsError(900144, param="password")
        user = self.identity.user(username)
        if user is None or user.tenant_id != tenant.tenant_id:
            raise AadstsError(50034, domain=tenant.domain)
        if password != user.password:
            raise AadstsError(50126)
        if user.sign_in == "disabled":
            raise AadstsError(50057)
        resource, aud, scp = self._user_scope(req.scope, tenant, app)
        if user.sign_in == "mfa_required":
            raise AadstsError(50076, resource=resource.app_id)
        if user.sign_in == "ca_blocked":
            raise AadstsError(53003)
        return self._user_tokens(req, tenant, app, user, aud, scp, acr)

    def _refresh(self, req: TokenRequest, tenant: Tenant | None, secret: str | None) -> dict:
        grant = self.identity.refresh_tokens.get(req.form.get("refresh_token", ""))
        if grant is None:
            raise AadstsError(9002313)
        if grant.client_id != req.client_id.lower() or grant.expires < time.time():
            raise AadstsError(70000)
        tenant = tenant or self.identity.tenant(grant.tenant_id)
        if tenant is None or tenant.tenant_id != grant.tenant_id:
            raise AadstsError(70000)
        app = self._client_app(req.client_id, tenant)
        acr = self._authenticate_user_flow(req, app, tenant, secret)
        user = self.identity.user(grant.user_upn)
        if user is None:
            raise AadstsError(70000)
        req.user = user.upn
        aud, scp = self._user_scope(req.scope, tenant, app)[1:]
        return self._user_tokens(req, tenant, app, user, aud, scp, acr)

    # -- clients and credentials -----------------------------------------------------
    def _client_app(self, client_id: str, tenant: Tenant) -> App:
        app = self.identity.app(client_id)
        if app is None or app.tenant_id is None or not self.identity.has_service_principal(app, tenant):
            raise AadstsError(700016, client_id=client_id, tenant=tenant.display_name)
        return app

    def _authenticate_user_flow(self, req: TokenRequest, app: App, tenant: Tenant, secret: str | None) -> str:
        """Public clients must send no credential; confidential ones must send one."""
        sent = bool(secret or req.form.get("client_assertion"))
        if app.public_client:
            if sent:
                raise AadstsError(700025)
            req.credential = "none"
            return "0"
        if not sent:
            raise AadstsError(7000218)
        return self._authenticate(req, app, tenant, secret)

    def _authenticate(self, req: TokenRequest, app: App, tenant: Tenant, secret: str | None) -> str:
        """Check the client credential; return the ``appidacr`` it earns ("1" or "2")."""
        assertion = req.form.get("client_assertion")
        if assertion:
            assertion_type = req.form.get("client_assertion_type")
            if not assertion_type:
                raise AadstsError(900144, param="client_assertion_type")
            if assertion_type != ASSERTION_TYPE:
                raise AadstsError(50027, detail=f"Unsupported client_assertion_type '{assertion_type}'.")
            return self._check_assertion(req, app, tenant, assertion)
        if secret:
            req.credential = "secret"
            return self._check_secret(app, secret)
        raise AadstsError(7000216)

    @staticmethod
    def _check_secret(app: App, secret: str) -> str:
        for candidate in app.secrets:
            if _random.compare_digest(candidate.value.encode(), secret.encode()):
                if candidate.expired():
                    raise AadstsError(7000222, client_id=app.app_id)
                return "1"
        raise AadstsError(7000215, client_id=app.app_id)

    def _check_assertion(self, req: TokenRequest, app: App, tenant: Tenant, assertion: str) -> str:
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise AadstsError(50027, detail=str(exc)) from exc
        if claims.get("iss") == app.app_id or not app.federated_credentials:
            req.credential = "certificate"
            return self._check_certificate_assertion(app, tenant, assertion, header, claims)
        req.credential = "federated"
        return self._check_federated_assertion(app, assertion, header, claims)

    def _check_certificate_assertion(self, app: App, tenant: Tenant, assertion: str,
                                     header: dict, claims: dict) -> str:
        if claims.get("iss") != app.app_id or claims.get("sub") != app.app_id:
            raise AadstsError(700021)
        if "x5t#S256" in header:
            presented, attribute = _b64url_decode(header["x5t#S256"]), "thumbprint_sha256"
        elif "x5t" in header:
            presented, attribute = _b64url_decode(header["x5t"]), "thumbprint_sha1"
        else:
            raise AadstsError(50027, detail="No certificate thumbprint specified in token header.")
        thumbprint = presented.hex().upper()
        cert = next((c for c in app.certificates if getattr(c, attribute) == presented), None)
        if cert is None:
            raise AadstsError(700027, client_id=app.app_id, reason="The key was not found.",
                              thumbprint=thumbprint, found="")
        alg = header.get("alg")
        if alg not in ("RS256", "PS256"):
            raise AadstsError(50027, detail=f"Unsupported signing algorithm '{alg}'.")
        try:
            jwt.decode(assertion, cert.cert.public_key(), algorithms=[alg],
                       options={"verify_aud": False, "verify_exp": False, "verify_nbf": False,
                                "verify_iat": False})
        except jwt.PyJWTError as exc:
            start = cert.cert.not_valid_before_utc.strftime("%m/%d/%Y %H:%M:%S")
            end = cert.cert.not_valid_after_utc.strftime("%m/%d/%Y %H:%M:%S")
            raise AadstsError(
                700027, client_id=app.app_id, thumbprint=thumbprint,
                reason="The provided signature value did not match the expected signature value.",
                found=f", Found key 'Start={start}, End={end}'") from exc
        expected = self._token_endpoints(tenant)
        if claims.get("aud") not in expected:
            raise AadstsError(50013, audience=claims.get("aud"), expected=expected[0])
        _check_lifetime(claims)
        return "2"

    def _check_federated_assertion(self, app: App, assertion: str, header: dict, claims: dict) -> str:
        issuer, subject = claims.get("iss"), claims.get("sub")
        audiences = claims.get("aud") or []
        audiences = [audiences] if isinstance(audiences, str) else list(audiences)
        fics = [f for f in app.federated_credentials if self._issuer_url(f.issuer) == issuer]
        if not fics:
            raise AadstsError(700211, issuer=issuer)
        fics = [f for f in fics if f.subject == subject]   # case-sensitive since 2025, like Entra
        if not fics:
            raise AadstsError(700213, subject=subject)
        if not any(a in f.audiences for f in fics for a in audiences):
            raise AadstsError(700212, audience=", ".join(audiences))
        key = self._external_key(issuer)
        if key is None:
            raise AadstsError(50166, issuer=issuer)
        try:
            jwt.decode(assertion, key, algorithms=["RS256"],
                       options={"verify_aud": False, "verify_exp": False, "verify_nbf": False,
                                "verify_iat": False})
        except jwt.PyJWTError as exc:
            raise AadstsError(700027, client_id=app.app_id, thumbprint=header.get("kid", ""),
                              reason="The provided signature value did not match the expected "
                                     "signature value.", found="") from exc
        _check_lifetime(claims)
        return "2"

    def _issuer_url(self, template: str) -> str:
        return template.replace("{authority}", self.entra_url)

    def _external_key(self, issuer: str) -> Any:
        for name, path in self.identity.issuer_paths.items():
            if issuer == self.entra_url + path:
                return self.identity.issuer_key(name).public_key
        return None

    def _token_endpoints(self, tenant: Tenant) -> list[str]:
        refs = [tenant.tenant_id, *tenant.domains]
        return [f"{self.entra_url}/{ref}/oauth2/{version}token"
                for version in ("v2.0/", "") for ref in refs]

    # -- scopes and resources --------------------------------------------------------
    def _app_scope(self, scope: str | None, tenant: Tenant, client: App) -> tuple[App, str, list[str]]:
        """Client credentials: exactly one ``<resource>/.default``; returns (resource, aud, roles)."""
        scopes = (scope or "").split()
        if not scopes:
            raise AadstsError(70011, detail=SCOPE_MISSING)
        for item in scopes:
            if not item.endswith("/.default"):
                raise AadstsError(1002012, scope=item)
        prefixes = {item[: -len("/.default")] for item in scopes}
        if len(prefixes) > 1:
            raise AadstsError(70011, detail=f"{SCOPE_INVALID} One or more scopes in '{scope}' "
                                            "are not compatible with each other.")
        prefix = prefixes.pop()
        resource = self.identity.resource(prefix, tenant)
        if resource is None:
            raise AadstsError(500011, resource=prefix, tenant=tenant.display_name)
        return resource, _audience(prefix, resource), _granted(client.app_permissions, resource)

    def _user_scope(self, scope: str | None, tenant: Tenant, client: App) -> tuple[App, str, list[str]]:
        """Delegated flows: returns (resource, aud, scp list); consent decides the scp."""
        wanted = [s for s in (scope or "").split() if s.lower() not in OIDC_SCOPES]
        if not wanted:
            wanted = ["https://graph.microsoft.com/.default"]
        split = [(item.rpartition("/")[0] or "https://graph.microsoft.com", item.rpartition("/")[2])
                 for item in wanted]
        prefixes = {pair[0].lower() for pair in split}
        if len(prefixes) > 1:
            raise AadstsError(70011, detail=f"{SCOPE_INVALID} One or more scopes in '{scope}' "
                                            "are not compatible with each other.")
        prefix = split[0][0]
        resource = self.identity.resource(prefix, tenant)
        if resource is None:
            raise AadstsError(500011, resource=prefix, tenant=tenant.display_name)
        consented = [s for s in _granted(client.delegated_permissions, resource)
                     if s.lower() not in OIDC_SCOPES]
        names = [pair[1] for pair in split]
        if ".default" in names:
            granted = consented
        else:
            for name in names:
                if name not in resource.scopes:
                    detail = f"{SCOPE_INVALID} The scope {prefix}/{name} is not valid."
                    raise AadstsError(70011, detail=detail)
            granted = [n for n in names if n in consented]
            if len(granted) < len(names):
                granted = []
        if not granted:
            raise AadstsError(65001, client_id=client.app_id, client_name=client.display_name)
        return resource, _audience(prefix, resource), granted

    # -- minting ---------------------------------------------------------------------
    def _base_claims(self, tenant: Tenant, aud: str, client: App, acr: str) -> dict[str, Any]:
        iss = f"https://sts.windows.net/{tenant.tenant_id}/"
        claims: dict[str, Any] = {
            "aud": aud, "iss": iss, "idp": iss, "tid": tenant.tenant_id,
            "appid": client.app_id, "azp": client.app_id, "appidacr": acr,
            "aio": _opaque(56), "rh": f"1.A{_opaque(60)}.", "ver": "1.0",
        }
        claims.update(self._times())
        return claims

    def _times(self) -> dict[str, int]:
        lifetime = self.identity.token_lifetime
        now = int(time.time())
        if self.identity.tokens_expired:
            # The IdP still says expires_in=<lifetime>; the token itself is already dead.
            # Models clock skew or a resource that judges expiry more strictly than msal.
            return {"iat": now - lifetime - 120, "nbf": now - lifetime - 120, "exp": now - 60}
        return {"iat": now, "nbf": now, "exp": now + lifetime}

    def _token_response(self, claims: dict[str, Any]) -> dict[str, Any]:
        lifetime = self.identity.token_lifetime
        # No "scope" for client credentials: msal would key its cache on it (notes B.3).
        return {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                "access_token": self.signer.issue(claims)}

    def _user_tokens(self, req: TokenRequest, tenant: Tenant, app: App, user: User,
                     aud: str, scp: list[str], acr: str) -> dict[str, Any]:
        claims = self._base_claims(tenant, aud, app, acr)
        given, family = (user.display_name.split(" ", 1) + [""])[:2]
        claims.update({
            "acr": "1", "amr": ["pwd"], "ipaddr": req.client_ip, "name": user.display_name,
            "given_name": given, "family_name": family or given, "oid": user.oid,
            "scp": " ".join(scp), "sub": self.identity.pairwise_sub(app.app_id, user),
            "unique_name": user.upn, "upn": user.upn,
        })
        # Echo the requested scopes exactly: msal keys its cache on the response's scope.
        body = {"token_type": "Bearer", "scope": req.scope or "", **self._token_response(claims)}
        requested = (req.scope or "").split()
        if "offline_access" in requested:    # like Entra: no offline_access, no refresh token
            token = f"1.A{_opaque(300)}"
            self.identity.refresh_tokens[token] = RefreshGrant(
                app.app_id, user.upn, tenant.tenant_id, time.time() + REFRESH_TOKEN_LIFETIME)
            body["refresh_token"] = token
        if "openid" in requested:
            body["id_token"] = self.signer.issue({
                "aud": app.app_id, "iss": f"{self.entra_url}/{tenant.tenant_id}/v2.0",
                "name": user.display_name, "oid": user.oid, "preferred_username": user.upn,
                "rh": f"1.A{_opaque(60)}.", "sub": self.identity.pairwise_sub(app.app_id, user),
                "tid": tenant.tenant_id, "ver": "2.0", **self._times()})
        if req.form.get("client_info") == "1":
            info = json.dumps({"uid": user.oid, "utid": tenant.tenant_id}, separators=(",", ":"))
            body["client_info"] = base64.urlsafe_b64encode(info.encode()).rstrip(b"=").decode()
        return body


def _audience(prefix: str, resource: App) -> str:
    """v1 tokens carry the resource as the client named it: GUID, or the registered URI."""
    if is_guid(prefix):
        return resource.app_id
    for uri in resource.identifier_uris:
        if uri.lower() == prefix.lower():
            return uri
    return prefix


def _granted(permissions: dict[str, list[str]], resource: App) -> list[str]:
    """Permissions keyed by any name of ``resource`` (app id or identifier URI)."""
    names = {resource.app_id, *(u.lower().rstrip("/") for u in resource.identifier_uris)}
    for key, values in permissions.items():
        if key.lower().rstrip("/") in names:
            return list(values)
    return []


def _check_lifetime(claims: dict[str, Any]) -> None:
    now = time.time()
    exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat"))
    if not isinstance(exp, (int, float)) or exp + CLOCK_SKEW < now or (
            isinstance(nbf, (int, float)) and nbf - CLOCK_SKEW > now):
        raise AadstsError(700024, now=_stamp(now), nbf=_stamp(nbf), exp=_stamp(exp))


def _stamp(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return "(none)"
    return dt.datetime.fromtimestamp(value, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _basic_auth(header: str) -> tuple[str | None, str | None]:
    """client_secret_basic: ``Authorization: Basic b64(urlenc(id):urlenc(secret))``."""
    if not header.lower().startswith("basic "):
        return None, None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None, None
    client_id, secret = (raw.split(":", 1) + [""])[:2]
    return unquote(client_id), unquote(secret)


def _b64url_decode(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError):
        return b""


def _looks_like_domain(value: str) -> bool:
    labels = value.split(".")
    return len(labels) >= 2 and all(labels) and all(
        label.replace("-", "").isalnum() for label in labels)


def _opaque(length: int) -> str:
    return base64.urlsafe_b64encode(_random.token_bytes(length)).decode().rstrip("=")[:length]
