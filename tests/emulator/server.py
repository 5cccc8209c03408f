"""The HTTPS fronts: sockets in, ``HttpRequest`` to a service, ``HttpResponse`` out.

Three threaded HTTP/1.1 servers (keep-alive) on 127.0.0.1, in one process: the Entra port
(every request to ``entra.EntraService``), the CIPP port (``/_emulator/*`` to the control
plane, everything else to ``cipp.app.CippService``) and the Power Platform API port (every
request to ``powerplatform.PowerPlatformService``). Each front applies fault rules, calls
the service, and logs the outcome before the response is written, so a test that has its
response can already read the log entry.

Promises: no client can take the process down. The TLS handshake runs in the connection's
thread (a stalled client stalls only itself); bodies over ``MAX_BODY`` get 413 the way
Azure's front end answers; malformed requests get 400; handler exceptions become a logged
500 whose traceback goes to the emulator log only; disconnects are ordinary events. Text
answers of 1 KB and more are gzip-compressed for clients that accept it, as Azure's fronts do.
Each log entry names the TCP connection (``connection``), so keep-alive reuse is visible.
"""
from __future__ import annotations

import email.utils
import gzip
import logging
import socket
import ssl
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from . import entra, powerplatform
from .control import PREFIX as CONTROL_PREFIX, ControlPlane
from .faults import FaultRule, FaultSet, fault_response, request_tenant
from .http import CaseInsensitiveDict, HttpRequest, HttpResponse
from .reqlog import RequestLog, bearer_app_id, logged_body, logged_query, make_masker

MAX_BODY = 10 * 1024 * 1024          # larger bodies get 413, like Azure Front Door
DRAIN_LIMIT = 64 * 1024 * 1024       # read (and drop) up to this much so the client sees the 413
IDLE_TIMEOUT = 120                   # seconds a keep-alive connection may sit idle
HANDSHAKE_TIMEOUT = 10
COMPRESS_MIN_BYTES = 1024            # Azure's front ends compress text answers from about 1 KB
COMPRESSIBLE_TYPES = ("application/json", "text/html", "text/plain")
log = logging.getLogger("cipp_emulator")

ServiceFactory = Callable[[Any], Any]


