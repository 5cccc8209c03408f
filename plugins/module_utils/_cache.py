# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small JSON file shared by every task, host and fork of a run: mode 0600 in a 0700
directory, replaced atomically, and guarded by an ``flock`` on a side lock file so that
concurrent processes can hold it while they fetch what is missing (single flight).

A corrupt, half-written or unreadable file is treated as empty; an unwritable directory
turns the cache off for the process (the caller is told once through ``on_problem``).
Private: the interface may change in any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import contextlib
import json
import os
import tempfile
import time

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover - Windows controllers are not supported by Ansible
    HAS_FCNTL = False

LOCK_WAIT_SECONDS = 120  # longer than one token request with retries


class JsonCacheFile:
    """One JSON object on disk. ``read()`` never raises; ``locked()`` serialises writers."""

    def __init__(self, path: str, on_problem=None):
        self.path = path
        self._lock_path = path + ".lock"
        self._on_problem = on_problem or (lambda message: None)
        self.usable = True
        self._depth = 0  # re-entrant within one process: flock on a second fd would deadlock

    def read(self) -> dict:
        """The current content, or ``{}`` when the file is missing, corrupt or unreadable."""
        if not self.usable:
            return {}
        try:
            with open(self.path, "r", encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write(self, data: dict) -> None:
        """Replace the content atomically (temp file + rename), mode 0600."""
        if not self.usable:
            return
        directory = os.path.dirname(self.path) or "."
        try:
            fd, tmp_path = tempfile.mkstemp(prefix=".tmp-", dir=directory)
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(data, handle, separators=(",", ":"))
                os.replace(tmp_path, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_path)
                raise
        except OSError as exc:
            self._disable(f"cannot write the cache file {self.path} ({exc.strerror}); continuing without it")

    @contextlib.contextmanager
    def locked(self):
        """Hold an exclusive lock for a read-modify-write (or a fetch that fills the cache)."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        handle = self._open_lock()
        if handle is None:
            yield self
            return
        self._depth = 1
        try:
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        # A stuck holder must not block the run forever: go on unlocked.
                        self._on_problem(f"waited {LOCK_WAIT_SECONDS}s for {self._lock_path}; continuing unlocked")
                        break
                    time.sleep(0.05)
            yield self
        finally:
            self._depth = 0
            handle.close()  # closing releases the flock

    def _open_lock(self):
        if not (self.usable and HAS_FCNTL):
            return None
        try:
            os.makedirs(os.path.dirname(self.path) or ".", mode=0o700, exist_ok=True)
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            return os.fdopen(fd, "r+")
        except OSError as exc:
            self._disable(f"cannot use the cache directory for {self.path} ({exc.strerror}); continuing without it")
            return None

    def _disable(self, message: str) -> None:
        if self.usable:
            self.usable = False
            self._on_problem(message)
