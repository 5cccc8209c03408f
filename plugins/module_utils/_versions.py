# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Version strings compared as numbers. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type


def version_tuple(version) -> tuple:
    """``"10.8.2"`` -> ``(10, 8, 2)``; missing or non-numeric parts count as 0."""
    parts = []
    for piece in str(version or "").split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)
