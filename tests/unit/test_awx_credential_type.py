"""The AWX credential type (docs/awx/credential_type.yml): its injectors set exactly environment
variables the collection reads, an empty field means the collection's default, and secrets are
marked secret."""
from pathlib import Path

import jinja2
import pytest
import yaml

from ansible_collections.cipp.cipp.plugins.module_utils._options import CONNECTION_OPTIONS, ConnectionSettings
from ansible_collections.cipp.cipp.plugins.module_utils._powerplatform import DEFAULT_SCOPE, DEFAULT_URL, POWER_PLATFORM_OPTIONS

CREDENTIAL_TYPE = Path(__file__).resolve().parents[2] / "docs" / "awx" / "credential_type.yml"
READ_BY_COLLECTION = {env for _kind, envs, _default, _secret in CONNECTION_OPTIONS.values() for env in envs} | {
    env for _kind, env, _default in POWER_PLATFORM_OPTIONS.values()}
BASE = {"api_url": "https://cipp1234.azurewebsites.net", "tenant_id": "partner.onmicrosoft.com", "client_id": "c"}


@pytest.fixture(scope="module")
def spec():
    return yaml.safe_load(CREDENTIAL_TYPE.read_text())


def render(spec, **inputs):
    """What AWX injects: every env template rendered, unset fields undefined (AWX: empty)."""
    env = jinja2.Environment(undefined=jinja2.ChainableUndefined)
    tower = {"filename": {"certificate": "/runner/env/cert.pem"}}
    return {name: env.from_string(template).render(tower=tower, **inputs) for name, template in spec["injectors"]["env"].items()}


def test_every_injected_variable_is_read_by_the_collection(spec):
    assert set(spec["injectors"]["env"]) <= READ_BY_COLLECTION


def test_power_platform_fields_are_injected_with_defaults(spec):
    fields = {field["id"] for field in spec["inputs"]["fields"]}
    assert {"power_platform_url", "power_platform_scope"} <= fields
    env = render(spec, **BASE, client_secret="s")
    assert env["CIPP_POWER_PLATFORM_URL"] == DEFAULT_URL
    assert env["CIPP_POWER_PLATFORM_SCOPE"] == DEFAULT_SCOPE
    env = render(spec, **BASE, client_secret="s", power_platform_url="https://api.gov.powerplatform.microsoft.us",
                 power_platform_scope="https://api.gov.powerplatform.microsoft.us/.default")
    assert env["CIPP_POWER_PLATFORM_URL"] == "https://api.gov.powerplatform.microsoft.us"


def test_a_credential_with_a_secret_gives_valid_settings(spec):
    env = render(spec, **BASE, client_secret="s")
    options = {name: env.get(envs[0]) for name, (_kind, envs, _default, _secret) in CONNECTION_OPTIONS.items()}
    settings = ConnectionSettings(options)
    assert settings.auth_method == "client_secret"
    assert env["CIPP_CERTIFICATE_PATH"] == ""  # no certificate: empty, which the collection treats as unset


def test_a_certificate_is_injected_as_a_file(spec):
    env = render(spec, **BASE, certificate="-----BEGIN CERTIFICATE-----")
    assert env["CIPP_CERTIFICATE_PATH"] == "/runner/env/cert.pem"
    assert spec["injectors"]["file"]["template.certificate"] == "{{ certificate }}"


def test_secrets_are_secret_and_required_fields_are_the_connection(spec):
    fields = {field["id"]: field for field in spec["inputs"]["fields"]}
    for name in ("client_secret", "certificate", "certificate_password"):
        assert fields[name].get("secret") is True, name
    assert spec["inputs"]["required"] == ["api_url", "tenant_id", "client_id"]
