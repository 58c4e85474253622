"""Scan a file: which columns and which spans hold personal data (formats + pii).

Tables stream: the first batch gives the sample the columns are classified from; then every
batch (the first included) confirms the classification over all rows and scans free-text
columns span by span, with the file's own name and address columns as a dictionary. Memory
is one batch, whatever the file's size. Reports carry masked examples only.

Every entry point takes a path or a `Source`: a dataset decrypted into memory
(`MemorySource`) is scanned without a clear copy ever reaching the disk.
"""

from __future__ import annotations

import email
import email.policy
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from outguard.formats.documents import docx_text, pdf_text
from outguard.formats.errors import InvalidFileError
from outguard.formats.readers import (
    BATCH_ROWS,
    TABLE_SUFFIXES,
    TableStream,
    open_table,
)
from outguard.formats.sources import Source, as_source, name_and_suffix
from outguard.pii.dictionary import Dictionary
from outguard.pii.entities import Entity
from outguard.pii.findings import Finding
from outguard.pii.table.classify import (
    MAX_EXAMPLES,
    ColumnReport,
    classify_table,
    confirm,
    count_spans,
)
from outguard.pii.text import NameRecogniser, scan_text, scan_texts

if TYPE_CHECKING:
    from distributed import Client

DEFAULT_SAMPLE = 500
MAX_TEXT_BYTES = 64 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".text", ".md", ".eml", ".log", ".pdf", ".docx")

Progress = Callable[[int], None]  # rows (tables) or characters (text) done so far


