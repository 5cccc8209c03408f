# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Honest action modules on one user (reset password, revoke sessions): look the user up
(so a typo fails before anything is sent), skip the action in check mode, always report
``changed`` when it ran, and keep a generated secret out of the output. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._masking import MASK
from ansible_collections.cipp.cipp.plugins.module_utils._module import CippModule
from ansible_collections.cipp.cipp.plugins.module_utils._users import check_upn, find_user


def _copy_field(data):
    results = data.get("Results") if isinstance(data, dict) else None
    for entry in results if isinstance(results, list) else [results]:
        if isinstance(entry, dict) and entry.get("copyField"):
            return entry["copyField"]
    return None


def run_user_action(argument_spec: dict, build_request, returns_password: bool = False) -> None:
    """``build_request(user, params) -> (endpoint, body)``; runs the whole module."""
    cipp = CippModule(argument_spec, with_tenant="required")

    def action(module: CippModule) -> dict:
        tenant = module.resolve_tenant()["defaultDomainName"]
        upn = check_upn(module.params["user_principal_name"], "user_principal_name")
        user = find_user(module.client, tenant, upn=upn)
        if user is None:
            raise CippConfigError(f"option 'user_principal_name': no user {upn} in tenant {tenant}",
                                  option="user_principal_name")
        endpoint, body = build_request(user, module.params)
        if module.check_mode:
            return {"changed": True}
        response = module.client.call(endpoint, body=dict(body, tenantFilter=tenant))
        result = {"changed": True, "messages": response.messages}
        secret = _copy_field(response.data) if returns_password else None
        if secret:
            module.module.no_log_values.add(secret)
            result["password"] = secret
            result["messages"] = [m.replace(secret, MASK) for m in result["messages"]]
        return result

    cipp.run(action)
