"""The CIPP client against the emulator: URLs, errors, retries, HTTP-200 failures,
queued AllTenants answers, and the audience fallback (real msal, real HTTPS)."""
from __future__ import annotations

import time

import pytest

from tests.integration.harness import connection_options
from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient
from ansible_collections.cipp.cipp.plugins.module_utils._errors import (
    CippApiError, CippConfigError, CippResultError, CippTenantError)
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings
from ansible_collections.cipp.cipp.plugins.module_utils._tenants import TenantResolver

CONTOSO_USER = "adele.vance@contoso.com"


def make_client(emu, client="editor", token_cache=None, **extra):
    warnings = []
    settings = ConnectionSettings(connection_options(emu, client, token_cache, **extra))
    return CippClient(settings, warn=warnings.append), warnings


def cipp_requests(emu, endpoint):
    return [r for r in emu.control.requests(service="cipp") if r.get("endpoint") == endpoint]


@pytest.mark.parametrize("suffix", ["", "/", "/api", "/api/"])
def test_base_url_with_or_without_api(emu, suffix):
    client, _warnings = make_client(emu, api_url=emu.info["cipp_url"] + suffix)
    assert client.call("GetVersion").data["LocalCIPPAPIVersion"]


def test_html_from_a_web_page_url_is_explained(emu):
    client, _warnings = make_client(emu, api_url=emu.info["cipp_url"] + "/portal")
    with pytest.raises(CippApiError) as info:
        client.call("ListTenants")
    assert "serves the CIPP web page, not its API" in info.value.msg


def test_role_denial_names_the_role(emu):
    client, _warnings = make_client(emu, "readonly")
    with pytest.raises(CippApiError) as info:
        client.call("ExecDisableUser", body={"tenantFilter": "contoso.com", "ID": CONTOSO_USER, "Enable": "false"})
    assert info.value.details["status"] == 403
    assert "Identity.User.ReadWrite" in info.value.msg
    assert "readonly" in info.value.msg  # CIPP's own text is kept


def test_unknown_endpoint_mentions_version(emu):
    client, warnings = make_client(emu)
    with pytest.raises(CippApiError) as info:
        client.call("ListUserz")
    assert info.value.details["status"] == 404
    assert "is not in this CIPP (API version" in info.value.msg
    assert any("ListUserz" in w for w in warnings)  # the manifest flagged it before sending


def test_endpoint_case_is_corrected(emu):
    client, _warnings = make_client(emu)
    assert client.canonical_endpoint("listusers") == "ListUsers"
    with pytest.raises(CippConfigError):
        client.canonical_endpoint("/api/ListUsers?tenantFilter=x")


def test_429_retry_after_is_honoured(emu):
    emu.control.add_fault(endpoint="ListUsers", kind="status", status=429, retry_after=1, count=1)
    client, warnings = make_client(emu)
    started = time.monotonic()
    data = client.call("ListUsers", params={"tenantFilter": "contoso.com"}).data
    assert time.monotonic() - started >= 1.0
    assert data and len(cipp_requests(emu, "ListUsers")) == 2
    assert any("429" in w and "retrying" in w for w in warnings)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_reads_are_retried_on_gateway_errors(emu, status):
    emu.control.add_fault(endpoint="ListUsers", kind="status", status=status, count=2)
    client, _warnings = make_client(emu)
    assert client.call("ListUsers", params={"tenantFilter": "contoso.com"}).data
    assert len(cipp_requests(emu, "ListUsers")) == 3


def test_write_is_not_repeated_after_503(emu):
    emu.control.add_fault(endpoint="ExecDisableUser", kind="status", status=503, count=1)
    client, _warnings = make_client(emu)
    with pytest.raises(CippApiError) as info:
        client.call("ExecDisableUser", body={"tenantFilter": "contoso.com", "ID": CONTOSO_USER, "Enable": "false"})
    assert "was not repeated" in info.value.msg
    assert len(cipp_requests(emu, "ExecDisableUser")) == 1


def test_write_is_not_repeated_after_dropped_connection_even_if_applied(emu):
    emu.control.add_fault(endpoint="ExecDisableUser", kind="status", status=502, count=1, after_handler=True)
    client, _warnings = make_client(emu)
    with pytest.raises(CippApiError):
        client.call("ExecDisableUser", body={"tenantFilter": "contoso.com", "ID": CONTOSO_USER, "Enable": "false"})
    sent = cipp_requests(emu, "ExecDisableUser")
    assert len(sent) == 1 and sent[0]["state_changed"] is True


