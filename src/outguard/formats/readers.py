"""Streaming table readers: every format becomes batches of text columns, memory bounded.

Values are read as text (leading zeros and long digit strings survive). Hostile input gets a
clear `InvalidFileError` naming the problem before any large allocation: binary content
behind a .csv name, a zip bomb behind .xlsx, a line longer than the limit, an encrypted PDF.
Every reader takes a path or a `Source` (bytes in memory) and reads through file objects.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from outguard.formats.errors import InvalidFileError
from outguard.formats.sources import Source, as_source
from outguard.formats.writers import CsvDialect

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "BATCH_ROWS",
    "SNIFF_BYTES",
    "TABLE_SUFFIXES",
    "InvalidFileError",  # defined in formats.errors; importers use this name from here
    "TableStream",
    "file_sha256",
    "open_table",
    "read_csv",
    "read_jsonl",
    "read_parquet",
    "read_xlsx",
    "sniff_text",
]

BATCH_ROWS = 50_000
_BLOCK = 4 * 1024 * 1024  # bytes Arrow parses at a time
SNIFF_BYTES = 64 * 1024
MAX_LINE_BYTES = 8 * 1024 * 1024  # one CSV row; a 50 MB single line is refused
XLSX_MAX_RATIO = 200  # uncompressed / compressed for any zip member
XLSX_MAX_BYTES = 1024 * 1024 * 1024  # total uncompressed
XLSX_MAX_SHARED_STRINGS_BYTES = 256 * 1024 * 1024

TABLE_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx",
                  ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}  # fmt: skip


@dataclass
class TableStream:
    """Column names, then batches of text columns (lists of str | None, all one length)."""

    names: list[str]
    batches: Iterator[list[list[str | None]]]
    kind: str
    notes: list[str] = field(default_factory=list)  # e.g. encoding used, rows skipped
    dialect: CsvDialect | None = (
        None  # CSV/TSV: what a writer keeps of the input's flavour
    )
    schema: pa.Schema | None = None  # Parquet: the input's column types
    sheet: str | None = None  # XLSX: the sheet read
    sheets: tuple[str, ...] = ()  # XLSX: every sheet of the workbook
    total_rows: int | None = None  # when the format says (Parquet)


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # UTF-16 text is half zero bytes: judge its characters, not its bytes.
        chars = head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
        controls = sum(1 for c in chars if ord(c) < 9 or 13 < ord(c) < 32)  # noqa: PLR2004
        return len(chars) > 0 and controls / len(chars) > 0.05  # noqa: PLR2004
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)  # noqa: PLR2004 - C0 minus tab/newlines
    return len(head) > 0 and controls / len(head) > 0.05  # noqa: PLR2004


def _encoding(head: bytes) -> tuple[str, int]:
    """(encoding, bytes of BOM to skip): UTF-8 (with or without BOM), UTF-16, else cp1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut by the sniff window
            return "cp1252", 0
    return "utf-8", 0


