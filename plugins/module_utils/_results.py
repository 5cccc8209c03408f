# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading CIPP's ``Results``: failures hide inside HTTP 200 answers as text, lists of
mixed strings and ``{resultText, state}`` objects. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

# Wordings CIPP's handlers use to start a failure message (Get-CippException wrappers,
# multi-step "Error - " lines, "Could not ...", Graph/Exchange "request denied").
FAILURE_PATTERN = re.compile(
    r"^\s*(failed|failure|error\b|error:|error -|could not|couldn't|unable to|cannot|can't|"
    r"we've failed|we have failed|access denied|denied|not allowed|invalid|no user id provided|"
    r"graph request denied|exchange request denied|task with name .* already exists)",
    re.IGNORECASE)
FAILURE_ANYWHERE = re.compile(r"(request denied for '|the tenant is not in cipp's tenant list|"
                              r"is excluded from cipp management)", re.IGNORECASE)


def result_messages(data) -> list:
    """Every human-readable message in a CIPP answer's ``Results`` (flattened)."""
    if isinstance(data, dict):
        for key in data:
            if key.lower() == "results":
                return _flatten(data[key])
        return []
    if isinstance(data, list):
        return [m for item in data if isinstance(item, dict) for m in result_messages(item)]
    return []


def _flatten(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [m for item in value for m in _flatten(item)]
    if isinstance(value, dict):
        text = value.get("resultText") or value.get("Message") or value.get("message") or value.get("Results")
        if text is None:
            return []
        return _flatten(text) if not isinstance(text, str) else [text]
    return [str(value)]


def _failed_entries(value) -> list:
    """Messages marked as failures: ``state: error`` objects and failure wordings."""
    found = []
    if isinstance(value, str):
        if FAILURE_PATTERN.search(value) or FAILURE_ANYWHERE.search(value):
            found.append(value)
    elif isinstance(value, list):
        for item in value:
            found.extend(_failed_entries(item))
    elif isinstance(value, dict):
        state = str(value.get("state") or "").lower()
        text = value.get("resultText") or value.get("Message") or value.get("message")
        if state == "error":
            found.append(str(text or value))
        elif state not in ("success", "info", "warning") and text is not None:
            found.extend(_failed_entries(text))
    return found


def result_failures(data) -> list:
    """The failure messages inside a 2xx CIPP answer (empty when it reports success)."""
    if isinstance(data, dict):
        for key in data:
            if key.lower() == "results":
                return _failed_entries(data[key])
            if key.lower() == "error" and data[key]:
                err = data[key]
                return [err if isinstance(err, str) else str(err.get("message", err)) if isinstance(err, dict) else str(err)]
        return []
    if isinstance(data, list):
        # List endpoints report errors as a one-element array holding the error string,
        # or (ListTenants) as a fake row whose Results says "Failed to ...".
        if len(data) == 1 and isinstance(data[0], str):
            return _failed_entries(data[0])
        if len(data) == 1 and isinstance(data[0], dict) and "Results" in data[0]:
            return _failed_entries(data[0]["Results"])
    return []
