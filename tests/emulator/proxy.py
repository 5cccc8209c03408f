"""An HTTP forward proxy for the tests: proves a client really goes through its configured proxy.

``ForwardProxy(username=None, password=None).start()`` listens on 127.0.0.1 (any free port)
in a daemon thread; ``stop()`` (or leaving the ``with`` block) shuts it down. It serves:

* ``CONNECT host:port``  opens a TCP connection to the target, answers
  ``200 Connection established`` and relays bytes both ways until either side closes
  (TLS stays end to end: the proxy never sees the plaintext)
* ``GET http://host:port/path`` (any method, absolute URI)  forwards method, path, headers
  (minus ``Proxy-Authorization`` and hop-by-hop headers) and a ``Content-Length`` body to
  the target and relays the answer back, with ``Connection: close``

With a ``username``, a request without the matching ``Proxy-Authorization: Basic ...``
gets ``407`` with ``Proxy-Authenticate: Basic realm="test"`` and never reaches the target.
A target it cannot connect to gets ``502``. Every request the proxy received is in ``log``
(``{"method", "target", "host", "port", "authorized", "status"}``), recorded before the
answer is written, so a test can look at it as soon as its client has the response.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import http.client
import select
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import quote, urlsplit

CONNECT_TIMEOUT = 10.0
IDLE_TIMEOUT = 30.0
RELAY_CHUNK = 65536

# RFC 9110 7.6.1 plus the proxy-specific ones; headers named in Connection are dropped too.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "proxy-connection", "te", "trailer", "trailers", "transfer-encoding", "upgrade"})


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, proxy: "ForwardProxy") -> None:
        self.proxy = proxy
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Unbuffered reads: after CONNECT the client's first TLS bytes must stay in the socket
    # for the relay, not disappear into a read-ahead buffer.
    rbufsize = 0
    timeout = IDLE_TIMEOUT
    server: _ProxyServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # the proxy's own ``log`` is the record; keep pytest's output clean

    # -- helpers -------------------------------------------------------------------
    @property
    def proxy(self) -> "ForwardProxy":
        return self.server.proxy

    def _authorized(self) -> bool:
        expected = self.proxy._expected_credentials
        if expected is None:
            return True
        scheme, _space, encoded = (self.headers.get("Proxy-Authorization") or "").strip().partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            given = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(given, expected)

    def _record(self, target: str, host: str, port: int, authorized: bool, status: int) -> None:
        self.proxy._record({"method": self.command, "target": target, "host": host, "port": port,
                            "authorized": authorized, "status": status})

    def _reply(self, status: int, reason: str | None = None, headers: dict[str, str] | None = None) -> None:
        """An empty answer that closes the connection (the request body is never read)."""
        self.send_response_only(status, reason)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _refuse(self, target: str, host: str, port: int, authorized: bool, status: int) -> None:
        self._record(target, host, port, authorized, status)
        headers = {"Proxy-Authenticate": 'Basic realm="test"'} if status == 407 else None
        self._reply(status, headers=headers)

    def _read_exact(self, length: int) -> bytes:
        chunks, remaining = [], length
        while remaining > 0:
            chunk = self.rfile.read(remaining)
            if not chunk:
                raise ConnectionError("client closed the connection inside the request body")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    # -- CONNECT -------------------------------------------------------------------
    def do_CONNECT(self) -> None:
        target = self.path
        try:
            parts = urlsplit("//" + target)
            host, port = parts.hostname or "", parts.port
        except ValueError:
            host, port = "", None
        authorized = self._authorized()
        if not host or port is None:
            self._refuse(target, host, port or 0, authorized, 400)
            return
        if not authorized:
            self._refuse(target, host, port, authorized, 407)
            return
        try:
            upstream = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
        except OSError:
            self._refuse(target, host, port, authorized, 502)
            return
        with upstream:
            self._record(target, host, port, authorized, 200)
            self.send_response_only(200, "Connection established")
            self.end_headers()
            self.close_connection = True
            self._relay(self.connection, upstream)

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        idle = 0.0
        while not self.proxy._stopping.is_set() and idle < IDLE_TIMEOUT:
            readable, _writable, broken = select.select(list(peers), [], list(peers), 0.5)
            if broken:
                return
            if not readable:
                idle += 0.5
                continue
            idle = 0.0
            for sock in readable:
                try:
                    data = sock.recv(RELAY_CHUNK)
                    if not data:
                        return
                    peers[sock].sendall(data)
                except OSError:
                    return

    # -- plain HTTP forwarding -----------------------------------------------------
    def _forward(self) -> None:
        target = self.path
        try:
            parts = urlsplit(target)
            host, port = parts.hostname or "", parts.port or 80
        except ValueError:
            parts, host, port = None, "", 0
        authorized = self._authorized()
        if parts is None or parts.scheme.lower() != "http" or not host:
            self._refuse(target, host, port, authorized, 400)
            return
        if not authorized:
            self._refuse(target, host, port, authorized, 407)
            return
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._refuse(target, host, port, authorized, 411)
            return
        try:
            body = self._read_exact(int(self.headers.get("Content-Length") or 0))
        except ValueError:
            self._refuse(target, host, port, authorized, 400)
            return
        dropped = HOP_BY_HOP | {name.strip().lower() for name in (self.headers.get("Connection") or "").split(",")}
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

        upstream = http.client.HTTPConnection(host, port, timeout=CONNECT_TIMEOUT)
        try:
            try:
                upstream.connect()
            except OSError:
                self._refuse(target, host, port, authorized, 502)
                return
            try:
                upstream.putrequest(self.command, path, skip_host=True, skip_accept_encoding=True)
                if "Host" not in self.headers:
                    upstream.putheader("Host", parts.netloc.rpartition("@")[2])
                for name, value in self.headers.items():
                    if name.lower() not in dropped and name.lower() != "content-length":
                        upstream.putheader(name, value)
                if body or "Content-Length" in self.headers:
                    upstream.putheader("Content-Length", str(len(body)))
                upstream.putheader("Connection", "close")
                upstream.endheaders(body or None)
                response = upstream.getresponse()
                content = response.read()
            except (OSError, http.client.HTTPException):
                self._refuse(target, host, port, authorized, 502)
                return
        finally:
            upstream.close()

        self._record(target, host, port, authorized, response.status)
        self.send_response_only(response.status, response.reason)
        bodiless = self.command == "HEAD" or response.status in (204, 304) or response.status < 200
        for name, value in response.getheaders():
            lowered = name.lower()
            if lowered in HOP_BY_HOP or (lowered == "content-length" and not bodiless):
                continue
            self.send_header(name, value)
        if not bodiless:
            self.send_header("Content-Length", str(len(content)))
        self.send_header("Connection", "close")
        self.end_headers()
        if not bodiless:
            self.wfile.write(content)
        self.close_connection = True

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _forward


class ForwardProxy:
    """A forward proxy on 127.0.0.1; optionally demands Basic proxy credentials.

    ``log`` is a snapshot (a new list of new dicts) of what the proxy received; with no
    ``username`` every request counts as ``authorized``.
    """

    def __init__(self, username: str | None = None, password: str | None = None) -> None:
        if username is None and password is not None:
            raise ValueError("a password needs a username")
        self.username = username
        self.password = password
        self._expected_credentials = None if username is None else f"{username}:{password or ''}".encode()
        self._lock = threading.Lock()
        self._log: list[dict[str, Any]] = []
        self._stopping = threading.Event()
        self._server: _ProxyServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> "ForwardProxy":
        if self._server is not None:
            raise RuntimeError("proxy already started")
        self._stopping.clear()
        self._server = _ProxyServer(self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"forward-proxy-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # ends open CONNECT tunnels within half a second
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "ForwardProxy":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("proxy not started")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url_with_credentials(self) -> str:
        """``url`` with the percent-encoded user and password (just ``url`` without a username)."""
        if self.username is None:
            return self.url
        user, password = quote(self.username, safe=""), quote(self.password or "", safe="")
        return f"http://{user}:{password}@127.0.0.1:{self.port}"

    # -- the record ------------------------------------------------------------------
    def _record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._log.append(entry)

    @property
    def log(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._log]

    @property
    def connects(self) -> list[dict[str, Any]]:
        return [entry for entry in self.log if entry["method"] == "CONNECT"]

    def clear(self) -> None:
        with self._lock:
            self._log.clear()
