# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The quick path of a bulk task's item validation.

Ansible's ``ArgumentSpecValidator`` deep-copies every item and converts what it can (``"yes"`` to
a bool, ``"a,b"`` to a list); over a tenant's 2,500 users that is most of the module's own time.
An item that only uses the spec's own option names, with values that already have the option's
type and are among its choices, needs none of it: ``PlainItems.check`` returns what the validator
would (every option, defaults filled in) and its no_log values. Any other item returns None and
goes to the validator, which converts it or words the error. Private: the interface may change in
any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

OPTION_KEYS = frozenset({"type", "elements", "default", "choices", "aliases", "no_log"})
TYPES = {"str": str, "bool": bool}


class PlainItems:
    """``check(item)`` -> (validated parameters, no_log values) for a plain item, or None."""

    def __init__(self, spec: dict, required_one_of=()):
        self.spec = spec
        self.required_one_of = [tuple(group) for group in required_one_of]
        self.usable = all(self._plain_option(option) for option in spec.values())
        self.choices = {name: option["choices"] for name, option in spec.items() if "choices" in option}
        self.no_log = frozenset(name for name, option in spec.items() if option.get("no_log"))

    @staticmethod
    def _plain_option(option: dict) -> bool:
        kind = option.get("type", "str")
        return set(option) <= OPTION_KEYS and (kind in TYPES or (kind == "list" and option.get("elements") == "str"))

    def check(self, item: dict):
        if not self.usable:
            return None
        params = {}
        for name, value in item.items():
            option = self.spec.get(name)
            if option is None or value is None:  # an alias or an unknown option; None means "not given"
                return None
            kind = option.get("type", "str")
            if kind == "list":
                if not isinstance(value, list) or not all(isinstance(element, str) for element in value):
                    return None
                value = list(value)
            elif not isinstance(value, TYPES[kind]):
                return None
            if name in self.choices and value not in self.choices[name]:
                return None
            params[name] = value
        for name, option in self.spec.items():  # the validator's order: defaults first, then the rest as None
            default = option.get("default")
            if name not in params and default is not None:
                params[name] = list(default) if isinstance(default, list) else default
        for name in self.spec:
            params.setdefault(name, None)
        if any(all(params[name] is None for name in group) for group in self.required_one_of):
            return None
        secrets = {params[name] for name in self.no_log if isinstance(params[name], str) and params[name]}
        return params, secrets
