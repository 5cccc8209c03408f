"""The Power Platform client, modules and lookup against the emulator: user (ROPC),
secret and certificate sign-in through the one token helper; each documented failure with
its fix; audiences (a CIPP token refused by Power Platform and the reverse) and a token
cache that never mixes them; every page of the environment list; the CIPP client's retry
policy; check mode sending no write (real msal, real HTTPS, ansible-playbook)."""
from __future__ import annotations

import json
import os
import stat

import pytest

from tests.integration.harness import connection_options, run_playbook
from ansible_collections.cipp.cipp.plugins.module_utils._auth import TokenProvider
from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippApiError, CippAuthError, CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._http import build_session
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings
from ansible_collections.cipp.cipp.plugins.module_utils._powerplatform import (
    DEFAULT_SCOPE, ENVIRONMENTS_PATH, PowerPlatformClient, normalise_environment, token_claims)

GROUPS_PATH = "/environmentmanagement/environmentGroups"
CUSTOMER = "5a1b2c3d-0000-4000-8000-00000000c001"


def pp_client(emu, client="powerplatform", token_cache=None, **extra):
    """A PowerPlatformClient for an emulator client, the way the modules build one."""
    warnings = []
    options = connection_options(emu, client, token_cache, **extra)
    options.pop("api_url")  # not needed for Power Platform
    options.setdefault("power_platform_url", emu.info["powerplatform_url"])
    return PowerPlatformClient.from_getter(options.get, warn=warnings.append), warnings


def user_options(emu, client):
    creds = emu.info["clients"][client]
    return {"client_secret": None, "username": creds["username"], "password": creds["password"]}


def pp_requests(emu, endpoint=None):
    return emu.control.requests(service="powerplatform", endpoint=endpoint)


def token_posts(emu):
    return emu.control.token_requests()


# -- sign-in: service principal (secret, certificate) and user (ROPC) -------------------------

def test_secret_service_principal_reads_every_page(emu):
    client, warnings = pp_client(emu)
    items, pages = client.list_all(ENVIRONMENTS_PATH)
    assert (len(items), pages) == (25, 3)
    assert len({item["id"] for item in items}) == 25
    sent = pp_requests(emu, "environments")
    assert [(r["method"], r["status"], r["page"]) for r in sent] == [("GET", 200, 1), ("GET", 200, 2), ("GET", 200, 3)]
    assert all(r["query"]["api-version"] == "2024-10-01" for r in sent)
    posts = token_posts(emu)
    assert len(posts) == 1 and posts[0]["grant_type"] == "client_credentials"
    assert client.request_count == 3 and not warnings


@pytest.mark.parametrize("form", ["pem", "pfx"])
def test_certificate_service_principal(emu, form):
    creds = emu.info["clients"]["cert"]
    files = {"pem": {"certificate_path": creds["cert_pem"], "certificate_key_path": creds["key_pem"]},
             "pfx": {"certificate_path": creds["pfx_path"], "certificate_password": creds["pfx_password"]}}[form]
    client, _warnings = pp_client(emu, "cert", client_secret=None, **files)
    assert client.settings.auth_method == "certificate"
    items, _pages = client.list_all(ENVIRONMENTS_PATH)
    assert len(items) == 25
    assert token_posts(emu)[0]["credential"] == "certificate"


def test_user_sign_in_through_a_public_client(emu):
    client, warnings = pp_client(emu, "powerplatform_user", **user_options(emu, "powerplatform_user"))
    assert client.settings.auth_method == "password"
    items, _pages = client.list_all(ENVIRONMENTS_PATH)
    assert len(items) == 25
    assert {r["caller"] for r in pp_requests(emu)} == {"user"}
    assert token_posts(emu)[0]["grant_type"] == "password"
    assert any("cannot pass MFA" in w for w in warnings)


def test_customer_tenant_through_the_multi_tenant_app(emu):
    client, _warnings = pp_client(emu, tenant_id=CUSTOMER)
    items, pages = client.list_all(ENVIRONMENTS_PATH)
    assert pages == 1 and [i["displayName"] for i in items] == ["Contoso (default)", "Contoso Production",
                                                                "Contoso Sandbox"]


# -- the documented failures, each with what to do ------------------------------------------