class Front:
    """One port's behaviour: faults, service dispatch, logging."""

    def __init__(self, name: str, world: Any, factory: ServiceFactory, reqlog: RequestLog,
                 faults: FaultSet, endpoint_of: Callable[[str], str],
                 control: ControlPlane | None = None) -> None:
        self.name = name
        self.world = world
        self.factory = factory
        self.reqlog = reqlog
        self.faults = faults
        self.endpoint_of = endpoint_of
        self.control = control
        self._lock = threading.Lock()
        self._service: tuple[int, Any] | None = None
        self._masker: tuple[tuple[int, int], Callable[[str], str]] | None = None

    def respond(self, req: HttpRequest, started: float) -> HttpResponse:
        """The response for ``req`` (already logged). May block for latency/timeout faults."""
        if self.control is not None and (req.path == CONTROL_PREFIX or req.path.startswith(CONTROL_PREFIX + "/")):
            req.service = "control"
            return self._guarded(self.control.handle, req)
        endpoint = self.endpoint_of(req.path)
        rule = self.faults.take(self.name, endpoint, req.method,
                                request_tenant(req.query, req.body) if self.faults.wants_tenant() else None)
        if rule is None:
            response = self._guarded(self._call_service, req)
            self.record(req, response, endpoint, started)
            return response
        if rule.kind == "latency":
            time.sleep(rule.hold_seconds)
            response = self._guarded(self._call_service, req)
            self.record(req, response, endpoint, started, rule)
            return response
        if rule.after_handler:
            handled = self._guarded(self._call_service, req)
            response = fault_response(rule, self.name)
            for attr in ("endpoint", "client_id", "state_changed", "conformance"):
                setattr(response, attr, getattr(handled, attr))
            response.log_extra = {**handled.log_extra, "handler_status": handled.status,
                                  "handler_note": handled.note}
            self.record(req, response, endpoint, started, rule)
            return response
        response = fault_response(rule, self.name)
        self.record(req, response, endpoint, started, rule)
        if rule.kind == "timeout":
            time.sleep(rule.hold_seconds)
        return response

    def record(self, req: HttpRequest, response: HttpResponse, endpoint: str, started: float,
               rule: FaultRule | None = None) -> None:
        """Append the request-log entry and the log-file line for one request."""
        masker = self._secret_masker()
        handler_ran = rule is None or rule.kind == "latency" or rule.after_handler
        entry = {
            **response.log_extra,     # first: the fields below always win
            "service": self.name, "method": req.method, "path": req.path,
            "endpoint": response.endpoint or endpoint, "query": logged_query(req, masker),
            "body": logged_body(req, masker),
            "status": None if response.drop_connection else response.status,
            "client_id": response.client_id or bearer_app_id(req),
            "state_changed": bool(response.state_changed) if handler_ran else False,
            "conformance": list(response.conformance or []),
            "note": f"fault:{rule.kind}" if rule else response.note,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "connection": f"{req.client_ip}:{req.client_port}",
            "user_agent": req.headers.get("User-Agent", ""),
            "accept_encoding": req.headers.get("Accept-Encoding", ""),
        }
        if rule is not None:
            entry["fault_id"] = rule.id
            if handler_ran and "handler_note" not in entry:
                entry["handler_note"] = response.note
        seq = self.reqlog.append(entry)
        log.info("#%d %s %s %s -> %s endpoint=%s client=%s note=%s %.1fms", seq, self.name, req.method,
                 req.path, entry["status"], entry["endpoint"], entry["client_id"], entry["note"],
                 entry["duration_ms"])

    def _call_service(self, req: HttpRequest) -> HttpResponse:
        return self._service_for().handle(req)

    def _service_for(self) -> Any:
        """The service instance for the current world state (rebuilt after each reset)."""
        generation = self.world.generation
        cached = self._service
        if cached is None or cached[0] != generation:
            with self._lock:
                if self._service is None or self._service[0] != generation:
                    self._service = (generation, self.factory(self.world))
                cached = self._service
        return cached[1]

    def _guarded(self, handler: Callable[[HttpRequest], HttpResponse], req: HttpRequest) -> HttpResponse:
        try:
            response = handler(req)
            if not isinstance(response, HttpResponse):
                raise TypeError(f"handler returned {type(response).__name__}, not HttpResponse")
            return response
        except Exception as exc:  # noqa: BLE001 - a handler bug must become a 500, never kill the front
            log.error("handler exception on %s %s %s\n%s", self.name, req.method, req.path, traceback.format_exc())
            summary = f"{type(exc).__name__}: {exc}"
            response = HttpResponse.text(500, "Internal Server Error (emulator handler exception; "
                                              "see the emulator log)")
            response.note = "handler exception"
            response.log_extra = {"error": summary[:500]}
            return response

    def _secret_masker(self) -> Callable[[str], str]:
        """Masks every secret the directory knows; rebuilt only when secrets change."""
        with self.world.lock:
            identity = self.world.identity
            key = (self.world.generation, identity.revision)
            if self._masker is None or self._masker[0] != key:
                self._masker = (key, make_masker(identity.secret_values()))
            return self._masker[1]


