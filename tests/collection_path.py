"""Makes this checkout importable and runnable as the collection ``cipp.cipp``.

Ansible finds collections under ``<path>/ansible_collections/<namespace>/<name>``; the
repository root is the collection root, so a symlink in the git-ignored ``.tmp`` folder
is enough. ``ensure()`` returns the collections path for ANSIBLE_COLLECTIONS_PATH and
puts it on ``sys.path`` for tests that import module_utils directly.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
COLLECTIONS_PATH = REPO_ROOT / ".tmp" / "collections"


def ensure() -> Path:
    link = COLLECTIONS_PATH / "ansible_collections" / "cipp" / "cipp"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(REPO_ROOT, target_is_directory=True)
        except FileExistsError:  # another process made it first
            pass
    if str(COLLECTIONS_PATH) not in sys.path:
        sys.path.insert(0, str(COLLECTIONS_PATH))
    os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS_PATH))
    return COLLECTIONS_PATH