def test_write_is_retried_on_429(emu):
    emu.control.add_fault(endpoint="ExecDisableUser", kind="status", status=429, retry_after=0, count=1)
    client, _warnings = make_client(emu)
    client.call("ExecDisableUser", body={"tenantFilter": "contoso.com", "ID": CONTOSO_USER, "Enable": "false"})
    sent = cipp_requests(emu, "ExecDisableUser")
    assert [r["status"] for r in sent] == [429, 200]


def test_connection_refused_is_retried_then_explained(emu):
    client, warnings = make_client(emu, api_url="https://127.0.0.1:9", retries=1)
    with pytest.raises(CippApiError) as info:
        client.call("ListTenants")
    assert "connection refused" in info.value.msg and len(warnings) >= 1


def test_failure_inside_http_200_fails_with_cipps_text(emu):
    client, _warnings = make_client(emu)
    with pytest.raises(CippResultError) as info:
        # Without username and primDomain the backend rebuilds the UPN as "@" and fails inside a 200.
        client.call("EditUser", body={"tenantFilter": "contoso.com", "id": CONTOSO_USER, "jobTitle": "CFO"})
    assert info.value.details["status"] == 200
    assert "Failed to edit user" in info.value.msg


def test_unknown_tenant_is_rejected_with_close_matches(emu):
    client, _warnings = make_client(emu)
    resolver = TenantResolver(client)
    with pytest.raises(CippTenantError) as info:
        resolver.resolve("contoso.co")
    assert "contoso.com" in info.value.msg and "not managed by this CIPP instance" in info.value.msg
    row = resolver.resolve("CONTOSO.onmicrosoft.com")
    assert row["defaultDomainName"] == "contoso.com"
    assert resolver.resolve(row["customerId"])["defaultDomainName"] == "contoso.com"


def test_all_tenants_only_where_supported(emu):
    client, _warnings = make_client(emu)
    with pytest.raises(CippConfigError):
        TenantResolver(client).resolve("AllTenants", endpoint="ExecDisableUser")
    assert TenantResolver(client).resolve("AllTenants", endpoint="ListGraphRequest")["customerId"] == "AllTenants"


def test_queued_all_tenants_answer_is_polled(emu):
    client, _warnings = make_client(emu)
    response = client.call("ListGraphRequest", params={"tenantFilter": "AllTenants", "Endpoint": "domains"})
    rows = response.data["Results"]
    assert rows and {"Tenant"} <= set(rows[0])
    assert len(cipp_requests(emu, "ListGraphRequest")) >= 2


def test_bare_audience_fallback_is_warned_and_remembered(emu, token_cache):
    client, warnings = make_client(emu, "bare_audience", token_cache=token_cache)
    assert client.call("ListTenants").status == 200
    assert any("retrying with" in w and "/.default" in w for w in warnings)
    again, warnings_again = make_client(emu, "bare_audience", token_cache=token_cache)
    before = len(cipp_requests(emu, "ListTenants"))
    again.call("ListTenants")
    assert len(cipp_requests(emu, "ListTenants")) == before + 1  # no 401 detour the second time
    assert not warnings_again


def test_token_rejected_mid_run_is_replaced_once(emu, token_cache):
    client, _warnings = make_client(emu, token_cache=token_cache)
    emu.control.set_token_lifetime(3599, expired=True)  # Entra says 3599 s, but the token is dead
    dead = client.tokens.get_token()
    emu.control.set_token_lifetime(3599, expired=False)
    assert client.call("ListTenants").status == 200
    statuses = [r["status"] for r in emu.control.requests(service="cipp")]
    assert statuses[0] == 401 and set(statuses[1:]) == {200}  # rejected once, then a fresh token
    assert len(emu.control.token_requests()) == 2
    assert client.tokens.get_token() != dead


def test_manifest_findings_warn_or_stop_before_sending(emu):
    body = {"tenantFilter": "contoso.com", "id": CONTOSO_USER, "username": "adele.vance",
            "primDomain": "contoso.com", "jobTitel": "CFO"}
    client, warnings = make_client(emu)
    findings = client.preflight("EditUser", None, body)
    assert {f.kind for f in findings} == {"bare_labelvalue", "unknown_key"}
    assert any("primDomain" in w and "value" in w for w in warnings)
    assert any("jobTitel" in w and "jobTitle" in w for w in warnings)
    strict, _warnings = make_client(emu, strict=True)
    with pytest.raises(CippConfigError) as info:
        strict.call("EditUser", body=body)
    assert info.value.details["option"] == "strict"
    assert cipp_requests(emu, "EditUser") == []  # nothing was sent