def test_unregistered_service_principal_says_how_to_register_it(emu):
    client, _warnings = pp_client(emu, "editor")
    with pytest.raises(CippApiError) as info:
        client.list_all(ENVIRONMENTS_PATH)
    error = info.value
    app_id = emu.info["clients"]["editor"]["client_id"]
    assert error.details["status"] == 403 and error.details["error_code"] == "Forbidden"
    assert "not registered as a Power Platform management application" in error.msg
    assert f"pac admin application register --application-id {app_id}" in error.msg
    assert f"New-PowerAppManagementApp -ApplicationId {app_id}" in error.msg
    assert "does not have permission to access the path" in error.details["api_message"]
    assert error.details["request_id"]
    assert len(pp_requests(emu)) == 1  # a 403 is not retried


@pytest.mark.parametrize("scenario,code,fragments", [
    ("public_client_disabled", 7000218, ["Allow public client flows", "service principal"]),
    ("mfa_required", 50076, ["multi-factor", "registered as a Power Platform management application"]),
    ("no_admin_consent", 65001, ["Power Platform API > user_impersonation", "Grant admin consent"]),
])
def test_sign_in_failures_say_what_to_do_for_power_platform(emu, scenario, code, fragments):
    client_name, options = {
        "public_client_disabled": ("public_disabled", user_options(emu, "public")),
        "mfa_required": ("powerplatform_user", user_options(emu, "powerplatform_user_mfa")),
        "no_admin_consent": ("public", user_options(emu, "public")),  # CIPP's SSO app: no Power Platform consent
    }[scenario]
    client, _warnings = pp_client(emu, client_name, **options)
    with pytest.raises(CippAuthError) as info:
        client.list_all(ENVIRONMENTS_PATH)
    error = info.value
    assert error.details["aadsts_code"] == code
    assert error.details["scope"] == DEFAULT_SCOPE
    for fragment in fragments:
        assert fragment in error.msg, (fragment, error.msg)
    assert options["password"] not in error.msg
    assert pp_requests(emu) == []  # nothing reached the Power Platform API


def test_missing_api_version_is_explained(emu):
    client, _warnings = pp_client(emu)
    with pytest.raises(CippApiError) as info:
        client.call(ENVIRONMENTS_PATH, api_version="")
    assert info.value.details["status"] == 400
    assert info.value.details["error_code"] == "MissingApiVersionParameter"
    assert "Set api_version" in info.value.msg
    with pytest.raises(CippApiError) as unknown:
        client.call(ENVIRONMENTS_PATH, api_version="2019-01-01")
    assert unknown.value.details["error_code"] == "InvalidApiVersionParameter"


def test_bad_paths_fail_before_sending(emu):
    client, _warnings = pp_client(emu)
    for path in ("https://api.powerplatform.com/environmentmanagement/environments",
                 "/environmentmanagement/environments?api-version=2024-10-01", ""):
        with pytest.raises(CippConfigError):
            client.call(path)
    with pytest.raises(CippConfigError):
        pp_client(emu, power_platform_url="http://insecure.example")
    assert pp_requests(emu) == []


# -- audiences and the token cache --------------------------------------------------------

def test_a_cipp_token_is_refused_by_power_platform(emu):
    settings = ConnectionSettings(connection_options(emu, "editor"))
    cipp_token = TokenProvider(settings, build_session(settings)).get_token()
    client, _warnings = pp_client(emu, "editor", client_secret=None, access_token=cipp_token)
    with pytest.raises(CippApiError) as info:
        client.list_all(ENVIRONMENTS_PATH)
    error = info.value
    assert error.details["status"] == 401 and error.details["error_code"] == "InvalidAuthenticationAudience"
    assert f"issued for audience 'api://{emu.info['clients']['editor']['client_id']}'" in error.msg
    assert "'https://api.powerplatform.com'" in error.msg  # the API's list of the audiences it accepts
    assert "access_token holds a token for another API" in error.msg
    assert cipp_token not in error.msg
    assert [r["status"] for r in pp_requests(emu)] == [401]  # a ready token cannot be renewed: no retry
    assert "audience" in pp_requests(emu)[-1]["note"]


def test_a_wrong_scope_is_explained(emu):
    scope = emu.info["clients"]["editor"]["scope"]
    client, _warnings = pp_client(emu, "editor", power_platform_scope=scope)
    with pytest.raises(CippApiError) as info:
        client.list_all(ENVIRONMENTS_PATH)
    assert info.value.details["status"] == 401
    assert f"issued for audience 'api://{emu.info['clients']['editor']['client_id']}'" in info.value.msg
    assert f"power_platform_scope is '{scope}'" in info.value.msg and DEFAULT_SCOPE in info.value.msg
    # A fresh token for the same scope would have the same audience: no second request.
    assert [r["status"] for r in pp_requests(emu)] == [401]


