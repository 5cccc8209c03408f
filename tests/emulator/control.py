"""The control plane under ``/_emulator/`` on the CIPP port: JSON in, JSON out, no auth.

=========================================  ===============================================
``POST   /_emulator/reset``                ``{"fixture"?, "keep_log"?, "keep_faults"?}``:
                                           reload the fixture; clears log and faults
``GET    /_emulator/requests``             ``?since=<seq>&service=&endpoint=&limit=``
                                           -> ``{"requests": [...], "last_seq"}``
``DELETE /_emulator/requests``             forget the log (seq keeps counting)
``GET    /_emulator/conformance``          ``{"findings": [...]}`` (flattened, with seq)
``GET|POST|DELETE /_emulator/faults``      list / add (one rule or a list) / clear
``GET    /_emulator/clients``              the info file's ``clients``
``POST   /_emulator/clients``              ``{"action": "rotate_secret", "client",
                                           "revoke_old"?}`` | ``{"action": "add_client",
                                           "name", "client_id"?, "identifier_uri"?,
                                           "public_client"?}`` | ``{"action":
                                           "token_lifetime", "seconds", "expired"?}``
``POST   /_emulator/federated-assertion``  ``{"client"?, "subject"?, "audience"?,
                                           "lifetime"?, "write"?}`` -> ``{"assertion"}``
``GET    /_emulator/info``                 the info file, live
``GET    /_emulator/health``               ``{"ok": true}``
=========================================  ===============================================

Control requests are neither faulted nor logged: they are the test talking to the
emulator, not the collection talking to CIPP.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Callable

from .faults import FaultSet, parse_rules
from .http import HttpRequest, HttpResponse
from .info import Runtime, build_info, mint_assertion
from .reqlog import RequestLog
from .tls import write_private

PREFIX = "/_emulator"
log = logging.getLogger("cipp_emulator")


class ControlError(Exception):
    """A control call the emulator refuses (400 with the message)."""


class ControlPlane:
    """Routes ``/_emulator/*`` requests."""

    def __init__(self, world: Any, reqlog: RequestLog, faults: FaultSet, runtime: Runtime) -> None:
        self.world = world
        self.reqlog = reqlog
        self.faults = faults
        self.runtime = runtime
        self._routes: dict[tuple[str, str], Callable[[HttpRequest], Any]] = {
            ("POST", "reset"): self._reset,
            ("GET", "requests"): self._requests,
            ("DELETE", "requests"): self._clear_requests,
            ("GET", "conformance"): self._conformance,
            ("GET", "faults"): lambda req: {"faults": self.faults.list()},
            ("POST", "faults"): self._add_faults,
            ("DELETE", "faults"): self._clear_faults,
            ("GET", "clients"): lambda req: {"clients": self._info()["clients"]},
            ("POST", "clients"): self._clients,
            ("POST", "federated-assertion"): self._federated_assertion,
            ("GET", "info"): lambda req: self._info(),
            ("GET", "health"): lambda req: {"ok": True, "pid": self.runtime.pid},
        }

    def handle(self, req: HttpRequest) -> HttpResponse:
        name = req.path[len(PREFIX):].strip("/")
        route = self._routes.get((req.method, name))
        if route is None:
            known = sorted({f"{m} {PREFIX}/{n}" for m, n in self._routes})
            return HttpResponse.json(404, {"error": f"no control route {req.method} {req.path}", "known": known})
        try:
            return HttpResponse.json(200, route(req))
        except (ControlError, ValueError, KeyError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            return HttpResponse.json(400, {"error": str(message)})

    # -- state and log ---------------------------------------------------------------
    def _reset(self, req: HttpRequest) -> dict[str, Any]:
        body = _json_body(req)
        self.world.reset(body.get("fixture"))
        if not body.get("keep_log"):
            self.reqlog.clear()
        if not body.get("keep_faults"):
            self.faults.clear()
        log.info("control: reset to fixture %s", self.world.fixture_name)
        return {"fixture": self.world.fixture_name, "last_seq": self.reqlog.last_seq}

    def _requests(self, req: HttpRequest) -> dict[str, Any]:
        query = req.query
        since = _int_or_none(query.get("since"), "since")
        limit = _int_or_none(query.get("limit"), "limit")
        entries = self.reqlog.query(since=since, service=query.get("service") or None,
                                    endpoint=query.get("endpoint") or None, limit=limit)
        return {"requests": entries, "last_seq": self.reqlog.last_seq}

    def _clear_requests(self, req: HttpRequest) -> dict[str, Any]:
        self.reqlog.clear()
        return {"cleared": True, "last_seq": self.reqlog.last_seq}

    def _conformance(self, req: HttpRequest) -> dict[str, Any]:
        return {"findings": self.reqlog.conformance(), "last_seq": self.reqlog.last_seq}

    def _add_faults(self, req: HttpRequest) -> dict[str, Any]:
        rules = parse_rules(_json_body(req, allow_list=True))
        self.faults.add(rules)
        return {"added": [r.to_dict() for r in rules], "faults": self.faults.list()}

    def _clear_faults(self, req: HttpRequest) -> dict[str, Any]:
        self.faults.clear()
        return {"faults": []}

    # -- identities ------------------------------------------------------------------
    def _clients(self, req: HttpRequest) -> dict[str, Any]:
        body = _json_body(req)
        action = body.get("action")
        with self.world.lock:
            identity = self.world.identity
            if action == "rotate_secret":
                app, secret, revoked = identity.rotate_secret(
                    _required(body, "client"), bool(body.get("revoke_old")))
                log.info("control: rotated secret of %s (revoked %d)", app.name, len(revoked))
                return {"client": app.name, "client_id": app.app_id, "client_secret": secret.value,
                        "secret_id": secret.key_id, "revoked": revoked}
            if action == "add_client":
                app = identity.add_client(
                    _required(body, "name"), body.get("client_id"),
                    identifier_uri=bool(body.get("identifier_uri", True)),
                    public_client=bool(body.get("public_client", False)), note=body.get("note", ""))
                log.info("control: added client %s (%s)", app.name, app.app_id)
                return {"client": app.name, **self._info()["clients"][app.name]}
            if action == "token_lifetime":
                seconds = _int_or_none(body.get("seconds"), "seconds")
                if seconds is None or seconds < 1:
                    raise ControlError("seconds must be a positive integer (use expired: true for dead tokens)")
                identity.token_lifetime = seconds
                identity.tokens_expired = bool(body.get("expired", False))
                return {"token_lifetime": seconds, "expired": identity.tokens_expired}
        raise ControlError("action must be rotate_secret, add_client or token_lifetime")

    def _federated_assertion(self, req: HttpRequest) -> dict[str, Any]:
        body = _json_body(req)
        client = body.get("client", "federated")
        lifetime = _int_or_none(body.get("lifetime"), "lifetime")
        assertion = mint_assertion(self.world, client, body.get("subject"), body.get("audience"),
                                   lifetime, body.get("claims"))
        result: dict[str, Any] = {"client": client, "assertion": assertion}
        if body.get("write"):
            path = self.runtime.assertion_files.get(client)
            if path is None:
                raise ControlError(f"client {client!r} has no assertion file")
            write_private(Path(path), assertion.encode())
            result["assertion_file"] = path
        return result

    def _info(self) -> dict[str, Any]:
        return build_info(self.world, self.runtime)


def _json_body(req: HttpRequest, allow_list: bool = False) -> Any:
    if not req.body.strip():
        return {}
    try:
        data = json.loads(req.body)
    except ValueError as exc:
        raise ControlError(f"body is not JSON: {exc}") from exc
    if isinstance(data, dict) or (allow_list and isinstance(data, list)):
        return data
    raise ControlError("body must be a JSON object" + (" or a list" if allow_list else ""))


def _required(body: dict[str, Any], key: str) -> Any:
    if not body.get(key):
        raise ControlError(f"'{key}' is required")
    return body[key]


def _int_or_none(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ControlError(f"{name} must be an integer, got {value!r}") from exc
