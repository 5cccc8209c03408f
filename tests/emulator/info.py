"""The info file: everything a test needs to reach this emulator run, and the files behind it.

``write_client_files`` puts each certificate credential (PEM key, PEM cert, PFX) and a
federated assertion into ``<state>/clients/``; ``build_info`` describes the run (URLs, CA,
clients with their current credentials); ``write_info`` writes it atomically, so a reader
that sees the file sees all of it. ``GET /_emulator/info`` serves ``build_info`` live, so
after a secret rotation it shows the new secret.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .credentials import PFX_PASSWORD
from .identity import App
from .tls import write_private

ASSERTION_LIFETIME = 12 * 3600


@dataclass
class Runtime:
    """What the running process knows about itself (paths, pid)."""

    pid: int
    state_dir: Path
    ca_file: Path
    log_file: Path
    info_file: Path
    cert_files: dict[str, dict[str, str]] = field(default_factory=dict)
    assertion_files: dict[str, str] = field(default_factory=dict)


def write_client_files(world: Any, runtime: Runtime) -> None:
    """Write certificate credentials and federated assertions into ``<state>/clients``."""
    folder = runtime.state_dir / "clients"
    for cert in world.credentials.certificates():
        runtime.cert_files[cert.name] = cert.write(folder)
    with world.lock:
        apps = [a for a in world.identity.clients() if a.federated_credentials]
    for app in apps:
        path = folder / f"{app.name}.assertion.jwt"
        write_private(path, mint_assertion(world, app.name).encode())
        runtime.assertion_files[app.name] = str(path)


def mint_assertion(world: Any, client: str = "federated", subject: str | None = None,
                   audience: str | None = None, lifetime: int | None = None,
                   extra: dict[str, Any] | None = None) -> str:
    """A fresh assertion from the emulator's external issuer for ``client``'s first
    federated credential (subject/audience overridable, e.g. to provoke AADSTS700213)."""
    with world.lock:
        identity = world.identity
        app = identity.client(client)
        if app is None or not app.federated_credentials:
            raise ValueError(f"client {client!r} has no federated credential")
        fic = app.federated_credentials[0]
        issuer_url = fic.issuer.replace("{authority}", world.entra_url)
        name = next((n for n, p in identity.issuer_paths.items() if world.entra_url + p == issuer_url), None)
        if name is None:
            raise ValueError(f"the issuer {issuer_url} of {client!r} is not one the emulator plays")
        issuer = identity.issuer_key(name)
    return issuer.mint(issuer_url, subject or fic.subject, audience or fic.audiences[0],
                       lifetime or ASSERTION_LIFETIME, extra)


def build_info(world: Any, runtime: Runtime) -> dict[str, Any]:
    """The info-file document for the current world state."""
    with world.lock:
        identity = world.identity
        partner = identity.partner
        apps = identity.clients()
        clients = {app.name: _client_entry(app, identity, runtime) for app in apps}
        clients.update(_user_variants(apps, identity))
        clients.update(_unregistered_certificates(world, apps, runtime))
        users = {u.upn: {"password": u.password, "sign_in": u.sign_in, "oid": u.oid}
                 for u in identity.users.values()}
        tenants = [{"id": t.tenant_id, "domain": t.domain, "display_name": t.display_name,
                    "partner": t.partner} for t in identity.tenants]
        issuers = {name: world.entra_url + path for name, path in identity.issuer_paths.items()}
    return {
        "pid": runtime.pid,
        "fixture": world.fixture_name,
        "cipp_url": world.cipp_url,
        "api_url": f"{world.cipp_url}/api",
        "control_url": f"{world.cipp_url}/_emulator",
        "powerplatform_url": world.powerplatform_url,
        "authority": world.entra_url,
        "tenant_id": partner.tenant_id,
        "tenant_domain": partner.domain,
        "ca_file": str(runtime.ca_file),
        "state_dir": str(runtime.state_dir),
        "log_file": str(runtime.log_file),
        "info_file": str(runtime.info_file),
        "external_issuers": issuers,
        "tenants": tenants,
        "users": users,
        "clients": clients,
    }


def write_info(info: dict[str, Any], path: Path) -> None:
    """Write ``info`` so readers never see a half-written file (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write_private(temp, json.dumps(info, indent=2, sort_keys=True).encode())
    os.replace(temp, path)


def _client_entry(app: App, identity: Any, runtime: Runtime) -> dict[str, Any]:
    entry: dict[str, Any] = {"client_id": app.app_id, "display_name": app.display_name,
                             "scope": _scope(app), "note": app.note}
    if app.cipp_role:
        entry["role"] = app.cipp_role
    if app.secrets:
        secret = app.valid_secret() or app.secrets[-1]
        entry["client_secret"] = secret.value
        entry["secret_id"] = secret.key_id
        if secret.expired():
            entry["secret_expired"] = True
    if app.certificates:
        entry.update(_cert_fields(app.certificates[0], runtime))
    if app.federated_credentials:
        entry["assertion_file"] = runtime.assertion_files.get(app.name)
        entry["federated_subject"] = app.federated_credentials[0].subject
    if app.public_client or app.delegated_permissions:
        admin = next((u for u in identity.users.values() if u.sign_in == "ok"), None)
        if admin is not None:
            entry.update(username=admin.upn, password=admin.password)
    return entry


SIGN_IN_ALIASES = {"mfa_required": "mfa", "ca_blocked": "blocked", "disabled": "disabled"}


def _user_variants(apps: list[App], identity: Any) -> dict[str, Any]:
    """``public_mfa``, ``public_blocked``...: a public client with each user whose sign-in
    fails after the password (so tests pick a failure by client name)."""
    entries = {}
    for app in (a for a in apps if a.public_client):
        for user in identity.users.values():
            alias = SIGN_IN_ALIASES.get(user.sign_in)
            if alias is None or user.tenant_id != app.tenant_id:
                continue
            entries[f"{app.name}_{alias}"] = {
                "client_id": app.app_id, "username": user.upn, "password": user.password,
                "scope": _scope(app),
                "note": f"{app.name} with {user.upn}: the right password, then {user.sign_in}"}
    return entries


def _scope(app: App) -> str:
    """The scope a client asks for to call its CIPP API: ``api://<id>/.default`` when the
    app has that identifier URI, else the bare ``<id>/.default``."""
    return f"{app.identifier_uris[0]}/.default" if app.identifier_uris else f"{app.app_id}/.default"


def _cert_fields(cert: Any, runtime: Runtime) -> dict[str, Any]:
    files = runtime.cert_files.get(cert.name, {})
    return {"cert_pem": files.get("cert_pem"), "key_pem": files.get("key_pem"),
            "pfx_path": files.get("pfx_path"), "pfx_password": PFX_PASSWORD,
            "thumbprint": cert.thumbprint_sha1.hex().upper(),
            "thumbprint_sha256": cert.thumbprint_sha256.hex().upper()}


def _unregistered_certificates(world: Any, apps: list[App], runtime: Runtime) -> dict[str, Any]:
    """Certificates no app registers, offered as the certificate app's would-be credential."""
    used = {c.name for app in apps for c in app.certificates}
    cert_app = next((app for app in apps if app.certificates), None)
    entries = {}
    for cert in world.credentials.certificates():
        if cert.name in used or cert_app is None:
            continue
        entries[cert.name] = {
            "client_id": cert_app.app_id, "scope": f"api://{cert_app.app_id}/.default",
            **_cert_fields(cert, runtime),
            "note": f"certificate registered on no app: presenting it as {cert_app.name!r} gives AADSTS700027"}
    return entries
