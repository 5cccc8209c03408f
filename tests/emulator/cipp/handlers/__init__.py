"""The emulated CIPP endpoints, one module per domain (as in HF/<Domain>/ of CIPP-API).

Importing this package registers every handler with ``framework.HANDLERS``. A module may also
define ``seed(state, data)`` to build its own CIPP tables from the fixture; ``seed_state``
runs them when the state is (re)loaded.
"""
from __future__ import annotations

from typing import Any

from . import core, tenants, users, groups, exchange, conditional, standards, alerts, scheduler

_MODULES = (core, tenants, users, groups, exchange, conditional, standards, alerts, scheduler)


def seed_state(state: Any, data: dict[str, Any]) -> None:
    for module in _MODULES:
        seed = getattr(module, "seed", None)
        if seed:
            seed(state, data)
