"""The control plane and the transport's robustness: reset, log masking, hostile clients."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.emulator.control import ControlPlane
from tests.emulator.control_client import EmulatorControl, EmulatorControlError, emulator_session
from tests.emulator.faults import FaultSet
from tests.emulator.http import HttpResponse
from tests.emulator.info import Runtime, build_info, write_client_files
from tests.emulator.reqlog import RequestLog
from tests.emulator.server import Emulator
from tests.emulator.tls import create_tls_files, server_context
from tests.emulator.world import World

from .entra_helpers import confidential, public, token_post

REPO_ROOT = Path(__file__).resolve().parents[2]


def _token_status(emu, client: str, secret: str) -> int:
    info = emu.clients[client]
    return token_post(emu, client_id=info["client_id"], grant_type="client_credentials",
                      client_secret=secret, scope=info["scope"]).status_code


# -- the process ------------------------------------------------------------------------

def test_process_starts_fast_and_stops_cleanly_on_sigint(tmp_path):
    info_file, state = tmp_path / "info.json", tmp_path / "state"
    began = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "tests.emulator", "--fixture", "default", "--port", "0",
                                "--entra-port", "0", "--info-file", str(info_file), "--state-dir", str(state)],
                               cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not info_file.exists():
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() - began < 10
            time.sleep(0.02)
        started_in = time.monotonic() - began
        info = json.loads(info_file.read_text())
        assert info["pid"] == process.pid and info["fixture"] == "default"
        assert emulator_session(info["ca_file"]).get(f"{info['control_url']}/health", timeout=5).ok
        assert started_in < 2.0, f"start-up took {started_in:.2f}s"
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    assert (state / "ca.pem").exists() and info_file.exists() and (state / "emulator.log").exists()


# -- state --------------------------------------------------------------------------------

def test_reset_restores_rotated_secrets(emu):
    old = emu.clients["editor"]["client_secret"]
    new = emu.control.rotate_secret("editor", revoke_old=True)
    assert new != old and len(new) == 40 and new[3:6] == "8Q~"
    assert (_token_status(emu, "editor", old), _token_status(emu, "editor", new)) == (401, 200)
    emu.control.reset()
    assert (_token_status(emu, "editor", old), _token_status(emu, "editor", new)) == (200, 401)


def test_rotation_needs_a_new_token_request(emu):
    scope = emu.clients["editor"]["scope"]
    cached_app = confidential(emu)
    assert "access_token" in cached_app.acquire_token_for_client([scope])
    new = emu.control.rotate_secret("editor")
    # msal's cache key has no credential in it: the old app keeps its token without asking.
    assert cached_app.acquire_token_for_client([scope])["token_source"] == "cache"
    fresh = confidential(emu, credential=new).acquire_token_for_client([scope])
    assert fresh["token_source"] == "identity_provider"
    assert len(emu.control.token_requests()) == 2
    assert emu.control.live_info()["clients"]["editor"]["client_secret"] == new
    assert _token_status(emu, "editor", emu.clients["editor"]["client_secret"]) == 200   # not revoked


def test_reset_clears_log_and_faults_unless_kept(emu):
    emu.session().get(f"{emu.authority}/{emu.tenant_id}/v2.0/.well-known/openid-configuration", timeout=10)
    emu.control.add_fault(endpoint="ListUsers", kind="drop")
    emu.control.reset(keep_log=True, keep_faults=True)
    assert len(emu.control.requests()) == 1 and len(emu.control.faults()) == 1
    emu.control.reset()
    assert emu.control.requests() == [] and emu.control.faults() == []


def test_reset_to_an_unknown_fixture_is_refused(emu):
    with pytest.raises(EmulatorControlError, match="unknown fixture 'nope'"):
        emu.control.reset(fixture="nope")
    assert emu.control.live_info()["fixture"] == "default"


def test_add_client_and_token_lifetime(emu):
    added = emu.control.add_client("extra")
    assert added["client_secret"] and added["scope"] == f"api://{added['client_id']}/.default"
    response = token_post(emu, client_id=added["client_id"], grant_type="client_credentials",
                          client_secret=added["client_secret"], scope=added["scope"])
    assert response.status_code == 200
    with pytest.raises(EmulatorControlError, match="positive"):
        emu.control.set_token_lifetime(0)


def test_info_endpoint_is_the_info_file(emu):
    assert emu.control.live_info() == emu.info
    for name in ("editor", "readonly", "admin", "cert", "nouri", "expired", "unlisted", "bare_audience",
                 "public", "public_disabled", "federated", "powerplatform", "cert_unregistered"):
        assert name in emu.info["clients"], name
    assert emu.info["clients"]["editor"]["client_id"] == "11111111-1111-4111-8111-111111111111"
    assert Path(emu.info["ca_file"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert oct(os.stat(emu.info["clients"]["cert"]["key_pem"]).st_mode & 0o777) == "0o600"


def test_unknown_control_route(emu):
    response = emu.session().get(f"{emu.info['control_url']}/nothing", timeout=10)
    assert response.status_code == 404 and "known" in response.json()


# -- the request log ----------------------------------------------------------------------

def test_log_masks_secrets_everywhere(emu):
    editor = emu.clients["editor"]
    confidential(emu).acquire_token_for_client([editor["scope"]])
    admin = "admin@msp-partner.onmicrosoft.com"
    password = emu.info["users"][admin]["password"]
    with pytest.warns(DeprecationWarning):
        public(emu).acquire_token_by_username_password(admin, password, scopes=["https://graph.microsoft.com/User.Read"])
    emu.session().post(f"{emu.api_url}/AddUser", timeout=10, headers={"Authorization": "Bearer abc.def.ghi"},
                       json={"password": "Hunter2-Hunter2", "Secret": "s3cr3t-value", "nested": [{"accessToken": "t"}],
                             "comment": f"pasted by mistake: {editor['client_secret']}"})
    dump = json.dumps(emu.control.requests())
    for secret in (editor["client_secret"], password, "Hunter2-Hunter2", "s3cr3t-value"):
        assert secret not in dump
    cipp = emu.control.requests(service="cipp")[-1]["body"]
    assert cipp["password"] == cipp["Secret"] == "***" and cipp["nested"] == [{"accessToken": "***"}]
    assert cipp["comment"] == "pasted by mistake: ***"
    log_text = emu.log_file.read_text()
    assert editor["client_secret"] not in log_text and password not in log_text


def test_requests_filters(emu):
    http = emu.session()
    discovery = f"{emu.authority}/{emu.tenant_id}/v2.0/.well-known/openid-configuration"
    http.get(discovery, timeout=10)
    first = emu.control.last_seq()
    http.get(discovery, timeout=10)
    http.get(f"{emu.api_url}/ListUsers", timeout=10)
    assert [e["seq"] for e in emu.control.requests(since=first)] == [first + 1, first + 2]
    assert [e["service"] for e in emu.control.requests(service="cipp")] == ["cipp"]
    assert len(emu.control.requests(endpoint="DISCOVERY")) == 2
    emu.control.clear_requests()
    assert emu.control.requests() == [] and emu.control.last_seq() == first + 2


# -- hostile clients ----------------------------------------------------------------------

def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname, parts.port


def _tls(emu, url: str) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=emu.ca_file)
    host, port = _host_port(url)
    return context.wrap_socket(socket.create_connection((host, port), timeout=5), server_hostname=host)


def _alive(emu) -> None:
    http = emu.session()
    assert http.get(f"{emu.info['control_url']}/health", timeout=5).json()["ok"] is True
    assert http.get(f"{emu.authority}/{emu.tenant_id}/v2.0/.well-known/openid-configuration",
                    timeout=5).status_code == 200


@pytest.mark.parametrize("target", ["api_url", "authority"])
def test_huge_body_gets_413_and_the_server_survives(emu, target):
    url = f"{emu.info[target]}/AddUser" if target == "api_url" else f"{emu.authority}/{emu.tenant_id}/oauth2/v2.0/token"
    response = emu.session().post(url, data=b"x" * (20 * 1024 * 1024), timeout=30,
                                  headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    entry = emu.control.requests()[-1]
    assert entry["status"] == 413 and "too large" in entry["note"]
    _alive(emu)


def test_expect_continue_with_huge_length_is_refused_before_the_body(emu):
    with _tls(emu, emu.api_url) as sock:
        sock.sendall(b"POST /api/AddUser HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n"
                     b"Expect: 100-continue\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 413")
    _alive(emu)


def test_malformed_json_and_http_do_not_crash(emu):
    http = emu.session()
    http.post(f"{emu.api_url}/AddUser", data=b"{not json", timeout=10, headers={"Content-Type": "application/json"})
    assert emu.control.requests(service="cipp")[-1]["body"] == {
        "_unparsed": "9 bytes of application/json, not JSON"}
    bad = http.post(f"{emu.info['control_url']}/faults", data=b"{nope", timeout=10)
    assert bad.status_code == 400 and "not JSON" in bad.json()["error"]
    for raw in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                b"POST /api/X HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                b"POST /api/X HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
                b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"):
        with _tls(emu, emu.api_url) as sock:
            sock.sendall(raw)
            answer = sock.recv(4096)
            assert answer.startswith(b"HTTP/1.1 4") or answer.startswith(b"HTTP/1.1 505"), answer[:80]
    _alive(emu)


def test_tls_garbage_and_abandoned_connections(emu):
    host, port = _host_port(emu.api_url)
    for payload in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", os.urandom(2048), b""):
        with socket.create_connection((host, port), timeout=5) as raw:
            try:
                if payload:
                    raw.sendall(payload)
                raw.shutdown(socket.SHUT_WR)
                raw.recv(1024)
            except OSError:
                pass    # the server may hang up first: a reset or broken pipe is a fine answer
    stalled = socket.create_connection((host, port), timeout=5)   # never starts its handshake
    try:
        started = time.monotonic()
        _alive(emu)
        assert time.monotonic() - started < 2
    finally:
        stalled.close()
    with _tls(emu, emu.api_url) as sock:     # a client that disconnects mid-body
        sock.sendall(b"POST /api/AddUser HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"a\":")
    _alive(emu)


def test_keep_alive_serves_many_requests_on_one_connection(emu):
    host, port = _host_port(emu.authority)
    context = ssl.create_default_context(cafile=emu.ca_file)
    connection = http.client.HTTPSConnection(host, port, context=context, timeout=5)
    path = f"/{emu.tenant_id}/v2.0/.well-known/openid-configuration"
    connection.request("GET", path)
    first = connection.getresponse()
    first.read()
    sock = connection.sock
    for _attempt in range(5):
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read())["token_endpoint"]
    assert connection.sock is sock            # same TCP+TLS connection throughout
    connection.close()


# -- in-process: a stub CIPP service for what the real one must not be asked to do ---------

class _StubCipp:
    """Raises on /api/Boom, reports a write on /api/Write, a finding on /api/Odd."""

    def __init__(self, world):
        self.world = world

    def handle(self, req):
        name = req.path.rsplit("/", 1)[-1]
        if name == "Boom":
            raise RuntimeError("handler bug for the test")
        if name == "Write":
            return HttpResponse.json(200, {"Results": "done"}, endpoint="Write", state_changed=True,
                                     client_id="11111111-1111-4111-8111-111111111111")
        if name == "Odd":
            return HttpResponse.json(200, [], endpoint="Odd",
                                     conformance=[{"rule": "tenantFilter-missing", "message": "no tenantFilter"}])
        return HttpResponse.json(200, [], endpoint=name)


@pytest.fixture
def stub(tmp_path):
    world = World("default")
    files = create_tls_files(tmp_path)
    reqlog, faults = RequestLog(), FaultSet()
    emulator = Emulator(world, server_context(files), reqlog, faults, cipp_factory=_StubCipp)
    runtime = Runtime(pid=os.getpid(), state_dir=tmp_path, ca_file=files.ca_file,
                      log_file=tmp_path / "none.log", info_file=tmp_path / "info.json")
    write_client_files(world, runtime)
    emulator.attach_control(ControlPlane(world, reqlog, faults, runtime))
    emulator.start()
    try:
        info = build_info(world, runtime)
        yield info, EmulatorControl(info)
    finally:
        emulator.stop()


def test_handler_exception_becomes_a_logged_500(stub, caplog):
    info, control = stub
    http = emulator_session(info["ca_file"])
    response = http.get(f"{info['api_url']}/Boom", timeout=5)
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "Traceback" not in response.text
    entry = control.requests()[-1]
    assert entry["status"] == 500 and entry["error"] == "RuntimeError: handler bug for the test"
    assert "Traceback" in caplog.text and "handler bug for the test" in caplog.text
    assert http.get(f"{info['api_url']}/ListUsers", timeout=5).status_code == 200


def test_writes_conformance_and_faults_before_the_handler(stub):
    info, control = stub
    http = emulator_session(info["ca_file"])
    http.post(f"{info['api_url']}/Write", json={}, timeout=5)
    http.get(f"{info['api_url']}/Odd", timeout=5)
    assert [w["endpoint"] for w in control.writes()] == ["Write"]
    findings = control.conformance()
    assert findings == [{"seq": 2, "service": "cipp", "endpoint": "Odd", "rule": "tenantFilter-missing",
                         "message": "no tenantFilter"}]
    control.add_fault(endpoint="Write", kind="status", status=503)
    assert http.post(f"{info['api_url']}/Write", json={}, timeout=5).status_code == 503
    assert control.writes(since=2) == []                 # faulted before the handler: no write
    control.add_fault(endpoint="Write", kind="status", status=502, after_handler=True)
    assert http.post(f"{info['api_url']}/Write", json={}, timeout=5).status_code == 502
    late = control.writes(since=3)
    assert len(late) == 1 and late[0]["status"] == 502 and late[0]["handler_status"] == 200
    assert late[0]["client_id"] == "11111111-1111-4111-8111-111111111111"


def test_absurdly_nested_json_is_logged_as_unparsed(stub):
    info, control = stub
    http = emulator_session(info["ca_file"])
    response = http.post(f"{info['api_url']}/Echo", data=b"[" * 50000 + b"]" * 50000, timeout=5,
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert control.requests()[-1]["body"]["_unparsed"].endswith("not JSON")
