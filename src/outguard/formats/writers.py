"""Streaming table writers that never leave a partial file and never write a live formula.

Output goes to a temporary file beside the target and is renamed into place only when the
whole table was written (`commit`); any exception removes it. Every cell is written as text:
CSV cells are formula-neutralised by the caller's transforms and XLSX cells are typed as
strings, so `=HYPERLINK(...)` stays inert even if something upstream forgot to neutralise it.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from outguard.errors import DomainValidationError

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


def kind_for(path: Path) -> TableKind:
    suffix = path.suffix.lower().lstrip(".")
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


class _XlsxWriter:
    def __init__(self, book: Workbook, names: Sequence[str], sheet: str) -> None:
        self.book = book
        self._ws = self.book.create_sheet(title=sheet[:31] or "Sheet1")
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
        self, path: Path, names: Sequence[str], types: Sequence[Any] | None
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
        self.writer = pq.ParquetWriter(str(path), self._schema)

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
    target: Path,
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
    with _atomic(target, overwrite=overwrite) as (fd, tmp):
        if kind in {"csv", "tsv", "jsonl"}:
            d = dialect or CsvDialect(delimiter="\t" if kind == "tsv" else ",")
            with os.fdopen(fd, "w", encoding=d.encoding, newline="") as handle:
                if d.bom:
                    handle.write("\ufeff")
                yield (
                    _JsonlWriter(handle, names)
                    if kind == "jsonl"
                    else _CsvWriter(handle, names, d)
                )
        else:
            os.close(fd)
            if kind == "xlsx":
                xlsx = _XlsxWriter(Workbook(write_only=True), names, sheet)
                yield xlsx
                xlsx.book.save(str(tmp))
            else:
                parquet = _ParquetWriter(tmp, names, types)
                try:
                    yield parquet
                finally:
                    parquet.writer.close()


@contextlib.contextmanager
def _atomic(target: Path, *, overwrite: bool) -> Iterator[tuple[int, Path]]:
    """A temporary file beside the target, renamed into place only on success."""
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
        yield fd, tmp
        tmp.chmod(0o600)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)  # the caller has closed the descriptor
        raise


class WorkbookWriter:
    """An XLSX written sheet after sheet (each sheet a table), saved atomically at the end."""

    def __init__(self) -> None:
        self.book = Workbook(write_only=True)

    def sheet(self, title: str, names: Sequence[str]) -> TableWriter:
        if len(set(names)) != len(names):
            raise DomainValidationError("Two output columns have the same name.")
        return _XlsxWriter(self.book, names, title)


@contextlib.contextmanager
def open_workbook_writer(
    target: Path, *, overwrite: bool = False
) -> Iterator[WorkbookWriter]:
    with _atomic(target, overwrite=overwrite) as (fd, tmp):
        os.close(fd)
        writer = WorkbookWriter()
        yield writer
        if not writer.book.worksheets:
            writer.book.create_sheet("Sheet1")
        writer.book.save(str(tmp))


@contextlib.contextmanager
def open_text_writer(
    target: Path, *, encoding: str = "utf-8", overwrite: bool = False
) -> Iterator[IO[str]]:
    """A text file written atomically (a protected note, e-mail or pasted text)."""
    with (
        _atomic(target, overwrite=overwrite) as (fd, _tmp),
        os.fdopen(fd, "w", encoding=encoding, newline="") as handle,
    ):
        yield handle
