"""Tenant and platform endpoints."""
from __future__ import annotations

import time

from tests.emulator_tests.cipp_helpers import CONTOSO, CONTOSO_ID, E3, E5, Cipp, kinds, last_entry


def test_list_tenants(emu):
    cipp = Cipp(emu)
    tenants = cipp.get("ListTenants").json()
    assert len(tenants) >= 20
    domains = {t["defaultDomainName"] for t in tenants}
    assert {CONTOSO, "fabrikam.com", "northwind.com"} <= domains
    assert "adatum.com" not in domains                       # excluded tenant
    contoso = next(t for t in tenants if t["defaultDomainName"] == CONTOSO)
    assert contoso["customerId"] == CONTOSO_ID
    assert contoso["initialDomainName"].endswith(".onmicrosoft.com")
    assert contoso["delegatedPrivilegeStatus"] == "granularDelegatedAdminPrivileges"
    assert [t["displayName"] for t in tenants] == sorted((t["displayName"] for t in tenants), key=str.lower)
    single = cipp.get("ListTenants", tenantFilter="contoso.onmicrosoft.com").json()
    assert [t["customerId"] for t in single] == [CONTOSO_ID]
    selector = cipp.get("ListTenants", AllTenantSelector="true").json()
    assert selector[0]["defaultDomainName"] == "AllTenants" and len(selector) == len(tenants) + 1


def test_list_tenants_clear_cache(emu):
    body = Cipp(emu).post("ListTenants", {"ClearCache": True}).json()
    assert body["Results"] == [{"Results": "Cache has been cleared and a tenant refresh is queued."}]
    assert body["Metadata"]["Details"][-1] == "Cache cleanup complete"


def test_get_version(emu):
    body = Cipp(emu).get("GetVersion", LocalVersion="10.9.0").json()
    assert body == {"LocalCIPPVersion": "10.9.0", "RemoteCIPPVersion": "10.9.0", "LocalCIPPAPIVersion": "10.8.2",
                    "RemoteCIPPAPIVersion": "10.8.2", "OutOfDateCIPP": False, "OutOfDateCIPPAPI": False}
    assert Cipp(emu).get("GetVersion").json()["OutOfDateCIPP"] is True


def test_list_licenses(emu):
    rows = Cipp(emu).get("ListLicenses", tenantFilter=CONTOSO).json()
    by_sku = {r["skuId"]: r for r in rows}
    e3, e5 = by_sku[E3], by_sku[E5]
    assert e3["License"] == e3["skuPartNumber"] == "Office 365 E3"
    assert isinstance(e3["CountUsed"], str) and isinstance(e3["TotalLicenses"], str)
    assert isinstance(e3["CountAvailable"], int) and e3["CountAvailable"] > 0
    assert e5["CountAvailable"] == 0 and e5["availableUnits"] == 0
    assert e3["TermInfo"][0]["Term"] == "Yearly"
    assert {u["userPrincipalName"] for u in e5["AssignedUsers"]} >= {"adele.vance@contoso.com"}
    assert "f30db892-07e9-47e9-837c-80727f46fd3d" not in by_sku     # an excluded (free) SKU


def test_list_licenses_all_tenants_placeholder_then_rows(emu):
    cipp = Cipp(emu)
    first = cipp.get("ListLicenses", tenantFilter="AllTenants").json()
    assert first == [{"Tenant": "Loading data for all tenants. Please check back in 1 minute",
                      "License": "Loading data for all tenants. Please check back in 1 minute"}]
    queue = next(q for q in cipp.get("ListCippQueue").json() if q["Name"] == "Licenses (All Tenants)")
    for _attempt in range(40):
        (queue,) = cipp.get("ListCippQueue", QueueId=queue["RowKey"]).json()
        if queue["Status"] == "Completed":
            break
        time.sleep(0.1)
    rows = cipp.get("ListLicenses", tenantFilter="AllTenants").json()
    assert {r["Tenant"] for r in rows} >= {CONTOSO, "northwind.com"}


def test_domains_and_details(emu):
    cipp = Cipp(emu)
    domains = cipp.get("ListDomains", tenantFilter=CONTOSO).json()
    assert domains[0] == {"id": CONTOSO, "isDefault": True, "isInitial": False}
    assert {"id": "contoso.onmicrosoft.com", "isDefault": False, "isInitial": True} in domains
    details = cipp.get("ListTenantDetails", tenantFilter=CONTOSO).json()
    assert details["displayName"] == "Contoso Ltd" and details["id"] == CONTOSO_ID
    assert details["businessPhones"] == "+1 425 555 0100"
    unknown = cipp.get("ListTenantDetails", tenantFilter="nosuch.com")
    assert unknown.status_code == 500 and unknown.text.startswith("Failed to retrieve tenant details: Could not get token:")


def test_list_logs_tenant_filter_needs_filter_true(emu):
    cipp = Cipp(emu)
    everything = cipp.get("ListLogs").json()
    assert everything and all(r["Severity"] != "Debug" for r in everything)
    ignored = cipp.get("ListLogs", Tenant="fabrikam.com").json()
    assert ignored == everything
    assert "ignored_field" in kinds(last_entry(emu))
    filtered = cipp.get("ListLogs", Filter="true", Tenant="fabrikam.com").json()
    assert filtered and {r["Tenant"] for r in filtered} == {"fabrikam.com"}


def test_writes_are_logged_with_the_api_client(emu):
    cipp = Cipp(emu)
    cipp.post("ExecDisableUser", {"tenantFilter": CONTOSO, "ID": "alex.wilber@contoso.com"})
    row = cipp.get("ListLogs", Filter="true", API="ExecDisableUser").json()[0]
    assert row["User"] == "cipp-gitops-editor" and row["AppId"] == "11111111-1111-4111-8111-111111111111"


def test_gdap_roles_api_test_and_ping(emu):
    cipp = Cipp(emu)
    roles = cipp.get("ListGDAPRoles").json()
    assert {"GroupName", "GroupId", "RoleName", "roleDefinitionId"} == set(roles[0])
    echo = cipp.get("ListApiTest", hello="world").json()
    assert echo["Request"]["Query"] == {"hello": "world"}
    assert echo["Request"]["Headers"]["x-ms-client-principal-idp"] == "aad"
    ping = cipp.get("PublicPing")
    assert ping.json()["Results"]["Message"] == "Pong"
