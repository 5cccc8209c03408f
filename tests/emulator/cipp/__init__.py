"""Emulator of the CIPP backend (KelvinTegelaar/CIPP-API) as an external API client sees it.

``app.CippService`` is what the HTTPS server calls. The pieces:

* ``psvalue``   - how PowerShell reads a request: case-insensitive JSON, member access,
                  ``??``, truthiness, ``-eq $true``, ``[Convert]::ToBoolean``.
* ``framework`` - the handler registry, the per-request ``Ctx`` and response helpers.
* ``auth``      - App Service Easy Auth in front of the Function App, then ``Test-CIPPAccess``.
* ``state``     - the CIPP world loaded from ``fixtures/<name>/cipp.yaml``.
* ``graph``     - a small Microsoft Graph over that state (OData filter/select/paging).
* ``handlers/`` - one module per domain, each endpoint written from its ``Invoke-<Name>.ps1``.
"""
