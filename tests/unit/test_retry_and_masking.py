"""Retry timing and secret masking."""
import email.utils
import time

from ansible_collections.cipp.cipp.plugins.module_utils._masking import MASK, mask_secrets
from ansible_collections.cipp.cipp.plugins.module_utils._retry import RetryBudget, retry_after_seconds


def test_retry_after_seconds_and_dates():
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    future = email.utils.formatdate(time.time() + 10, usegmt=True)
    assert 8 <= retry_after_seconds(future) <= 11


def test_budget_is_bounded_in_count_and_time():
    budget = RetryBudget(retries=3, total=100)
    delays = [budget.next_delay() for _attempt in range(5)]
    assert all(d is not None for d in delays[:3]) and delays[3:] == [None, None]
    assert delays[0] <= 1.0 and delays[1] <= 2.0 and delays[2] <= 4.0
    capped = RetryBudget(retries=10, total=5)
    assert capped.next_delay(retry_after="4") == 4.0
    assert capped.next_delay(retry_after="4") is None  # would exceed the total budget


def test_masking_keeps_non_secrets():
    body = {"password": "P@ss", "MustChangePass": True, "nested": [{"client_secret": "s"}], "name": "x"}
    masked = mask_secrets(body)
    assert masked == {"password": MASK, "MustChangePass": True, "nested": [{"client_secret": MASK}], "name": "x"}
    assert body["password"] == "P@ss"  # the original is not modified
