# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What to do about each Entra ID (AADSTS) error a CIPP user meets. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

# code: hint template; {client_id}, {tenant_id}, {scope}, {username} are filled in.
AADSTS_HINTS = {
    7000215: ("the client secret is wrong: copy the secret's Value, not its Secret ID "
              "(Entra ID > App registrations > the app > Certificates & secrets), or reset it in CIPP "
              "(Integrations > API clients) and update client_secret / CIPP_CLIENT_SECRET"),
    7000222: ("the client secret has expired: create a new secret for app {client_id} and update "
              "client_secret / CIPP_CLIENT_SECRET"),
    700016: ("there is no application {client_id} in tenant {tenant_id}: check client_id, and that "
             "tenant_id is the partner tenant in which CIPP created the API client"),
    500011: ("the CIPP API app has no Application ID URI api://{client_id} (or the scope {scope} names "
             "another app or tenant): set Expose an API > Application ID URI to api://{client_id} "
             "(CIPP's API client page can repair it), or set scope explicitly"),
    70011: ("the scope {scope} is not valid for this sign-in: give one resource's scope ending in "
            "/.default, such as api://{client_id}/.default"),
    1002012: ("the scope {scope} lacks the /.default suffix that app-only (client credential) tokens need: "
              "use api://{client_id}/.default (CIPP's 'Copy API Scope' value)"),
    700027: ("the certificate is not registered on app {client_id}, or the key does not match it: upload "
             "the certificate (public part) under Certificates & secrets, and check certificate_path / "
             "certificate_key_path"),
    700024: ("the client assertion is outside its validity window: check this host's clock, or refresh "
             "the federated token file"),
    700213: ("no federated credential of app {client_id} matches the token's issuer and subject: add one "
             "under Certificates & secrets > Federated credentials"),
    70021: ("no federated credential of app {client_id} matches the token's issuer and subject: add one "
            "under Certificates & secrets > Federated credentials"),
    90002: ("tenant {tenant_id} does not exist: tenant_id must be the partner tenant's ID (a GUID) or "
            "its onmicrosoft.com domain"),
    50126: "the username or password is wrong for {username}",
    50076: ("account {username} must use multi-factor authentication, which username/password sign-in "
            "cannot do: use a client secret or a certificate instead"),
    50079: ("account {username} must register for multi-factor authentication, which username/password "
            "sign-in cannot do: use a client secret or a certificate instead"),
    53003: ("Conditional Access blocked the sign-in of {username}: exclude the account or app from the "
            "policy, or use a service principal (client secret or certificate)"),
    7000218: ("app {client_id} does not allow public client flows, which username/password sign-in "
              "needs: enable 'Allow public client flows' under Authentication, or use a client secret"),
    65001: "app {client_id} has not been granted consent in tenant {tenant_id}: grant admin consent",
    7000112: "app {client_id} is disabled in tenant {tenant_id}: enable it, or use another API client",
}

_CODE_PATTERN = re.compile(r"AADSTS(\d{5,7})")


def aadsts_code_in(*texts) -> int | None:
    """The first AADSTS code mentioned in any of ``texts``."""
    for text in texts:
        match = _CODE_PATTERN.search(str(text or ""))
        if match:
            return int(match.group(1))
    return None


def hint_for(code: int | None, **context) -> str | None:
    """A sentence saying how to fix ``code``, or None for codes without advice."""
    template = AADSTS_HINTS.get(code) if code else None
    if template is None:
        return None
    values = {key: (value if value else "?") for key, value in context.items()}
    for key in ("client_id", "tenant_id", "scope", "username"):
        values.setdefault(key, "?")
    return template.format(**values)
