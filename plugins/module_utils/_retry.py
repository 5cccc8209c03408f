# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retry timing: jittered exponential backoff that honours ``Retry-After``, bounded in
count (the ``retries`` option) and in total time. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import email.utils
import random
import time

BASE_DELAY = 1.0
MAX_DELAY = 30.0
TOTAL_BUDGET = 120.0  # seconds of sleeping per request, whatever ``retries`` says


def retry_after_seconds(value) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class RetryBudget:
    """Decides whether (and how long) to wait before attempt ``n + 1``."""

    def __init__(self, retries: int, total: float = TOTAL_BUDGET):
        self.retries = retries
        self.total = total
        self.used = 0
        self.slept = 0.0

    def next_delay(self, retry_after=None) -> float | None:
        """Seconds to sleep before the next attempt, or None when the budget is spent."""
        if self.used >= self.retries:
            return None
        hinted = retry_after_seconds(retry_after)
        if hinted is not None:
            delay = min(hinted, MAX_DELAY * 2)
        else:
            delay = min(MAX_DELAY, BASE_DELAY * (2 ** self.used)) * (0.5 + random.random() / 2)
        if self.slept + delay > self.total:
            return None
        self.used += 1
        self.slept += delay
        return delay
