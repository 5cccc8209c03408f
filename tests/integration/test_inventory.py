"""The cipp.cipp.tenants inventory plugin, run as users run it: ``ansible-inventory`` and
``ansible-playbook`` subprocesses against the emulator, with the CIPP_* variables an AWX
credential injects, asserting on the emulator's request log."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import collection_path
from tests.integration.harness import REPO_ROOT, connection_env, connection_options, run_playbook
from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings
from ansible_collections.cipp.cipp.plugins.module_utils._tenants import TenantResolver

CONFIGS = Path(__file__).resolve().parent / "inventory"
BIN = Path(sys.executable).parent
ANSIBLE_INVENTORY = str(BIN / "ansible-inventory")
ANSIBLE_DOC = str(BIN / "ansible-doc")
PLUGIN = "cipp.cipp.tenants"
TOKEN_LIKE = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}")
HOST_VARS = {"cipp_customer_id", "cipp_default_domain", "cipp_initial_domain", "cipp_display_name",
             "cipp_delegated_privilege_status", "cipp_relationship_end", "cipp_relationship_count",
             "cipp_has_auto_extend", "cipp_excluded", "cipp_graph_error_count", "cipp_last_graph_error",
             "cipp_last_refresh", "cipp_tenant_row"}


@dataclass
class InventoryRun:
    rc: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def as_json(self) -> dict:
        return json.loads(self.stdout)


def inventory(emu, config: Path | str, *args: str, token_cache: Path | None = None, client: str = "editor",
              env: dict | None = None) -> InventoryRun:
    """``ansible-inventory -i <config> <args>`` with the connection in CIPP_* variables."""
    full_env = dict(os.environ)
    full_env.update(connection_env(emu, client=client, token_cache=token_cache))
    full_env.update({"ANSIBLE_COLLECTIONS_PATH": str(collection_path.ensure()), "ANSIBLE_NOCOLOR": "1",
                     "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "1"})
    full_env.update(env or {})
    done = subprocess.run([ANSIBLE_INVENTORY, "-i", str(config), *args], env=full_env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    return InventoryRun(done.returncode, done.stdout, done.stderr)


def hosts_of(listing: dict) -> set:
    return set(listing["_meta"]["hostvars"])


def members(listing: dict, group: str) -> set:
    return set(listing.get(group, {}).get("hosts", []))


def plain(value):
    """A host variable as a playbook sees it (ansible-inventory marks data from CIPP as unsafe)."""
    if isinstance(value, dict) and set(value) == {"__ansible_unsafe"}:
        return value["__ansible_unsafe"]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def emulator_tenants(emu) -> list:
    """The tenants CIPP lists, read through the collection's core (then the log is cleared)."""
    rows = TenantResolver(CippClient(ConnectionSettings(connection_options(emu)))).list()
    emu.control.clear_requests()
    return rows


def cipp_requests(emu, endpoint: str | None = None, since: int | None = None) -> list:
    return emu.control.requests(service="cipp", endpoint=endpoint, since=since)


def cached_config(tmp_path: Path, extra: str = "") -> Path:
    """tests/integration/inventory/cached.cipp.yml with a temporary cache directory."""
    config = tmp_path / "cached.cipp.yml"
    config.write_text((CONFIGS / "cached.cipp.yml").read_text()
                      + f"cache_connection: {tmp_path / 'inventory-cache'}\n" + extra)
    return config


