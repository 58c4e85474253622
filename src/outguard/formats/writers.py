"""Streaming table writers that never leave a partial file and never write a live formula.

A target is a path or a `MemoryTarget`. A path is written to a temporary file beside it
that is renamed into place only when the whole table was written (`commit`); any exception
removes it. A memory target is written to a buffer whose bytes it keeps only on success, and
nothing of it touches the disk (openpyxl's sheet staging files included). Both are written
by the same code, so the same table gives the same bytes either way.

Every cell is written as text: CSV cells are formula-neutralised by the caller's transforms
and XLSX cells are typed as strings, so `=HYPERLINK(...)` stays inert even if something
upstream forgot to neutralise it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import stat
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from outguard.errors import DomainValidationError
from outguard.formats.sources import MemoryTarget, PathSource, Source

TableKind = Literal["csv", "tsv", "xlsx", "parquet", "jsonl"]
Cells = Sequence[str | None]


@dataclass(frozen=True)
class CsvDialect:
    """What to keep of the input's CSV flavour."""

    delimiter: str = ","
    quotechar: str = '"'
    lineterminator: str = "\r\n"
    encoding: str = "utf-8"
    bom: bool = False


class TableWriter(Protocol):
    def write(self, columns: Sequence[Cells]) -> None:
        """Append a batch given as columns (all the same length)."""
        ...


def kind_for(target: Path | MemoryTarget) -> TableKind:
    suffix = target.suffix.lower().lstrip(".")
    kinds: dict[str, TableKind] = {
        "csv": "csv",
        "txt": "csv",
        "tsv": "tsv",
        "tab": "tsv",
        "xlsx": "xlsx",
        "parquet": "parquet",
        "pq": "parquet",
        "jsonl": "jsonl",
        "ndjson": "jsonl",
    }
    if suffix not in kinds:
        raise DomainValidationError(
            f"Cannot write a table as .{suffix or '(none)'}: use .csv, .tsv, .xlsx, .parquet or .jsonl."
        )
    return kinds[suffix]


def overwrites(target: Path | MemoryTarget, source: Path | Source) -> bool:
    """Whether writing `target` would replace the file `source` is read from."""
    if not isinstance(target, Path):
        return False  # memory holds no one's original
    if isinstance(source, PathSource):
        source = source.path
    return isinstance(source, Path) and target.resolve() == source.resolve()


def discard(target: Path | MemoryTarget) -> None:
    """Remove a completed output that must not be kept (the step after it failed)."""
    if isinstance(target, MemoryTarget):
        target.data = None
    else:
        target.unlink(missing_ok=True)


def written(target: Path | MemoryTarget) -> Path | Source:
    """A completed output as something to read back (`file_sha256`, a re-scan)."""
    return target.source() if isinstance(target, MemoryTarget) else target


def _rows(columns: Sequence[Cells]) -> Iterator[tuple[str | None, ...]]:
    lengths = {len(c) for c in columns}
    if len(lengths) > 1:
        msg = "every column of a batch must have the same length"
        raise ValueError(msg)
    return zip(*columns, strict=True)


class _CsvWriter:
    def __init__(
        self, handle: IO[str], names: Sequence[str], dialect: CsvDialect
    ) -> None:
        self._w = csv.writer(
            handle,
            delimiter=dialect.delimiter,
            quotechar=dialect.quotechar,
            lineterminator=dialect.lineterminator,
            quoting=csv.QUOTE_MINIMAL,
        )
        self._w.writerow(names)

    def write(self, columns: Sequence[Cells]) -> None:
        self._w.writerows(
            ["" if v is None else v for v in row] for row in _rows(columns)
        )


class _JsonlWriter:
    def __init__(self, handle: IO[str], names: Sequence[str]) -> None:
        self._h = handle
        self._names = list(names)

    def write(self, columns: Sequence[Cells]) -> None:
        for row in _rows(columns):
            self._h.write(
                json.dumps(dict(zip(self._names, row, strict=True)), ensure_ascii=False)
            )
            self._h.write("\n")


class _BufferedSheetWriter(WorksheetWriter):  # type: ignore[misc]  # openpyxl is untyped
    """A sheet's XML streamed into a buffer: openpyxl stages it in a named temporary file."""

    def __init__(self, ws: Any) -> None:
        super().__init__(ws, out=io.BytesIO())

    def cleanup(self) -> None:
        """Nothing to remove: no temporary file was made."""


