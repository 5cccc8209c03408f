"""ListGraphRequest: single tenant, paging, errors, the AllTenants queue; ListCippQueue."""
from __future__ import annotations

import time

from tests.emulator_tests.cipp_helpers import ALEX_ID, CONTOSO, Cipp, last_entry


def test_single_tenant_results_and_metadata(emu):
    body = Cipp(emu).get("ListGraphRequest", tenantFilter=CONTOSO, Endpoint="users",
                         **{"$select": "id,displayName,userPrincipalName", "$filter": "startswith(displayName,'Alex W')"}).json()
    assert body["Results"] == [{"id": ALEX_ID, "displayName": "Alex Wilber", "userPrincipalName": "alex.wilber@contoso.com",
                                "Tenant": CONTOSO, "CippStatus": "Good"}]
    assert body["Metadata"]["Endpoint"] == "users"
    assert body["Metadata"]["TenantFilter"] == CONTOSO
    assert body["Metadata"]["Parameters"] == {"$filter": "startswith(displayName,'Alex W')",
                                              "$select": "id,displayName,userPrincipalName"}
    assert last_entry(emu)["conformance"] == []


def test_top_is_a_page_size_not_a_limit(emu):
    body = Cipp(emu).get("ListGraphRequest", tenantFilter=CONTOSO, Endpoint="users", **{"$top": "5"}).json()
    assert len(body["Results"]) >= 45
    assert "nextLink" not in body["Metadata"]


def test_manual_pagination_walks_every_page_once(emu):
    cipp = Cipp(emu)
    params = {"tenantFilter": CONTOSO, "Endpoint": "users", "$top": "20", "$select": "id", "manualPagination": "true"}
    seen: list[str] = []
    link = None
    for _page in range(10):
        body = cipp.get("ListGraphRequest", **params, **({"nextLink": link} if link else {})).json()
        seen += [r["id"] for r in body["Results"]]
        link = body["Metadata"].get("nextLink")
        if not link:
            break
        assert link.startswith("https://graph.microsoft.com/beta/users?") and "$skiptoken=" in link
    total = len(cipp.get("ListUsers", tenantFilter=CONTOSO).json())
    assert len(seen) == total == len(set(seen))


def test_next_link_must_be_graph(emu):
    response = Cipp(emu).get("ListGraphRequest", tenantFilter=CONTOSO, Endpoint="users", manualPagination="true",
                             nextLink="https://evil.example/beta/users?$skiptoken=x")
    assert response.status_code == 400
    assert response.text.startswith("Graph Error: ")
    assert response.text.endswith("Invalid nextLink URL: https://evil.example/beta/users?$skiptoken=x - Endpoint: users")


def test_graph_and_tenant_errors_are_400_text(emu):
    cipp = Cipp(emu)
    bad = cipp.get("ListGraphRequest", tenantFilter=CONTOSO, Endpoint="nosuchthing")
    assert bad.status_code == 400 and bad.headers["Content-Type"].startswith("text/plain")
    assert bad.text.startswith("Graph Error: ") and bad.text.endswith(
        "Resource not found for the segment 'nosuchthing'. - Endpoint: nosuchthing")
    unknown = cipp.get("ListGraphRequest", tenantFilter="nosuch.com", Endpoint="users")
    assert unknown.status_code == 400
    assert "Graph request denied for 'nosuch.com': the tenant is not in CIPP's tenant list. - Endpoint: users" in unknown.text
    ignored = cipp.get("ListGraphRequest", tenantFilter="nosuch.com", Endpoint="users", IgnoreErrors="true")
    assert ignored.status_code == 200


def test_entity_endpoint_and_version(emu):
    body = Cipp(emu).get("ListGraphRequest", tenantFilter=CONTOSO, Endpoint=f"users/{ALEX_ID}", Version="v1.0").json()
    (user,) = body["Results"]
    assert user["@odata.context"] == "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
    assert set(user) == {"@odata.context", "businessPhones", "displayName", "givenName", "jobTitle", "mail",
                         "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
                         "Tenant", "CippStatus"}


def test_group_members_endpoint(emu):
    body = Cipp(emu).get("ListGraphRequest", tenantFilter=CONTOSO,
                         Endpoint="groups/9c0f0a01-0001-4b01-8b01-00000000c202/members", **{"$select": "id"}).json()
    assert {r["@odata.type"] for r in body["Results"]} == {"#microsoft.graph.user"}
    assert len(body["Results"]) == 2


def test_all_tenants_is_queued_then_cached(emu):
    cipp = Cipp(emu)
    params = {"tenantFilter": "AllTenants", "Endpoint": "users", "$select": "id,userPrincipalName",
              "$filter": "startswith(displayName,'A')"}
    first = cipp.get("ListGraphRequest", **params).json()
    assert first["Results"] == []
    assert first["Metadata"]["Queued"] is True
    assert first["Metadata"]["QueueMessage"] == "Loading data for all tenants. Please check back after the job completes"
    queue_id = first["Metadata"]["QueueId"]
    status = None
    for _attempt in range(40):
        (queue,) = cipp.get("ListCippQueue", QueueId=queue_id).json()
        status = queue["Status"]
        if status.startswith("Completed"):
            break
        time.sleep(0.1)
    assert status in ("Completed", "Completed (with errors)")
    assert queue["Name"] == "Users (All Tenants)" and queue["TotalTasks"] >= 20
    assert queue["PercentComplete"] == 100.0
    assert last_entry(emu, "ListCippQueue")["conformance"] == []
    later = cipp.get("ListGraphRequest", **params).json()
    tenants = {r["Tenant"] for r in later["Results"]}
    assert CONTOSO in tenants and "northwind.com" in tenants
    assert all(r["CippStatus"] == "Good" for r in later["Results"])
    assert "Queued" not in later["Metadata"]


def test_count_only(emu):
    body = Cipp(emu).get("ListGraphRequest", tenantFilter="northwind.com", Endpoint="users", CountOnly="true",
                         **{"$count": "true"}).json()
    assert body["Results"][0] >= 2500
