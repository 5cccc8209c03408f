"""(f) The physical floor: the same job as the playbooks in one short Python script with requests.

One token, then per tenant one ListUsers (and one ListGroups) read, compare in memory, and
only the writes that are needed (AddUser / EditUser / AddGroup / EditGroup), tenants in
parallel like Ansible forks. Reads the inventory the playbooks get and the CIPP_* variables.

    python benchmarks/floor.py INVENTORY.json [--forks 10]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import requests

FIELDS = {"display_name": "displayName", "given_name": "givenName", "surname": "surname",
          "job_title": "jobTitle", "department": "department"}


def converge(http, api, headers, host):
    tenant, writes = host["bench_tenant"], []
    if host["bench_users"]:
        rows = http.get(f"{api}/ListUsers", params={"tenantFilter": tenant}, headers=headers, timeout=120).json()
        have_all = {row["userPrincipalName"].lower(): row for row in rows}
        for want in host["bench_users"]:
            have = have_all.get(want["user_principal_name"].lower())
            body = {graph: want[opt] for opt, graph in FIELDS.items()
                    if opt in want and (have is None or (have.get(graph) or "") != want[opt])}
            if "usage_location" in want and (have is None or have.get("usageLocation") != want["usage_location"]):
                body["usageLocation"] = {"value": want["usage_location"], "label": want["usage_location"]}
            name, domain = want["user_principal_name"].split("@")
            if have is None:
                writes.append(("AddUser", dict(body, tenantFilter=tenant, username=name, Domain=domain, mailNickname=name)))
            elif body:
                writes.append(("EditUser", dict(body, tenantFilter=tenant, id=have["id"], userPrincipalName=have["userPrincipalName"],
                                                username=name, primDomain={"value": domain, "label": domain})))
    if host["bench_groups"]:
        rows = http.get(f"{api}/ListGroups", params={"tenantFilter": tenant}, headers=headers, timeout=120).json()
        have_all = {row["displayName"].lower(): row for row in rows}
        for want in host["bench_groups"]:
            have = have_all.get(want["display_name"].lower())
            if have is None:
                writes.append(("AddGroup", {"tenantFilter": {"value": tenant, "label": tenant}, "displayName": want["display_name"],
                                            "groupType": "generic", "description": want.get("description", ""),
                                            "username": "".join(ch for ch in want["display_name"] if ch.isalnum())}))
            elif "description" in want and (have.get("description") or "") != want["description"]:
                writes.append(("EditGroup", {"tenantFilter": tenant, "groupId": {"value": have["id"], "label": have["displayName"]},
                                             "groupName": have["displayName"], "displayName": have["displayName"],
                                             "description": want["description"], "mailNickname": have.get("mailNickname")}))
    for endpoint, body in writes:
        http.post(f"{api}/{endpoint}", json=body, headers=headers, timeout=120).raise_for_status()
    return len(writes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inventory")
    parser.add_argument("--forks", type=int, default=10)
    args = parser.parse_args()
    with open(args.inventory, encoding="utf-8") as handle:
        hosts = list(json.load(handle)["all"]["hosts"].values())
    env = os.environ
    http = requests.Session()
    http.trust_env = False
    http.verify = env["CIPP_CA_PATH"]
    token = http.post(f"{env['CIPP_AUTHORITY']}/{env['CIPP_TENANT_ID']}/oauth2/v2.0/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": env["CIPP_CLIENT_ID"],
        "client_secret": env["CIPP_CLIENT_SECRET"], "scope": f"api://{env['CIPP_CLIENT_ID']}/.default"}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    with ThreadPoolExecutor(max_workers=max(1, min(args.forks, len(hosts)))) as pool:
        written = sum(pool.map(lambda host: converge(http, env["CIPP_API_URL"], headers, host), hosts))
    print(json.dumps({"tenants": len(hosts), "writes": written}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
