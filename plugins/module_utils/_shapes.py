# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Value shapes CIPP's backend reads. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type


def label_value(value: str, label: str | None = None) -> dict:
    """CIPP's select shape ``{value, label}``: where the backend reads ``$Field.value``, a bare
    string is silently dropped, so such fields always get this object."""
    return {"value": value, "label": value if label is None else label}
