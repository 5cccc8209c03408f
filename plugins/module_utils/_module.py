# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module edge: ``AnsibleModule`` + connection options + client + error reporting.

Every module builds a ``CippModule``; the shared core below it never imports
AnsibleModule and raises ``CippError``s, which become ``fail_json`` here with ``msg`` and
structured fields, never a traceback. Private: the interface may change in any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippError
from ansible_collections.cipp.cipp.plugins.module_utils._options import (
    ConnectionSettings, connection_argument_spec)

TENANT_ARGUMENT_SPEC = {"tenant": {"type": "str", "aliases": ["tenant_filter"]}}


class CippModule:
    """Wraps AnsibleModule; ``run(fn)`` calls ``fn(self)`` and exits with its result dict."""

    def __init__(self, argument_spec: dict, with_tenant=True, **module_kwargs):
        """``with_tenant``: True adds an optional ``tenant`` option, ``"required"`` a required one."""
        spec = connection_argument_spec()
        if with_tenant:
            spec["tenant"] = dict(TENANT_ARGUMENT_SPEC["tenant"], required=with_tenant == "required")
        spec.update(argument_spec)
        module_kwargs.setdefault("supports_check_mode", True)
        self.module = AnsibleModule(argument_spec=spec, **module_kwargs)
        self.params = self.module.params
        self._client = None
        self._tenants = None

    @property
    def check_mode(self) -> bool:
        return self.module.check_mode

    @property
    def diff_mode(self) -> bool:
        return bool(self.module._diff)

    @property
    def client(self):
        """The CIPP client (built on first use, so option errors surface inside ``run``)."""
        if self._client is None:
            from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient

            settings = ConnectionSettings.from_module_params(self.params)
            self._client = CippClient(settings, warn=self.module.warn)
        return self._client

    @property
    def tenants(self):
        if self._tenants is None:
            from ansible_collections.cipp.cipp.plugins.module_utils._tenants import TenantResolver

            self._tenants = TenantResolver(self.client)
        return self._tenants

    def resolve_tenant(self, endpoint: str | None = None, option: str = "tenant") -> dict:
        """The row of the tenant named by ``option`` (required)."""
        return self.tenants.resolve(self.params.get(option), endpoint=endpoint, option=option)

    def run(self, action) -> None:
        """Run ``action(self) -> dict`` and exit; CippError becomes a clean failure."""
        try:
            result = action(self)
        except CippError as exc:
            self.module.fail_json(**exc.result_fields())
        else:
            self.module.exit_json(**result)