class _Server(ThreadingHTTPServer):
    daemon_threads = True          # keep-alive connections must not block shutdown
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], front: Front, context: ssl.SSLContext) -> None:
        self.front = front
        self.ssl_context = context
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connection-level failures (TLS garbage, resets): log, never print to stderr."""
        log.debug("connection from %s ended with an error\n%s", client_address, traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Malformed request lines get a real status line back, not an HTTP/0.9 bare body.
    default_request_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "cipp-emulator"
    server: _Server

    def setup(self) -> None:
        raw: socket.socket = self.request
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        raw.settimeout(HANDSHAKE_TIMEOUT)
        self.request = self.server.ssl_context.wrap_socket(raw, server_side=True)
        self.request.settimeout(IDLE_TIMEOUT)
        self.connection = self.request
        self.rfile = self.connection.makefile("rb", self.rbufsize)
        self.wfile = self.connection.makefile("wb", 0)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass    # the client already went away; nothing left to flush
        finally:
            self.request.close()

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (OSError, ssl.SSLError):
            self.close_connection = True      # idle timeout or reset between requests
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.requestline, self.request_version, self.command = "", "", ""
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            self.close_connection = True
            return
        if not self.parse_request():
            self.close_connection = True
            return
        try:
            self._serve()
        except (OSError, ssl.SSLError) as exc:
            log.debug("client %s went away: %s", self.client_address, exc)
            self.close_connection = True
        except Exception:  # noqa: BLE001 - a bug in the front itself: answer 500, keep serving
            log.error("front error on %s %s\n%s", self.command, self.path, traceback.format_exc())
            self.close_connection = True
            try:
                self._write(HttpResponse.text(500, "Internal Server Error (emulator front error; see the log)"))
            except OSError:
                pass    # the client is gone as well

    def handle_expect_100(self) -> bool:
        length = self._declared_length()
        if length > MAX_BODY:
            # Answer before the body is sent: the client must not send it at all.
            self._answer_early(self._too_large_response(length))
            return False
        return super().handle_expect_100()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.client_address[0], format % args)

    # -- one request -----------------------------------------------------------------
    def _serve(self) -> None:
        started = time.perf_counter()
        req = self._make_request()
        problem = self._read_body(req)
        if problem is not None:
            self._answer_early(problem, req, started)
            return
        self._write(self.server.front.respond(req, started), accepts_gzip=_accepts_gzip(req))

    def _make_request(self) -> HttpRequest:
        split = urlsplit(self.path)
        return HttpRequest(method=self.command, path=unquote(split.path) or "/", raw_query=split.query,
                           headers=CaseInsensitiveDict(dict(self.headers.items())), body=b"",
                           client_ip=self.client_address[0], client_port=self.client_address[1],
                           service=self.server.front.name)

    def _answer_early(self, response: HttpResponse, req: HttpRequest | None = None,
                      started: float | None = None) -> None:
        """Log and send a transport-level refusal (400/413), then close the connection."""
        started = started if started is not None else time.perf_counter()
        req = req or self._make_request()
        front = self.server.front
        front.record(req, response, front.endpoint_of(req.path), started)
        self.close_connection = True
        self._write(response)

    def _declared_length(self) -> int:
        try:
            return int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return 0

    def _read_body(self, req: HttpRequest) -> HttpResponse | None:
        """Read the body into ``req``; return an error response instead when it is unacceptable."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked(req)
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return None
        try:
            length = int(raw_length)
            if length < 0:
                raise ValueError(raw_length)
        except ValueError:
            return HttpResponse.text(400, "Bad Request - Invalid Content-Length", note="bad content-length")
        if length > MAX_BODY:
            self._drain(length)
            return self._too_large_response(length)
        body = self.rfile.read(length)
        if len(body) < length:
            raise ConnectionError("client closed the connection before sending the whole body")
        req.body = body
        return None

    def _read_chunked(self, req: HttpRequest) -> HttpResponse | None:
        chunks, total = [], 0
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise ConnectionError("client closed the connection inside a chunked body")
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                return HttpResponse.text(400, "Bad Request - Invalid chunk", note="bad chunked body")
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass    # trailers
                break
            total += size
            if total > MAX_BODY:
                return self._too_large_response(total)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(8)
        req.body = b"".join(chunks)
        return None

    def _drain(self, length: int) -> None:
        """Read and drop an oversized body (up to DRAIN_LIMIT), so the client gets to read
        the 413 instead of a connection reset while it is still sending."""
        remaining = length if length <= DRAIN_LIMIT else 0
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                break
            remaining -= len(chunk)

    @staticmethod
    def _too_large_response(length: int) -> HttpResponse:
        return HttpResponse.html(
            413, "<html><head><title>413 Request Entity Too Large</title></head><body>"
                 "<center><h1>413 Request Entity Too Large</h1></center></body></html>",
            note=f"body too large ({length} bytes > {MAX_BODY})")

    def _write(self, response: HttpResponse, accepts_gzip: bool = False) -> None:
        if response.drop_connection:
            self.close_connection = True
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass    # already gone
            return
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = "Unknown"
        body = response.body
        lines = [f"HTTP/1.1 {response.status} {phrase}"]
        skip = {"content-length", "connection", "date", "transfer-encoding"}
        lines += [f"{k}: {v}" for k, v in response.headers.items() if k.lower() not in skip]
        if accepts_gzip and _compressible(response):
            body = gzip.compress(body, compresslevel=1, mtime=0)
            lines += ["Content-Encoding: gzip", "Vary: Accept-Encoding"]
        lines.append(f"Date: {email.utils.formatdate(usegmt=True)}")
        lines.append(f"Content-Length: {len(body)}")
        if self.command == "HEAD":
            body = b""
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        self.wfile.write(head + body)   # one write: no Nagle/delayed-ACK stall on keep-alive


