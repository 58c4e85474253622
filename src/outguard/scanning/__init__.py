"""Scan a file: which columns and which spans hold personal data (formats + pii).

Tables stream: the first batch gives the sample the columns are classified from; then every
batch (the first included) confirms the classification over all rows and scans free-text
columns span by span, with the file's own name and address columns as a dictionary. Memory
is one batch, whatever the file's size. Reports carry masked examples only.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outguard.formats.documents import docx_text, pdf_text
from outguard.formats.readers import (
    TABLE_SUFFIXES,
    InvalidFileError,
    TableStream,
    open_table,
)
from outguard.pii.dictionary import Dictionary
from outguard.pii.entities import Entity
from outguard.pii.findings import Finding
from outguard.pii.table.classify import (
    ColumnReport,
    classify_table,
    confirm,
    count_spans,
)
from outguard.pii.text import NameRecogniser, scan_text, scan_texts

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
    report = ScanReport(path, "table", notes=stream.notes)
    batches = iter(stream.batches)
    first = next(batches, None)
    if first is None:
        report.columns = classify_table(stream.names, [[] for _ in stream.names])
        return report
    report.columns = classify_table(stream.names, [col[:sample] for col in first])
    dictionary = Dictionary()
    caches: list[dict[str, bool]] = [{} for _ in stream.names]
    batch: list[list[str | None]] | None = first
    while batch is not None:
        _scan_batch(report, batch, caches, dictionary, ner)
        report.rows += len(batch[0]) if batch else 0
        if progress is not None:
            progress(report.rows)
        batch = next(batches, None)
    return report


def _scan_batch(
    report: ScanReport,
    batch: list[list[str | None]],
    caches: list[dict[str, bool]],
    dictionary: Dictionary,
    ner: NameRecogniser | None,
) -> None:
    for column in report.columns:
        if column.entity in {Entity.PERSON, Entity.ADDRESS}:
            for v in batch[column.index]:
                if v:
                    dictionary.add(v, column.entity)
    for column in report.columns:
        values = batch[column.index]
        if column.kind == "pii":
            confirm(column, values, caches[column.index])
        elif column.kind == "free_text":
            texts = [v or "" for v in values]
            column.total += sum(1 for t in texts if t.strip())
            found = scan_texts(
                texts, dictionary=dictionary if len(dictionary) else None, ner=ner
            )
            column.matched += sum(1 for f in found if f)
            count_spans(column, found)


def scan_text_file(path: Path, *, ner: NameRecogniser | None = None) -> ScanReport:
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise InvalidFileError(
            f"{path.name} is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB of text."
        )
    suffix = path.suffix.lower()
    if suffix in {".pdf", ".docx"}:
        text = pdf_text(path) if suffix == ".pdf" else docx_text(path)
        report = ScanReport(str(path.name), "text")
        report.findings = scan_text(text, ner=ner)
        report.rows = text.count("\n") + 1
        return report
    raw = path.read_bytes()
    if b"\x00" in raw[:65536]:
        raise InvalidFileError(f"{path.name} is not text: it looks like a binary file.")
    if path.suffix.lower() == ".eml":
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain", "html"))
        text = "\n".join(
            [f"{k}: {message.get(k, '')}" for k in ("From", "To", "Cc", "Subject")]
            + [body.get_content() if body is not None else ""]
        )
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    report = ScanReport(str(path.name), "text")
    report.findings = scan_text(text, ner=ner)
    report.rows = text.count("\n") + 1
    return report


def scan(
    path: Path,
    *,
    sample: int = DEFAULT_SAMPLE,
    ner: NameRecogniser | None = None,
    progress: Progress | None = None,
) -> ScanReport:
    """Scan a table (CSV, TSV, XLSX, Parquet, JSON lines) or a text file (TXT, e-mail)."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return scan_text_file(path, ner=ner)
    if suffix in TABLE_SUFFIXES:
        stream = open_table(path)
        return scan_table_stream(
            stream, path=path.name, sample=sample, ner=ner, progress=progress
        )
    raise InvalidFileError(
        f"{path.name}: outguard scans CSV, TSV, XLSX, Parquet, JSON lines, TXT, PDF, DOCX and e-mail (.eml)."
    )
