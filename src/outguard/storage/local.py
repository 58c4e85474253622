"""Blobs as files under one folder.

Writes are atomic: the stream goes to a temp file in the target folder, is fsynced and
then renamed over the target (`os.replace`), and the folder is fsynced. A reader sees the
old blob or the new one, never a torn one; a stream that raises leaves the old blob (or
nothing) and no temp file. Files are created 0o600 and folders 0o700: blobs hold
customer data.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from outguard.errors import ConflictError, DomainValidationError, NotFoundError
from outguard.storage.base import (
    CHUNK_SIZE,
    parent_keys,
    validate_key,
    validate_prefix,
)

TEMP_PREFIX = ".tmp-"  # never a valid key: keys start with a letter or digit
FILE_MODE = 0o600
DIR_MODE = 0o700
_MKDIR_RETRIES = 3  # a concurrent delete may prune the folder we just made


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    @property
    def root(self) -> Path:
        return self._root

    def _path(self, key: str) -> Path:
        return self._root.joinpath(*validate_key(key).split("/"))

    def put(self, key: str, chunks: Iterable[bytes]) -> int:
        path = self._path(key)
        for attempt in range(_MKDIR_RETRIES):
            self._make_parents(key)
            if path.is_dir():
                raise _folder_conflict()
            try:
                fd, tmp_name = tempfile.mkstemp(
                    dir=path.parent, prefix=TEMP_PREFIX, suffix=".part"
                )
                break
            except FileNotFoundError:
                if attempt == _MKDIR_RETRIES - 1:
                    raise
        tmp = Path(tmp_name)
        written = 0
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
                    written += len(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            tmp.chmod(FILE_MODE)  # mkstemp already uses 0o600; say so explicitly
            try:
                tmp.replace(path)
            except IsADirectoryError:
                raise _folder_conflict() from None
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        _fsync_dir(path.parent)
        return written

    def open(self, key: str) -> Iterator[bytes]:
        path = self._path(key)
        try:
            fh = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFoundError("Stored file not found.") from None
        return _chunks(fh)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            st = self._path(key).stat()
        except (FileNotFoundError, NotADirectoryError):
            raise NotFoundError("Stored file not found.") from None
        if not stat.S_ISREG(st.st_mode):
            raise NotFoundError("Stored file not found.")
        return st.st_size

    def delete(self, key: str) -> bool:
        path = self._path(key)
        if not path.is_file():
            return False
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        # Prune folders left empty, so that `a` can later be a blob again (as in memory).
        for folder in reversed(parent_keys(key)):
            try:
                self._root.joinpath(*folder.split("/")).rmdir()
            except OSError:
                break
        return True

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        validate_prefix(prefix)
        folder = prefix.rpartition("/")[0]
        start = self._root.joinpath(*folder.split("/")) if folder else self._root
        if not start.is_dir():
            return
        keys: list[str] = []
        for dirpath, _dirnames, filenames in os.walk(start):
            base = Path(dirpath)
            for name in filenames:
                if name.startswith(TEMP_PREFIX):
                    continue
                key = (base / name).relative_to(self._root).as_posix()
                if key.startswith(prefix) and _is_valid_key(key):
                    keys.append(key)
        yield from sorted(keys)

    def _make_parents(self, key: str) -> None:
        if not self._root.is_dir():
            self._root.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                self._root.mkdir(mode=DIR_MODE)
                self._root.chmod(DIR_MODE)  # the umask may only remove bits; be exact
        current = self._root
        for part in key.split("/")[:-1]:
            current /= part
            try:
                current.mkdir(mode=DIR_MODE)
            except FileExistsError:
                if not current.is_dir():
                    raise _folder_conflict() from None
                continue
            current.chmod(DIR_MODE)


def _folder_conflict() -> ConflictError:
    return ConflictError("A storage key cannot be both a file and a folder of files.")


def _is_valid_key(key: str) -> bool:
    try:
        validate_key(key)
    except DomainValidationError:
        return False
    return True


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX: the directory entry lives in the folder)."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _chunks(fh: BinaryIO) -> Iterator[bytes]:
    with fh:
        while chunk := fh.read(CHUNK_SIZE):
            yield chunk
