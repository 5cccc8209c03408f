# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every API client of the collection does the same way: the retry loop (reads retry
on 429/502/503/504 and network errors; writes only on 429 and when the request provably
never reached the server), the classification of network errors, and the encoding and
decoding of JSON bodies. The CIPP client and the Power Platform client both use it, so
the two APIs can never drift apart in how safely they retry. Private.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import json
import time

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._http_pool import TransportError
from ansible_collections.cipp.cipp.plugins.module_utils._retry import RetryBudget

RETRYABLE_READ_STATUSES = (429, 502, 503, 504)


class NetworkFailure(Exception):
    """A request failed on the network and may not be retried (any more): ``error`` is the
    ``TransportError``, ``reached`` whether the server may have seen the request."""

    def __init__(self, error: Exception, reached: bool, attempts: int):
        super().__init__(str(error))
        self.error = error
        self.reached = reached
        self.attempts = attempts


def send_with_retries(request, token, *, is_write: bool, retries: int, warn, label: str, server: str,
                      on_unauthorized=None):
    """``request(bearer)`` until it gives an answer worth interpreting; returns ``(raw, attempts)``.

    ``token()`` is called before each attempt (its errors propagate untouched);
    ``on_unauthorized(bearer, raw)`` decides after a 401 whether to try again (e.g. with a
    fresh token). Raises ``NetworkFailure`` when the network fails and retrying is unsafe or spent.
    """
    budget = RetryBudget(retries)
    attempts = 0
    while True:
        attempts += 1
        bearer = token()
        try:
            raw = request(bearer)
        except TransportError as exc:
            reached = may_have_reached_server(exc)
            delay = budget.next_delay() if (not is_write or not reached) else None
            if delay is None:
                raise NetworkFailure(exc, reached, attempts) from None
            warn(f"{label}: {describe_network_error(exc, server)}; retrying in {delay:.1f}s "
                 f"(attempt {budget.used}/{retries})")
            time.sleep(delay)
            continue
        status = raw.status_code
        if status == 401 and on_unauthorized is not None and on_unauthorized(bearer, raw):
            continue
        if status == 429 or (status in RETRYABLE_READ_STATUSES and not is_write):
            delay = budget.next_delay(raw.headers.get("Retry-After"))
            if delay is not None:
                warn(f"{label}: {server} answered {status}; retrying in {delay:.1f}s "
                     f"(attempt {budget.used}/{retries})")
                time.sleep(delay)
                continue
        return raw, attempts


def may_have_reached_server(exc) -> bool:
    """False only when the request provably never reached the server (refused, connect timeout, TLS)."""
    return bool(getattr(exc, "reached", True))


def describe_network_error(exc, server: str) -> str:
    """A short phrase for a network failure talking to ``server`` (e.g. ``CIPP``)."""
    if isinstance(exc, TransportError):
        if exc.kind == "timeout":
            return f"{server} did not answer within the timeout"
        return exc.phrase
    return f"network error ({type(exc).__name__})"


def is_tls_error(exc) -> bool:
    return isinstance(exc, TransportError) and exc.tls


def json_payload(method: str, body):
    """The JSON text to send (``{}`` for a body-less POST), or None for no body."""
    if body is None and method not in ("POST", "PUT", "PATCH"):
        return None
    try:
        return json.dumps(body if body is not None else {})
    except (TypeError, ValueError) as exc:
        raise CippConfigError(f"option 'body' cannot be sent as JSON: {exc}", option="body") from None


def query_params(params):
    """Query parameters as CIPP reads them: booleans as true/false, lists and dicts as JSON."""
    if not params:
        return None
    out = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (dict, list)):
            value = json.dumps(value)
        out[key] = value
    return out


def looks_like_html(content_type: str, text: str) -> bool:
    if "text/html" in content_type:
        return True
    head = text.lstrip()[:100].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def parse_body(text: str, content_type: str):
    """JSON when the answer is JSON, else the text (None for an empty body)."""
    if not text:
        return None
    if "json" in content_type or text.lstrip()[:1] in ("{", "[", '"'):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text
