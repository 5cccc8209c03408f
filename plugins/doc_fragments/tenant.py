# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``tenant`` option of modules that act on one customer tenant (``REQUIRED``: they always do)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  tenant:
    description:
      - The customer tenant to act on, given as its default domain (C(contoso.com)), its initial domain
        (C(contoso.onmicrosoft.com)) or its tenant ID.
      - Checked against the tenants CIPP manages before anything is sent; an unknown tenant fails
        the task with the closest known names.
    type: str
    aliases: [tenant_filter]
'''

    REQUIRED = r'''
options:
  tenant:
    description:
      - The customer tenant to act on, given as its default domain (C(contoso.com)), its initial domain
        (C(contoso.onmicrosoft.com)) or its tenant ID.
      - Checked against the tenants CIPP manages before anything is sent; an unknown tenant fails
        the task with the closest known names.
    type: str
    required: true
    aliases: [tenant_filter]
'''