def _accepts_gzip(req: HttpRequest) -> bool:
    """The client listed gzip in Accept-Encoding (without q=0)."""
    for item in req.headers.get("Accept-Encoding", "").split(","):
        coding, _semi, params = item.strip().partition(";")
        if coding.strip().lower() == "gzip":
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _compressible(response: HttpResponse) -> bool:
    """Azure's front ends compress text answers of 1 KB and more for clients that accept gzip."""
    if len(response.body) < COMPRESS_MIN_BYTES:
        return False
    if any(k.lower() == "content-encoding" for k in response.headers):
        return False
    content_type = next((v for k, v in response.headers.items() if k.lower() == "content-type"), "")
    return content_type.split(";")[0].strip().lower() in COMPRESSIBLE_TYPES


class Emulator:
    """All three fronts, bound on construction (ports known), serving after ``start()``."""

    def __init__(self, world: Any, context: ssl.SSLContext, reqlog: RequestLog, faults: FaultSet,
                 host: str = "127.0.0.1", cipp_port: int = 0, entra_port: int = 0,
                 cipp_factory: ServiceFactory | None = None, powerplatform_port: int = 0) -> None:
        """``cipp_factory`` replaces ``CippService`` (tests of the transport use a stub)."""
        self.world = world
        self.reqlog = reqlog
        self.faults = faults
        self.entra_front = Front("entra", world, entra.EntraService, reqlog, faults, entra.endpoint_of)
        self.cipp_front = Front("cipp", world, cipp_factory or _cipp_service, reqlog, faults,
                                cipp_endpoint_of)
        self.powerplatform_front = Front("powerplatform", world, powerplatform.PowerPlatformService, reqlog,
                                         faults, powerplatform.endpoint_of)
        self.entra_server = _Server((host, entra_port), self.entra_front, context)
        self.cipp_server = _Server((host, cipp_port), self.cipp_front, context)
        self.powerplatform_server = _Server((host, powerplatform_port), self.powerplatform_front, context)
        world.entra_url = f"https://{host}:{self.entra_server.server_address[1]}"
        world.cipp_url = f"https://{host}:{self.cipp_server.server_address[1]}"
        world.powerplatform_url = f"https://{host}:{self.powerplatform_server.server_address[1]}"
        self._threads: list[threading.Thread] = []

    @property
    def _servers(self) -> tuple[tuple[str, _Server], ...]:
        return (("entra", self.entra_server), ("cipp", self.cipp_server),
                ("powerplatform", self.powerplatform_server))

    def attach_control(self, control: ControlPlane) -> None:
        self.cipp_front.control = control

    def start(self) -> None:
        for name, server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                      name=f"emulator-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        for _name, server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)


def cipp_endpoint_of(path: str) -> str:
    """``/api/ListUsers`` -> ``ListUsers``; other paths are their own name (``/``, ``/.auth/me``)."""
    if path.lower().startswith("/api/"):
        return path[5:].split("/", 1)[0] or "/api/"
    return path


def _cipp_service(world: Any) -> Any:
    """``cipp.app.CippService(world)``, or a 501 stand-in while that module does not exist."""
    try:
        from .cipp.app import CippService
    except ModuleNotFoundError as exc:
        if exc.name not in (f"{__package__}.cipp", f"{__package__}.cipp.app"):
            raise
        return _MissingCipp()
    return CippService(world)


class _MissingCipp:
    def handle(self, req: HttpRequest) -> HttpResponse:
        return HttpResponse.text(501, "The CIPP API emulator (tests/emulator/cipp/app.py) is not installed.",
                                 note="cipp service missing")
