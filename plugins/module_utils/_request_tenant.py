# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a request carries its tenant: most endpoints read ``tenantFilter`` (query or
body), a few their own field (``AddSharedMailbox`` reads ``tenantID``, ``AddContact``
``tenantid``). The manifest says which. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._manifest import find_endpoint
from ansible_collections.cipp.cipp.plugins.module_utils._shapes import label_value

TENANT_FIELD_NAMES = ("tenantfilter", "tenantid")


def _body_properties(spec: dict) -> dict:
    body = spec.get("body")
    if isinstance(body, dict) and isinstance(body.get("properties"), dict):
        return body["properties"]
    return {}


def _spelling(names, wanted: str):
    for name in names:
        if name.lower() == wanted:
            return name
    return None


def tenant_field(endpoint: str, method: str) -> tuple:
    """(``"query"`` or ``"body"``, field name as CIPP spells it) for ``endpoint``."""
    found = find_endpoint(endpoint)
    if not found:
        return ("query", "tenantFilter")
    spec = found[1]
    query_names = list((spec.get("query") or {}).keys())
    body_names = list(_body_properties(spec).keys())
    in_query = _spelling(query_names, "tenantfilter")
    in_body = _spelling(body_names, "tenantfilter")
    if in_body and (method != "GET" or not in_query):
        return ("body", in_body)
    if in_query:
        return ("query", in_query)
    own = _spelling(body_names, "tenantid")
    if own:
        return ("body", own)
    own = _spelling(query_names, "tenantid")
    if own:
        return ("query", own)
    raise CippConfigError(f"option 'tenant': {endpoint} reads no tenant field; remove tenant, or pass the "
                          "field the endpoint expects in params/body", option="tenant", endpoint=endpoint)


def _node_type(node) -> str:
    return node.get("type", "") if isinstance(node, dict) else str(node or "")


def tenant_value(endpoint: str, name: str, tenant_domain: str):
    """The tenant in the shape the body field reads: a string, a ``{value, label}`` object
    (a bare string is dropped there), or a list of them (``AddCAPolicy`` deploys to each)."""
    found = find_endpoint(endpoint)
    node = _body_properties(found[1]).get(name) if found else None
    labelled = label_value(tenant_domain)
    if _node_type(node) == "labelvalue":
        return labelled
    if _node_type(node) == "array" and _node_type(node.get("items")) == "labelvalue":
        return [labelled]
    return tenant_domain


def apply_tenant(endpoint: str, method: str, params: dict, body, tenant_domain: str) -> tuple:
    """Return ``(params, body)`` with the tenant put where (and how) ``endpoint`` reads it."""
    location, name = tenant_field(endpoint, method)
    if location == "query":
        return dict(params, **{name: tenant_domain}), body
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise CippConfigError(f"option 'tenant': {endpoint} takes a JSON array body; put {name} in each "
                              "element of body instead", option="tenant")
    return params, dict(body, **{name: tenant_value(endpoint, name, tenant_domain)})


def given_tenants(params: dict, body) -> list:
    """(option path, value) for every tenant field already present in params/body."""
    found = []
    for where, container in (("params", params or {}), ("body", body if isinstance(body, dict) else {})):
        for key, value in container.items():
            if isinstance(value, dict):  # a {value, label} object
                value = value.get("value")
            if key.lower() in TENANT_FIELD_NAMES and isinstance(value, str) and value:
                found.append((f"{where}.{key}", value))
    return found


def validate_given_tenant(resolver, endpoint: str, params: dict, body) -> None:
    """Fail before sending when params/body name a tenant CIPP does not manage."""
    for option, value in given_tenants(params, body):
        resolver.resolve(value, endpoint=endpoint, option=option)
