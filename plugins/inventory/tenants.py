# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: tenants
short_description: Every tenant CIPP manages as an inventory host
version_added: 1.0.0
description:
  - Reads the customer tenants CIPP manages for the API client (C(ListTenants)) and adds one host per tenant,
    named by the tenant's default domain (its initial domain or tenant ID when CIPP has no default domain).
  - Tenants are API objects, reached from the controller, never over SSH, so every host gets C(ansible_connection=local)
    (see O(ansible_connection)) and runs modules with the controller's Python (see O(use_playbook_python)).
  - Each host carries the tenant's facts as C(cipp_*) host variables (C(cipp_customer_id), C(cipp_default_domain),
    C(cipp_display_name), ...; the list is in the notes) for O(compose), O(groups), O(keyed_groups) and playbooks.
  - Uses the same authentication, token cache, retries and error handling as the modules. The connection options come
    from the configuration file, the C(CIPP_*) environment variables (what the AWX credential type in the collection's
    C(docs/awx/credential_type.yml) injects) or the C([cipp]) section of C(ansible.cfg).
  - The configuration file must be named C(cipp.yml), C(*.cipp.yml) or C(*.cipp.yaml).
  - A fresh read also refreshes the run's cached tenant list beside the token cache, so modules that resolve
    C(tenant) in the same run make no extra C(ListTenants) request.
author:
  - cipp.cipp contributors (@cipp-cipp)
options:
  plugin:
    description: The name of this plugin; the configuration file is not for this plugin otherwise.
    required: true
    type: str
    choices: [cipp.cipp.tenants]
  include:
    description:
      - Shell-style patterns (C(*.com), C(contoso*), C(Small Customer ??)); when set, only tenants whose default domain,
        initial domain, display name or tenant ID matches one of them become hosts (case-insensitive).
      - An include pattern that matches no tenant is reported as a warning (a typo would otherwise give an empty inventory).
    type: list
    elements: str
    default: []
  exclude:
    description:
      - Shell-style patterns of tenants to leave out, matched like O(include). Exclusion wins over inclusion.
    type: list
    elements: str
    default: []
  skip_excluded:
    description:
      - Leave out tenants CIPP marks as excluded (C(Excluded) in CIPP's tenant list, set under Tenant administration >
        Excluded tenants). CIPP does not manage them, so every task against them would fail.
      - Set to V(false) to keep any that CIPP lists (C(cipp_excluded) tells them apart).
    type: bool
    default: true
  group:
    description:
      - A group every tenant host is added to, so plays can target the tenants of this source with C(hosts) set to it
        even when other inventory sources are in use. Empty for none.
    type: str
    default: cipp_tenants
  ansible_connection:
    description:
      - The C(ansible_connection) every tenant host gets. Tasks against a tenant call CIPP's API from the controller,
        so V(local) is what playbooks need. Empty to set none (e.g. to set it in C(group_vars)).
    type: str
    default: local
  use_playbook_python:
    description:
      - With a V(local) O(ansible_connection), set C(ansible_python_interpreter) to C({{ ansible_playbook_python }}),
        as Ansible does for the implicit C(localhost), so modules run with the Python that has C(requests) and C(msal)
        and no interpreter discovery runs per tenant.
      - Set to V(false) to let C(interpreter_python) (C(ansible.cfg)) or your own variables decide.
    type: bool
    default: true
  strict:
    description:
      - Fail on an error in O(compose), O(groups) or O(keyed_groups) (an undefined variable, a bad expression) instead of
        skipping that entry for the host.
      - The same option makes the API client strict, as the modules' O(strict) does; the one read this plugin makes is
        not affected by it.
    type: bool
    default: false
extends_documentation_fragment:
  - cipp.cipp.connection.plugins
  - constructed
  - inventory_cache