def _unique_names(raw: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(raw):
        base = name.strip() or f"column_{i + 1}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else f"{base}_{n + 1}")
    return out


def _sniff_delimiter(sample: str, default: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else default


def _refuse_huge_first_line(source: Source) -> None:
    with source.open() as fh:
        if len(fh.readline(MAX_LINE_BYTES + 1)) > MAX_LINE_BYTES:
            raise InvalidFileError(
                f"{source.name} has a line longer than {MAX_LINE_BYTES // (1024 * 1024)} MB: "
                "not a table export."
            )


def sniff_text(path: Path | str | Source) -> tuple[str, str]:
    """(encoding, the first characters) of a text file; refuses empty and binary files."""
    source = as_source(path)
    with source.open() as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip():
        raise InvalidFileError(f"{source.name} is empty.")
    if _looks_binary(head):
        raise InvalidFileError(
            f"{source.name} is not text: it looks like a binary file."
        )
    encoding, skip = _encoding(head)
    sample = head[skip:].decode(encoding, errors="replace")
    if "\n" not in sample and len(head) == SNIFF_BYTES:
        _refuse_huge_first_line(source)
    return encoding, sample


def read_csv(
    path: Path | str | Source, *, kind: str = "csv", batch_rows: int = BATCH_ROWS
) -> TableStream:
    source = as_source(path)
    encoding, sample = sniff_text(source)
    with source.open() as fh:
        sample_had_bom = fh.read(3) == codecs.BOM_UTF8
    delimiter = _sniff_delimiter(sample, "\t" if kind == "tsv" else ",")
    skipped = [0]

    def on_bad_row(_row: object) -> str:
        skipped[0] += 1
        return "skip"

    parse = pacsv.ParseOptions(
        delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_bad_row
    )
    # A Python file object, not the path: given a path, Arrow reads the whole file ahead.
    with source.open() as head:
        first = pacsv.open_csv(
            head,
            read_options=pacsv.ReadOptions(
                encoding=encoding, block_size=_BLOCK, autogenerate_column_names=False
            ),
            parse_options=parse,
            convert_options=pacsv.ConvertOptions(
                auto_dict_encode=False, check_utf8=False
            ),
        )
        schema = first.schema
        first.close()
    names = _unique_names([f.name.lstrip("\ufeff") for f in schema])
    # Every column as text: a second pass of typing would lose leading zeros.
    string_schema = pa.schema([pa.field(f.name, pa.string()) for f in schema])
    skipped[0] = 0  # the schema pass read the first block: count bad rows once
    body = source.open()
    stream = pacsv.open_csv(
        body,
        read_options=pacsv.ReadOptions(
            encoding=encoding, block_size=_BLOCK, use_threads=False
        ),
        parse_options=parse,
        convert_options=pacsv.ConvertOptions(
            column_types=string_schema,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )

    def batches() -> Iterator[list[list[str | None]]]:
        try:
            pending: list[pa.RecordBatch] = []
            rows = 0
            for batch in stream:
                pending.append(batch)
                rows += batch.num_rows
                if rows >= batch_rows:
                    # Exactly `batch_rows` per batch, whatever Arrow's block size.
                    table = pa.Table.from_batches(pending)
                    start = 0
                    while rows - start >= batch_rows:
                        yield _columns(table.slice(start, batch_rows).to_batches())
                        start += batch_rows
                    pending = table.slice(start).to_batches()
                    rows -= start
            if rows:
                yield _columns(pending)
            if skipped[0]:
                notes.append(f"{skipped[0]} malformed row(s) skipped")
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise InvalidFileError(
                f"{source.name} is not a well-formed {kind.upper()} file: {str(exc)[:200]}"
            ) from None
        finally:
            stream.close()
            body.close()

    notes = [f"encoding {encoding}", f"delimiter {delimiter!r}"]
    dialect = CsvDialect(
        delimiter=delimiter,
        lineterminator="\r\n" if "\r\n" in sample[:SNIFF_BYTES] else "\n",
        # A cp1252 export is written back as UTF-8 with a BOM: Excel reads it the same way,
        # and pseudonyms or band labels may hold characters cp1252 lacks.
        encoding="utf-16" if encoding == "utf-16" else "utf-8",
        bom=encoding == "cp1252" or sample_had_bom,  # the utf-16 codec writes its own
    )
    return TableStream(names, batches(), kind, notes, dialect=dialect)


def _columns(batches: list[pa.RecordBatch]) -> list[list[str | None]]:
    table = pa.Table.from_batches(batches)
    return [table.column(i).to_pylist() for i in range(table.num_columns)]


def _check_zip(source: Source) -> None:
    try:
        with source.open() as fh, zipfile.ZipFile(fh) as zf:
            total = 0
            for info in zf.infolist():
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > XLSX_MAX_RATIO and info.file_size > 10 * 1024 * 1024:
                    raise InvalidFileError(
                        f"{source.name} looks like a zip bomb ({info.filename} expands {ratio:.0f}x)."
                    )
                if (
                    info.filename.endswith("sharedStrings.xml")
                    and info.file_size > XLSX_MAX_SHARED_STRINGS_BYTES
                ):
                    raise InvalidFileError(
                        f"{source.name} has an oversized shared-string table."
                    )
            if total > XLSX_MAX_BYTES:
                raise InvalidFileError(f"{source.name} expands to more than 1 GB.")
            if "xl/workbook.xml" not in zf.namelist():
                raise InvalidFileError(f"{source.name} is not an Excel workbook.")
    except zipfile.BadZipFile:
        raise InvalidFileError(
            f"{source.name} is not an .xlsx file (not a zip)."
        ) from None


def read_xlsx(  # noqa: C901 - one reader: checks, header, sheets, batches
    path: Path | str | Source,
    *,
    batch_rows: int = BATCH_ROWS,
    sheet: str | None = None,
) -> TableStream:
    source = as_source(path)
    _check_zip(source)
    from openpyxl import load_workbook  # noqa: PLC0415 - only for workbooks

    # Read-only workbooks read the archive lazily: the handle lives until `close()`.
    fh = source.open()
    try:
        book = load_workbook(fh, read_only=True, data_only=True)
    except BaseException:
        fh.close()
        raise

    def close() -> None:
        book.close()  # closes the archive, not a handle it was given
        fh.close()

    if sheet is not None and sheet not in book.sheetnames:
        close()
        raise InvalidFileError(f"{source.name} has no sheet named {sheet!r}.")
    ws = book[sheet] if sheet else book.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        close()
        if sheet is not None:  # one sheet of several: an empty table, not an error
            return TableStream(
                [], iter(()), "xlsx", sheet=sheet, sheets=tuple(book.sheetnames)
            )
        raise InvalidFileError(f"{source.name}: the first sheet is empty.")
    names = _unique_names(["" if h is None else str(h) for h in header])
    width = len(names)

    def cell_text(v: object) -> str | None:
        if v is None:
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    def batches() -> Iterator[list[list[str | None]]]:
        try:
            cols: list[list[str | None]] = [[] for _ in range(width)]
            n = 0
            for row in rows:
                for i in range(width):
                    cols[i].append(cell_text(row[i]) if i < len(row) else None)
                n += 1
                if n >= batch_rows:
                    yield cols
                    cols, n = [[] for _ in range(width)], 0
            if n:
                yield cols
        finally:
            close()

    notes = [f"sheet {ws.title!r} of {len(book.sheetnames)}"]
    return TableStream(
        names, batches(), "xlsx", notes, sheet=ws.title, sheets=tuple(book.sheetnames)
    )


def read_parquet(
    path: Path | str | Source, *, batch_rows: int = BATCH_ROWS
) -> TableStream:
    source = as_source(path)
    # The footer now, the row groups when the batches are read: no handle stays open for
    # a stream nobody reads.
    with source.open() as fh:
        try:
            pf = pq.ParquetFile(fh)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InvalidFileError(
                f"{source.name} is not a Parquet file: {str(exc)[:120]}"
            ) from None
        schema, total_rows = pf.schema_arrow, pf.metadata.num_rows
    names = _unique_names(schema.names)

    def batches() -> Iterator[list[list[str | None]]]:
        with source.open() as fh:
            pf = pq.ParquetFile(fh)
            for batch in pf.iter_batches(batch_size=batch_rows):
                yield [
                    [None if v is None else str(v) for v in batch.column(i).to_pylist()]
                    for i in range(batch.num_columns)
                ]

    return TableStream(
        names, batches(), "parquet", schema=schema, total_rows=total_rows
    )


def read_jsonl(
    path: Path | str | Source, *, batch_rows: int = BATCH_ROWS
) -> TableStream:
    source = as_source(path)
    with source.open() as fh:
        first = fh.readline(MAX_LINE_BYTES + 1)
    try:
        head = json.loads(first)
    except ValueError:
        head = None
    if not isinstance(head, dict):
        raise InvalidFileError(f"{source.name}: the first line is not a JSON object.")
    keys = list(head)
    names = _unique_names([str(k) for k in keys])

    def batches() -> Iterator[list[list[str | None]]]:
        cols: list[list[str | None]] = [[] for _ in keys]
        n = 0
        with io.TextIOWrapper(source.open(), encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError:
                    raise InvalidFileError(
                        f"{source.name} line {lineno} is not JSON."
                    ) from None
                for i, k in enumerate(keys):
                    v = obj.get(k) if isinstance(obj, dict) else None
                    cols[i].append(
                        None
                        if v is None
                        else (v if isinstance(v, str) else json.dumps(v))
                    )
                n += 1
                if n >= batch_rows:
                    yield cols
                    cols, n = [[] for _ in keys], 0
        if n:
            yield cols

    return TableStream(names, batches(), "jsonl")


def file_sha256(path: Path | str | Source) -> str:
    """The SHA-256 of a file, read in chunks (memory flat whatever its size)."""
    digest = hashlib.sha256()
    with as_source(path).open() as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def open_table(
    path: Path | str | Source,
    *,
    batch_rows: int = BATCH_ROWS,
    sheet: str | None = None,
) -> TableStream:
    """The right reader for the file, by its suffix, checked against its content."""
    source = as_source(path)  # a missing path is refused here
    kind = TABLE_SUFFIXES.get(source.suffix)
    if kind is None:
        raise InvalidFileError(
            f"{source.name}: not a table format outguard reads (CSV, TSV, XLSX, Parquet, JSON lines)."
        )
    if source.size == 0:
        raise InvalidFileError(f"{source.name} is empty.")
    if kind in {"csv", "tsv"}:
        return read_csv(source, kind=kind, batch_rows=batch_rows)
    if kind == "xlsx":
        return read_xlsx(source, batch_rows=batch_rows, sheet=sheet)
    if kind == "parquet":
        return read_parquet(source, batch_rows=batch_rows)
    return read_jsonl(source, batch_rows=batch_rows)
