"""Emulator of CIPP's HTTP API and of the Entra ID token service, for cipp.cipp's tests.

The package is test-only. ``python -m tests.emulator`` starts it; see ``__main__.py``.
The pieces talk to each other through the small types in ``http.py`` and ``world.py``:
the HTTPS server turns sockets into ``HttpRequest`` objects, hands them to the Entra
service, the CIPP service or the control plane, and logs the ``HttpResponse`` it gets back.
"""
