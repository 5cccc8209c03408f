"""The HTTP client of the API calls over real sockets: keep-alive reuse, compressed answers,
a connection the server closed, proxies (CONNECT, credentials, refusal) and where TLS trust
and the proxy come from (options first, the environment only with use_environment)."""
from __future__ import annotations

import json
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.integration.harness import connection_options
from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippApiError, CippAuthError
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings

RUNNER_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY",
                    "https_proxy", "http_proxy", "no_proxy", "ALL_PROXY", "all_proxy")


def make_client(emu, token_cache=None, **extra):
    settings = ConnectionSettings(connection_options(emu, "editor", token_cache, **extra))
    return CippClient(settings, warn=lambda _msg: None)


def cipp_log(emu):
    return [r for r in emu.control.requests(service="cipp") if r.get("endpoint") not in (None, "")]


@pytest.fixture
def clean_env(monkeypatch):
    """No proxy or CA variable from this machine: each test sets what it needs."""
    for name in RUNNER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# ---------------------------------------------------------------------- keep-alive and compression
def test_requests_of_a_process_share_one_connection_and_answers_are_gzip_decoded(emu, token_cache):
    client = make_client(emu, token_cache)
    users = client.call("ListUsers", params={"tenantFilter": "contoso.com"}).data
    client.call("ListGroups", params={"tenantFilter": "contoso.com"})
    client.call("ListUsers", params={"tenantFilter": "fabrikam.com"})
    assert len(users) > 5 and all("userPrincipalName" in u for u in users)
    log = cipp_log(emu)
    assert [r["endpoint"] for r in log] == ["GetVersion", "ListUsers", "ListGroups", "ListUsers"]
    assert len({r["connection"] for r in log}) == 1, log  # one TLS handshake for the whole client
    assert all("gzip" in r["accept_encoding"] and r["user_agent"].startswith("cipp.cipp/") for r in log)


class _ClosingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.closed = 0
        self._closing = threading.Condition()

    def shutdown_request(self, request):
        super().shutdown_request(request)
        with self._closing:
            self.closed += 1
            self._closing.notify_all()

    def wait_closed(self, count: int, timeout: float = 10.0) -> None:
        """Until the server has closed ``count`` connections: a fixed sleep loses to a busy machine."""
        with self._closing:
            assert self._closing.wait_for(lambda: self.closed >= count, timeout), f"{self.closed} of {count} closed"


