# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller-side edge for lookups and the inventory plugin: options from
``get_option`` (env/ini/vars resolved by Ansible) into the same client the modules use,
``CippError`` into ``AnsibleError``. Private: the interface may change in any release."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import difflib
import os

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import BOOLEANS
from ansible.utils.display import Display

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippError
from ansible_collections.cipp.cipp.plugins.module_utils._options import CONNECTION_OPTIONS, ConnectionSettings

display = Display()
ENV_ORIGIN = "env: "  # how Ansible names an option's origin when an environment variable set it
VAR_ORIGIN = "var: "  # ... and when a variable set it
BOOLEAN_WORDS = frozenset(str(word).lower() for word in BOOLEANS)


class ConnectionOptions:
    """A plugin's options as the core reads them, with one correction: an empty path from the
    environment means unset. AWX injects '' for a credential field left empty (no certificate),
    and Ansible resolves an empty path option to the current directory, which would then look
    like a certificate."""

    def __init__(self, plugin, overrides: dict | None = None):
        self._plugin = plugin
        self._overrides = overrides or {}

    def get_option(self, name):
        if name in self._overrides:
            return self._overrides[name]
        value = self._plugin.get_option(name)
        if value and CONNECTION_OPTIONS.get(name, ("",))[0] == "path" and self._from_empty_env(name):
            return None
        return value

    def _from_empty_env(self, name) -> bool:
        origin = option_origin(self._plugin, name)
        return origin.startswith(ENV_ORIGIN) and not os.environ.get(origin[len(ENV_ORIGIN):], "").strip()


def option_origin(plugin, name: str) -> str:
    """Where Ansible took option ``name`` from (``env: X``, ``var: y``, ...); '' when the core cannot say."""
    try:
        return str(plugin.get_option_and_origin(name)[1])
    except (AttributeError, KeyError):  # a core without option origins: take the value as it is
        return ""


def check_options(plugin, given: dict | None, variables: dict | None = None, where: str = "") -> None:
    """Refuse what Ansible's plugin configuration lets through silently (call after set_options):
    an option name it does not know - a typo, ignored - and a bool option set to a word that is
    not a boolean (Ansible reads ``validate_certs: flase`` as false: TLS verification off)."""
    definitions = plugin.option_definitions or {}
    prefix = f"{where}: " if where else ""
    unknown = sorted(str(name) for name in (given or {}) if name not in definitions)
    if unknown:
        hints = [f"{name} (did you mean {', '.join(close)}?)" if close else name
                 for name in unknown for close in [difflib.get_close_matches(name, list(definitions), n=2)]]
        plugin_name = getattr(plugin, "ansible_name", "") or getattr(plugin, "_load_name", "")
        raise AnsibleError(f"{prefix}unknown option(s): {'; '.join(hints)}. The options are listed by "
                           f"ansible-doc -t {plugin.plugin_type} {plugin_name}")
    for name, definition in definitions.items():
        if str(definition.get("type") or "").lower() not in ("bool", "boolean"):
            continue
        raw, source = _raw_value(plugin, name, given or {}, variables or {})
        if isinstance(raw, str) and raw.strip().lower() not in BOOLEAN_WORDS:
            where = f" (from {source})" if source else ""
            raise AnsibleError(f"{prefix}option '{name}'{where}: {raw!r} is not a boolean; use true or false"
                               + (", or unset the variable" if source else ""))


def _raw_value(plugin, name: str, given: dict, variables: dict):
    """The value of option ``name`` as the user wrote it, before Ansible turned it into a bool,
    and where it came from when not from the plugin's own arguments (an environment variable, a variable)."""
    if name in given:
        return given[name], None
    origin = option_origin(plugin, name)
    if origin.startswith(ENV_ORIGIN):
        variable = origin[len(ENV_ORIGIN):]
        return os.environ.get(variable), f"environment variable {variable}"
    if origin.startswith(VAR_ORIGIN):
        variable = origin[len(VAR_ORIGIN):]
        return variables.get(variable), f"variable {variable}"
    return None, None


def build_settings(plugin, overrides: dict | None = None) -> ConnectionSettings:
    """``ConnectionSettings`` from a plugin's connection options (``overrides`` win)."""
    return ConnectionSettings.from_getter(ConnectionOptions(plugin, overrides).get_option)


def build_client(plugin):
    """A ``CippClient`` from a plugin's connection options."""
    from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient

    return CippClient(build_settings(plugin), warn=display.warning)


def ansible_error(exc: CippError) -> AnsibleError:
    """An AnsibleError carrying the message and structured fields (no secrets)."""
    details = ", ".join(f"{key}={value}" for key, value in sorted(exc.details.items())
                        if key not in ("findings",) and not isinstance(value, (list, dict)))
    return AnsibleError(f"{exc.msg}" + (f" [{details}]" if details else ""))