def test_a_token_rejected_mid_run_is_replaced_once(emu, token_cache):
    client, _warnings = pp_client(emu, token_cache=token_cache)
    emu.control.set_token_lifetime(3599, expired=True)  # Entra says 3599 s, but the token is dead
    dead = client.tokens.get_token(client.scope)
    emu.control.set_token_lifetime(3599, expired=False)
    assert client.call(ENVIRONMENTS_PATH).status == 200
    assert [(r["status"], r["note"]) for r in pp_requests(emu)] == [(401, "token expired"), (200, "page 1 (10 of 25)")]
    assert len(token_posts(emu)) == 2 and client.tokens.get_token(client.scope) != dead


def test_a_power_platform_token_is_refused_by_cipp(emu):
    client, _warnings = pp_client(emu)
    pp_token = client.tokens.get_token(client.scope)
    assert token_claims(pp_token)["aud"] == "https://api.powerplatform.com"
    settings = ConnectionSettings(connection_options(emu, "editor", client_secret=None, access_token=pp_token))
    with pytest.raises(CippApiError) as info:
        CippClient(settings).call("ListTenants")
    assert info.value.details["status"] == 401
    assert "audience 'https://api.powerplatform.com' not in allowedAudiences" in \
        emu.control.requests(service="cipp")[-1]["note"]


def test_one_credential_two_scopes_two_cache_entries(emu, token_cache):
    """The cert app is a CIPP API client and a Power Platform management app: one credential,
    two audiences, two cache entries, each reused by the next process, never swapped."""
    creds = emu.info["clients"]["cert"]
    cert = {"client_secret": None, "certificate_path": creds["cert_pem"], "certificate_key_path": creds["key_pem"]}
    cipp = CippClient(ConnectionSettings(connection_options(emu, "cert", token_cache, **cert)))
    power, _warnings = pp_client(emu, "cert", token_cache, **cert)
    assert cipp.call("ListTenants").status == 200
    assert len(power.list_all(ENVIRONMENTS_PATH)[0]) == 25
    posts = token_posts(emu)
    assert sorted(p["scope"] for p in posts) == sorted([f"api://{creds['client_id']}/.default", DEFAULT_SCOPE])
    cache = json.loads(token_cache.read_text())
    assert len(cache) == 2
    audiences = sorted(token_claims(entry["access_token"])["aud"] for entry in cache.values())
    assert audiences == sorted([f"api://{creds['client_id']}", "https://api.powerplatform.com"])
    assert stat.S_IMODE(os.stat(token_cache).st_mode) == 0o600
    # A new run (fresh clients, same cache file): both tokens come from the cache, each to its API.
    cipp_again = CippClient(ConnectionSettings(connection_options(emu, "cert", token_cache, **cert)))
    power_again, _warnings = pp_client(emu, "cert", token_cache, **cert)
    assert cipp_again.call("ListTenants").status == 200
    assert len(power_again.list_all(ENVIRONMENTS_PATH)[0]) == 25
    assert len(token_posts(emu)) == 2
    assert {r["status"] for r in pp_requests(emu)} == {200}
    assert 401 not in {r["status"] for r in emu.control.requests(service="cipp")}
    assert len(json.loads(token_cache.read_text())) == 2


# -- the retry policy (shared with the CIPP client) ---------------------------------------

@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_reads_are_retried(emu, status):
    emu.control.add_fault(service="powerplatform", endpoint="environments", kind="status", status=status,
                          retry_after=0, count=2)
    client, warnings = pp_client(emu)
    assert len(client.list_all(ENVIRONMENTS_PATH)[0]) == 25
    assert [r["status"] for r in pp_requests(emu, "environments")][:3] == [status, status, 200]
    assert sum("retrying" in w and str(status) in w for w in warnings) == 2


def test_write_is_not_repeated_after_503(emu):
    emu.control.add_fault(service="powerplatform", endpoint="environmentGroups", method="POST", kind="status",
                          status=503, count=1)
    client, _warnings = pp_client(emu)
    with pytest.raises(CippApiError) as info:
        client.call(GROUPS_PATH, "POST", body={"displayName": "Once"})
    assert "was not repeated" in info.value.msg
    assert len(pp_requests(emu, "environmentGroups")) == 1


