# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Masking secret-looking values before they reach a task result or a diff. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

MASK = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
SECRET_KEY = re.compile(r"(password|passwd|secret|token|assertion|apikey|api_key|private_?key)",
                        re.IGNORECASE)


def mask_secrets(value):
    """A copy of ``value`` with the values of secret-looking keys replaced by MASK."""
    if isinstance(value, dict):
        return {key: (MASK if isinstance(key, str) and SECRET_KEY.search(key) and value[key] not in (None, "", False)
                      else mask_secrets(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_secrets(item) for item in value]
    return value