class _SheetZip(zipfile.ZipFile):
    """The workbook archive; takes a buffered sheet where openpyxl passes a file name."""

    def write(
        self,
        filename: Any,
        arcname: Any = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if not isinstance(filename, io.BytesIO):
            super().write(filename, arcname, compress_type, compresslevel)
            return
        # The entry a staged sheet file would give, but for the time: a regular 0600 file.
        info = zipfile.ZipInfo(str(arcname), date_time=time.localtime()[:6])
        info.external_attr = (stat.S_IFREG | 0o600) << 16
        info.compress_type = (
            self.compression if compress_type is None else compress_type
        )
        self.writestr(info, filename.getvalue(), compresslevel=compresslevel)


def _new_sheet(book: Workbook, title: str, *, in_memory: bool) -> Any:
    ws = book.create_sheet(title=title)
    if in_memory:
        # What WriteOnlyWorksheet._get_writer does, with a buffer in place of a file.
        ws._writer = _BufferedSheetWriter(ws)  # noqa: SLF001 - openpyxl has no public hook
        ws._writer.write_top()  # noqa: SLF001
    return ws


def _save_workbook(book: Workbook, handle: BinaryIO, *, in_memory: bool) -> None:
    """`Workbook.save` into an open handle, through the archive that takes buffered sheets."""
    if not book.worksheets:
        _new_sheet(book, "Sheet1", in_memory=in_memory)
    with _SheetZip(handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        book.properties.modified = datetime.now(UTC).replace(tzinfo=None)
        ExcelWriter(book, archive).save()


def _abandon(book: Workbook) -> None:
    """End a failed workbook's sheet streams and remove openpyxl's staging files now.

    Left to the garbage collector, the half-written streams end with errors printed as
    "Exception ignored", and staged sheets would stay in the temporary folder until exit.
    """
    for ws in book.worksheets:
        with contextlib.suppress(Exception):  # already failing: keep the first error
            ws.close()
        staging = ws._writer  # noqa: SLF001 - openpyxl has no public hook
        if staging is not None:
            with contextlib.suppress(OSError, ValueError):
                staging.cleanup()


class _XlsxWriter:
    def __init__(
        self, book: Workbook, names: Sequence[str], sheet: str, *, in_memory: bool
    ) -> None:
        self.book = book
        self._ws = _new_sheet(book, sheet[:31] or "Sheet1", in_memory=in_memory)
        self._ws.append([self._cell(n) for n in names])

    def _cell(self, value: str | None) -> Any:
        cell = WriteOnlyCell(self._ws, value=value)
        if value is not None:
            cell.data_type = "s"  # text, never a formula
        return cell

    def write(self, columns: Sequence[Cells]) -> None:
        for row in _rows(columns):
            self._ws.append([self._cell(v) for v in row])


class _ParquetWriter:
    """Text columns, or the input's type where a column's values pass through unchanged."""

    def __init__(
        self, handle: BinaryIO, names: Sequence[str], types: Sequence[Any] | None
    ) -> None:
        import pyarrow as pa  # noqa: PLC0415 - heavy import, only when writing Parquet
        import pyarrow.parquet as pq  # noqa: PLC0415

        self._pa = pa
        self._types = list(types) if types is not None else [None] * len(names)
        self._schema = pa.schema(
            [
                pa.field(n, t if t is not None else pa.string())
                for n, t in zip(names, self._types, strict=True)
            ]
        )
        self.writer = pq.ParquetWriter(handle, self._schema)

    def _array(self, values: Cells, kind: Any) -> Any:
        text = self._pa.array(list(values), type=self._pa.string())
        if kind is None:
            return text
        try:
            return text.cast(kind)
        except (self._pa.ArrowInvalid, self._pa.ArrowNotImplementedError):
            raise DomainValidationError(
                f"A value of Parquet column of type {kind} could not be written back as {kind}."
            ) from None

    def write(self, columns: Sequence[Cells]) -> None:
        _ = list(_rows(columns))  # length check
        arrays = [self._array(c, t) for c, t in zip(columns, self._types, strict=True)]
        self.writer.write_table(self._pa.Table.from_arrays(arrays, schema=self._schema))


@contextlib.contextmanager
def open_table_writer(
    target: Path | MemoryTarget,
    names: Sequence[str],
    *,
    kind: TableKind | None = None,
    dialect: CsvDialect | None = None,
    sheet: str = "Sheet1",
    overwrite: bool = False,
    types: Sequence[Any] | None = None,
) -> Iterator[TableWriter]:
    """Write a table atomically: the target appears complete, or not at all.

    `types` (Parquet only): per column, the Arrow type to write it as (None: text).
    """
    kind = kind or kind_for(target)
    if len(set(names)) != len(names):
        raise DomainValidationError("Two output columns have the same name.")
    with _atomic(target, overwrite=overwrite) as handle:
        if kind in {"csv", "tsv", "jsonl"}:
            d = dialect or CsvDialect(delimiter="\t" if kind == "tsv" else ",")
            with _text(handle, d.encoding) as text:
                if d.bom:
                    text.write("\ufeff")
                yield (
                    _JsonlWriter(text, names)
                    if kind == "jsonl"
                    else _CsvWriter(text, names, d)
                )
        elif kind == "xlsx":
            in_memory = isinstance(target, MemoryTarget)
            xlsx = _XlsxWriter(
                Workbook(write_only=True), names, sheet, in_memory=in_memory
            )
            try:
                yield xlsx
            except BaseException:
                _abandon(xlsx.book)
                raise
            _save_workbook(xlsx.book, handle, in_memory=in_memory)
        else:
            parquet = _ParquetWriter(handle, names, types)
            try:
                yield parquet
            finally:
                parquet.writer.close()


@contextlib.contextmanager
def _text(handle: BinaryIO, encoding: str) -> Iterator[IO[str]]:
    """Text over the binary handle; leaves the handle open for `_atomic` to finish."""
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    yield text
    text.detach()  # flushes; closing the wrapper would close (and lose) a memory buffer


@contextlib.contextmanager
def _atomic(target: Path | MemoryTarget, *, overwrite: bool) -> Iterator[BinaryIO]:
    """A handle on the output, kept only on success.

    A path: a temporary file beside it, renamed into place. A memory target: a buffer whose
    bytes become the target's `data`.
    """
    if isinstance(target, MemoryTarget):
        if target.data is not None and not overwrite:
            raise DomainValidationError(
                f"{target.name} already holds a written file; choose another output."
            )
        with io.BytesIO() as buffer:
            yield buffer
            target.data = buffer.getvalue()
        return
    if target.exists() and not overwrite:
        raise DomainValidationError(
            f"{target.name} already exists; choose another output path."
        )
    directory = target.resolve().parent
    if not directory.is_dir():
        raise DomainValidationError(f"The folder for {target.name} does not exist.")
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=directory
    )
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        tmp.chmod(0o600)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)  # the descriptor was closed on the way out
        raise


