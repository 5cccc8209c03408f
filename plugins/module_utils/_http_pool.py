# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP client of the API calls (CIPP, Power Platform): keep-alive HTTP/1.1 over the
standard library's ``http.client`` and ``ssl``.

A module process sends one or a few requests, so what it costs to load matters more than
features: ``requests`` and ``urllib3`` take about 80 ms to import, this about 10 ms (msal
still uses ``requests`` for token requests, loaded only when a token is requested).

TLS trust and the proxy come only from the connection settings (``_http.tls_trust`` and
``_http.proxy_for``), never from ``SSL_CERT_FILE`` or ``HTTPS_PROXY`` behind the user's back.
Every network failure is raised as a ``TransportError`` that says whether the request may
have reached the server, which is what the retry rules of ``_transport`` need. Private.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import base64
import http.client
import select
import socket
import ssl
import zlib
from urllib.parse import unquote, urlencode, urlsplit

from ansible_collections.cipp.cipp.plugins.module_utils._http import (
    COLLECTION_VERSION, CONNECT_TIMEOUT, proxy_for, proxy_refusal, tls_trust)

USER_AGENT = f"cipp.cipp/{COLLECTION_VERSION} python-http.client"
MAX_BODY = 512 * 1024 * 1024  # refuse to hold more than this in memory
IDEMPOTENT_METHODS = ("GET", "HEAD")


class TransportError(Exception):
    """A request failed on the network. ``kind``: one of ``refused``, ``connect_timeout``,
    ``dns``, ``tls``, ``proxy``, ``connect``, ``timeout``, ``dropped``, ``too_large``,
    ``bad_encoding``, ``bad_url``; ``reached``: the server may have seen the request (a
    write must then not be repeated); ``phrase``: a short description for messages."""

    def __init__(self, kind: str, phrase: str, *, reached: bool, detail: str = ""):
        super().__init__(f"{phrase}: {detail}" if detail else phrase)
        self.kind = kind
        self.phrase = phrase
        self.reached = reached

    @property
    def tls(self) -> bool:
        """The TLS handshake (certificate verification) failed."""
        return self.kind == "tls"


class _ClosedBeforeAnswer(Exception):
    """The connection closed before any byte of an answer: ``error`` is what to raise when the
    request may not be sent again (the server may still have read it)."""

    def __init__(self, exc: Exception):
        super().__init__(str(exc))
        self.error = TransportError("dropped", "the connection was dropped", reached=True, detail=_describe(exc))


class HttpResponse:
    """What ``HttpPool.request`` returns: ``status_code``, ``headers`` (case-insensitive
    ``get``), ``content`` (bytes, decompressed) and ``text``."""

    def __init__(self, status: int, headers, content: bytes):
        self.status_code = status
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        try:
            return self.content.decode(self.headers.get_content_charset() or "utf-8", errors="replace")
        except LookupError:  # an unknown charset name
            return self.content.decode("utf-8", errors="replace")


