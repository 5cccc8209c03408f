"""Where TLS trust and the proxy come from: the options always, the runner's environment only
with use_environment and only for what the options leave unset."""
import certifi
import pytest

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._http import build_session, proxy_for, tls_trust
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings

BASE = {"api_url": "https://cipp.example.net", "tenant_id": "t", "client_id": "c", "client_secret": "s"}
API = "https://cipp.example.net/api/ListUsers"
RUNNER_ENVIRONMENT = {
    "REQUESTS_CA_BUNDLE": "/etc/runner/requests-ca.pem", "CURL_CA_BUNDLE": "/etc/runner/curl-ca.pem",
    "SSL_CERT_FILE": "/etc/runner/ssl-ca.pem", "HTTPS_PROXY": "http://runner-proxy:8080",
    "HTTP_PROXY": "http://runner-proxy:8081", "NO_PROXY": "",
}


@pytest.fixture
def runner_env(monkeypatch):
    """A runner that sets every variable requests or curl would read."""
    for name in ("https_proxy", "http_proxy", "no_proxy", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in RUNNER_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def settings(**values):
    return ConnectionSettings(dict(BASE, **values))


@pytest.fixture
def ca_file(tmp_path):
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    return str(path)


def test_environment_is_ignored_without_use_environment(runner_env):
    assert tls_trust(settings()) == (True, certifi.where(), None)
    assert proxy_for(settings(), API) is None


def test_options_win_over_the_environment_even_with_use_environment(runner_env, ca_file):
    s = settings(use_environment=True, ca_path=ca_file, proxy_url="http://corp-proxy:3128")
    assert tls_trust(s) == (True, ca_file, None)
    assert proxy_for(s, API) == "http://corp-proxy:3128"
    assert tls_trust(settings(use_environment=True, validate_certs=False)) == (False, None, None)


def test_use_environment_fills_what_the_options_leave_unset(runner_env):
    s = settings(use_environment=True)
    assert tls_trust(s) == (True, "/etc/runner/requests-ca.pem", None)  # never SSL_CERT_FILE
    runner_env.delenv("REQUESTS_CA_BUNDLE")
    assert tls_trust(s) == (True, "/etc/runner/curl-ca.pem", None)
    assert proxy_for(s, API) == "http://runner-proxy:8080"
    assert proxy_for(s, "http://cipp.example.net/api/ListUsers") == "http://runner-proxy:8081"


def test_a_ca_directory_from_the_environment_is_a_capath(runner_env, tmp_path):
    runner_env.setenv("REQUESTS_CA_BUNDLE", str(tmp_path))
    assert tls_trust(settings(use_environment=True)) == (True, None, str(tmp_path))


@pytest.mark.parametrize("no_proxy", ["cipp.example.net", ".example.net", "*", "other.example, cipp.example.net"])
def test_no_proxy_bypasses_the_environment_proxy(runner_env, no_proxy):
    runner_env.setenv("NO_PROXY", no_proxy)
    assert proxy_for(settings(use_environment=True), API) is None


def test_an_environment_proxy_without_scheme_is_http(runner_env):
    runner_env.setenv("HTTPS_PROXY", "runner-proxy:8080")
    assert proxy_for(settings(use_environment=True), API) == "http://runner-proxy:8080"


def test_an_unusable_environment_proxy_names_the_variable(runner_env):
    runner_env.setenv("HTTPS_PROXY", "socks5://runner-proxy:1080")
    with pytest.raises(CippConfigError) as info:
        proxy_for(settings(use_environment=True), API)
    assert "HTTPS_PROXY environment variable" in info.value.msg and "use_environment" in info.value.msg


@pytest.mark.parametrize("value", [
    "https://proxy.example.com:3128", "socks5://proxy:1080", "proxy.example.com:3128", "http://", "http://proxy:notaport",
    "http://proxy:0",
])
def test_unusable_proxy_url_is_refused_naming_the_option(value):
    with pytest.raises(CippConfigError) as info:
        settings(proxy_url=value)
    assert info.value.details["option"] == "proxy_url"
    assert "'proxy_url'" in info.value.msg and "http://" in info.value.msg


def test_the_proxy_password_is_not_in_the_message():
    with pytest.raises(CippConfigError) as info:
        settings(proxy_url="https://alice:s3cr3t-Pa55@proxy.example.com:3128")
    assert "s3cr3t-Pa55" not in info.value.msg
    assert "alice:***@proxy.example.com:3128" in info.value.msg


def test_token_session_gets_the_same_trust_and_proxy(runner_env, ca_file):
    session = build_session(settings(ca_path=ca_file, proxy_url="http://corp-proxy:3128"))
    assert session.trust_env is False  # requests would let the runner's variables win otherwise
    assert session.verify == ca_file
    assert session.proxies == {"http": "http://corp-proxy:3128", "https": "http://corp-proxy:3128"}
    assert build_session(settings(validate_certs=False)).verify is False
    assert build_session(settings()).proxies == {}
