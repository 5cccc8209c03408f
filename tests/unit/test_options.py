"""Connection options: validation, auth method choice, and the doc fragment staying in step."""
import pytest
import yaml

from ansible_collections.cipp.cipp.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._http import tls_trust
from ansible_collections.cipp.cipp.plugins.module_utils._options import CONNECTION_OPTIONS, ConnectionSettings

BASE = {"api_url": "https://cipp.example.net", "tenant_id": "t", "client_id": "c"}


def settings(**values):
    return ConnectionSettings(dict(BASE, **values))


def test_auth_method_is_chosen_from_credentials(tmp_path):
    assert settings(client_secret="s").auth_method == "client_secret"
    assert settings(access_token="a", client_secret="s").auth_method == "access_token"
    cert = tmp_path / "c.pem"
    cert.write_text("x")
    assert settings(certificate_path=str(cert), client_secret="s").auth_method == "certificate"
    assert settings(username="u", password="p").auth_method == "password"


@pytest.mark.parametrize("values,option", [
    ({"api_url": None, "client_secret": "s"}, "api_url"),
    ({"api_url": "cipp.example.net", "client_secret": "s"}, "api_url"),
    ({}, "client_secret"),
    ({"auth_method": "password", "username": "u"}, "password"),
    ({"client_secret": "s", "timeout": "abc"}, "timeout"),
    ({"client_secret": "s", "validate_certs": "maybe"}, "validate_certs"),
    ({"auth_method": "certificate", "certificate_path": "/nonexistent.pem"}, "certificate_path"),
])
def test_bad_options_name_the_option(values, option):
    with pytest.raises(CippConfigError) as info:
        settings(**values)
    assert info.value.details["option"] == option
    assert f"'{option}'" in info.value.msg


def test_default_scope_and_tls():
    s = settings(client_secret="s", validate_certs="false")
    assert s.effective_scope == "api://c/.default" and s.scope_was_defaulted
    assert tls_trust(s) == (False, None, None)
    assert settings(client_secret="s", scope="x/.default").scope_was_defaulted is False


@pytest.mark.parametrize("variant", ["DOCUMENTATION", "PLUGINS"])
def test_doc_fragment_matches_the_option_table(variant):
    documented = yaml.safe_load(getattr(ModuleDocFragment, variant))["options"]
    assert set(documented) == set(CONNECTION_OPTIONS)
    for name, (kind, envs, default, _secret) in CONNECTION_OPTIONS.items():
        doc = documented[name]
        assert doc["type"] == kind, name
        assert doc.get("default") == default, name
        text = " ".join(doc["description"])
        if variant == "PLUGINS":
            assert [e["name"] for e in doc["env"]] == list(envs), name
            assert doc["vars"] == [{"name": f"cipp_{name}"}]
        else:
            for env in envs:
                assert f"C({env})" in text, (name, env)