class HttpPool:
    """Keep-alive connections of one client, one per scheme/host/port (no redirects followed)."""

    def __init__(self, settings):
        self.settings = settings
        self._connections: dict = {}
        self._contexts: dict = {}

    # ------------------------------------------------------------------ public API
    def request(self, method: str, url: str, *, params=None, data: str | bytes | None = None, headers=None,
                timeout: float) -> HttpResponse:
        """Send one request; raise ``TransportError`` when the network fails."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise TransportError("bad_url", "not an http(s) URL", reached=False, detail=url)
        target = parts.path or "/"
        query = "&".join(q for q in (parts.query, urlencode(params, doseq=True) if params else "") if q)
        if query:
            target = f"{target}?{query}"
        body = data.encode("utf-8") if isinstance(data, str) else data
        all_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", "Connection": "keep-alive"}
        all_headers.update(headers or {})
        if body is not None:
            all_headers["Content-Length"] = str(len(body))
        key = (scheme, parts.hostname.lower(), parts.port or (443 if scheme == "https" else 80))
        proxy = proxy_for(self.settings, url)
        if proxy and scheme == "http":
            target = f"http://{parts.netloc}{target}"  # a plain-HTTP proxy gets the absolute URI
            all_headers.update(_proxy_authorization(proxy))
        reused = key in self._connections
        try:
            answer, content = self._exchange(key, proxy, timeout, (method, target, body, all_headers))
        except _ClosedBeforeAnswer as closed:
            if not (reused and method in IDEMPOTENT_METHODS):
                raise closed.error from None
            # The server closed a kept-alive connection as the request went out (an idle close racing
            # the request): a read is sent once more on a new connection; a write never is.
            try:
                answer, content = self._exchange(key, proxy, timeout, (method, target, body, all_headers))
            except _ClosedBeforeAnswer as again:
                raise again.error from None
        if len(content) > MAX_BODY:
            self._discard(key)
            raise TransportError("too_large", "the answer is too large", reached=True, detail=f"over {MAX_BODY} bytes")
        if answer.will_close:
            self._discard(key)
        return HttpResponse(answer.status, answer.headers, _decoded(content, answer.headers.get("Content-Encoding")))

    def _exchange(self, key, proxy, timeout: float, request: tuple):
        """Send one request on a kept-alive or new connection; ``(answer, content)``."""
        method, target, body, headers = request
        conn = self._connection(key, proxy, timeout)
        try:
            conn.request(method, target, body=body, headers=headers)
        except (OSError, http.client.HTTPException) as exc:
            self._discard(key)
            raise _ClosedBeforeAnswer(exc) from None
        answer = None
        try:
            answer = conn.getresponse()
            return answer, answer.read(MAX_BODY + 1)
        except (TimeoutError, socket.timeout):
            self._discard(key)
            raise TransportError("timeout", "no answer within the timeout", reached=True, detail=f"{timeout:g}s") from None
        except (OSError, http.client.HTTPException) as exc:
            self._discard(key)
            if answer is None and isinstance(exc, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)):
                raise _ClosedBeforeAnswer(exc) from None
            raise TransportError("dropped", "the connection was dropped", reached=True, detail=_describe(exc)) from None

    def close(self) -> None:
        for key in list(self._connections):
            self._discard(key)

    # ------------------------------------------------------------------ connections
    def _connection(self, key, proxy: str | None, timeout: float) -> http.client.HTTPConnection:
        conn = self._connections.get(key)
        if conn is not None and conn.sock is not None and not _is_dropped(conn.sock):
            conn.sock.settimeout(timeout)
            return conn
        self._discard(key)
        scheme, host, port = key
        if proxy:
            proxy_parts = urlsplit(proxy)
            address = (proxy_parts.hostname, proxy_parts.port or 80)
        else:
            address = (host, port)
        if scheme == "https":
            conn = http.client.HTTPSConnection(address[0], address[1], timeout=CONNECT_TIMEOUT, context=self._context())
            if proxy:
                conn.set_tunnel(host, port, headers=_proxy_authorization(proxy))
        else:
            conn = http.client.HTTPConnection(address[0], address[1], timeout=CONNECT_TIMEOUT)
        try:
            conn.connect()
        except ssl.SSLError as exc:
            conn.close()
            raise TransportError("tls", "TLS handshake failed", reached=False, detail=_describe(exc)) from None
        except (TimeoutError, socket.timeout):
            conn.close()
            raise TransportError("connect_timeout", "connecting timed out", reached=False, detail=f"{host}:{port}") from None
        except ConnectionRefusedError:
            conn.close()
            raise TransportError("refused", "connection refused", reached=False, detail=f"{address[0]}:{address[1]}") from None
        except socket.gaierror as exc:
            conn.close()
            raise TransportError("dns", "the host name does not resolve", reached=False, detail=f"{address[0]} ({exc})") from None
        except OSError as exc:
            conn.close()
            refusal = proxy_refusal(exc) if proxy else None
            if refusal:
                raise TransportError("proxy", f"the proxy refused the tunnel ({refusal})", reached=False,
                                     detail=f"to {host}:{port}") from None
            raise TransportError("connect", "cannot connect", reached=False, detail=_describe(exc)) from None
        conn.sock.settimeout(timeout)
        self._connections[key] = conn
        return conn

    def _context(self) -> ssl.SSLContext:
        verify, cafile, capath = tls_trust(self.settings)
        cache_key = (verify, cafile, capath)
        context = self._contexts.get(cache_key)
        if context is None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if verify:
                context.load_verify_locations(cafile=cafile, capath=capath)
            else:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._contexts[cache_key] = context
        return context

    def _discard(self, key) -> None:
        conn = self._connections.pop(key, None)
        if conn is not None:
            conn.close()


# ---------------------------------------------------------------------- helpers
def _is_dropped(sock) -> bool:
    """True when a kept-alive connection was closed by the server (readable while idle)."""
    try:
        readable, _w, _x = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _proxy_authorization(proxy: str) -> dict:
    parts = urlsplit(proxy)
    if parts.username is None:
        return {}
    credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode("utf-8")
    return {"Proxy-Authorization": "Basic " + base64.b64encode(credentials).decode("ascii")}


def _decoded(content: bytes, encoding: str | None) -> bytes:
    encoding = (encoding or "").strip().lower()
    if not content or encoding in ("", "identity"):
        return content
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(content, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            try:
                return zlib.decompress(content)
            except zlib.error:
                return zlib.decompress(content, -zlib.MAX_WBITS)  # raw deflate, as some servers send it
    except zlib.error as exc:
        raise TransportError("bad_encoding", "the answer could not be decompressed", reached=True, detail=f"{encoding}: {exc}") from None
    return content


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
