# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection and authentication options shared by every module (DOCUMENTATION) and
every lookup/inventory plugin (PLUGINS, with env/ini/vars sources). Keep both in step
with plugins/module_utils/_options.py (a unit test compares them)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - 'The CIPP API URL, as CIPP shows it under Integrations > API clients (the function app, e.g. C(https://cipp1234.azurewebsites.net)). With or
        without a trailing C(/api).'
      - 'Required, unless given through the environment. Environment variable: C(CIPP_API_URL).'
    type: str
  tenant_id:
    description:
      - 'The partner (MSP) tenant that issues tokens for the CIPP API client: its ID (GUID) or C(onmicrosoft.com) domain.'
      - 'Not the customer tenant a task acts on, which modules take as their own option. Environment variables: C(CIPP_TENANT_ID),
        C(AZURE_TENANT_ID).'
    type: str
  client_id:
    description:
      - 'Application (client) ID of the CIPP API client app registration. Environment variables: C(CIPP_CLIENT_ID), C(AZURE_CLIENT_ID).'
    type: str
  client_secret:
    description:
      - 'The API client''s secret (its B(Value), not its Secret ID). Environment variable: C(CIPP_CLIENT_SECRET).'
    type: str
  certificate_path:
    description:
      - 'A certificate registered on the app, for certificate sign-in: a PEM file (certificate, optionally with its key) or a PFX/PKCS#12 file
        (C(.pfx), C(.p12)) holding key and certificate.'
      - 'The thumbprint is derived from it. Environment variable: C(CIPP_CERTIFICATE_PATH).'
    type: path
  certificate_key_path:
    description:
      - 'PEM private key for O(certificate_path) when the key is in its own file. Environment variable: C(CIPP_CERTIFICATE_KEY_PATH).'
    type: path
  certificate_password:
    description:
      - 'Password of the PFX file or of an encrypted PEM key. Environment variable: C(CIPP_CERTIFICATE_PASSWORD).'
    type: str
  username:
    description:
      - 'User principal name for username/password sign-in (ROPC) through a public client app (O(client_id) with I(Allow public client flows) on).'
      - 'ROPC cannot pass MFA or Conditional Access that requires it; prefer a secret or certificate. Environment variable: C(CIPP_USERNAME).'
    type: str
  password:
    description:
      - 'Password for O(username). Environment variable: C(CIPP_PASSWORD).'
    type: str
  federated_token_file:
    description:
      - 'A file holding a federated identity token (workload identity federation), sent as client assertion. GitHub Actions, AWX on Kubernetes and
        Azure pipelines can provide one, so a pipeline needs no stored secret.'
      - 'Read fresh for every token request. Environment variables: C(CIPP_FEDERATED_TOKEN_FILE), C(AZURE_FEDERATED_TOKEN_FILE).'
    type: path
  access_token:
    description:
      - 'A ready bearer token for the CIPP API; no sign-in is made. Environment variable: C(CIPP_ACCESS_TOKEN).'
    type: str
  auth_method:
    description:
      - 'How to sign in. V(auto) picks, in this order, O(access_token), O(certificate_path), O(client_secret), O(federated_token_file), then
        O(username)/O(password). Environment variable: C(CIPP_AUTH_METHOD).'
    type: str
    default: auto
    choices: [auto, client_secret, certificate, password, federated, access_token]
  scope:
    description:
      - 'The scope tokens are requested for. Defaults to C(api://<client_id>/.default), the value CIPP''s I(Copy API Scope) gives.'
      - 'When CIPP rejects a token for the default scope with HTTP 401, the request is retried once with C(<client_id>/.default) and a warning says
        so.'
      - 'Any scope works, e.g. C(https://graph.microsoft.com/.default) for the token lookup. Environment variable: C(CIPP_SCOPE).'
    type: str
  authority:
    description:
      - 'The Entra ID authority host. Override it for sovereign clouds (C(https://login.microsoftonline.us)) or a test emulator. Environment
        variable: C(CIPP_AUTHORITY).'
    type: str
    default: https://login.microsoftonline.com
  validate_certs:
    description:
      - 'Verify TLS certificates of the CIPP API and of the authority. Environment variable: C(CIPP_VALIDATE_CERTS).'
    type: bool
    default: true
  ca_path:
    description:
      - 'A CA bundle (PEM file) to verify TLS certificates with, instead of the certifi bundle that ships with C(requests).'
      - 'C(REQUESTS_CA_BUNDLE), C(CURL_CA_BUNDLE) and C(SSL_CERT_FILE) never replace it; without it, the first two apply only with O(use_environment=true).
        Environment variable: C(CIPP_CA_PATH).'
    type: path
  proxy_url:
    description:
      - 'The proxy for every request (CIPP API and token requests), as an C(http://) URL, e.g. C(http://proxy.example.com:3128); HTTPS goes through
        it with C(CONNECT). Credentials as C(http://user:password@proxy:3128) (percent-encode special characters). Environment variable: C(CIPP_PROXY_URL).'
    type: str
  use_environment:
    description:
      - 'Let the runner''s environment fill what the options leave unset: C(HTTPS_PROXY)/C(HTTP_PROXY) (minus the hosts C(NO_PROXY) lists) when
        O(proxy_url) is not set, C(REQUESTS_CA_BUNDLE) or C(CURL_CA_BUNDLE) when O(ca_path) is not set.'
      - 'Off by default, so that a variable set on a runner for other tools never changes where requests go or whom they trust. The options
        always win; O(validate_certs=false) stays off. Environment variable: C(CIPP_USE_ENVIRONMENT).'
    type: bool
    default: false
  timeout:
    description:
      - 'Seconds to wait for an answer. CIPP''s front end stops waiting after 230 seconds, so the default lets CIPP answer first. Environment
        variable: C(CIPP_TIMEOUT).'
    type: int
    default: 240
  retries:
    description:
      - 'Retries for a request that failed in a way that is safe to retry: reads on HTTP 429, 502, 503, 504 and network errors; writes only on 429
        and when the connection was refused (the request never reached CIPP).'
      - 'Waits follow C(Retry-After), else jittered exponential backoff; each retry is reported as a warning. Environment variable: C(CIPP_RETRIES).'
    type: int
    default: 3
  token_cache:
    description:
      - 'Path of the token cache file shared by all tasks, hosts and forks (mode 0600; tokens only, never a secret). Defaults to
        C(~/.cache/cipp.cipp/tokens.json) (C($XDG_CACHE_HOME) is honoured).'
      - 'V(off) turns caching off: every task then requests its own token.'
      - 'The tenant list and CIPP version are cached beside it (C(metadata.json)). Environment variable: C(CIPP_TOKEN_CACHE).'
    type: str
  strict:
    description:
      - 'Fail, instead of warning, when a request would send a key the endpoint never reads, a bare string where CIPP reads a C({value, label})
        object, or an unknown endpoint. Environment variable: C(CIPP_STRICT).'
    type: bool
    default: false
notes:
  - 'Modules talk to CIPP from the host that runs the task: use C(hosts: localhost) or C(delegate_to: localhost) (or an AWX execution environment).'
  - Options can be set once for all modules with C(module_defaults) and the group C(group/cipp.cipp.cipp).
  - Tokens are cached and shared by all tasks and forks of a run (see O(token_cache)).
'''

    PLUGINS = r'''
options:
  api_url:
    description:
      - 'The CIPP API URL, as CIPP shows it under Integrations > API clients (the function app, e.g. C(https://cipp1234.azurewebsites.net)). With or
        without a trailing C(/api).'
      - 'Required, unless given through the environment.'
    type: str
    env:
      - name: CIPP_API_URL
    ini:
      - section: cipp
        key: api_url
    vars:
      - name: cipp_api_url
  tenant_id:
    description:
      - 'The partner (MSP) tenant that issues tokens for the CIPP API client: its ID (GUID) or C(onmicrosoft.com) domain.'
      - 'Not the customer tenant a task acts on, which modules take as their own option.'
    type: str
    env:
      - name: CIPP_TENANT_ID
      - name: AZURE_TENANT_ID
    ini:
      - section: cipp
        key: tenant_id
    vars:
      - name: cipp_tenant_id
  client_id:
    description:
      - 'Application (client) ID of the CIPP API client app registration.'
    type: str
    env:
      - name: CIPP_CLIENT_ID
      - name: AZURE_CLIENT_ID
    ini:
      - section: cipp
        key: client_id
    vars:
      - name: cipp_client_id
  client_secret:
    description:
      - 'The API client''s secret (its B(Value), not its Secret ID).'
    type: str
    env:
      - name: CIPP_CLIENT_SECRET
    ini:
      - section: cipp
        key: client_secret
    vars:
      - name: cipp_client_secret
  certificate_path:
    description:
      - 'A certificate registered on the app, for certificate sign-in: a PEM file (certificate, optionally with its key) or a PFX/PKCS#12 file
        (C(.pfx), C(.p12)) holding key and certificate.'
      - 'The thumbprint is derived from it.'
    type: path
    env:
      - name: CIPP_CERTIFICATE_PATH
    ini:
      - section: cipp
        key: certificate_path
    vars:
      - name: cipp_certificate_path
  certificate_key_path:
    description:
      - 'PEM private key for O(certificate_path) when the key is in its own file.'
    type: path
    env:
      - name: CIPP_CERTIFICATE_KEY_PATH
    ini:
      - section: cipp
        key: certificate_key_path
    vars:
      - name: cipp_certificate_key_path
  certificate_password:
    description:
      - 'Password of the PFX file or of an encrypted PEM key.'
    type: str
    env:
      - name: CIPP_CERTIFICATE_PASSWORD
    ini:
      - section: cipp
        key: certificate_password
    vars:
      - name: cipp_certificate_password
  username:
    description:
      - 'User principal name for username/password sign-in (ROPC) through a public client app (O(client_id) with I(Allow public client flows) on).'
      - 'ROPC cannot pass MFA or Conditional Access that requires it; prefer a secret or certificate.'
    type: str
    env:
      - name: CIPP_USERNAME
    ini:
      - section: cipp
        key: username
    vars:
      - name: cipp_username
  password:
    description:
      - 'Password for O(username).'
    type: str
    env:
      - name: CIPP_PASSWORD
    ini:
      - section: cipp
        key: password
    vars:
      - name: cipp_password
  federated_token_file:
    description:
      - 'A file holding a federated identity token (workload identity federation), sent as client assertion. GitHub Actions, AWX on Kubernetes and
        Azure pipelines can provide one, so a pipeline needs no stored secret.'
      - 'Read fresh for every token request.'
    type: path
    env:
      - name: CIPP_FEDERATED_TOKEN_FILE
      - name: AZURE_FEDERATED_TOKEN_FILE
    ini:
      - section: cipp
        key: federated_token_file
    vars:
      - name: cipp_federated_token_file
  access_token:
    description:
      - 'A ready bearer token for the CIPP API; no sign-in is made.'
    type: str
    env:
      - name: CIPP_ACCESS_TOKEN
    ini:
      - section: cipp
        key: access_token
    vars:
      - name: cipp_access_token
  auth_method:
    description:
      - 'How to sign in. V(auto) picks, in this order, O(access_token), O(certificate_path), O(client_secret), O(federated_token_file), then
        O(username)/O(password).'
    type: str
    default: auto
    choices: [auto, client_secret, certificate, password, federated, access_token]
    env:
      - name: CIPP_AUTH_METHOD
    ini:
      - section: cipp
        key: auth_method
    vars:
      - name: cipp_auth_method
  scope:
    description:
      - 'The scope tokens are requested for. Defaults to C(api://<client_id>/.default), the value CIPP''s I(Copy API Scope) gives.'
      - 'When CIPP rejects a token for the default scope with HTTP 401, the request is retried once with C(<client_id>/.default) and a warning says
        so.'
      - 'Any scope works, e.g. C(https://graph.microsoft.com/.default) for the token lookup.'
    type: str
    env:
      - name: CIPP_SCOPE
    ini:
      - section: cipp
        key: scope
    vars:
      - name: cipp_scope
  authority:
    description:
      - 'The Entra ID authority host. Override it for sovereign clouds (C(https://login.microsoftonline.us)) or a test emulator.'
    type: str
    default: https://login.microsoftonline.com
    env:
      - name: CIPP_AUTHORITY
    ini:
      - section: cipp
        key: authority
    vars:
      - name: cipp_authority
  validate_certs:
    description:
      - 'Verify TLS certificates of the CIPP API and of the authority.'
    type: bool
    default: true
    env:
      - name: CIPP_VALIDATE_CERTS
    ini:
      - section: cipp
        key: validate_certs
    vars:
      - name: cipp_validate_certs
  ca_path:
    description:
      - 'A CA bundle (PEM file) to verify TLS certificates with, instead of the certifi bundle that ships with C(requests).'
      - 'C(REQUESTS_CA_BUNDLE), C(CURL_CA_BUNDLE) and C(SSL_CERT_FILE) never replace it; without it, the first two apply only with O(use_environment=true).'
    type: path
    env:
      - name: CIPP_CA_PATH
    ini:
      - section: cipp
        key: ca_path
    vars:
      - name: cipp_ca_path
  proxy_url:
    description:
      - 'The proxy for every request (CIPP API and token requests), as an C(http://) URL, e.g. C(http://proxy.example.com:3128); HTTPS goes through
        it with C(CONNECT). Credentials as C(http://user:password@proxy:3128) (percent-encode special characters).'
    type: str
    env:
      - name: CIPP_PROXY_URL
    ini:
      - section: cipp
        key: proxy_url
    vars:
      - name: cipp_proxy_url
  use_environment:
    description:
      - 'Let the runner''s environment fill what the options leave unset: C(HTTPS_PROXY)/C(HTTP_PROXY) (minus the hosts C(NO_PROXY) lists) when
        O(proxy_url) is not set, C(REQUESTS_CA_BUNDLE) or C(CURL_CA_BUNDLE) when O(ca_path) is not set.'
      - 'Off by default, so that a variable set on a runner for other tools never changes where requests go or whom they trust. The options
        always win; O(validate_certs=false) stays off.'
    type: bool
    default: false
    env:
      - name: CIPP_USE_ENVIRONMENT
    ini:
      - section: cipp
        key: use_environment
    vars:
      - name: cipp_use_environment
  timeout:
    description:
      - 'Seconds to wait for an answer. CIPP''s front end stops waiting after 230 seconds, so the default lets CIPP answer first.'
    type: int
    default: 240
    env:
      - name: CIPP_TIMEOUT
    ini:
      - section: cipp
        key: timeout
    vars:
      - name: cipp_timeout
  retries:
    description:
      - 'Retries for a request that failed in a way that is safe to retry: reads on HTTP 429, 502, 503, 504 and network errors; writes only on 429
        and when the connection was refused (the request never reached CIPP).'
      - 'Waits follow C(Retry-After), else jittered exponential backoff; each retry is reported as a warning.'
    type: int
    default: 3
    env:
      - name: CIPP_RETRIES
    ini:
      - section: cipp
        key: retries
    vars:
      - name: cipp_retries
  token_cache:
    description:
      - 'Path of the token cache file shared by all tasks, hosts and forks (mode 0600; tokens only, never a secret). Defaults to
        C(~/.cache/cipp.cipp/tokens.json) (C($XDG_CACHE_HOME) is honoured).'
      - 'V(off) turns caching off: every task then requests its own token.'
      - 'The tenant list and CIPP version are cached beside it (C(metadata.json)).'
    type: str
    env:
      - name: CIPP_TOKEN_CACHE
    ini:
      - section: cipp
        key: token_cache
    vars:
      - name: cipp_token_cache
  strict:
    description:
      - 'Fail, instead of warning, when a request would send a key the endpoint never reads, a bare string where CIPP reads a C({value, label})
        object, or an unknown endpoint.'
    type: bool
    default: false
    env:
      - name: CIPP_STRICT
    ini:
      - section: cipp
        key: strict
    vars:
      - name: cipp_strict
'''