def test_every_tenant_is_a_host_with_its_facts(emu, token_cache):
    tenants = emulator_tenants(emu)
    assert len(tenants) >= 20
    run = inventory(emu, CONFIGS / "all.cipp.yml", "--list", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert "WARNING" not in run.stderr, run.stderr
    listing = run.as_json()
    assert hosts_of(listing) == {row["defaultDomainName"] for row in tenants}
    assert members(listing, "cipp_tenants") == hosts_of(listing)
    assert "adatum.com" not in hosts_of(listing)  # excluded in CIPP: ListTenants leaves it out
    contoso = plain(listing["_meta"]["hostvars"]["contoso.com"])
    row = next(row for row in tenants if row["defaultDomainName"] == "contoso.com")
    assert HOST_VARS <= set(contoso)
    assert contoso["cipp_customer_id"] == row["customerId"] == "5a1b2c3d-0000-4000-8000-00000000c001"
    assert contoso["cipp_default_domain"] == "contoso.com"
    assert contoso["cipp_initial_domain"] == "contoso.onmicrosoft.com"
    assert contoso["cipp_display_name"] == "Contoso Ltd"
    assert contoso["cipp_delegated_privilege_status"] == "granularDelegatedAdminPrivileges"
    assert contoso["cipp_relationship_end"] == "2027-03-31T00:00:00Z"
    assert contoso["cipp_relationship_count"] == 2 and contoso["cipp_has_auto_extend"] is True
    assert contoso["cipp_excluded"] is False
    assert contoso["cipp_tenant_row"] == row
    assert contoso["ansible_connection"] == "local"
    assert contoso["ansible_python_interpreter"] == "{{ ansible_playbook_python }}"
    # One read: CIPP's version (once per run) and the tenant list, with one token.
    assert [r["endpoint"] for r in cipp_requests(emu)] == ["GetVersion", "ListTenants"]
    assert len(emu.control.token_requests()) == 1


def test_host_vars_never_shadow_connection_variables(emu, token_cache):
    """A host variable named like a connection option's ``vars:`` entry (cipp_tenant_id is the
    partner tenant) would redirect every lookup run for that host: none may collide."""
    doc = subprocess.run([ANSIBLE_DOC, "-t", "inventory", "--json", PLUGIN], capture_output=True, text=True, check=True,
                         env={**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(collection_path.ensure())})
    options = json.loads(doc.stdout)[PLUGIN]["doc"]["options"]
    option_vars = {entry["name"] for option in options.values() for entry in option.get("vars") or []}
    assert "cipp_tenant_id" in option_vars and "cipp_client_secret" in option_vars
    run = inventory(emu, CONFIGS / "all.cipp.yml", "--host", "contoso.com", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert not set(run.as_json()) & option_vars


def test_graph_shows_constructed_and_keyed_groups(emu, token_cache):
    tenants = emulator_tenants(emu)
    run = inventory(emu, CONFIGS / "constructed.cipp.yml", "--graph", token_cache=token_cache)
    assert run.rc == 0, run.output
    for group in ("@tenants:", "@dot_com:", "@relationship_ends_2026:", "@auto_extend:",
                  "@access_granularDelegatedAdminPrivileges:", "@access_directTenant:", "@tld_com:", "@tld_example:"):
        assert group in run.stdout, run.stdout
    listing = inventory(emu, CONFIGS / "constructed.cipp.yml", "--list", token_cache=token_cache).as_json()
    every = {row["defaultDomainName"] for row in tenants}
    assert members(listing, "tenants") == every
    assert members(listing, "dot_com") == {"contoso.com", "fabrikam.com", "northwind.com"}
    assert members(listing, "tld_com") == members(listing, "dot_com")
    assert members(listing, "tld_example") == {name for name in every if name.endswith(".example")}
    assert members(listing, "relationship_ends_2026") == {
        row["defaultDomainName"] for row in tenants if str(row.get("relationshipEnd")).startswith("2026")}
    assert "fabrikam.com" in members(listing, "relationship_ends_2026")
    assert members(listing, "auto_extend") == {row["defaultDomainName"] for row in tenants if row.get("hasAutoExtend")}
    direct = {row["defaultDomainName"] for row in tenants if row["delegatedPrivilegeStatus"] == "directTenant"}
    assert direct and members(listing, "access_directTenant") == direct
    assert members(listing, "access_granularDelegatedAdminPrivileges") == every - direct
    contoso = plain(listing["_meta"]["hostvars"]["contoso.com"])
    assert contoso["tenant_short_name"] == "contoso" and contoso["gdap"] is True


def test_include_and_exclude_patterns(emu, token_cache):
    run = inventory(emu, CONFIGS / "filtered.cipp.yml", "--list", token_cache=token_cache)
    assert run.rc == 0, run.output
    expected = {"contoso.com", "fabrikam.com"} | {f"tenant{n:02d}.example" for n in range(1, 15) if n != 3}
    assert hosts_of(run.as_json()) == expected
    assert "WARNING" not in run.stderr, run.stderr


def test_an_include_pattern_matching_nothing_is_reported(emu, token_cache, tmp_path):
    config = tmp_path / "typo.cipp.yml"
    config.write_text("plugin: cipp.cipp.tenants\ninclude: [contosso.com, fabrikam.com]\n")
    run = inventory(emu, config, "--list", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert hosts_of(run.as_json()) == {"fabrikam.com"}
    assert "include pattern 'contosso.com' matches no tenant" in run.stderr, run.stderr


def test_typos_in_the_source_or_the_environment_fail_naming_them(emu, token_cache, tmp_path):
    """Ansible would ignore an unknown key and read validate_certs: flase as false (TLS off)."""
    config = tmp_path / "typo.cipp.yml"
    config.write_text("plugin: cipp.cipp.tenants\ninculde: [contoso.com]\n")
    run = inventory(emu, config, "--list", token_cache=token_cache)
    assert "unknown option(s): inculde (did you mean include?)" in run.stderr, run.output
    config.write_text("plugin: cipp.cipp.tenants\n")
    before = emu.control.last_seq()
    run = inventory(emu, config, "--list", token_cache=token_cache, env={"CIPP_VALIDATE_CERTS": "flase"})
    assert "option 'validate_certs' (from environment variable CIPP_VALIDATE_CERTS): 'flase' is not a boolean" \
        in run.stderr, run.output
    assert emu.control.requests(service="cipp", since=before) == []


def test_excluded_and_selector_rows_and_untrusted_values(emu, token_cache, tmp_path):
    """CIPP rows marked Excluded are skipped unless skip_excluded=false; the AllTenants selector
    row is never a host; text from CIPP is never templated, in the inventory or in a play."""
    rows = [
        {"customerId": "5a1b2c3d-0000-4000-8000-0000000000a1", "defaultDomainName": "kept.example",
         "initialDomainName": "kept.onmicrosoft.com", "displayName": "{{ 6 * 7 }} Kept",
         "delegatedPrivilegeStatus": "granularDelegatedAdminPrivileges", "Excluded": False},
        {"customerId": "5a1b2c3d-0000-4000-8000-0000000000a2", "defaultDomainName": "gone.example",
         "initialDomainName": "gone.onmicrosoft.com", "displayName": "Gone", "Excluded": True},
        {"customerId": "AllTenants", "defaultDomainName": "AllTenants", "displayName": "*All Tenants"},
    ]

    def answer_once():
        emu.control.add_fault(service="cipp", endpoint="ListTenants", kind="status", status=200, body=rows, count=1)

    answer_once()
    run = inventory(emu, CONFIGS / "all.cipp.yml", "--list", token_cache="off")
    assert run.rc == 0, run.output
    listing = run.as_json()
    assert hosts_of(listing) == {"kept.example"}
    assert listing["_meta"]["hostvars"]["kept.example"]["cipp_display_name"] == {"__ansible_unsafe": "{{ 6 * 7 }} Kept"}

    config = tmp_path / "keep-excluded.cipp.yml"
    config.write_text("plugin: cipp.cipp.tenants\nskip_excluded: false\n")
    answer_once()
    listing = inventory(emu, config, "--list", token_cache="off").as_json()
    assert hosts_of(listing) == {"kept.example", "gone.example"}
    assert plain(listing["_meta"]["hostvars"]["gone.example"])["cipp_excluded"] is True

    playbook = tmp_path / "show.yml"
    playbook.write_text("""---
- name: Show a tenant's display name
  hosts: kept.example
  gather_facts: false
  tasks:
    - name: The name stays text
      ansible.builtin.assert:
        that:
          - cipp_display_name == '{' ~ '{ 6 * 7 }' ~ '} Kept'
          - ansible_python_interpreter == ansible_playbook_python
""")
    answer_once()
    play = run_playbook(emu, str(playbook), "-i", str(CONFIGS / "all.cipp.yml"), token_cache=token_cache,
                        env={"ANSIBLE_PYTHON_INTERPRETER": "/nonexistent/python"})
    assert play.rc == 0 and play.stats["kept.example"]["ok"] == 1, play.output


def test_second_call_within_cache_lifetime_makes_no_request(emu, tmp_path):
    # No token cache, so neither tokens nor the run's tenant list can be what saves the requests.
    config = cached_config(tmp_path)
    first = inventory(emu, config, "--list")
    assert first.rc == 0, first.output
    assert [r["endpoint"] for r in cipp_requests(emu)] == ["GetVersion", "ListTenants"]
    assert len(emu.control.token_requests()) == 1
    cache_files = list((tmp_path / "inventory-cache").iterdir())
    assert len(cache_files) == 1
    cache_text = cache_files[0].read_text()
    assert "contoso.com" in cache_text
    assert emu.info["clients"]["editor"]["client_secret"] not in cache_text and not TOKEN_LIKE.search(cache_text)

    mark = emu.control.last_seq()
    second = inventory(emu, config, "--list")
    assert second.rc == 0, second.output
    assert second.as_json() == first.as_json()
    assert emu.control.requests(since=mark) == []  # nothing to CIPP, nothing to Entra ID
    assert len(emu.control.token_requests()) == 1

    # Filters and constructed groups apply to cached data: editing them needs no new read.
    narrowed = cached_config(tmp_path, "include: [contoso.com]\ngroups:\n  uk: \"'uk' in cipp_display_name | lower\"\n")
    third = inventory(emu, narrowed, "--graph")
    assert third.rc == 0 and "contoso.com" in third.stdout and "fabrikam.com" not in third.stdout, third.output
    assert emu.control.requests(since=mark) == []

    flushed = inventory(emu, config, "--list", "--flush-cache")
    assert flushed.rc == 0, flushed.output
    assert len(cipp_requests(emu, "ListTenants", since=mark)) == 1


def test_cache_expires_and_is_per_credential(emu, tmp_path):
    config = cached_config(tmp_path).read_text().replace("cache_timeout: 600", "cache_timeout: 5")
    (tmp_path / "short.cipp.yml").write_text(config)
    short = tmp_path / "short.cipp.yml"
    assert inventory(emu, short, "--graph").rc == 0
    assert inventory(emu, short, "--graph").rc == 0
    assert len(cipp_requests(emu, "ListTenants")) == 1
    time.sleep(5.5)
    assert inventory(emu, short, "--graph").rc == 0
    assert len(cipp_requests(emu, "ListTenants")) == 2  # expired: read again
    # Another API client (another CIPP role, maybe another CIPP) never gets this one's list.
    other = inventory(emu, short, "--graph", client="admin")
    assert other.rc == 0, other.output
    admin_id = emu.info["clients"]["admin"]["client_id"]
    assert [r["client_id"] for r in cipp_requests(emu, "ListTenants")][-1] == admin_id


def test_without_cache_every_call_reads_afresh(emu, token_cache):
    for attempt in (1, 2):
        assert inventory(emu, CONFIGS / "all.cipp.yml", "--graph", token_cache=token_cache).rc == 0, attempt
    assert len(cipp_requests(emu, "ListTenants")) == 2
    assert len(emu.control.token_requests()) == 1  # the token cache still saves the sign-in


def test_bad_credential_is_a_clean_error_naming_the_fix(emu, token_cache):
    wrong = "Wr0ng8Q~not.the.secret.of.this.app.at.all"
    for verbosity in ([], ["-vvvv"]):
        run = inventory(emu, CONFIGS / "all.cipp.yml", "--list", *verbosity, token_cache=token_cache,
                        env={"CIPP_CLIENT_SECRET": wrong})
        assert run.rc == 0  # Ansible's default: report the source, go on without its hosts
        if not verbosity:
            assert hosts_of(run.as_json()) == set()
        assert "the client secret is wrong" in run.stderr and "CIPP_CLIENT_SECRET" in run.stderr, run.stderr
        assert "AADSTS7000215" in run.stderr
        assert "Traceback" not in run.output
        assert wrong not in run.output and emu.info["clients"]["editor"]["client_secret"] not in run.output
        assert not TOKEN_LIKE.search(run.output)
    assert cipp_requests(emu, "ListTenants") == []
    strict = inventory(emu, CONFIGS / "all.cipp.yml", "--list", token_cache=token_cache,
                       env={"CIPP_CLIENT_SECRET": wrong, "ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "true"})
    assert strict.rc != 0 and "the client secret is wrong" in strict.stderr and "Traceback" not in strict.output


def test_missing_connection_option_names_the_variable(emu):
    run = inventory(emu, CONFIGS / "all.cipp.yml", "--list",
                    env={"CIPP_API_URL": "", "ANSIBLE_INVENTORY_ENABLED": PLUGIN})
    assert hosts_of(run.as_json()) == set()
    assert "option 'api_url' is required" in run.stderr and "CIPP_API_URL" in run.stderr, run.stderr
    assert "CIPP_* environment variables" in run.stderr and "Traceback" not in run.output
    assert emu.control.requests() == []


def test_only_cipp_config_file_names_are_read(emu, tmp_path):
    config = tmp_path / "tenants.yml"
    config.write_text("plugin: cipp.cipp.tenants\n")
    run = inventory(emu, config, "--list")
    assert hosts_of(run.as_json()) == set()
    assert "could not be verified by inventory plugin 'cipp.cipp.tenants'" in run.stderr, run.stderr
    assert emu.control.requests() == []


def test_awx_inventory_source_with_the_credential_types_injected_env(emu, tmp_path):
    """AWX injects every field of the credential type, unset ones as empty strings, and runs
    ``ansible-inventory --list`` with its standard inventory update settings; the plugin needs
    nothing else."""
    creds = emu.info["clients"]["editor"]
    env = {"CIPP_API_URL": emu.info["api_url"], "CIPP_TENANT_ID": emu.info["tenant_id"],
           "CIPP_CLIENT_ID": creds["client_id"], "CIPP_CLIENT_SECRET": creds["client_secret"],
           "CIPP_CERTIFICATE_PATH": "", "CIPP_CERTIFICATE_PASSWORD": "", "CIPP_SCOPE": "",
           "CIPP_AUTHORITY": emu.info["authority"], "CIPP_CA_PATH": emu.info["ca_file"],
           "CIPP_TOKEN_CACHE": str(tmp_path / "tokens.json"),
           # awx/main/constants.py STANDARD_INVENTORY_UPDATE_ENV
           "ANSIBLE_INVENTORY_UNPARSED_FAILED": "True", "ANSIBLE_INVENTORY_EXPORT": "True",
           "ANSIBLE_VERBOSE_TO_STDERR": "True"}
    run = inventory(emu, CONFIGS / "constructed.cipp.yml", "--list", env=env)
    assert run.rc == 0 and "WARNING" not in run.stderr, run.output
    listing = run.as_json()
    assert len(hosts_of(listing)) >= 20 and "contoso.com" in members(listing, "dot_com")
    failed_sync = inventory(emu, CONFIGS / "constructed.cipp.yml", "--list",
                            env={**env, "CIPP_CLIENT_SECRET": "Wr0ng8Q~not.the.secret"})
    assert failed_sync.rc != 0 and "the client secret is wrong" in failed_sync.stderr, failed_sync.output


def test_fan_out_over_the_inventory(emu, token_cache, tmp_path):
    """Every tenant host runs module and lookup tasks from the controller, five at a time, with
    one token and the inventory's tenant read reused by every tenant name the tasks resolve."""
    tenants = {row["defaultDomainName"] for row in emulator_tenants(emu)}
    playbook = tmp_path / "fanout.yml"
    playbook.write_text("""---
- name: One host per tenant, tasks against CIPP from the controller
  hosts: all
  gather_facts: false
  tasks:
    - name: Read the tenant
      cipp.cipp.tenant_info:
        tenant: "{{ inventory_hostname }}"
      register: tenant

    - name: Count its users through the lookup
      ansible.builtin.set_fact:
        user_count: "{{ lookup('cipp.cipp.api', 'ListUsers', tenant=inventory_hostname, query='length(@)') }}"

    - name: Check both
      ansible.builtin.assert:
        that:
          - tenant.tenants | length == 1
          - tenant.tenants[0].customerId == cipp_customer_id
          - user_count | int > 0
        quiet: true
""")
    run = run_playbook(emu, str(playbook), "-i", str(CONFIGS / "all.cipp.yml"), "--forks", "5",
                       token_cache=token_cache, env={"ANSIBLE_PYTHON_INTERPRETER": "/nonexistent/python"})
    assert run.rc == 0, run.output
    assert set(run.stats) == tenants
    assert all(stats["ok"] == 3 and stats["failed"] == 0 for stats in run.stats.values()), run.stats
    assert len(emu.control.token_requests()) == 1
    assert len(cipp_requests(emu, "ListTenants")) == 1  # the inventory's; every task reused it
    assert len(cipp_requests(emu, "ListUsers")) == len(tenants)


@pytest.mark.parametrize("config", sorted(CONFIGS.glob("*.cipp.yml")), ids=lambda p: p.name)
def test_every_test_config_parses(emu, token_cache, tmp_path, config):
    source = config
    if config.name == "cached.cipp.yml":
        source = cached_config(tmp_path)
    run = inventory(emu, source, "--graph", token_cache=token_cache, env={"ANSIBLE_INVENTORY_ENABLED": PLUGIN})
    assert run.rc == 0 and "contoso.com" in run.stdout, run.output


def test_connection_group_and_interpreter_options(emu, token_cache, tmp_path):
    config = tmp_path / "bare.cipp.yml"
    config.write_text("plugin: cipp.cipp.tenants\ninclude: [contoso.com]\ngroup: ''\nansible_connection: ''\n")
    listing = inventory(emu, config, "--list", token_cache=token_cache).as_json()
    assert hosts_of(listing) == {"contoso.com"} and "cipp_tenants" not in listing
    assert not {"ansible_connection", "ansible_python_interpreter"} & set(listing["_meta"]["hostvars"]["contoso.com"])
    config.write_text("plugin: cipp.cipp.tenants\ninclude: [contoso.com]\ngroup: m365\nuse_playbook_python: false\n")
    listing = inventory(emu, config, "--list", token_cache=token_cache).as_json()
    assert members(listing, "m365") == {"contoso.com"}
    contoso = listing["_meta"]["hostvars"]["contoso.com"]
    assert contoso["ansible_connection"] == "local" and "ansible_python_interpreter" not in contoso