def test_write_is_not_repeated_after_a_drop_even_if_applied(emu):
    emu.control.add_fault(service="powerplatform", endpoint="environmentGroups", method="POST", kind="status",
                          status=502, count=1, after_handler=True)
    client, _warnings = pp_client(emu)
    with pytest.raises(CippApiError):
        client.call(GROUPS_PATH, "POST", body={"displayName": "Applied"})
    sent = pp_requests(emu, "environmentGroups")
    assert len(sent) == 1 and sent[0]["state_changed"] is True


def test_write_is_retried_on_429(emu):
    emu.control.add_fault(service="powerplatform", endpoint="environmentGroups", method="POST", kind="status",
                          status=429, retry_after=0, count=1)
    client, _warnings = pp_client(emu)
    assert client.call(GROUPS_PATH, "POST", body={"displayName": "Throttled"}).status == 201
    assert [r["status"] for r in pp_requests(emu, "environmentGroups")] == [429, 201]


def test_connection_refused_is_retried_then_explained(emu):
    client, warnings = pp_client(emu, power_platform_url="https://127.0.0.1:9", retries=1)
    with pytest.raises(CippApiError) as info:
        client.call(ENVIRONMENTS_PATH)
    assert "connection refused" in info.value.msg and "power_platform_url" in info.value.msg
    assert len(warnings) == 1


def test_next_links_to_another_host_are_not_followed(emu):
    client, _warnings = pp_client(emu)
    with pytest.raises(CippApiError) as info:
        client._same_host("https://evil.example/environmentmanagement/environments?$skiptoken=x", ENVIRONMENTS_PATH)
    assert "refusing to send the token there" in info.value.msg


def test_environment_shapes_are_normalised(emu):
    client, _warnings = pp_client(emu)
    flat = {e["id"]: normalise_environment(e) for e in client.list_all(ENVIRONMENTS_PATH)[0]}
    bap_items, _pages = client.list_all("/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments",
                                        api_version="2020-10-01")
    bap = {e["name"]: normalise_environment(e) for e in bap_items}
    assert set(flat) == set(bap)
    keys = ("id", "display_name", "type", "region", "azure_region", "url", "domain_name", "dataverse_id", "is_default",
            "environment_group_id")
    for env_id, env in flat.items():
        assert {k: env[k] for k in keys} == {k: bap[env_id][k] for k in keys}, env_id
    assert flat["0e1f2a3b-0015-4000-8000-00000000e015"]["state"] == "Disabled"
    assert bap["0e1f2a3b-0015-4000-8000-00000000e015"]["state"] == "Disabled"


# -- modules and lookup through ansible-playbook ------------------------------------------

def _pp_env(emu):
    return {"CIPP_POWER_PLATFORM_URL": emu.info["powerplatform_url"]}


def test_playbook_modules_and_lookup(emu, token_cache):
    run = run_playbook(emu, "power_platform.yml", client="powerplatform", token_cache=token_cache, env=_pp_env(emu))
    assert run.rc == 0, run.output
    assert run.failed == 0 and run.changed == 2  # the check-mode plan, then the one real create
    writes = [r for r in pp_requests(emu) if r["state_changed"]]
    assert [(r["method"], r["endpoint"], r["body"]["displayName"]) for r in writes] == \
        [("POST", "environmentGroups", "Managed by Ansible")]
    # Three module runs of the environment list (3 pages each), the generic one (3), the lookup (1).
    assert len(pp_requests(emu, "environments")) == 12
    assert len(token_posts(emu)) == 1  # one token for every task, from the shared cache


def test_playbook_in_check_mode_sends_no_write(emu, token_cache):
    run = run_playbook(emu, "power_platform.yml", "--check", client="powerplatform", token_cache=token_cache,
                       env=_pp_env(emu))
    assert run.rc == 0, run.output
    assert run.changed == 3  # the create planned three times: nothing was written, so each guard finds no group
    assert [r for r in pp_requests(emu) if r["state_changed"]] == []
    assert {r["method"] for r in pp_requests(emu)} == {"GET"}
    assert len(pp_requests(emu, "environmentGroups")) == 3  # the guard reads still ran


def test_module_failure_is_clean_and_actionable(emu, token_cache, tmp_path):
    playbook = tmp_path / "unregistered.yml"
    playbook.write_text(
        "- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n"
        "    - cipp.cipp.power_platform_environment_info:\n")
    run = run_playbook(emu, str(playbook), client="editor", token_cache=token_cache, env=_pp_env(emu))
    assert run.rc != 0
    assert "not registered as a Power Platform management application" in run.output
    assert "Traceback" not in run.output
    assert emu.info["clients"]["editor"]["client_secret"] not in run.output
