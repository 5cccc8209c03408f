"""The directory the Entra emulator answers from: tenants, users, app registrations.

``load_identity`` turns a fixture's ``identity.yaml`` (its schema is documented at the top
of ``fixtures/default/identity.yaml``) into an ``IdentityDirectory``. The directory is pure
data plus the few mutations the control plane offers (rotate a secret, add a client, set
the token lifetime); callers hold ``world.lock`` around mutations.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets as _random
import uuid
from dataclasses import dataclass, field
from typing import Any

from .credentials import AppCertificate, CredentialStore, ExternalIssuer

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SP_NAMESPACE = uuid.UUID("5a1b2c3d-0000-4000-8000-0000000000ff")
_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def is_guid(value: str) -> bool:
    return bool(GUID_RE.match(value or ""))


@dataclass
class Secret:
    key_id: str
    value: str
    expires: dt.datetime

    def expired(self, now: dt.datetime | None = None) -> bool:
        return (now or dt.datetime.now(dt.timezone.utc)) >= self.expires


@dataclass
class FederatedCredential:
    name: str
    issuer: str                  # may contain "{authority}", resolved per request
    subject: str
    audiences: list[str]


@dataclass
class App:
    """An app registration (or a first-party resource's service principal)."""

    name: str
    app_id: str
    display_name: str
    tenant_id: str | None                       # None for first-party resources
    identifier_uris: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    app_roles: list[str] = field(default_factory=list)
    secrets: list[Secret] = field(default_factory=list)
    certificates: list[AppCertificate] = field(default_factory=list)
    federated_credentials: list[FederatedCredential] = field(default_factory=list)
    public_client: bool = False
    multi_tenant: bool = False
    first_party_tenants: str | list[str] | None = None   # "all" or tenant ids (resources only)
    app_permissions: dict[str, list[str]] = field(default_factory=dict)
    delegated_permissions: dict[str, list[str]] = field(default_factory=dict)
    cipp_role: str | None = None
    note: str = ""

    def valid_secret(self) -> Secret | None:
        """The newest secret that has not expired (what the info file hands out)."""
        live = [s for s in self.secrets if not s.expired()]
        return live[-1] if live else None


@dataclass
class User:
    upn: str
    password: str
    display_name: str
    oid: str
    tenant_id: str
    sign_in: str = "ok"


@dataclass
class Tenant:
    tenant_id: str
    domain: str
    domains: list[str]
    display_name: str
    partner: bool = False
    consented_apps: list[str] = field(default_factory=list)


@dataclass
class RefreshGrant:
    """What a refresh token we issued stands for."""

    client_id: str
    user_upn: str
    tenant_id: str
    expires: float


class IdentityDirectory:
    """Tenants, users and apps of one fixture, plus run-time settings."""

    def __init__(self, data: dict[str, Any], credentials: CredentialStore) -> None:
        self.credentials = credentials
        settings = data.get("settings") or {}
        self.token_lifetime: int = int(settings.get("token_lifetime", 3599))
        self.tokens_expired: bool = False    # control plane: sign tokens whose exp has passed
        self.issuer_paths: dict[str, str] = {
            name: (spec or {}).get("path", f"/{name}")
            for name, spec in (data.get("external_issuers") or {}).items()}
        for name in self.issuer_paths:
            credentials.issuer(name)
        self.tenants: list[Tenant] = [_tenant(t) for t in data.get("tenants") or []]
        partners = [t for t in self.tenants if t.partner]
        if len(partners) != 1:
            raise ValueError("identity.yaml needs exactly one tenant with partner: true")
        self.partner = partners[0]
        cert_specs = data.get("certificates") or {}
        for name, spec in cert_specs.items():
            credentials.certificate(name, (spec or {}).get("subject"))
        self.apps: dict[str, App] = {}
        for spec in data.get("resources") or []:
            self._add(_resource(spec))
        for spec in data.get("apps") or []:
            self._add(_app(spec, credentials, cert_specs))
        self.users: dict[str, User] = {}
        for spec in data.get("users") or []:
            user = _user(spec, self)
            self.users[user.upn.lower()] = user
        self.refresh_tokens: dict[str, RefreshGrant] = {}
        self.revision = 0      # bumped by each control-plane mutation (lets callers cache)

    # -- lookups ---------------------------------------------------------------------
    @property
    def partner_tenant_id(self) -> str:
        return self.partner.tenant_id

    def tenant(self, ref: str) -> Tenant | None:
        """A tenant by GUID or by any of its domains (case-insensitive)."""
        ref = (ref or "").lower()
        for tenant in self.tenants:
            if ref == tenant.tenant_id or ref in (d.lower() for d in tenant.domains):
                return tenant
        return None

    def app(self, app_id: str) -> App | None:
        return self.apps.get((app_id or "").lower())

    def client(self, ref: str) -> App | None:
        """An app registration by info-file name or by app id."""
        found = self.app(ref)
        if found and found.tenant_id:
            return found
        for app in self.apps.values():
            if app.tenant_id and app.name == ref:
                return app
        return None

    def clients(self) -> list[App]:
        """App registrations (not first-party resources), in fixture order."""
        return [app for app in self.apps.values() if app.tenant_id]

    def has_service_principal(self, app: App, tenant: Tenant) -> bool:
        """Whether ``app`` exists (as a service principal) in ``tenant``."""
        if app.tenant_id is None:
            return app.first_party_tenants == "all" or tenant.tenant_id in (app.first_party_tenants or [])
        if app.tenant_id == tenant.tenant_id:
            return True
        return app.multi_tenant and app.app_id in tenant.consented_apps

    def resource(self, identifier: str, tenant: Tenant) -> App | None:
        """The resource a scope's prefix names (app id or identifier URI), if it has a
        service principal in ``tenant``. Identifier URIs match case-insensitively."""
        wanted = identifier.lower()
        for app in self.apps.values():
            if wanted == app.app_id or wanted in (u.lower() for u in app.identifier_uris):
                return app if self.has_service_principal(app, tenant) else None
        return None

    def user(self, upn: str) -> User | None:
        return self.users.get((upn or "").lower())

    def service_principal_id(self, app: App, tenant_id: str) -> str:
        """A stable object id for ``app``'s service principal in ``tenant_id``."""
        return str(uuid.uuid5(_SP_NAMESPACE, f"{tenant_id}:{app.app_id}"))

    def pairwise_sub(self, app_id: str, user: User) -> str:
        return str(uuid.uuid5(_SP_NAMESPACE, f"sub:{app_id}:{user.oid}"))

    def issuer_path(self, name: str = "external-oidc") -> str:
        return self.issuer_paths[name]

    def issuer_key(self, name: str) -> ExternalIssuer:
        return self.credentials.issuer(name)

    def secret_values(self) -> set[str]:
        """Every secret and password in the directory (for masking logs)."""
        values = {s.value for app in self.apps.values() for s in app.secrets}
        values.update(u.password for u in self.users.values())
        return {v for v in values if len(v) >= 8}

    # -- control-plane mutations (caller holds world.lock) ---------------------------
    def rotate_secret(self, ref: str, revoke_old: bool = False) -> tuple[App, Secret, list[str]]:
        """Add a new secret to a client (optionally deleting the others)."""
        app = self.client(ref)
        if app is None:
            raise KeyError(f"unknown client {ref!r}")
        revoked = [s.key_id for s in app.secrets] if revoke_old else []
        if revoke_old:
            app.secrets.clear()
        secret = new_secret(app.name)
        app.secrets.append(secret)
        self.revision += 1
        return app, secret, revoked

    def add_client(self, name: str, app_id: str | None = None, identifier_uri: bool = True,
                   public_client: bool = False, note: str = "") -> App:
        """Register a new confidential (or public) client in the partner tenant."""
        if self.client(name):
            raise ValueError(f"client {name!r} exists")
        app_id = (app_id or str(uuid.uuid4())).lower()
        if not is_guid(app_id) or self.app(app_id):
            raise ValueError(f"app id {app_id!r} is not a free GUID")
        app = App(name=name, app_id=app_id, display_name=f"{name} (added at run time)",
                  tenant_id=self.partner.tenant_id,
                  identifier_uris=[f"api://{app_id}"] if identifier_uri else [],
                  scopes=["user_impersonation"] if identifier_uri else [],
                  public_client=public_client, note=note or "added through the control plane")
        if not public_client:
            app.secrets.append(new_secret(name))
        self._add(app)
        self.revision += 1
        return app

    def _add(self, app: App) -> None:
        if app.app_id in self.apps:
            raise ValueError(f"duplicate app id {app.app_id}")
        self.apps[app.app_id] = app


def load_identity(data: dict[str, Any], credentials: CredentialStore | None = None) -> IdentityDirectory:
    """Build the directory from parsed ``identity.yaml`` (see the schema there)."""
    return IdentityDirectory(data or {}, credentials or CredentialStore())


def new_secret(name: str) -> Secret:
    """A fresh secret shaped like an Entra secret value: hint + "8Q~" + random, 40 chars."""
    hint = (re.sub(r"[^A-Za-z]", "", name) + "xxx")[:3].capitalize()
    body = "".join(_random.choice(_SECRET_ALPHABET) for _position in range(40))
    value = f"{hint}8Q~emu.{name.replace('_', '')}.rot.{body}"[:40]
    expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=180)
    return Secret(str(uuid.uuid4()), value, expires)


