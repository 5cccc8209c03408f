# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resolving the ``tenant`` option (default domain, initial domain or tenant id) against
``ListTenants``, once per run: the list is cached beside the token cache. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import difflib

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError, CippTenantError

ALL_TENANTS = "AllTenants"
TENANT_CACHE_TTL = 900  # seconds; an unknown name always triggers one fresh read first
# Endpoints whose backend implements tenantFilter=AllTenants (CIPP API notes §3.3); every
# other endpoint would act on nothing, or on the partner tenant, when given AllTenants.
ALL_TENANTS_ENDPOINTS = frozenset((
    "ListGraphRequest", "ListConditionalAccessPolicies", "ListTransportRules", "ListLicenses",
    "ListMFAUsers", "ListGroups", "ListMailboxes", "ListIntunePolicy", "ListMailboxRules", "ListDBCache",
    "ListStandardsCompare", "ListTenantAlignment", "ListTenantDrift", "ExecStandardsRun", "ListAlertsQueue",
    "ListScheduledItems", "AddCAPolicy", "AddPolicy", "AddStandardsTemplate", "ExecBaselineRun",
))
TENANT_KEYS = ("defaultDomainName", "initialDomainName", "customerId")


def tenant_names(row: dict) -> list:
    """Every name a tenant row answers to (lower-cased)."""
    names = [str(row.get(key) or "").lower() for key in TENANT_KEYS]
    for domain in row.get("domains") or []:
        if isinstance(domain, str):
            names.append(domain.lower())
    return [name for name in names if name]


class TenantResolver:
    """Resolves tenant names for one ``CippClient``."""

    def __init__(self, client):
        self.client = client

    def list(self, refresh: bool = False) -> list:
        """All tenants CIPP manages for this API client (``ListTenants`` rows)."""
        if refresh:
            rows = self._read()
            self.client.metadata_put("tenants", rows)
            return rows
        return self.client.metadata_fetch("tenants", self._read, max_age=TENANT_CACHE_TTL)

    def _read(self) -> list:
        rows = self.client.call("ListTenants").data
        if isinstance(rows, dict):  # one tenant comes back as an object
            rows = [rows]
        return [row for row in rows or [] if isinstance(row, dict) and row.get("customerId")]

    def resolve(self, name: str, endpoint: str | None = None, option: str = "tenant") -> dict:
        """The tenant row for ``name``; ``AllTenants`` only for endpoints that support it."""
        wanted = str(name or "").strip()
        if not wanted:
            raise CippConfigError(f"option '{option}' is empty: give a tenant's default domain, "
                                  "initial (onmicrosoft.com) domain or tenant id", option=option)
        if wanted.lower() == ALL_TENANTS.lower():
            if endpoint not in ALL_TENANTS_ENDPOINTS:  # None: a module acting on one tenant
                raise CippConfigError(
                    f"option '{option}': {endpoint or 'this module'} does not support AllTenants in CIPP; loop over tenants "
                    "instead (e.g. the cipp.cipp.tenants inventory or cipp.cipp.tenant_info)", option=option)
            return {"customerId": ALL_TENANTS, "defaultDomainName": ALL_TENANTS, "displayName": "*All Tenants"}
        for refresh in (False, True):
            rows = self.list(refresh=refresh)
            for row in rows:
                if wanted.lower() in tenant_names(row):
                    return row
        raise CippTenantError(self._unknown_message(wanted, rows, option), option=option, tenant=wanted)

    @staticmethod
    def _unknown_message(wanted: str, rows: list, option: str) -> str:
        domains = sorted({row.get("defaultDomainName") for row in rows if row.get("defaultDomainName")})
        close = difflib.get_close_matches(wanted.lower(), [d.lower() for d in domains], n=3, cutoff=0.6)
        suggestion = f" Did you mean: {', '.join(close)}?" if close else ""
        shown = ", ".join(domains[:10]) + (" ..." if len(domains) > 10 else "")
        return (f"option '{option}': tenant '{wanted}' is not managed by this CIPP instance.{suggestion} "
                f"Known tenants: {shown or 'none'}")
