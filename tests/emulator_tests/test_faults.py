"""Fault injection: every kind, counting rules, and faults on the Entra token endpoint."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import msal
import pytest
import requests

from tests.emulator.control_client import EmulatorControlError

from .entra_helpers import authority, confidential

DISCOVERY = "/v2.0/.well-known/openid-configuration"


def _cipp(emu, endpoint: str = "ListUsers", method: str = "GET", **kwargs) -> requests.Response:
    return emu.session().request(method, f"{emu.api_url}/{endpoint}", timeout=kwargs.pop("timeout", 10), **kwargs)


def _discovery(emu, http: requests.Session | None = None, **kwargs) -> requests.Response:
    return (http or emu.session()).get(f"{authority(emu)}{DISCOVERY}", timeout=kwargs.pop("timeout", 10), **kwargs)


def test_429_carries_retry_after_and_is_logged_as_fault(emu):
    emu.control.add_fault(service="cipp", endpoint="listusers", kind="status", status=429, retry_after=7)
    response = _cipp(emu)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    entry = emu.control.requests(service="cipp")[-1]
    assert entry["note"] == "fault:status" and entry["state_changed"] is False
    assert entry["endpoint"] == "ListUsers" and entry["status"] == 429


def test_429_without_retry_after_still_sends_one(emu):
    emu.control.add_fault(endpoint="ListUsers", kind="status", status=429)
    assert _cipp(emu).headers["Retry-After"] == "1"


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_error_statuses(emu, status):
    emu.control.add_fault(endpoint="*", kind="status", status=status, body={"Results": "custom"})
    response = _cipp(emu, "ListGroups")
    assert response.status_code == status
    assert response.json() == {"Results": "custom"}


def test_drop_closes_without_response(emu):
    emu.control.add_fault(endpoint="ListUsers", kind="drop")
    with pytest.raises(requests.ConnectionError):
        _cipp(emu)
    entry = emu.control.requests(service="cipp")[-1]
    assert entry["note"] == "fault:drop" and entry["status"] is None


def test_html_error_page(emu):
    emu.control.add_fault(endpoint="ListUsers", kind="html", status=502)
    response = _cipp(emu)
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html>" in response.text and "502" in response.text
    with pytest.raises(ValueError):
        response.json()


def test_timeout_holds_then_drops(emu):
    emu.control.add_fault(endpoint="ListUsers", kind="timeout", latency_ms=400)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        _cipp(emu, timeout=0.15)
    assert time.monotonic() - started < 0.4
    emu.control.add_fault(endpoint="ListUsers", kind="timeout", latency_ms=200)
    with pytest.raises(requests.ConnectionError):     # a patient client gets a dropped connection
        _cipp(emu, timeout=5)
    assert [e["note"] for e in emu.control.requests(service="cipp")] == ["fault:timeout"] * 2


def test_latency_delays_but_the_service_still_answers(emu):
    emu.control.add_fault(service="entra", endpoint="discovery", kind="latency", latency_ms=300)
    started = time.monotonic()
    response = _discovery(emu)
    assert response.status_code == 200 and "token_endpoint" in response.json()
    assert time.monotonic() - started >= 0.3
    entry = emu.control.requests(service="entra")[-1]
    assert entry["note"] == "fault:latency" and entry["duration_ms"] >= 300


def test_after_lets_requests_pass_first(emu):
    emu.control.add_fault(service="entra", endpoint="discovery", kind="status", status=503, after=2)
    http = emu.session()
    assert [_discovery(emu, http).status_code for _attempt in range(4)] == [200, 200, 503, 200]


def test_count_fires_that_often_and_null_means_forever(emu):
    emu.control.add_fault(service="entra", endpoint="discovery", kind="status", status=500, count=2)
    http = emu.session()
    assert [_discovery(emu, http).status_code for _attempt in range(3)] == [500, 500, 200]
    emu.control.add_fault(service="entra", endpoint="discovery", kind="status", status=503, count=None)
    assert [_discovery(emu, http).status_code for _attempt in range(5)] == [503] * 5
    assert [f["fired"] for f in emu.control.faults()] == [2, 5]
    emu.control.clear_faults()
    assert _discovery(emu, http).status_code == 200


def test_method_filter(emu):
    emu.control.add_fault(endpoint="AddUser", method="POST", kind="status", status=503, count=None)
    assert _cipp(emu, "AddUser", method="GET").status_code != 503
    assert _cipp(emu, "AddUser", method="POST", json={}).status_code == 503


def test_tenant_filter_matches_query_and_body(emu):
    emu.control.add_fault(endpoint="*", tenant="Fabrikam.com", kind="status", status=500, count=None)
    assert _cipp(emu, "ListUsers", params={"tenantFilter": "contoso.com"}).status_code != 500
    assert _cipp(emu, "ListUsers").status_code != 500  # no tenant named: no match
    assert _cipp(emu, "ListUsers", params={"TenantFilter": "FABRIKAM.COM"}).status_code == 500
    assert _cipp(emu, "AddUser", method="POST", json={"tenantFilter": "fabrikam.com"}).status_code == 500
    label_value = {"tenantFilter": {"value": "fabrikam.com", "label": "Fabrikam Inc (fabrikam.com)"}}
    assert _cipp(emu, "AddGroup", method="POST", json=label_value).status_code == 500
    assert _cipp(emu, "AddUser", method="POST", json={"tenantFilter": "contoso.com"}).status_code != 500
    assert [f["fired"] for f in emu.control.faults()] == [3]


def test_entra_token_endpoint_down_raises_msal_service_error(emu):
    emu.control.add_fault(service="entra", endpoint="token", kind="status", status=503, retry_after=1)
    app = confidential(emu)
    with pytest.raises(msal.exceptions.MsalServiceError):
        app.acquire_token_for_client([emu.clients["editor"]["scope"]])


def test_entra_token_endpoint_429_is_an_error_dict(emu):
    emu.control.add_fault(service="entra", endpoint="token", kind="status", status=429, retry_after=1)
    result = confidential(emu).acquire_token_for_client([emu.clients["editor"]["scope"]])
    assert result["error"] == "temporarily_unavailable" and result["error_codes"] == [90033]


def test_entra_token_endpoint_slow(emu):
    emu.control.add_fault(service="entra", endpoint="token", kind="latency", latency_ms=300)
    started = time.monotonic()
    result = confidential(emu).acquire_token_for_client([emu.clients["editor"]["scope"]])
    assert "access_token" in result and time.monotonic() - started >= 0.3


def test_entra_html_page_breaks_json_parsing_in_msal(emu):
    emu.control.add_fault(service="entra", endpoint="token", kind="html", status=400)
    with pytest.raises(ValueError):            # json.JSONDecodeError, as msal meets proxies' pages
        confidential(emu).acquire_token_for_client([emu.clients["editor"]["scope"]])


def test_after_handler_runs_the_handler_then_replaces_the_answer(emu):
    emu.control.add_fault(service="entra", endpoint="token", kind="status", status=504, after_handler=True)
    client = emu.clients["editor"]
    response = emu.session().post(f"{authority(emu)}/oauth2/v2.0/token", timeout=10, data={
        "client_id": client["client_id"], "grant_type": "client_credentials",
        "client_secret": client["client_secret"], "scope": client["scope"]})
    assert response.status_code == 504
    entry = emu.control.requests(service="entra", endpoint="token")[-1]
    assert entry["note"] == "fault:status" and entry["status"] == 504
    assert entry["handler_status"] == 200           # the backend did its work; the client never knew


def test_after_handler_keeps_state_changed_from_the_handler(emu):
    # The CIPP write that "happened behind a 502": whatever the handler reports is kept.
    emu.control.add_fault(service="cipp", endpoint="AddUser", kind="status", status=502, after_handler=True)
    response = _cipp(emu, "AddUser", method="POST", json={"tenantFilter": "x"})
    assert response.status_code == 502
    entry = emu.control.requests(service="cipp")[-1]
    assert entry["note"] == "fault:status" and "handler_status" in entry


def test_invalid_rules_are_refused_with_a_reason(emu):
    for rule in ({"kind": "explode"}, {"kind": "status", "status": 99}, {"kind": "drop", "after_handler": True},
                 {"kind": "status", "colour": "red"}, {"kind": "status", "service": "graph"}):
        with pytest.raises(EmulatorControlError, match="400"):
            emu.control.add_fault(**rule)
    assert emu.control.faults() == []


def test_rules_in_a_list_and_first_match_wins(emu):
    emu.control.add_faults([
        {"service": "entra", "endpoint": "discovery", "kind": "status", "status": 502},
        {"service": "*", "endpoint": "*", "kind": "status", "status": 503},
    ])
    assert _discovery(emu).status_code == 502
    assert _discovery(emu).status_code == 503
    assert _discovery(emu).status_code == 200


def test_count_is_exact_under_concurrency(emu):
    emu.control.add_fault(service="entra", endpoint="discovery", kind="status", status=503, count=3, after=5)
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda _i: _discovery(emu).status_code, range(30)))
    assert statuses.count(503) == 3 and statuses.count(200) == 27
