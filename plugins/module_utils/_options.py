# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options: one definition for modules (argument spec with env fallbacks) and
plugins (``get_option``), and the settings object every client is built from.

This is the option adapter of the collection: modules, lookups and the inventory plugin
all turn their options into ``ConnectionSettings`` here, and nothing else reads
credentials. Private: the interface may change in any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import os

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._http import check_proxy_url

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_TIMEOUT = 240  # CIPP's Azure front end gives up after 230 s: let it answer first
DEFAULT_RETRIES = 3
AUTH_METHODS = ("auto", "client_secret", "certificate", "password", "federated", "access_token")

# name: (type, env var(s), default, no_log)
CONNECTION_OPTIONS = {
    "api_url": ("str", ("CIPP_API_URL",), None, False),
    "tenant_id": ("str", ("CIPP_TENANT_ID", "AZURE_TENANT_ID"), None, False),
    "client_id": ("str", ("CIPP_CLIENT_ID", "AZURE_CLIENT_ID"), None, False),
    "client_secret": ("str", ("CIPP_CLIENT_SECRET",), None, True),
    "certificate_path": ("path", ("CIPP_CERTIFICATE_PATH",), None, False),
    "certificate_key_path": ("path", ("CIPP_CERTIFICATE_KEY_PATH",), None, False),
    "certificate_password": ("str", ("CIPP_CERTIFICATE_PASSWORD",), None, True),
    "username": ("str", ("CIPP_USERNAME",), None, False),
    "password": ("str", ("CIPP_PASSWORD",), None, True),
    "federated_token_file": ("path", ("CIPP_FEDERATED_TOKEN_FILE", "AZURE_FEDERATED_TOKEN_FILE"), None, False),
    "access_token": ("str", ("CIPP_ACCESS_TOKEN",), None, True),
    "auth_method": ("str", ("CIPP_AUTH_METHOD",), "auto", False),
    "scope": ("str", ("CIPP_SCOPE",), None, False),
    "authority": ("str", ("CIPP_AUTHORITY",), DEFAULT_AUTHORITY, False),
    "validate_certs": ("bool", ("CIPP_VALIDATE_CERTS",), True, False),
    "ca_path": ("path", ("CIPP_CA_PATH",), None, False),
    "proxy_url": ("str", ("CIPP_PROXY_URL",), None, False),
    "use_environment": ("bool", ("CIPP_USE_ENVIRONMENT",), False, False),
    "timeout": ("int", ("CIPP_TIMEOUT",), DEFAULT_TIMEOUT, False),
    "retries": ("int", ("CIPP_RETRIES",), DEFAULT_RETRIES, False),
    "token_cache": ("str", ("CIPP_TOKEN_CACHE",), None, False),
    "strict": ("bool", ("CIPP_STRICT",), False, False),
}

_TRUE = ("1", "true", "yes", "on", "y", "t")
_FALSE = ("0", "false", "no", "off", "n", "f", "")


def connection_argument_spec() -> dict:
    """Argument spec entries for every connection option (env fallbacks included)."""
    from ansible.module_utils.basic import env_fallback  # only modules call this

    spec = {}
    for name, (kind, env_names, default, secret) in CONNECTION_OPTIONS.items():
        entry = {"type": kind, "no_log": secret, "fallback": (env_fallback, list(env_names))}
        if default is not None:
            entry["default"] = default  # an environment variable still wins over it
        if name == "auth_method":
            entry["choices"] = list(AUTH_METHODS)
        spec[name] = entry
    return spec


