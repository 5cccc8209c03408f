"""Argument specs of the collection's modules, captured as AnsibleModule receives them
(connection and tenant options included, with required_one_of, mutually_exclusive, ...),
and the bad-input cases generated from them."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from tests.reliability import runner
from ansible_collections.cipp.cipp.plugins.module_utils import _module

LONG = "x" * 10_000
UNICODE = "Zoë Ölçüm 測試 \u202e\u200b 🚀"
BAD_UPN = "not a upn@@contoso..com"
BAD_ADDRESS = "not-an-address"
UNKNOWN_TENANT = "contoso.co"
UNKNOWN_OPTION = "definitely_not_an_option"
SPEC_KWARGS = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")
# Options whose value is a user (UPN) or a mail address, by name.
UPN_WORDS = ("upn", "user_principal_name", "manager", "members", "owners", "user", "full_access", "send_as",
             "send_on_behalf", "delegate")
ADDRESS_WORDS = ("email", "mail", "address", "forward_to", "aliases", "other_mails", "recipient")


class _Captured(Exception):
    pass


@dataclass
class ModuleSpec:
    name: str
    spec: dict
    kwargs: dict = field(default_factory=dict)
    stateful: bool = False

    @property
    def own_options(self) -> dict:
        from ansible_collections.cipp.cipp.plugins.module_utils._options import CONNECTION_OPTIONS

        return {k: v for k, v in self.spec.items() if k not in CONNECTION_OPTIONS}

    def names(self, option: str) -> list[str]:
        return [option, *(self.spec.get(option, {}).get("aliases") or [])]


def capture(name: str) -> ModuleSpec:
    """What module ``name`` hands AnsibleModule (nothing runs past that point)."""
    seen: dict[str, Any] = {}

    def fake(argument_spec=None, **kwargs):
        seen["spec"], seen["kwargs"] = argument_spec, kwargs
        raise _Captured()

    module = runner.load_module(name)
    patches = [(_module, "AnsibleModule")]
    if hasattr(module, "AnsibleModule"):
        patches.append((module, "AnsibleModule"))
    saved = [(owner, attr, getattr(owner, attr)) for owner, attr in patches]
    try:
        for owner, attr in patches:
            setattr(owner, attr, fake)
        with contextlib.suppress(_Captured):
            module.main()
    finally:
        for owner, attr, value in saved:
            setattr(owner, attr, value)
    if "spec" not in seen:
        raise AssertionError(f"module {name} never built an AnsibleModule")
    kwargs = {k: v for k, v in seen["kwargs"].items() if k in SPEC_KWARGS}
    stateful = "attributes.stateful" in (getattr(module, "DOCUMENTATION", "") or "")
    return ModuleSpec(name, seen["spec"], kwargs, stateful)


def sample(option: str, entry: dict) -> Any:
    """A plausible valid value for an option, from its type, choices and name."""
    kind = entry.get("type", "str")
    if entry.get("choices"):
        return entry["default"] if entry.get("default") is not None else entry["choices"][0]
    if entry.get("default") is not None:
        return entry["default"]
    if kind == "dict" and entry.get("options"):
        return {k: sample(k, v) for k, v in entry["options"].items() if v.get("required")}
    if kind == "list" and entry.get("elements") == "dict":
        return [{k: sample(k, v) for k, v in (entry.get("options") or {}).items() if v.get("required")}]
    simple = {"bool": False, "int": 1, "float": 1.0, "dict": {}, "raw": "x", "jsonarg": "{}", "json": "{}"}
    if kind in simple:
        return simple[kind]
    lowered = option.lower()
    if lowered == "tenant":
        return "contoso.com"
    if lowered == "endpoint":
        return "ListUsers"
    if any(word in lowered for word in ADDRESS_WORDS):
        value = "reliability.base@contoso.com"
    elif any(word in lowered for word in UPN_WORDS):
        value = "adele.vance@contoso.com"
    elif lowered.endswith("id"):
        value = "2b4c1d7e-0001-4a1a-9a1a-00000000c103"
    else:
        value = "Reliability Base"
    return [value] if kind == "list" else value


def validate(mspec: ModuleSpec, params: dict) -> list[str]:
    """Errors AnsibleModule would report for ``params`` (spec only: no module code)."""
    validator = ArgumentSpecValidator(mspec.spec, **mspec.kwargs)
    result = validator.validate(dict(params))
    return [str(e) for e in result.errors]


def base_params(mspec: ModuleSpec, conn: dict) -> dict:
    """Connection options plus the fewest module options that pass the spec."""
    params = dict(conn)
    for option, entry in mspec.own_options.items():
        if entry.get("required"):
            params[option] = sample(option, entry)
    for group in mspec.kwargs.get("required_one_of") or []:
        if not any(params.get(o) is not None for o in group):
            params[group[0]] = sample(group[0], mspec.spec[group[0]])
    for rule in mspec.kwargs.get("required_if") or []:
        key, value, needed = rule[0], rule[1], rule[2]
        current = params.get(key, mspec.spec.get(key, {}).get("default"))
        if current == value:
            wanted = needed[:1] if len(rule) > 3 and rule[3] else needed
            for option in wanted:
                params.setdefault(option, sample(option, mspec.spec[option]))
    for group in mspec.kwargs.get("required_together") or []:
        if any(params.get(o) is not None for o in group):
            for option in group:
                params.setdefault(option, sample(option, mspec.spec[option]))
    return params


def wrong_type(entry: dict) -> Any:
    """A value AnsibleModule cannot convert to the option's type, or None when any value converts."""
    kind = entry.get("type", "str")
    if entry.get("choices") and kind in ("str", "list"):
        return ["not-a-choice"] if kind == "list" else "not-a-choice"
    if kind in ("int", "float"):
        return "not-a-number"
    if kind == "bool":
        return "maybe"
    if kind == "dict":
        # Not an int: ansible-core 2.19 raises TypeError for a non-iterable given to a dict
        # option with suboptions (set_fallbacks), a traceback no module can prevent.
        return "not a dict"
    if kind == "list":
        if entry.get("elements") == "dict":
            return ["not a dict"]
        if entry.get("elements") in ("int", "float"):
            return ["not-a-number"]
        return {"a": "dict"}
    return None  # str, path, raw: Ansible converts anything to text


def is_upn_option(option: str, entry: dict) -> bool:
    return entry.get("type", "str") in ("str", "list") and not entry.get("choices") and \
        any(word in option.lower() for word in UPN_WORDS) and not option.endswith("_id") and option != "id"


def is_address_option(option: str, entry: dict) -> bool:
    return entry.get("type", "str") in ("str", "list") and not entry.get("choices") and \
        any(word in option.lower() for word in ADDRESS_WORDS)


def text_options(mspec: ModuleSpec) -> list[str]:
    """Own options that take free text (str/path without choices, or lists of str)."""
    out = []
    for option, entry in mspec.own_options.items():
        kind = entry.get("type", "str")
        if entry.get("choices"):
            continue
        if kind in ("str", "path") or (kind == "list" and entry.get("elements", "str") == "str"):
            out.append(option)
    return out
