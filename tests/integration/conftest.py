"""Integration tests drive the installed-in-place collection against the emulator."""
import pytest

from tests import collection_path

collection_path.ensure()


@pytest.fixture
def token_cache(tmp_path):
    """A fresh token cache file per test, so token requests can be counted."""
    return tmp_path / "cache" / "tokens.json"
