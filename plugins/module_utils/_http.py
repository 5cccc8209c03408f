# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP session of a process, shared by msal and the CIPP client.

requests lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` and proxy variables silently
override a session's ``verify`` and ``proxies`` while ``trust_env`` is on, so the session
is built with ``trust_env=False`` and explicit settings unless the user opts back in with
``use_environment``. Private: the interface may change in any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from urllib.parse import urlsplit, urlunsplit

try:
    import requests
    HAS_REQUESTS = True
except ImportError:
    HAS_REQUESTS = False

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError

CONNECT_TIMEOUT = 10
COLLECTION_VERSION = "1.0.0"


def require_requests() -> None:
    if not HAS_REQUESTS:
        raise CippConfigError(
            "the Python library 'requests' is required on the host that runs the task "
            "(pip install -r requirements.txt from the cipp.cipp collection)", option="requests")


def build_session(settings) -> "requests.Session":
    """A session with TLS and proxy settings taken only from ``settings``."""
    require_requests()
    session = requests.Session()
    session.trust_env = bool(settings.use_environment)
    session.verify = settings.tls_verify
    if settings.proxy_url:
        session.proxies = {"http": settings.proxy_url, "https": settings.proxy_url}
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
