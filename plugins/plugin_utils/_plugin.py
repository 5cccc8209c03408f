# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller-side edge for lookups and the inventory plugin: options from
``get_option`` (env/ini/vars resolved by Ansible) into the same client the modules use,
``CippError`` into ``AnsibleError``. Private: the interface may change in any release."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleError
from ansible.utils.display import Display

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippError
from ansible_collections.cipp.cipp.plugins.module_utils._options import ConnectionSettings

display = Display()


def build_client(plugin):
    """A ``CippClient`` from a plugin's connection options."""
    from ansible_collections.cipp.cipp.plugins.module_utils._client import CippClient

    settings = ConnectionSettings.from_getter(plugin.get_option)
    return CippClient(settings, warn=display.warning)


def ansible_error(exc: CippError) -> AnsibleError:
    """An AnsibleError carrying the message and structured fields (no secrets)."""
    details = ", ".join(f"{key}={value}" for key, value in sorted(exc.details.items())
                        if key not in ("findings",) and not isinstance(value, (list, dict)))
    return AnsibleError(f"{exc.msg}" + (f" [{details}]" if details else ""))