class WorkbookWriter:
    """An XLSX written sheet after sheet (each sheet a table), saved atomically at the end."""

    def __init__(self, *, in_memory: bool = False) -> None:
        self.book = Workbook(write_only=True)
        self.in_memory = in_memory

    def sheet(self, title: str, names: Sequence[str]) -> TableWriter:
        if len(set(names)) != len(names):
            raise DomainValidationError("Two output columns have the same name.")
        return _XlsxWriter(self.book, names, title, in_memory=self.in_memory)


@contextlib.contextmanager
def open_workbook_writer(
    target: Path | MemoryTarget, *, overwrite: bool = False
) -> Iterator[WorkbookWriter]:
    with _atomic(target, overwrite=overwrite) as handle:
        writer = WorkbookWriter(in_memory=isinstance(target, MemoryTarget))
        try:
            yield writer
        except BaseException:
            _abandon(writer.book)
            raise
        _save_workbook(writer.book, handle, in_memory=writer.in_memory)


@contextlib.contextmanager
def open_text_writer(
    target: Path | MemoryTarget, *, encoding: str = "utf-8", overwrite: bool = False
) -> Iterator[IO[str]]:
    """A text file written atomically (a protected note, e-mail or pasted text)."""
    with (
        _atomic(target, overwrite=overwrite) as handle,
        _text(handle, encoding) as text,
    ):
        yield text
