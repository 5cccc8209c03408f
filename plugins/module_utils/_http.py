# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a process's HTTP trust and proxy come from, and the session msal gets.

``tls_trust`` and ``proxy_for`` read only the connection settings: ``REQUESTS_CA_BUNDLE``,
``CURL_CA_BUNDLE``, ``SSL_CERT_FILE`` and the proxy variables count only with
``use_environment``, so a runner's environment can never silently replace ``ca_path``,
``validate_certs`` or ``proxy_url``. API calls (``_http_pool``) and token requests (msal,
over the ``requests`` session built here) follow the same two answers.
Private: the interface may change in any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import os
import re
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError

CONNECT_TIMEOUT = 10
COLLECTION_VERSION = "1.0.0"
ENVIRONMENT_CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def tls_trust(settings) -> tuple:
    """``(verify, cafile, capath)``: whether to verify certificates and against which CAs.

    ``ca_path`` when set; else, with ``use_environment``, ``REQUESTS_CA_BUNDLE`` or
    ``CURL_CA_BUNDLE``; else certifi's bundle (what requests trusts by default)."""
    if not settings.validate_certs:
        return False, None, None
    bundle = settings.ca_path
    if not bundle and settings.use_environment:
        bundle = next((os.environ[name] for name in ENVIRONMENT_CA_VARIABLES if os.environ.get(name)), None)
    if not bundle:
        bundle = _certifi_bundle()
    if os.path.isdir(bundle):
        return True, None, bundle
    return True, bundle, None


def proxy_for(settings, url: str) -> str | None:
    """The proxy ``url`` goes through: ``proxy_url``; else, with ``use_environment``, the
    ``HTTPS_PROXY``/``HTTP_PROXY`` variable of its scheme unless ``NO_PROXY`` lists its host."""
    if settings.proxy_url:
        return settings.proxy_url
    if not settings.use_environment:
        return None
    import urllib.request  # pylint: disable=import-outside-toplevel  # only with use_environment; costs a module process time
    proxies = urllib.request.getproxies_environment()
    parts = urlsplit(url)
    proxy = proxies.get(parts.scheme.lower())
    if not proxy or urllib.request.proxy_bypass_environment(parts.hostname or "", proxies):
        return None
    proxy = proxy if "://" in proxy else f"http://{proxy}"
    check_proxy_url(proxy, source=f"the {parts.scheme.upper()}_PROXY environment variable (use_environment)")
    return proxy


def check_proxy_url(value: str, source: str = "option 'proxy_url'") -> None:
    """Refuse a proxy URL the HTTP clients cannot use, naming where it came from."""
    parts = urlsplit(value)
    try:
        valid = parts.scheme.lower() == "http" and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port that is not a number
        valid = False
    if not valid:
        raise CippConfigError(
            f"{source} must be an http:// proxy URL such as http://proxy.example.com:3128 "
            f"(credentials as http://user:password@host:port), got {_without_password(value)!r}", option="proxy_url")


def proxy_refusal(exc: Exception) -> str | None:
    """What a proxy answered when it refused a tunnel (``407 Proxy Authentication Required``),
    read from the ``Tunnel connection failed: ...`` text http.client raises (also inside
    requests' ProxyError); None for any other failure. Never the proxy URL or its password."""
    match = re.search(r"Tunnel connection failed: ?([^'\")]*)", str(exc))
    if match is None:
        return None
    return match.group(1).strip() or "no status"


def require_requests():
    """The ``requests`` module (imported on first use), or a clear error when it is missing."""
    try:
        import requests  # pylint: disable=import-outside-toplevel  # only token requests need it
    except ImportError:
        raise CippConfigError(
            "the Python library 'requests' is required on the host that runs the task "
            "(pip install -r requirements.txt from the cipp.cipp collection)", option="requests") from None
    return requests


def build_session(settings):
    """A requests session for token requests, with the trust and proxy of ``settings`` only."""
    requests = require_requests()
    session = requests.Session()
    session.trust_env = False  # tls_trust and proxy_for already applied use_environment
    verify, cafile, capath = tls_trust(settings)
    session.verify = (cafile or capath) if verify else False
    proxy = proxy_for(settings, settings.authority)
    if proxy:
        session.proxies = {"http": proxy, "https": proxy}
    session.headers["User-Agent"] = f"cipp.cipp/{COLLECTION_VERSION} python-requests/{requests.__version__}"
    return session


class MsalHttpClient:
    """The ``http_client`` handed to msal: our session, our timeouts.

    msal calls the user-realm endpoint on the authority's host without its port
    (``https://<host>/common/userrealm/...``). On Microsoft's authorities the port is 443
    anyway; on an authority with an explicit port (sovereign gateways, test servers) that
    would reach the wrong service, so the port is put back here.
    """

    def __init__(self, session, authority: str, timeout: int):
        self._session = session
        self._timeout = (CONNECT_TIMEOUT, timeout)
        parts = urlsplit(authority)
        self._host = parts.hostname
        self._port = parts.port

    def _fix_url(self, url: str) -> str:
        if not self._port:
            return url
        parts = urlsplit(url)
        if parts.hostname == self._host and parts.port is None:
            return urlunsplit(parts._replace(netloc=f"{parts.hostname}:{self._port}"))
        return url

    def get(self, url, params=None, headers=None, **kwargs):
        kwargs.setdefault("timeout", self._timeout)
        return self._session.get(self._fix_url(url), params=params, headers=headers, **kwargs)

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        kwargs.setdefault("timeout", self._timeout)
        return self._session.post(self._fix_url(url), params=params, data=data, headers=headers, **kwargs)

    def close(self) -> None:
        """msal never closes the client; the session belongs to the caller."""


def _certifi_bundle() -> str:
    try:
        import certifi  # pylint: disable=import-outside-toplevel  # only when no ca_path is set
    except ImportError:
        raise CippConfigError(
            "the Python library 'certifi' (installed with requests) is required to verify TLS certificates "
            "without ca_path; install it or set ca_path to a CA bundle", option="ca_path") from None
    return certifi.where()


def _without_password(value: str) -> str:
    parts = urlsplit(value)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return value
    return urlunsplit(parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{hostport}"))