notes:
  - 'Host variables of every tenant (from its C(ListTenants) row; V(null) when CIPP omits the field): C(cipp_customer_id)
    (tenant ID), C(cipp_default_domain), C(cipp_initial_domain), C(cipp_display_name), C(cipp_delegated_privilege_status)
    (C(granularDelegatedAdminPrivileges) or C(directTenant)), C(cipp_relationship_end), C(cipp_relationship_count),
    C(cipp_has_auto_extend), C(cipp_excluded), C(cipp_graph_error_count), C(cipp_last_graph_error),
    C(cipp_last_refresh), and C(cipp_tenant_row), the whole row as CIPP returned it.'
  - The tenant ID is C(cipp_customer_id), not C(cipp_tenant_id), because C(cipp_tenant_id) is the variable that sets the
    B(partner) tenant of the connection options for lookups; a host variable of that name would sign lookups in to the
    customer's tenant.
  - Values from CIPP are never templated (a display name with C({{) in it stays text).
  - 'With O(cache) on, the tenant list is stored in the cache plugin and reused until O(cache_timeout); a cached inventory
    makes no request to CIPP or Entra ID. O(include), O(exclude), O(compose), O(groups) and O(keyed_groups) apply to
    cached data too, so editing them needs no refresh. C(--flush-cache) or C(meta: refresh_inventory) reads afresh.'
  - The cache key includes the API URL, partner tenant and client ID, so two CIPP instances or credentials never share
    a cached list.
  - 'When the tenant list cannot be read (bad credentials, CIPP down), Ansible reports the error and, by default, goes on
    without these hosts. Set C(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true) (AWX inventory updates fail on their own) to
    stop instead.'
seealso:
  - module: cipp.cipp.tenant_info
  - plugin: cipp.cipp.api
    plugin_type: lookup
'''

EXAMPLES = r'''
# inventory/tenants.cipp.yml: every tenant but test tenants, grouped, with the connection from CIPP_* variables
# (export them, or attach the cipp.cipp AWX credential to the inventory source).
plugin: cipp.cipp.tenants
exclude:
  - "*.example"
  - "*test*"
groups:
  # GDAP tenants whose relationship ends before 2027: renew them
  gdap_expiring: cipp_delegated_privilege_status == 'granularDelegatedAdminPrivileges' and cipp_relationship_end < '2027'
  direct: cipp_delegated_privilege_status == 'directTenant'
keyed_groups:
  # gdap_granularDelegatedAdminPrivileges, gdap_directTenant
  - key: cipp_delegated_privilege_status
    prefix: gdap
  # tld_com, tld_uk, ...
  - key: cipp_default_domain.split('.')[-1]
    prefix: tld
compose:
  tenant_short_name: cipp_default_domain.split('.')[0]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/cipp.cipp/inventory
cache_timeout: 900

# inventory/contoso.cipp.yml: a few tenants only, connection options in the file (the secret from the environment)
# plugin: cipp.cipp.tenants
# api_url: https://cipp1234.azurewebsites.net
# tenant_id: 5a1b2c3d-0000-4000-8000-00000000a001
# client_id: 11111111-1111-4111-8111-111111111111
# include: [contoso.com, "fabrikam*"]

# Then, in a playbook, one host per tenant, in parallel with forks:
# - hosts: cipp_tenants
#   gather_facts: false
#   tasks:
#     - cipp.cipp.tenant_info:
#         tenant: "{{ inventory_hostname }}"
'''

import fnmatch
import hashlib

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError, CippError
from ansible_collections.cipp.cipp.plugins.plugin_utils._plugin import ansible_error, build_client, check_options

try:  # ansible-core 2.19+: strings are untrusted unless marked, so only our own template is marked
    from ansible.template import trust_as_template

    def untrusted(value):
        return value
except ImportError:  # older cores template every string unless it is wrapped as unsafe
    from ansible.utils.unsafe_proxy import wrap_var as untrusted

    def trust_as_template(value):
        return value

CONFIG_SUFFIXES = (".cipp.yml", ".cipp.yaml")
CONFIG_NAMES = ("cipp.yml", "cipp.yaml")
CONFIG_HINT = ("For this inventory source, set connection options in its configuration file or as CIPP_* environment "
               "variables (which the cipp.cipp AWX credential type injects)")
PLAYBOOK_PYTHON = "{{ ansible_playbook_python }}"
ALL_TENANTS = "alltenants"  # CIPP's selector row, never a host
MATCHED_FIELDS = ("defaultDomainName", "initialDomainName", "displayName", "customerId")
HOST_NAME_FIELDS = ("defaultDomainName", "initialDomainName", "customerId")
# host variable: ListTenants field. Never cipp_tenant_id: that variable is the partner tenant of the
# connection options (see the cipp.cipp.connection.plugins fragment).
HOST_VARS = {
    "cipp_customer_id": "customerId",
    "cipp_default_domain": "defaultDomainName",
    "cipp_initial_domain": "initialDomainName",
    "cipp_display_name": "displayName",
    "cipp_delegated_privilege_status": "delegatedPrivilegeStatus",
    "cipp_relationship_end": "relationshipEnd",
    "cipp_relationship_count": "relationshipCount",
    "cipp_has_auto_extend": "hasAutoExtend",
    "cipp_excluded": "Excluded",
    "cipp_graph_error_count": "GraphErrorCount",
    "cipp_last_graph_error": "LastGraphError",
    "cipp_last_refresh": "LastRefresh",
}
ROW_VAR = "cipp_tenant_row"


def tenant_matches(row, patterns):
    """Whether any of the row's names matches any shell-style pattern (case-insensitive)."""
    names = [str(row.get(key) or "").lower() for key in MATCHED_FIELDS]
    return any(fnmatch.fnmatchcase(name, str(pattern).lower()) for pattern in patterns for name in names if name)


def host_name(row):
    """The inventory name of a tenant: its default domain, else initial domain, else tenant ID."""
    for key in HOST_NAME_FIELDS:
        if row.get(key):
            return str(row[key])
    return None


def is_excluded(row):
    """CIPP's ``Excluded`` flag, which the Tenants table may hold as a bool or a string."""
    value = row.get("Excluded")
    return value is True or str(value).strip().lower() == "true"


def host_vars(row):
    """The ``cipp_*`` host variables of one tenant row."""
    values = {name: row.get(field) for name, field in HOST_VARS.items()}
    values["cipp_excluded"] = is_excluded(row)
    values[ROW_VAR] = dict(row)
    return values


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """One host per tenant from CIPP's ``ListTenants``."""

    NAME = "cipp.cipp.tenants"

    def verify_file(self, path):
        """Only ``cipp.yml``, ``*.cipp.yml`` and ``*.cipp.yaml`` files are this plugin's configuration."""
        if not super().verify_file(path):
            return False
        name = str(path).replace("\\", "/").rsplit("/", 1)[-1].lower()
        if name in CONFIG_NAMES or name.endswith(CONFIG_SUFFIXES):
            return True
        self.display.vvv(f"cipp.cipp.tenants: skipping {path}: the file name must be cipp.yml or end in .cipp.yml/.cipp.yaml")
        return False

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        config = self._read_config_data(path)
        check_options(self, config, self._vars, where=f"inventory source {path}")
        try:
            rows = self._tenant_rows(path, cache)
        except CippConfigError as exc:
            raise AnsibleParserError(f"{ansible_error(exc)}. {CONFIG_HINT}") from None
        except CippError as exc:
            raise AnsibleParserError(str(ansible_error(exc))) from None
        self._populate(rows)

    # ------------------------------------------------------------------ reading
    def _tenant_rows(self, path, cache):
        """ListTenants rows, from the inventory cache when allowed and fresh, else from CIPP."""
        use_cache = self.get_option("cache")
        key = self._settings_cache_key(path)
        if use_cache and cache:
            try:
                rows = self._cache[key]
            except KeyError:
                pass  # expired or never written: read from CIPP below
            else:
                if isinstance(rows, list):
                    self.display.vvv(f"cipp.cipp.tenants: {len(rows)} tenants from the inventory cache")
                    return rows
        rows = self._read_tenants()
        if use_cache:
            self._cache[key] = rows
        return rows

    def _read_tenants(self):
        # Imported here: a cache hit needs neither requests nor msal.
        from ansible_collections.cipp.cipp.plugins.module_utils._tenants import TenantResolver

        client = build_client(self)
        # refresh=True: an inventory read is always fresh, and it renews the run's cached tenant
        # list beside the token cache, which the modules then use to resolve tenant names.
        rows = TenantResolver(client).list(refresh=True)
        self.display.vvv(f"cipp.cipp.tenants: {len(rows)} tenants from CIPP (HTTP requests to CIPP: {client.request_count})")
        return rows

    def _settings_cache_key(self, path):
        """The cache key of the config file, specific to one CIPP instance and credential."""
        identity = "|".join(str(self.get_option(name) or "").strip().lower().rstrip("/")
                            for name in ("api_url", "tenant_id", "client_id"))
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]
        return f"{self.get_cache_key(path)}_{digest}"

    # ------------------------------------------------------------------ populating
    def _wanted(self, rows):
        include = self.get_option("include") or []
        exclude = self.get_option("exclude") or []
        kept = []
        for row in rows:
            if str(row.get("customerId") or "").lower() == ALL_TENANTS or not host_name(row):
                continue
            if self.get_option("skip_excluded") and is_excluded(row):
                continue
            if include and not tenant_matches(row, include):
                continue
            if exclude and tenant_matches(row, exclude):
                continue
            kept.append(row)
        for pattern in include:
            if not any(tenant_matches(row, [pattern]) for row in rows):
                self.display.warning(f"cipp.cipp.tenants: include pattern {pattern!r} matches no tenant CIPP manages")
        return kept

    def _populate(self, rows):
        group = self.get_option("group")
        if group:
            group = self.inventory.add_group(group)
        connection = self.get_option("ansible_connection")
        strict = self.get_option("strict")
        for row in self._wanted(rows):
            name = self.inventory.add_host(host_name(row), group=group or None)
            for var, value in host_vars(row).items():
                self.inventory.set_variable(name, var, untrusted(value))
            if connection:
                self.inventory.set_variable(name, "ansible_connection", connection)
                if connection == "local" and self.get_option("use_playbook_python"):
                    self.inventory.set_variable(name, "ansible_python_interpreter", trust_as_template(PLAYBOOK_PYTHON))
            variables = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(self.get_option("compose"), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name, strict=strict)
