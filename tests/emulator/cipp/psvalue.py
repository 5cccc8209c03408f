"""How the CIPP backend reads request values, reproduced in Python.

The PowerShell worker hands the handler ``$Request.Query`` (a case-insensitive map of strings)
and ``$Request.Body`` (the JSON body after ``ConvertTo-Json | ConvertFrom-Json``, so every
object is a PSCustomObject whose property access ignores case). Handlers then use member
access (``$Body.licenses.value`` enumerates ``.value`` over an array), ``??``, ``if ($x)``,
``-eq $true`` and ``[System.Convert]::ToBoolean``. Each of those has its own idea of what a
value means; these helpers are the one place that knows.
"""
from __future__ import annotations

import json
from typing import Any

from ..http import CaseInsensitiveDict


class CaseDuplicateKeys(Exception):
    """A JSON object with two keys that differ only in case: ``ConvertFrom-Json`` throws on it
    in ``Receive-CippHttpTrigger`` (outside any try), so the Functions host answers a bare 500."""

    def __init__(self, first: str, second: str):
        super().__init__(
            "Cannot convert the JSON string because it contains keys with different casing. Please use the "
            f"-AsHashTable switch instead. The key that was attempted to be added to the existing key "
            f"'{first}' was '{second}'.")
        self.first = first
        self.second = second


class ExactDuplicateKeys(Exception):
    """Two identical keys: the worker's ConvertFrom-Json (hashtable mode) fails, Body is $null."""


def _pairs_hook(pairs: list[tuple[str, Any]]) -> CaseInsensitiveDict:
    seen: dict[str, str] = {}
    for key, _value in pairs:
        lowered = key.lower()
        if lowered in seen:
            if seen[lowered] == key:
                raise ExactDuplicateKeys(key)
            raise CaseDuplicateKeys(seen[lowered], key)
        seen[lowered] = key
    return CaseInsensitiveDict(dict(pairs))


def looks_like_json(text: str) -> bool:
    """The worker's ``IsValidJson``: only a ``{...}`` or ``[...]`` document counts."""
    stripped = text.strip()
    if len(stripped) < 2:
        return False
    return (stripped[0] == "{" and stripped[-1] == "}") or (stripped[0] == "[" and stripped[-1] == "]")


def parse_json_body(text: str) -> Any:
    """Parse a request body the way the worker + ``Receive-CippHttpTrigger`` do.

    Returns case-insensitive dicts. Raises ``CaseDuplicateKeys``, ``ExactDuplicateKeys`` or
    ``ValueError`` (malformed JSON)."""
    return json.loads(text, object_pairs_hook=_pairs_hook)


def ci(value: Any) -> Any:
    """Deep-convert plain dicts to case-insensitive ones (for values built in Python)."""
    if isinstance(value, CaseInsensitiveDict):
        return value
    if isinstance(value, dict):
        return CaseInsensitiveDict({k: ci(v) for k, v in value.items()})
    if isinstance(value, list):
        return [ci(v) for v in value]
    return value


# --------------------------------------------------------------------------- member access

_MISSING = object()


def member(value: Any, name: str) -> Any:
    """``$value.name`` with PowerShell member enumeration.

    A dict gives its (case-insensitive) property; a list gives the property of every element
    that has it (one result unwrapped, none -> $null); anything else (string, number) -> $null.
    """
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(name) if isinstance(value, CaseInsensitiveDict) else _ci_get(value, name)
    if isinstance(value, list):
        found = []
        for element in value:
            if isinstance(element, dict):
                got = member(element, name)
                if got is None:
                    continue
                if isinstance(got, list):
                    found.extend(got)
                else:
                    found.append(got)
        if not found:
            return None
        return found[0] if len(found) == 1 else found
    return None


def _ci_get(d: dict, name: str) -> Any:
    if name in d:
        return d[name]
    lowered = name.lower()
    for key, value in d.items():
        if key.lower() == lowered:
            return value
    return None


def path(value: Any, dotted: str) -> Any:
    """``$value.a.b.c``."""
    for part in dotted.split("."):
        value = member(value, part)
        if value is None:
            return None
    return value


def coalesce(*values: Any) -> Any:
    """PowerShell ``??``: the first value that is not $null (an empty string counts as a value)."""
    for value in values:
        if value is not None:
            return value
    return None


def as_list(value: Any) -> list:
    """``@($x)``: $null -> [], scalar -> [scalar], list -> list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


# --------------------------------------------------------------------------- booleans

def truthy(value: Any) -> bool:
    """``if ($x)`` / ``[bool]$x``: any non-empty string (even "false") is true."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value != ""
    if isinstance(value, list):
        if not value:
            return False
        if len(value) == 1:
            return truthy(value[0])
        return True
    return True


def eq_true(value: Any) -> bool:
    """``$x -eq $true``: strings compare with 'True' case-insensitively; numbers with 1."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value == 1
    if isinstance(value, str):
        return value.lower() == "true"
    if isinstance(value, list):
        return any(eq_true(v) for v in value)
    return False


def ps_str(value: Any) -> str:
    """``"$value"``: how PowerShell renders a value inside a string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list):
        return " ".join(ps_str(v) for v in value)
    if isinstance(value, dict):
        return "@{" + "; ".join(f"{k}={ps_str(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_blank(value: Any) -> bool:
    """``[string]::IsNullOrWhiteSpace($x)`` (an empty array renders as '')."""
    return ps_str(value).strip() == ""


class ConvertError(Exception):
    """An exception a handler does not catch: the router turns it into a 500 with this text."""


def to_boolean(value: Any) -> bool:
    """``[System.Convert]::ToBoolean($x)``: $null -> False, 'true'/'false' any case (trimmed),
    numbers by zero-ness, anything else throws (500 text from New-CippCoreRequest)."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
        raise ConvertError(
            f'Exception calling "ToBoolean" with "1" argument(s): "String \'{value}\' was not recognized '
            f'as a valid Boolean."')
    kind = "System.Object[]" if isinstance(value, list) else "System.Management.Automation.PSCustomObject"
    raise ConvertError(
        f'Exception calling "ToBoolean" with "1" argument(s): "Unable to cast object of type \'{kind}\' '
        f'to type \'System.IConvertible\'."')


def is_valid_boolean_text(value: Any) -> bool:
    try:
        to_boolean(value)
        return True
    except ConvertError:
        return False
