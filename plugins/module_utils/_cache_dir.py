# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the collection keeps what it caches for the user (tokens, compiled module_utils).
Private: the interface may change in any release."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import os


def default_cache_dir() -> str:
    """``$XDG_CACHE_HOME/cipp.cipp`` or ``~/.cache/cipp.cipp``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cipp.cipp")