def _closing_handler(log: list):
    """Answers every request with a raw-deflate JSON body and a keep-alive HTTP/1.1 answer, then
    closes the connection anyway, as a load balancer dropping idle connections does."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            log.append({"method": self.command, "path": self.path, "body": body, "port": self.client_address[1]})
            packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
            answer = packer.compress(json.dumps({"Results": f"done {len(log)}"}).encode()) + packer.flush()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "deflate")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            self.wfile.flush()
            self.close_connection = True  # the answer said nothing of it

        do_GET = do_POST = _answer

    return Handler


@pytest.fixture
def closing_server():
    log: list = []
    server = _ClosingServer(("127.0.0.1", 0), _closing_handler(log))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.log = log
    yield f"http://127.0.0.1:{server.server_address[1]}", server
    server.shutdown()
    server.server_close()


def test_a_connection_the_server_closed_is_reopened_without_repeating_a_write(emu, closing_server):
    url, server = closing_server
    log = server.log
    settings = ConnectionSettings({"api_url": url, "tenant_id": emu.tenant_id, "client_id": "c", "access_token": "t",
                                   "token_cache": "off"})
    client = CippClient(settings, warn=lambda _msg: None)
    body = {"tenantFilter": "contoso.com", "ID": "adele.vance@contoso.com", "Enable": "false"}
    client.cipp_version()  # the version read first, so that no write follows an answer back to back
    answers = []
    for _write in range(3):
        server.wait_closed(len(log))  # the server has closed the kept-alive connection of the last answer
        time.sleep(0.05)  # and its FIN has reached the client's socket
        answers.append(client.call("ExecDisableUser", body=body).data)
    assert [entry["path"] for entry in log] == ["/api/GetVersion"] + ["/api/ExecDisableUser"] * 3  # each write once
    assert answers == [{"Results": f"done {number}"} for number in (2, 3, 4)]  # raw deflate decoded
    assert len({entry["port"] for entry in log}) == 4  # a new connection each time, and no failure


def test_a_read_racing_the_servers_close_is_sent_again_on_a_new_connection(emu, closing_server):
    url, server = closing_server
    log = server.log
    settings = ConnectionSettings({"api_url": url, "tenant_id": emu.tenant_id, "client_id": "c", "access_token": "t",
                                   "token_cache": "off", "retries": 0})
    warnings = []
    client = CippClient(settings, warn=warnings.append)
    for _read in range(5):  # back to back: the request may go out before the server's close arrives
        assert client.call("ListUsers", params={"tenantFilter": "contoso.com"}).data["Results"].startswith("done")
    assert warnings == []
    assert 6 <= len(log) <= 11  # GetVersion + 5 reads, each read sent at most twice


# ---------------------------------------------------------------------- proxies
def _tunnel_ports(proxy):
    return [entry["port"] for entry in proxy.connects if entry["status"] == 200]


def test_api_calls_and_token_requests_go_through_proxy_url(emu, token_cache, forward_proxy, clean_env):
    client = make_client(emu, token_cache, proxy_url=forward_proxy.url)
    client.call("ListUsers", params={"tenantFilter": "contoso.com"})
    client.call("ListGroups", params={"tenantFilter": "contoso.com"})
    cipp_port = int(emu.info["cipp_url"].rsplit(":", 1)[1])
    entra_port = int(emu.info["authority"].split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    ports = _tunnel_ports(forward_proxy)
    assert ports.count(cipp_port) == 1, forward_proxy.log  # two API calls, one tunnel (keep-alive)
    assert entra_port in ports  # the token request too
    assert [r["endpoint"] for r in cipp_log(emu)] == ["GetVersion", "ListUsers", "ListGroups"]


def test_proxy_credentials_from_the_url_are_sent(emu, authenticated_proxy, clean_env):
    client = make_client(emu, proxy_url=authenticated_proxy.url_with_credentials)
    assert client.call("ListUsers", params={"tenantFilter": "contoso.com"}).data
    assert authenticated_proxy.connects and all(entry["authorized"] for entry in authenticated_proxy.connects)


def test_a_proxy_refusing_the_credentials_fails_clearly_without_the_password(emu, authenticated_proxy, clean_env):
    wrong = authenticated_proxy.url_with_credentials.replace("p%40ss", "wrong")
    assert wrong != authenticated_proxy.url_with_credentials
    api_only = make_client(emu, proxy_url=wrong, access_token="token-from-elsewhere", client_secret=None)
    with pytest.raises(CippApiError) as info:
        api_only.call("ListUsers", params={"tenantFilter": "contoso.com"})
    assert "the proxy refused the tunnel (407 Proxy Authentication Required)" in info.value.msg
    assert "wrong" not in info.value.msg and "proxyuser" not in info.value.msg
    with pytest.raises(CippAuthError) as info:
        make_client(emu, proxy_url=wrong).call("ListUsers", params={"tenantFilter": "contoso.com"})
    assert "proxy refused the token request" in info.value.msg and "407" in info.value.msg
    assert "wrong" not in info.value.msg and "proxy_url" in info.value.msg
    assert cipp_log(emu) == []  # nothing reached CIPP


def test_environment_proxy_only_with_use_environment(emu, forward_proxy, clean_env):
    clean_env.setenv("HTTPS_PROXY", forward_proxy.url)
    make_client(emu).call("ListUsers", params={"tenantFilter": "contoso.com"})
    assert forward_proxy.log == []  # a runner's proxy variable is not followed silently
    make_client(emu, use_environment=True).call("ListUsers", params={"tenantFilter": "contoso.com"})
    assert _tunnel_ports(forward_proxy)
    forward_proxy.clear()
    clean_env.setenv("NO_PROXY", "127.0.0.1")
    make_client(emu, use_environment=True).call("ListUsers", params={"tenantFilter": "contoso.com"})
    assert forward_proxy.log == []


# ---------------------------------------------------------------------- TLS trust
def test_ca_bundle_variables_count_only_with_use_environment(emu, clean_env):
    signed_in = make_client(emu)
    token = {"access_token": signed_in.tokens.get_token(signed_in.settings.effective_scope), "client_secret": None,
             "ca_path": None}  # API calls only: no token request to trust
    clean_env.setenv("SSL_CERT_FILE", emu.ca_file)
    clean_env.setenv("REQUESTS_CA_BUNDLE", emu.ca_file)
    with pytest.raises(CippApiError) as info:
        make_client(emu, **token).call("ListUsers", params={"tenantFilter": "contoso.com"})
    assert "TLS verification" in info.value.msg and "ca_path" in info.value.msg
    assert make_client(emu, use_environment=True, **token).call("GetVersion").status == 200
    clean_env.delenv("REQUESTS_CA_BUNDLE")
    with pytest.raises(CippApiError):  # SSL_CERT_FILE is never a source of trust
        make_client(emu, use_environment=True, **token).call("GetVersion")
    clean_env.setenv("CURL_CA_BUNDLE", emu.ca_file)
    assert make_client(emu, use_environment=True, **token).call("GetVersion").status == 200
