# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compiled bytecode of this collection's module_utils, kept between module runs.

Ansible ships a module and its module_utils to the host as a zip of source files, and Python
cannot write ``__pycache__`` into a zip, so every module process compiles the same ~100 KB of
source again: the largest part of what a cipp.cipp module costs over ``ansible.builtin.ping``.
Importing this module (each module's first import) installs an import hook that, for
``ansible_collections.cipp.cipp.plugins.module_utils.*`` loaded from such a zip only, keeps
the compiled code in ``<cache dir>/bytecode/`` (``$XDG_CACHE_HOME/cipp.cipp`` or
``~/.cache/cipp.cipp``), one file per source, named by the SHA-256 of the source and the
Python version. A file is only used when its header repeats that digest, so an edited or
upgraded collection never runs stale code; the directory must be the user's own, mode 0700,
and files are written 0600, atomically; a miss also removes entries written more than 30 days
ago. Any problem (an unwritable home, a corrupt file, a
foreign owner) only means the source is compiled as usual. ``CIPP_BYTECODE_CACHE=off`` turns
the hook off. Private: the interface may change in any release.
"""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import hashlib
import importlib.machinery
import importlib.util
import marshal
import os
import stat
import sys
import tempfile
import time
import zipimport

from ansible_collections.cipp.cipp.plugins.module_utils._cache_dir import default_cache_dir

PREFIX = "ansible_collections.cipp.cipp.plugins.module_utils."
SWITCH = "CIPP_BYTECODE_CACHE"
KEEP_DAYS = 30
MAGIC = b"cipp.cipp bytecode 1\n" + importlib.util.MAGIC_NUMBER


def cache_directory() -> str:
    return os.path.join(default_cache_dir(), "bytecode")


def _private_directory(path: str) -> bool:
    """Create ``path`` and its parent, the collection's cache dir, (0700) if needed; True only if it is a
    directory of this user that nobody else can write. The parent is made 0700 here because the token
    cache lives in it and makedirs gives intermediate directories the umask's mode."""
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


class BytecodeCache:
    """Code objects by source digest in one private directory."""

    def __init__(self, directory: str):
        self.directory = directory
        self._usable = None
        self._pruned = False

    @property
    def usable(self) -> bool:
        if self._usable is None:
            self._usable = _private_directory(self.directory)
        return self._usable

    def _path(self, digest: str) -> str:
        return os.path.join(self.directory, f"{digest}.{sys.implementation.cache_tag}.bin")

    @staticmethod
    def _header(digest: str) -> bytes:
        return MAGIC + bytes.fromhex(digest)

    def load(self, digest: str):
        """The cached code for that source digest, or None."""
        if not self.usable:
            return None
        try:
            with open(self._path(digest), "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        header = self._header(digest)
        if not data.startswith(header):
            return None
        try:
            return marshal.loads(data[len(header):])
        except (EOFError, ValueError, TypeError):
            return None

    def store(self, digest: str, code) -> None:
        """Write the entry atomically (0600); the first miss of a process also prunes old entries."""
        if not self.usable:
            return
        if not self._pruned:
            self._pruned = True
            self._prune()
        try:
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        except OSError:
            self._usable = False
            return
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(self._header(digest) + marshal.dumps(code))
            os.replace(temporary, self._path(digest))
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass

    def _prune(self) -> None:
        """Remove entries written more than KEEP_DAYS ago (older releases, edited sources; one that is
        still used is simply compiled again) and temporary files a killed process left."""
        now = time.time()
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            age_limit = KEEP_DAYS * 86400 if name.endswith(".bin") else 3600 if name.startswith(".tmp-") else None
            if age_limit is None:
                continue
            path = os.path.join(self.directory, name)
            try:
                if now - os.lstat(path).st_mtime > age_limit:
                    os.unlink(path)
            except OSError:
                pass


class CachedSourceLoader:
    """Wraps the zip's loader: the same module, executed from cached bytecode when there is some."""

    def __init__(self, inner, cache: BytecodeCache):
        self.inner = inner
        self.cache = cache

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        name = module.__spec__.name
        source = self.inner.get_source(name)
        if source is None:  # nothing to compile: let the zip's loader do what it does
            exec(self.inner.get_code(name), module.__dict__)  # pylint: disable=exec-used
            return
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        filename = module.__spec__.origin
        code = self.cache.load(digest)
        if code is not None and filename:
            code = _with_filename(code, filename)
        if code is None:
            code = compile(source, filename or name, "exec", dont_inherit=True)
            self.cache.store(digest, code)
        exec(code, module.__dict__)  # pylint: disable=exec-used

    def get_source(self, fullname: str):
        return self.inner.get_source(fullname)

    def is_package(self, fullname: str) -> bool:
        return self.inner.is_package(fullname)


def _with_filename(code, filename: str):
    """Point tracebacks at this run's zip, not the one the code was first compiled from."""
    try:
        import _imp  # CPython's import internals; other interpreters keep the first file name
        _imp._fix_co_filename(code, filename)  # pylint: disable=protected-access
    except (ImportError, AttributeError):
        pass
    return code


class CachedBytecodeFinder:
    """Finds this collection's module_utils in the zip they came in and loads them through the cache.

    The spec is built here rather than by ``zipimport``: its ``find_spec`` compiles the source
    to learn the file name (Python 3.11), which would cost the compile this cache saves.
    """

    def __init__(self, cache: BytecodeCache):
        self.cache = cache

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(PREFIX) or not path or len(path) != 1:
            return None
        importer = sys.path_importer_cache.get(path[0])
        if not isinstance(importer, zipimport.zipimporter):
            return None  # not from a zip (tests, sanity, an installed collection): Python caches bytecode itself
        try:
            if importer.is_package(fullname):
                return None
        except zipimport.ZipImportError:
            return None  # not in this zip: let the other finders look
        spec = importlib.machinery.ModuleSpec(fullname, CachedSourceLoader(importer, self.cache),
                                              origin=f"{path[0]}/{fullname.rpartition('.')[2]}.py")
        spec.has_location = True
        return spec


def install() -> bool:
    """Put the finder first on ``sys.meta_path`` once per process, when this collection runs from a zip
    (an AnsiballZ payload); False when switched off or loaded from files, where Python caches bytecode itself."""
    if os.environ.get(SWITCH, "").strip().lower() in ("0", "off", "false", "no"):
        return False
    if not isinstance(getattr(__spec__, "loader", None), zipimport.zipimporter):
        return False
    if not any(isinstance(finder, CachedBytecodeFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, CachedBytecodeFinder(BytecodeCache(cache_directory())))
    return True


INSTALLED = install()
