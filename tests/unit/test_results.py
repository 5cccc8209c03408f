"""How CIPP's Results are read: failures inside HTTP 200 answers."""
import pytest

from ansible_collections.cipp.cipp.plugins.module_utils._results import result_failures, result_messages


@pytest.mark.parametrize("data", [
    {"Results": "Failed to edit user. Error: the user was not found"},
    {"Results": ["Success - added member", "Error - Failed to add owner x"]},
    {"Results": [{"resultText": "Could not create user", "state": "error"}]},
    {"Results": {"resultText": "tenantFilter is required", "state": "error"}},
    {"Results": "Graph request denied for 'nope.com': the tenant is not in CIPP's tenant list."},
    {"Results": "Task with name Nightly already exists"},
    {"error": "Invalid operator: eqq"},
    ["Error: Required license not available for this tenant"],
    [{"Results": "Failed to retrieve tenants: boom", "displayName": "Failed"}],
])
def test_failures_are_found(data):
    assert result_failures(data)


@pytest.mark.parametrize("data", [
    {"Results": "Successfully set account enabled state to False for a@b.com"},
    {"Results": ["Created New User.", {"resultText": "Username: a@b.com", "copyField": "a@b.com", "state": "success"}]},
    {"Results": [{"resultText": "Password: Failed-Looking-But-Is-A-Password", "state": "success"}]},
    [{"userPrincipalName": "failed.user@contoso.com"}],
    {"Results": [], "Metadata": {}},
    None,
    "plain text",
])
def test_successes_are_not_failures(data):
    assert result_failures(data) == []


def test_messages_are_flattened():
    data = {"Results": ["one", {"resultText": "two", "state": "success"}, ["three"]]}
    assert result_messages(data) == ["one", "two", "three"]