def _tenant(spec: dict[str, Any]) -> Tenant:
    domain = spec["domain"].lower()
    domains = [domain] + [d.lower() for d in spec.get("domains") or []]
    return Tenant(tenant_id=spec["id"].lower(), domain=domain, domains=domains,
                  display_name=spec.get("display_name", domain), partner=bool(spec.get("partner")),
                  consented_apps=[a.lower() for a in spec.get("consented_apps") or []])


def _resource(spec: dict[str, Any]) -> App:
    return App(name=spec["name"], app_id=spec["app_id"].lower(),
               display_name=spec.get("display_name", spec["name"]), tenant_id=None,
               identifier_uris=list(spec.get("identifier_uris") or []),
               scopes=list(spec.get("scopes") or []), app_roles=list(spec.get("app_roles") or []),
               first_party_tenants=spec.get("tenants", "all"))


def _app(spec: dict[str, Any], credentials: CredentialStore, cert_specs: dict[str, Any]) -> App:
    app_id = spec["app_id"].lower()
    uris = [u.replace("{app_id}", app_id) for u in spec.get("identifier_uris") or []]
    certificates = []
    for name in spec.get("certificates") or []:
        if name not in cert_specs:
            raise ValueError(f"app {spec['name']}: unknown certificate {name!r}")
        certificates.append(credentials.certificate(name))
    return App(
        name=spec["name"], app_id=app_id, display_name=spec.get("display_name", spec["name"]),
        tenant_id=spec["tenant"].lower(), identifier_uris=uris,
        scopes=list(spec.get("scopes") or (["user_impersonation"] if uris else [])),
        app_roles=list(spec.get("app_roles") or []),
        secrets=[Secret(s["id"], s["value"], _when(s.get("expires", "2099-12-31T00:00:00Z")))
                 for s in spec.get("secrets") or []],
        certificates=certificates,
        federated_credentials=[
            FederatedCredential(f.get("name", "fic"), f["issuer"], f["subject"],
                                list(f.get("audiences") or ["api://AzureADTokenExchange"]))
            for f in spec.get("federated_credentials") or []],
        public_client=bool(spec.get("public_client")), multi_tenant=bool(spec.get("multi_tenant")),
        app_permissions={k: list(v) for k, v in (spec.get("app_permissions") or {}).items()},
        delegated_permissions={k: list(v) for k, v in (spec.get("delegated_permissions") or {}).items()},
        cipp_role=spec.get("cipp_role"), note=spec.get("note", ""),
    )


def _user(spec: dict[str, Any], directory: IdentityDirectory) -> User:
    upn = spec["upn"]
    tenant = directory.tenant(upn.rsplit("@", 1)[-1])
    if tenant is None:
        raise ValueError(f"user {upn}: no tenant has the domain of this UPN")
    if spec.get("sign_in", "ok") not in ("ok", "mfa_required", "ca_blocked", "disabled"):
        raise ValueError(f"user {upn}: unknown sign_in {spec.get('sign_in')!r}")
    return User(upn=upn, password=str(spec["password"]), display_name=spec.get("display_name", upn),
                oid=spec["oid"].lower(), tenant_id=tenant.tenant_id, sign_in=spec.get("sign_in", "ok"))


def _when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
