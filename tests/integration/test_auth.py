"""The token helper against the emulated Entra ID: every credential kind, every AADSTS hint,
and the shared token cache (real msal, real HTTPS)."""
from __future__ import annotations

import json
import multiprocessing
import os
import stat
import uuid

import pytest

from tests.integration.harness import connection_options
from ansible_collections.cipp.cipp.plugins.module_utils._auth import TokenProvider
from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippAuthError
from ansible_collections.cipp.cipp.plugins.module_utils._http import build_session
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings


def provider_for(emu, client="editor", token_cache=None, **extra):
    warnings = []
    settings = ConnectionSettings(connection_options(emu, client, token_cache, **extra))
    return TokenProvider(settings, build_session(settings), warn=warnings.append), warnings


def client_for(emu, client="editor", token_cache=None, **extra):
    warnings = []
    settings = ConnectionSettings(connection_options(emu, client, token_cache, **extra))
    return CippClient(settings, warn=warnings.append), warnings


def token_posts(emu) -> int:
    return len(emu.control.token_requests())


def test_client_secret_token_reaches_cipp(emu):
    client, _warnings = client_for(emu)
    tenants = client.call("ListTenants").data
    assert any(row["defaultDomainName"] == "contoso.com" for row in tenants)
    assert token_posts(emu) == 1


def test_pem_certificate_with_separate_key(emu):
    creds = emu.info["clients"]["cert"]
    client, _warnings = client_for(emu, "cert", client_secret=None, certificate_path=creds["cert_pem"],
                                   certificate_key_path=creds["key_pem"])
    assert client.settings.auth_method == "certificate"
    assert client.call("ListTenants").status == 200


def test_pfx_certificate_with_password(emu):
    creds = emu.info["clients"]["cert"]
    client, _warnings = client_for(emu, "cert", client_secret=None, certificate_path=creds["pfx_path"],
                                   certificate_password=creds["pfx_password"])
    assert client.call("ListTenants").status == 200


def test_federated_token_file(emu):
    creds = emu.info["clients"]["federated"]
    client, _warnings = client_for(emu, "federated", client_secret=None, federated_token_file=creds["assertion_file"])
    assert client.settings.auth_method == "federated"
    assert client.call("ListTenants").status == 200


def test_username_password_warns_about_mfa(emu):
    creds = emu.info["clients"]["public"]
    client, warnings = client_for(emu, "public", client_secret=None, username=creds["username"],
                                  password=creds["password"])
    assert client.call("ListTenants").status == 200
    assert any("cannot pass MFA" in w for w in warnings)


def _expect_aadsts(provider, code: int, hint_fragment: str):
    with pytest.raises(CippAuthError) as info:
        provider.get_token()
    assert info.value.details.get("aadsts_code") == code, info.value.msg
    assert hint_fragment in info.value.msg
    return info.value


@pytest.mark.parametrize("scenario,code,fragment", [
    ("wrong_secret", 7000215, "not its Secret ID"),
    ("expired_secret", 7000222, "has expired"),
    ("unknown_app", 700016, "there is no application"),
    ("no_identifier_uri", 500011, "Application ID URI api://"),
    ("scope_without_default", 1002012, "lacks the /.default suffix"),
    ("two_resources_in_scope", 70011, "one resource's scope"),
    ("unknown_tenant", 90002, "does not exist"),
    ("wrong_password", 50126, "username or password is wrong"),
    ("mfa_required", 50076, "multi-factor"),
    ("conditional_access", 53003, "Conditional Access blocked"),
    ("public_flows_disabled", 7000218, "Allow public client flows"),
    ("unregistered_certificate", 700027, "not registered"),
])
def test_aadsts_errors_come_with_a_fix(emu, scenario, code, fragment):
    clients = emu.info["clients"]
    public = clients["public"]
    options = {
        "wrong_secret": ("editor", {"client_secret": "not-the-secret"}),
        "expired_secret": ("expired", {}),
        "unknown_app": ("editor", {"client_id": str(uuid.uuid4())}),
        "no_identifier_uri": ("nouri", {}),
        "scope_without_default": ("editor", {"scope": f"api://{clients['editor']['client_id']}"}),
        "two_resources_in_scope": ("editor", {"scope": f"api://{clients['editor']['client_id']}/.default "
                                                       "https://graph.microsoft.com/.default"}),
        "unknown_tenant": ("editor", {"tenant_id": "no-such-tenant.onmicrosoft.com"}),
        "wrong_password": ("public", {"client_secret": None, "username": public["username"], "password": "wrong"}),
        "mfa_required": ("public", {"client_secret": None, "username": clients["public_mfa"]["username"],
                                    "password": clients["public_mfa"]["password"]}),
        "conditional_access": ("public", {"client_secret": None, "username": clients["public_blocked"]["username"],
                                          "password": clients["public_blocked"]["password"]}),
        "public_flows_disabled": ("public_disabled", {"client_secret": None, "username": public["username"],
                                                      "password": public["password"]}),
        "unregistered_certificate": ("cert", {"client_secret": None,
                                              "certificate_path": clients["cert_unregistered"]["cert_pem"],
                                              "certificate_key_path": clients["cert_unregistered"]["key_pem"]}),
    }[scenario]
    provider, _warnings = provider_for(emu, options[0], **options[1])
    error = _expect_aadsts(provider, code, fragment)
    secret = clients[options[0]].get("client_secret")
    assert not secret or secret not in error.msg


def test_cache_is_shared_and_keyed_by_credential(emu, token_cache):
    first, _warnings = provider_for(emu, token_cache=token_cache)
    token = first.get_token()
    second, _warnings = provider_for(emu, token_cache=token_cache)
    assert second.get_token() == token
    assert token_posts(emu) == 1
    mode = stat.S_IMODE(os.stat(token_cache).st_mode)
    assert mode == 0o600
    content = token_cache.read_text()
    assert emu.info["clients"]["editor"]["client_secret"] not in content
    new_secret = emu.control.rotate_secret("editor")
    rotated, _warnings = provider_for(emu, token_cache=token_cache, client_secret=new_secret)
    assert rotated.get_token() != token
    assert token_posts(emu) == 2


def _fetch_in_process(args):
    options, path = args
    settings = ConnectionSettings(dict(options, token_cache=path))
    return TokenProvider(settings, build_session(settings)).get_token()


def test_concurrent_processes_make_one_token_request(emu, token_cache):
    options = connection_options(emu)
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        tokens = pool.map(_fetch_in_process, [(options, str(token_cache))] * 16)
    assert len(set(tokens)) == 1
    assert token_posts(emu) == 1


@pytest.mark.parametrize("damage", ["garbage", "half", "empty", "list"])
def test_corrupt_cache_file_is_survived(emu, token_cache, damage):
    token_cache.parent.mkdir(parents=True, exist_ok=True)
    token_cache.write_text({"garbage": "\x00not json", "half": '{"abc": {"access_tok', "empty": "",
                            "list": "[1, 2]"}[damage])
    provider, _warnings = provider_for(emu, token_cache=token_cache)
    assert provider.get_token()
    assert isinstance(json.loads(token_cache.read_text()), dict)


def test_unusable_cache_directory_warns_and_continues(emu, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")  # a file where the cache directory should be: fails even for root
    provider, warnings = provider_for(emu, token_cache=blocker / "sub" / "tokens.json")
    assert provider.get_token()
    assert any("continuing without it" in w for w in warnings)
