"""The test forward proxy itself: CONNECT tunnels, plain forwarding, proxy auth, 502."""
from __future__ import annotations

import base64
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import PROXY_PASSWORD, PROXY_USER
from tests.emulator.control_client import emulator_session
from tests.emulator.proxy import ForwardProxy


def _via(emu, proxy_url: str) -> requests.Session:
    """An emulator session (trust_env off, emulator CA) that sends everything to ``proxy_url``."""
    session = emulator_session(emu.ca_file)
    session.proxies = {"http": proxy_url, "https": proxy_url}
    return session


def _emulator_target(emu) -> tuple[str, int]:
    parts = urlsplit(emu.info["cipp_url"])
    return parts.hostname, parts.port


def _get_version(session: requests.Session, emu) -> requests.Response:
    return session.get(emu.info["cipp_url"] + "/api/GetVersion", timeout=10)


def _is_emulator_401(response: requests.Response) -> bool:
    """What the emulator answers an unauthenticated GetVersion: 401 with its Bearer challenge."""
    return response.status_code == 401 and response.headers.get("WWW-Authenticate", "").startswith("Bearer ")


def _raw(proxy: ForwardProxy, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send one raw request to the proxy and read its answer (error answers close the connection)."""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _blank, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _colon, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _free_port() -> int:
    """A port nothing listens on (bound once to pick it, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A listening TCP socket that never accepts: shows whether anyone connected to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock
    finally:
        sock.close()


def _was_connected(sock: socket.socket) -> bool:
    sock.settimeout(0.3)
    try:
        conn, _address = sock.accept()
    except (socket.timeout, BlockingIOError):
        return False
    conn.close()
    return True


class _EchoHandler(BaseHTTPRequestHandler):
    """Answers 201 with a JSON echo of what it received, plus an ``X-Upstream`` header."""

    protocol_version = "HTTP/1.1"

    def _echo(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        payload = json.dumps({"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                              "body": body.decode()}).encode()
        self.server.seen.append(self.path)
        self.send_response(201, "Made")
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Upstream", "echo")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _echo

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def echo_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- lifecycle and addresses ------------------------------------------------------------

def test_urls_and_context_manager() -> None:
    with ForwardProxy(PROXY_USER, PROXY_PASSWORD) as proxy:
        port = proxy.port
        assert port > 0
        assert proxy.url == f"http://127.0.0.1:{port}"
        assert proxy.url_with_credentials == f"http://proxyuser:p%40ss%3Aword%21@127.0.0.1:{port}"
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    with ForwardProxy() as anonymous:
        assert anonymous.url_with_credentials == anonymous.url


# -- (a) HTTPS through CONNECT ----------------------------------------------------------

def test_https_goes_through_connect(emu, forward_proxy: ForwardProxy) -> None:
    host, port = _emulator_target(emu)
    response = _get_version(_via(emu, forward_proxy.url), emu)

    assert _is_emulator_401(response)
    assert forward_proxy.log == forward_proxy.connects == [
        {"method": "CONNECT", "target": f"{host}:{port}", "host": host, "port": port,
         "authorized": True, "status": 200}]
    assert [e["endpoint"] for e in emu.control.requests(service="cipp")] == ["GetVersion"]

    forward_proxy.clear()
    assert forward_proxy.log == [] and forward_proxy.connects == []


def test_tunnel_carries_several_requests(emu, forward_proxy: ForwardProxy) -> None:
    session = _via(emu, forward_proxy.url)
    assert all(_is_emulator_401(_get_version(session, emu)) for _attempt in range(3))
    # one kept-alive tunnel, relayed both ways for every request
    assert len(forward_proxy.connects) == 1
    assert len(emu.control.requests(service="cipp")) == 3


# -- (b) proxy authentication -----------------------------------------------------------

@pytest.mark.parametrize("proxy_auth", [None, _basic(PROXY_USER, "wrong"), _basic("someone", PROXY_PASSWORD),
                                        "Basic not-base64!", "Bearer x"])
def test_connect_without_the_right_credentials_gets_407(authenticated_proxy: ForwardProxy, listener,
                                                        proxy_auth: str | None) -> None:
    port = listener.getsockname()[1]
    auth_line = f"Proxy-Authorization: {proxy_auth}\r\n" if proxy_auth else ""
    status, headers, body = _raw(authenticated_proxy, f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\n"
                                                      f"Host: 127.0.0.1:{port}\r\n{auth_line}\r\n".encode())

    assert (status, body) == (407, b"")
    assert headers["proxy-authenticate"] == 'Basic realm="test"'
    assert headers["content-length"] == "0"
    assert not _was_connected(listener)
    assert authenticated_proxy.log == [{"method": "CONNECT", "target": f"127.0.0.1:{port}", "host": "127.0.0.1",
                                        "port": port, "authorized": False, "status": 407}]


def test_requests_without_the_right_credentials_are_refused(emu, authenticated_proxy: ForwardProxy,
                                                            echo_server) -> None:
    wrong = authenticated_proxy.url_with_credentials.replace("p%40ss", "x%40ss")
    for proxy_url in (authenticated_proxy.url, wrong):
        with pytest.raises(requests.exceptions.ProxyError, match="407"):
            _get_version(_via(emu, proxy_url), emu)
        plain = _via(emu, proxy_url).get(f"http://127.0.0.1:{echo_server.server_address[1]}/x", timeout=10)
        assert plain.status_code == 407
        assert plain.headers["Proxy-Authenticate"] == 'Basic realm="test"'

    assert len(authenticated_proxy.log) == 4
    assert not any(entry["authorized"] for entry in authenticated_proxy.log)
    assert {entry["status"] for entry in authenticated_proxy.log} == {407}
    assert emu.control.requests(service="cipp") == [] and echo_server.seen == []


def test_right_credentials_get_through(emu, authenticated_proxy: ForwardProxy, echo_server) -> None:
    session = _via(emu, authenticated_proxy.url_with_credentials)
    assert _is_emulator_401(_get_version(session, emu))

    plain = session.get(f"http://127.0.0.1:{echo_server.server_address[1]}/plain", timeout=10)
    assert plain.status_code == 201
    # the proxy's credentials are for the proxy: the target never sees them
    assert "Proxy-Authorization" not in plain.json()["headers"]

    host, port = _emulator_target(emu)
    assert [(e["method"], e["authorized"], e["status"]) for e in authenticated_proxy.log] == [
        ("CONNECT", True, 200), ("GET", True, 201)]
    assert authenticated_proxy.connects[0]["target"] == f"{host}:{port}"


# -- (c) plain http:// forwarding -------------------------------------------------------

def test_plain_http_is_forwarded_and_relayed(forward_proxy: ForwardProxy, echo_server) -> None:
    port = echo_server.server_address[1]
    url = f"http://127.0.0.1:{port}/echo/path?x=1&y=two"
    session = requests.Session()
    session.trust_env = False
    session.proxies = {"http": forward_proxy.url}

    response = session.post(url, data=b'{"hello": "proxy"}', headers={"X-Custom": "kept", "Keep-Alive": "300"},
                            timeout=10)

    assert (response.status_code, response.reason) == (201, "Made")
    assert response.headers["X-Upstream"] == "echo"
    assert response.headers["Connection"] == "close"
    echoed = response.json()
    assert echoed["method"] == "POST" and echoed["path"] == "/echo/path?x=1&y=two"
    assert echoed["body"] == '{"hello": "proxy"}'
    assert echoed["headers"]["X-Custom"] == "kept"
    assert echoed["headers"]["Host"] == f"127.0.0.1:{port}"
    assert "Keep-Alive" not in echoed["headers"]  # hop-by-hop
    assert echo_server.seen == ["/echo/path?x=1&y=two"]
    assert forward_proxy.log == [{"method": "POST", "target": url, "host": "127.0.0.1", "port": port,
                                  "authorized": True, "status": 201}]
    assert forward_proxy.connects == []


def test_origin_form_request_is_not_forwarded(forward_proxy: ForwardProxy) -> None:
    status, _headers, _body = _raw(forward_proxy, b"GET /not-absolute HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert status == 400
    assert [(e["method"], e["status"]) for e in forward_proxy.log] == [("GET", 400)]


# -- (d) a target nobody listens on -----------------------------------------------------

def test_unreachable_target_gets_502(emu, forward_proxy: ForwardProxy) -> None:
    port = _free_port()
    status, headers, _body = _raw(forward_proxy, f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\n"
                                                 f"Host: 127.0.0.1:{port}\r\n\r\n".encode())
    assert status == 502 and headers["content-length"] == "0"

    session = _via(emu, forward_proxy.url)
    with pytest.raises(requests.exceptions.ProxyError, match="502"):
        session.get(f"https://127.0.0.1:{port}/api/GetVersion", timeout=10)
    assert session.get(f"http://127.0.0.1:{port}/plain", timeout=10).status_code == 502

    assert [(e["method"], e["target"], e["port"], e["authorized"], e["status"]) for e in forward_proxy.log] == [
        ("CONNECT", f"127.0.0.1:{port}", port, True, 502),
        ("CONNECT", f"127.0.0.1:{port}", port, True, 502),
        ("GET", f"http://127.0.0.1:{port}/plain", port, True, 502)]
