"""Where a reader's bytes come from and a writer's go: a file on disk or bytes in memory.

The product rule is "nothing decrypted to disk": a stored dataset is decrypted into memory
and scanned from there. Every reader therefore takes a `Source` (or a path, made one with
`as_source`) and reads through `source.open()`, never by path. `name` is a bare file name
and is what error messages show; a `MemorySource` never touches the filesystem.

Writers take a path or a `MemoryTarget`: a rendition made for sealing into the blob store
(or a re-identified file) is written into memory and never reaches the disk in clear.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from outguard.formats.errors import InvalidFileError

MAX_NAME = 255  # what common filesystems allow for one name


class Source(Protocol):
    """A readable file: its name, suffix and size, and fresh binary handles on its bytes."""

    @property
    def name(self) -> str:
        """The file name only (no folders): shown in messages and reports."""
        ...

    @property
    def suffix(self) -> str:
        """The lower-case suffix of `name` (".csv"), or "" if it has none."""
        ...

    @property
    def size(self) -> int:
        """The size in bytes."""
        ...

    def open(self) -> BinaryIO:
        """A new seekable binary file at position 0; the caller closes it."""
        ...


@dataclass(frozen=True, slots=True)
class PathSource:
    """A file on disk; refused at construction if it is missing or not a regular file."""

    path: Path

    def __init__(self, path: Path | str) -> None:
        path = Path(path)
        if not path.is_file():
            msg = f"{path.name} does not exist or is not a file."
            raise InvalidFileError(msg)
        object.__setattr__(self, "path", path)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def open(self) -> BinaryIO:
        return self.path.open("rb")


@dataclass(frozen=True, slots=True)
class MemorySource:
    """Bytes held in memory (a decrypted upload) under a plain file name."""

    name: str
    # Kept out of repr: these are the clear bytes of a dataset, not for logs or tracebacks.
    data: bytes = field(repr=False)

    def __post_init__(self) -> None:
        check_name(self.name)

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    @property
    def size(self) -> int:
        return len(self.data)

    def open(self) -> BinaryIO:
        # BytesIO shares the bytes until written to: each open costs no copy.
        return io.BytesIO(self.data)


@dataclass(eq=False, slots=True)
class MemoryTarget:
    """An output written into memory: `data` holds the bytes once a write completed.

    The suffix of `name` says what to write (".csv", ".xlsx"...). A write is all or
    nothing, as with a file: `data` changes only when the whole output was written, so a
    failed write leaves it as it was (None for a new target).
    """

    name: str
    # Kept out of repr: a rendition, or a re-identified file full of real values.
    data: bytes | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        check_name(self.name)

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    def source(self) -> MemorySource:
        """The written bytes, to read back (hash, re-scan) like any input."""
        if self.data is None:
            msg = f"{self.name} has not been written."
            raise InvalidFileError(msg)
        return MemorySource(self.name, self.data)


def check_name(name: str) -> None:
    """Refuse anything but a plain file name: it is shown to people, never used as a path."""
    if (
        not name
        or len(name) > MAX_NAME
        or name in {".", ".."}
        or any(sep in name for sep in ("/", "\\"))
        # NUL and the other controls: a name must not forge lines in logs or messages.
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)  # noqa: PLR2004
    ):
        msg = (
            "A file name must be a plain name: no folders or control characters, "
            f"at most {MAX_NAME} characters."
        )
        raise InvalidFileError(msg)


def as_source(value: Path | str | Source) -> Source:
    """`value` as a `Source`: paths (or path strings) become a checked `PathSource`."""
    if isinstance(value, (Path, str)):
        return PathSource(value)
    return value


def name_and_suffix(value: Path | str | Source) -> tuple[str, str]:
    """The file name and lower-case suffix of `value`, without looking at the file."""
    if isinstance(value, (Path, str)):
        path = Path(value)
        return path.name, path.suffix.lower()
    return value.name, value.suffix
