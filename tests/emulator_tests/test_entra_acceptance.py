"""The acceptance script: ten lines of real msal + requests get a token and call CIPP."""
from __future__ import annotations

import msal
import requests


def test_ten_line_script_gets_a_token_and_lists_tenants(emu):
    http = requests.Session()
    http.trust_env = False          # this machine sets REQUESTS_CA_BUNDLE; it would win over verify
    http.verify = emu.ca_file
    client = emu.clients["editor"]
    app = msal.ConfidentialClientApplication(
        client["client_id"], client_credential=client["client_secret"],
        authority=f"{emu.authority}/{emu.tenant_id}", instance_discovery=False, http_client=http)
    result = app.acquire_token_for_client([f"api://{client['client_id']}/.default"])
    assert "access_token" in result, result
    response = http.get(f"{emu.api_url}/ListTenants", timeout=10,
                        headers={"Authorization": f"Bearer {result['access_token']}"})
    assert response.status_code == 200, response.text
    tenants = response.json()
    assert isinstance(tenants, list) and tenants, tenants