@dataclass
class ScanReport:
    path: str
    kind: str  # "table" | "text"
    rows: int = 0
    columns: list[ColumnReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The report as plain data: names, entities, counts, masked examples; no values."""
        return {
            "path": self.path,
            "kind": self.kind,
            "rows": self.rows,
            "columns": [c.as_dict() for c in self.columns],
            "spans": [
                {
                    "start": f.start,
                    "end": f.end,
                    "entity": f.entity.value,
                    "score": round(f.score, 3),
                    "detector": f.detector,
                }
                for f in self.findings
            ],
            "notes": self.notes,
        }

    @property
    def pii_columns(self) -> list[ColumnReport]:
        return [c for c in self.columns if c.kind == "pii"]


def scan_table_stream(
    stream: TableStream,
    *,
    path: str,
    sample: int = DEFAULT_SAMPLE,
    ner: NameRecogniser | None = None,
    progress: Progress | None = None,
) -> ScanReport:
    """Classify from the first batch's sample, then confirm batch by batch (flat memory)."""
    report = ScanReport(path, "table", notes=stream.notes)
    batches = iter(stream.batches)
    first = next(batches, None)
    if first is None:
        report.columns = classify_table(stream.names, [[] for _ in stream.names])
        return report
    report.columns = classify_table(stream.names, [col[:sample] for col in first])
    batch: Batch | None = first
    while batch is not None:
        merge_tally(report, scan_batch(report.columns, batch, ner))
        if progress is not None:
            progress(report.rows)
        batch = next(batches, None)
    return report


Batch = list[list[str | None]]  # one list of cells per column


@dataclass
class BatchTally:
    """What one batch adds to the report: rows and, per column, counts and examples."""

    rows: int
    columns: list[ColumnReport]


def scan_batch(
    columns: Sequence[ColumnReport], batch: Batch, ner: NameRecogniser | None
) -> BatchTally:
    """Confirm the classified columns over one batch and span-scan its free text.

    A batch depends on nothing but itself (its own names and addresses are the dictionary of
    its free text; value checks are cached per batch), so batches can run anywhere, in any
    order, and memory stays one batch whatever the file's size.
    """
    tallies = [replace(c, matched=0, total=0, examples=(), spans={}) for c in columns]
    dictionary = batch_dictionary(columns, batch)
    for column in tallies:
        values = batch[column.index]
        if column.kind == "pii":
            confirm(column, values, {})
        elif column.kind == "free_text":
            texts = [v or "" for v in values]
            column.total += sum(1 for t in texts if t.strip())
            found = scan_texts(
                texts, dictionary=dictionary if len(dictionary) else None, ner=ner
            )
            column.matched += sum(1 for f in found if f)
            count_spans(column, found)
    return BatchTally(len(batch[0]) if batch else 0, tallies)


def batch_dictionary(columns: Sequence[ColumnReport], batch: Batch) -> Dictionary:
    """The batch's own name and address columns: the dictionary of its free text."""
    dictionary = Dictionary()
    for column in columns:
        if column.entity in {Entity.PERSON, Entity.ADDRESS} and not column.part_of:
            for v in batch[column.index]:
                if v:
                    dictionary.add(v, column.entity)
    return dictionary


def merge_tally(report: ScanReport, tally: BatchTally) -> None:
    """Add a batch's tally; merging in batch order gives the single-process report exactly."""
    report.rows += tally.rows
    for column, part in zip(report.columns, tally.columns, strict=True):
        column.matched += part.matched
        column.total += part.total
        for example in part.examples:
            if len(column.examples) < MAX_EXAMPLES and example not in column.examples:
                column.examples = (*column.examples, example)
        spans = Counter(column.spans)
        spans.update(part.spans)
        column.spans = dict(spans)


def scan_table(
    columns: Mapping[str, Sequence[object]],
    *,
    name: str = "table",
    sample: int = DEFAULT_SAMPLE,
    ner: NameRecogniser | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ScanReport:
    """Scan an in-memory table: column name -> values (a dict of lists, a DataFrame's dict).

    Values are read as text (`None` and NaN are blank), exactly as a file's cells are.
    """
    names = [str(n) for n in columns]
    cells = [[_cell(v) for v in values] for values in columns.values()]
    rows = len(cells[0]) if cells else 0
    if any(len(c) != rows for c in cells):
        raise InvalidFileError("Every column of a table must have the same length.")

    def batches() -> Iterator[Batch]:
        for start in range(0, rows, batch_rows):
            yield [c[start : start + batch_rows] for c in cells]

    return scan_table_stream(
        TableStream(names, batches(), "memory"), path=name, sample=sample, ner=ner
    )


def _cell(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value if isinstance(value, str) else str(value)


def scan_text_file(
    path: Path | str | Source, *, ner: NameRecogniser | None = None
) -> ScanReport:
    source = as_source(path)
    text = read_text_file(source)
    report = ScanReport(source.name, "text")
    report.findings = scan_text(text, ner=ner)
    report.rows = text.count("\n") + 1
    return report


def read_text_file(path: Path | str | Source) -> str:
    """The text of a note, e-mail, PDF or DOCX (an e-mail: its headers and plain body)."""
    source = as_source(path)  # a missing path is refused here
    if source.size > MAX_TEXT_BYTES:
        raise InvalidFileError(
            f"{source.name} is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB of text."
        )
    suffix = source.suffix
    if suffix in {".pdf", ".docx"}:
        return pdf_text(source) if suffix == ".pdf" else docx_text(source)
    with source.open() as fh:
        raw = fh.read(MAX_TEXT_BYTES + 1)
    if b"\x00" in raw[:65536] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidFileError(
            f"{source.name} is not text: it looks like a binary file."
        )
    if suffix == ".eml":
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain", "html"))
        text = "\n".join(
            [f"{k}: {message.get(k, '')}" for k in ("From", "To", "Cc", "Subject")]
            + [body.get_content() if body is not None else ""]
        )
    else:
        text = decode_text(raw)
    return text


def decode_text(raw: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252 (never fails)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def scan(
    path: Path | str | Source,
    *,
    sample: int = DEFAULT_SAMPLE,
    ner: NameRecogniser | None = None,
    progress: Progress | None = None,
    dask: Client | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ScanReport:
    """Scan a table (CSV, TSV, XLSX, Parquet, JSON lines) or a text file (TXT, PDF, DOCX, e-mail).

    `path` is a file on disk or a `Source` (e.g. a `MemorySource` of decrypted bytes).
    With a Dask `client`, tables on disk are scanned partitioned on its cluster (same report).
    """
    # The suffix decides before the file is looked at: an unsupported kind is named as
    # such even when the path is missing.
    name, suffix = name_and_suffix(path)
    if suffix in TEXT_SUFFIXES:
        return scan_text_file(path, ner=ner)
    if suffix in TABLE_SUFFIXES and dask is not None:
        from outguard.scanning.distributed import scan_on_dask  # noqa: PLC0415

        return scan_on_dask(
            path, dask, sample=sample, ner=ner, progress=progress, batch_rows=batch_rows
        )
    if suffix in TABLE_SUFFIXES:
        stream = open_table(path, batch_rows=batch_rows)
        return scan_table_stream(
            stream, path=name, sample=sample, ner=ner, progress=progress
        )
    raise InvalidFileError(
        f"{name}: outguard scans CSV, TSV, XLSX, Parquet, JSON lines, TXT, PDF, DOCX and e-mail (.eml)."
    )
