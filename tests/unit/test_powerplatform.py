"""Power Platform pure logic: the option fragment in step with the code, environment
normalisation of both API shapes, path checks and the API's error shape."""
import pytest
import yaml

from ansible_collections.cipp.cipp.plugins.doc_fragments.power_platform import ModuleDocFragment
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError
from ansible_collections.cipp.cipp.plugins.module_utils._powerplatform import (
    POWER_PLATFORM_OPTIONS, PowerPlatformClient, _api_error, normalise_environment, token_claims)

FLAT = {"id": "e1", "displayName": "Ops", "type": "Production", "geo": "europe", "azureRegion": "westeurope",
        "state": "Ready", "url": "https://ops.crm4.dynamics.com/", "domainName": "ops", "dataverseId": "d1",
        "tenantId": "t1", "createdDateTime": "2021-01-01T00:00:00Z", "environmentGroupId": "g1"}
BAP = {"id": "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/e1", "name": "e1",
       "type": "Microsoft.BusinessAppPlatform/scopes/environments", "location": "europe",
       "properties": {"displayName": "Ops", "environmentSku": "Production", "azureRegion": "westeurope",
                      "tenantId": "t1", "createdTime": "2021-01-01T00:00:00Z", "isDefault": False,
                      "states": {"management": {"id": "Ready"}}, "parentEnvironmentGroup": {"id": "g1"},
                      "linkedEnvironmentMetadata": {"instanceUrl": "https://ops.crm4.dynamics.com/",
                                                    "domainName": "ops", "resourceId": "d1"}}}


@pytest.mark.parametrize("fragment", ["DOCUMENTATION", "PLUGINS"])
def test_fragment_documents_every_option_with_its_default(fragment):
    options = yaml.safe_load(getattr(ModuleDocFragment, fragment))["options"]
    assert set(options) == set(POWER_PLATFORM_OPTIONS)
    for name, (kind, env, default) in POWER_PLATFORM_OPTIONS.items():
        assert options[name]["type"] == kind and options[name]["default"] == default
        if fragment == "PLUGINS":
            assert options[name]["env"] == [{"name": env}]
        else:
            assert env in " ".join(options[name]["description"])


@pytest.mark.parametrize("raw", [FLAT, BAP], ids=["power-platform-api", "bap"])
def test_both_shapes_normalise_alike(raw):
    env = normalise_environment(raw)
    assert {k: env[k] for k in ("id", "display_name", "type", "state", "region", "azure_region", "url",
                                "domain_name", "dataverse_id", "tenant_id", "environment_group_id", "is_default",
                                "created")} == {
        "id": "e1", "display_name": "Ops", "type": "Production", "state": "Ready", "region": "europe",
        "azure_region": "westeurope", "url": "https://ops.crm4.dynamics.com/", "domain_name": "ops",
        "dataverse_id": "d1", "tenant_id": "t1", "environment_group_id": "g1", "is_default": False,
        "created": "2021-01-01T00:00:00Z"}
    assert env["raw"] is raw


def test_default_type_means_default_environment():
    assert normalise_environment({"id": "Default-t1", "type": "Default"})["is_default"] is True


@pytest.mark.parametrize("path,expected", [
    ("/environmentmanagement/environments", "/environmentmanagement/environments"),
    ("environmentmanagement/environments", "/environmentmanagement/environments"),
    ("  /x/y ", "/x/y"),
])
def test_paths_get_one_leading_slash(path, expected):
    assert PowerPlatformClient.canonical_path(path) == expected


@pytest.mark.parametrize("path", ["", "https://api.powerplatform.com/x", "/x?api-version=1"])
def test_bad_paths_name_the_option(path):
    with pytest.raises(CippConfigError) as info:
        PowerPlatformClient.canonical_path(path)
    assert info.value.details["option"] == "path"


@pytest.mark.parametrize("data,text,expected", [
    ({"error": {"code": "Forbidden", "message": "no"}}, "", ("Forbidden", "no")),
    ({"error": "plain"}, "", ("", "plain")),
    ({"statusCode": 404, "message": "Resource not found"}, "", ("404", "Resource not found")),
    (None, "  gateway said no  ", ("", "gateway said no")),
])
def test_api_error_shapes(data, text, expected):
    assert _api_error(data, text) == expected


def test_token_claims_never_raise():
    assert token_claims("not-a-jwt") == {}
    assert token_claims(None) == {}
    assert token_claims("a.eyJhdWQiOiAieCJ9.c") == {"aud": "x"}