def _as_bool(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CippConfigError(f"option '{name}' must be a boolean (true/false), got {value!r}", option=name)


def _as_int(name: str, value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CippConfigError(f"option '{name}' must be an integer, got {value!r}", option=name) from None


class ConnectionSettings:
    """Validated connection settings; built by ``from_module_params`` or ``from_getter``."""

    def __init__(self, values: dict):
        for name, (kind, _env, default, _secret) in CONNECTION_OPTIONS.items():
            value = values.get(name)
            if value is None or value == "":
                value = default
            if value is not None:
                if kind == "bool":
                    value = _as_bool(name, value)
                elif kind == "int":
                    value = _as_int(name, value)
                elif kind == "path":
                    value = os.path.expanduser(str(value))
                else:
                    value = str(value)
            setattr(self, name, value)
        self.scope_was_defaulted = self.scope is None
        self._validate()

    @classmethod
    def from_module_params(cls, params: dict) -> "ConnectionSettings":
        """From ``AnsibleModule.params`` (env fallbacks already applied by Ansible)."""
        return cls({name: params.get(name) for name in CONNECTION_OPTIONS})

    @classmethod
    def from_getter(cls, get_option) -> "ConnectionSettings":
        """From a plugin's ``get_option`` (env/ini/vars already applied by Ansible)."""
        return cls({name: get_option(name) for name in CONNECTION_OPTIONS})

    def _validate(self) -> None:
        if not self.api_url:
            raise CippConfigError(
                "option 'api_url' is required: set it on the task, in module_defaults "
                "(group/cipp.cipp.cipp) or as CIPP_API_URL; use the API URL from CIPP's "
                "Integrations > API clients page", option="api_url")
        if not self.api_url.lower().startswith(("https://", "http://")):
            raise CippConfigError(
                f"option 'api_url' must be an https:// URL, got {self.api_url!r}", option="api_url")
        if self.auth_method not in AUTH_METHODS:
            raise CippConfigError(
                f"option 'auth_method' must be one of {', '.join(AUTH_METHODS)}", option="auth_method")
        if self.timeout <= 0:
            raise CippConfigError("option 'timeout' must be a positive number of seconds", option="timeout")
        if self.retries < 0:
            raise CippConfigError("option 'retries' must be 0 or more", option="retries")
        if self.ca_path and not os.path.isfile(self.ca_path):
            raise CippConfigError(f"option 'ca_path': no file at {self.ca_path}", option="ca_path")
        if self.proxy_url:
            check_proxy_url(self.proxy_url)
        self.auth_method = self._resolve_auth_method()

    def _resolve_auth_method(self) -> str:
        method = self.auth_method
        if method == "auto":
            if self.access_token:
                method = "access_token"
            elif self.certificate_path:
                method = "certificate"
            elif self.client_secret:
                method = "client_secret"
            elif self.federated_token_file:
                method = "federated"
            elif self.username or self.password:
                method = "password"
            else:
                raise CippConfigError(
                    "no credentials: set option 'client_secret' (CIPP_CLIENT_SECRET) with client_id, or "
                    "certificate_path (CIPP_CERTIFICATE_PATH), federated_token_file "
                    "(CIPP_FEDERATED_TOKEN_FILE), username and password, or access_token",
                    option="client_secret")
        needs = {
            "client_secret": ("client_id", "tenant_id", "client_secret"),
            "certificate": ("client_id", "tenant_id", "certificate_path"),
            "federated": ("client_id", "tenant_id", "federated_token_file"),
            "password": ("client_id", "tenant_id", "username", "password"),
            "access_token": ("access_token",),
        }[method]
        for name in needs:
            if not getattr(self, name):
                env = CONNECTION_OPTIONS[name][1][0]
                raise CippConfigError(
                    f"option '{name}' is required for auth_method '{method}' (or set {env})", option=name)
        for name in ("certificate_path", "certificate_key_path", "federated_token_file"):
            path = getattr(self, name)
            if path and method in ("certificate", "federated") and not os.path.isfile(path):
                raise CippConfigError(f"option '{name}': no file at {path}", option=name)
        return method

    @property
    def effective_scope(self) -> str:
        """The scope tokens are requested for (default ``api://<client_id>/.default``)."""
        return self.scope or f"api://{self.client_id}/.default"
