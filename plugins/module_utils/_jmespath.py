# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""JMESPath queries over CIPP answers, with errors that name the option. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

try:
    import jmespath
    HAS_JMESPATH = True
except ImportError:
    HAS_JMESPATH = False

from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippConfigError


def evaluate(expression: str, data, option: str = "query"):
    """``expression`` applied to ``data``; a bad expression fails naming ``option``."""
    if not HAS_JMESPATH:
        raise CippConfigError("the Python library 'jmespath' is required for option "
                              f"'{option}' (pip install -r requirements.txt)", option=option)
    try:
        return jmespath.search(expression, data)
    except jmespath.exceptions.JMESPathError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CippConfigError(f"option '{option}': invalid JMESPath expression {expression!r}: {first_line}",
                              option=option) from None
