"""What an upload must look like before it is stored: a name, a kind, its first bytes.

Pure checks on the name and the first bytes.

The suffix says what the uploader claims; the first bytes say what it is. A mismatch (an
executable named .csv, a zip named .pdf) is refused with both named, before anything is
kept. Deeper checks (zip bombs, sheets, macros) need the whole file and run in the scan.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath, PureWindowsPath

from outguard.errors import DomainValidationError

# suffix -> kind
KINDS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".txt": "txt",
    ".pdf": "pdf",
    ".docx": "docx",
    ".eml": "eml",
}
TABLE_KINDS = frozenset({"csv", "tsv", "xlsx", "parquet", "jsonl"})
_TEXT_KINDS = frozenset({"csv", "tsv", "jsonl", "txt", "eml"})
_MACRO_SUFFIXES = frozenset(
    {".xlsm", ".xlsb", ".xls", ".docm", ".doc", ".xltm", ".dotm"}
)
_MAGIC = {
    "xlsx": (b"PK\x03\x04",),
    "docx": (b"PK\x03\x04",),
    "pdf": (b"%PDF-",),
    "parquet": (b"PAR1",),
}
# What a text file must not start with: these are other formats, whatever the suffix.
_BINARY_MAGIC = {
    b"MZ": "a Windows executable",
    b"\x7fELF": "a Linux executable",
    b"PK\x03\x04": "a zip archive (an Office file?)",
    b"%PDF-": "a PDF",
    b"PAR1": "a Parquet file",
    b"\xd0\xcf\x11\xe0": "an old Office file (.xls/.doc)",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
}
MAX_NAME = 200
SNIFF = 8192


class UploadRefusedError(DomainValidationError):
    code = "upload_refused"


def clean_filename(raw: str) -> str:
    """The last path component, NFC, no control characters; refused if nothing is left.

    Browsers and scripts send names like `C:/Users/x/payroll.csv` (either slash) or `../x`:
    only the final name is kept, and it is used for display and the kind, never as a path.
    """
    name = PureWindowsPath(PurePosixPath(raw.replace("\x00", "")).name).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        ch
        for ch in name
        if unicodedata.category(ch)[0] != "C"  # controls, format chars (RLO, ZWJ)
    ).strip(" .")
    if not name:
        raise UploadRefusedError("The file has no usable name.")
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = (
            (stem[: MAX_NAME - len(suffix) - 1] + dot + suffix)
            if dot
            else name[:MAX_NAME]
        )
    return name


def kind_of(filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix in _MACRO_SUFFIXES:
        raise UploadRefusedError(
            f"{suffix} files can carry macros or are an old binary format: save the "
            "workbook or document as .xlsx / .docx (or export a CSV) and upload that."
        )
    kind = KINDS.get(suffix)
    if kind is None:
        raise UploadRefusedError(
            f"outguard takes {', '.join(sorted({*KINDS}))} files; "
            f"{suffix or 'a file without a suffix'} is not one of them."
        )
    return kind


def check_head(kind: str, head: bytes) -> None:
    """Refuse a file whose first bytes are not what its suffix claims."""
    if not head:
        raise UploadRefusedError("The file is empty.")
    magic = _MAGIC.get(kind)
    if magic is not None:
        if not head.startswith(magic):
            raise UploadRefusedError(
                f"The file is named .{kind} but is not one: its first bytes do not match."
            )
        return
    if kind in _TEXT_KINDS:
        for prefix, what in _BINARY_MAGIC.items():
            if head.startswith(prefix):
                raise UploadRefusedError(f"The file is named .{kind} but is {what}.")
        utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
        if b"\x00" in head[:SNIFF] and not utf16:
            raise UploadRefusedError(
                f"The file is named .{kind} but is not text: it looks like a binary file."
            )


class Counted:
    """An upload's chunks, passed through once: first bytes checked, size and hash counted.

    Stopped past `limit`; with `keep`, the bytes are also kept (in memory) for a scan right
    after sealing.
    """

    def __init__(
        self, chunks: Iterable[bytes], *, kind: str, limit: int, keep: bool = False
    ) -> None:
        self._rest = iter(chunks)
        self._first = self._head()
        check_head(kind, self._first)
        self._limit = limit
        self._keep: list[bytes] | None = [] if keep else None
        self.size = 0
        self.sha = hashlib.sha256()

    def _head(self) -> bytes:
        head = b""
        for chunk in self._rest:
            head += chunk
            if len(head) >= SNIFF:
                break
        return head

    @property
    def data(self) -> bytes:
        if self._keep is None:  # pragma: no cover - a programming error
            raise RuntimeError("the bytes were not kept")
        return b"".join(self._keep)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks():
            self.size += len(chunk)
            if self.size > self._limit:
                raise UploadRefusedError(
                    f"The file is larger than the {self._limit // (1024 * 1024)} MB "
                    "this instance accepts."
                )
            self.sha.update(chunk)
            if self._keep is not None:
                self._keep.append(chunk)
            yield chunk

    def _chunks(self) -> Iterator[bytes]:
        if self._first:
            yield self._first
        yield from self._rest
