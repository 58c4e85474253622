"""Scanning decrypted bytes in memory: the report of the file on disk, and no clear file.

A stored dataset is decrypted into memory and scanned from a `MemorySource`. For every format
the report must be exactly the on-disk one, hostile files must be refused with the same
words, and nothing may be opened on the filesystem while the bytes are read.
"""

from __future__ import annotations

import csv
import json
import sys
import zipfile
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from docx import Document
from openpyxl import Workbook
from pypdf import PdfWriter

from outguard.formats.readers import InvalidFileError, open_table
from outguard.formats.sources import MemorySource
from outguard.scanning import read_text_file, scan
from tests.integration.scanning.test_scan_files import HEADER, ROWS, _pdf_with_text


def _csv(path):
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])


def _cp1252_csv(path):
    # ragged row, semicolons, Windows-1252: the notes must say so from memory too
    path.write_bytes(
        "Name;Acct No;Note\nJos\xe9 Roe;000123;ok\nragged\nAna;000456;x\n".encode(
            "cp1252"
        )
    )


def _tsv(path):
    with path.open("w", newline="") as fh:
        csv.writer(fh, delimiter="\t").writerows([HEADER, *ROWS])


def _xlsx(path):
    wb = Workbook()
    for row in [HEADER, *ROWS]:
        wb.active.append(row)
    wb.create_sheet("Second").append(["x"])
    wb.save(path)


def _parquet(path):
    pq.write_table(
        pa.table({h: [r[i] for r in ROWS] for i, h in enumerate(HEADER)}), path
    )


def _jsonl(path):
    path.write_text(
        "\n".join(json.dumps(dict(zip(HEADER, r, strict=True))) for r in ROWS)
    )


def _txt(path):
    path.write_text(
        "Dear Ms. Roe,\nyour SSN 512-84-3307 and card 4556 7375 8689 9855.\n"
    )


def _eml(path):
    path.write_text(
        "From: a@example.com\nTo: b@example.com\nSubject: payroll\n\n"
        "Routing 011000015 acct 000493817265\n"
    )


def _pdf(path):
    path.write_bytes(_pdf_with_text("Employee SSN 512-84-3307 on file"))


def _docx(path):
    document = Document()
    document.add_paragraph("Please wire to routing 011000015.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Card"
    table.rows[0].cells[1].text = "4556 7375 8689 9855"
    document.save(path)


FILES = {
    "ap.csv": _csv,
    "odd.csv": _cp1252_csv,
    "ap.tsv": _tsv,
    "ap.xlsx": _xlsx,
    "ap.parquet": _parquet,
    "ap.jsonl": _jsonl,
    "letter.txt": _txt,
    "mail.eml": _eml,
    "letter.pdf": _pdf,
    "memo.docx": _docx,
}


def _write(tmp_path, name):
    path = tmp_path / name
    FILES[name](path)
    return path


def _memory(path):
    return MemorySource(path.name, path.read_bytes())


@pytest.mark.parametrize("name", sorted(FILES))
def test_memory_scan_is_the_file_scan(tmp_path, name):
    path = _write(tmp_path, name)
    on_disk = scan(path, batch_rows=2).to_json()
    assert on_disk["rows"] > 0 and (on_disk["columns"] or on_disk["spans"])
    assert scan(_memory(path), batch_rows=2).to_json() == on_disk


@pytest.mark.parametrize("name", [n for n in sorted(FILES) if ".csv" in n] + [
    "ap.tsv", "ap.xlsx", "ap.parquet", "ap.jsonl",
])  # fmt: skip
def test_memory_table_stream_is_the_file_stream(tmp_path, name):
    """Renditions write from the stream: its dialect, schema and sheets must agree too."""
    path = _write(tmp_path, name)

    def seen(stream):
        batches = list(stream.batches)  # notes are complete once the batches are read
        return (
            stream.names,
            batches,
            stream.kind,
            stream.notes,
            stream.dialect,
            stream.schema,
            stream.sheet,
            stream.sheets,
            stream.total_rows,
        )

    assert seen(open_table(_memory(path), batch_rows=3)) == seen(
        open_table(path, batch_rows=3)
    )


def test_every_sheet_of_a_workbook_reads_from_memory(tmp_path):
    path = _write(tmp_path, "ap.xlsx")
    stream = open_table(_memory(path), sheet="Second")
    assert (stream.names, stream.sheet) == (["x"], "Second")
    assert list(stream.batches) == []
    with pytest.raises(InvalidFileError, match="no sheet named 'Third'"):
        open_table(_memory(path), sheet="Third")


def _message(target: Any) -> str:
    with pytest.raises(InvalidFileError) as raised:
        scan(target)
    return raised.value.message


def _zip_bomb(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (64 * 1024 * 1024))


def _docx_bomb(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<document/>")
        zf.writestr("word/media/blob.bin", b"0" * (64 * 1024 * 1024))


def _huge_line(path):
    with path.open("wb") as fh:
        for _ in range(10):
            fh.write(b"a," * (512 * 1024))


def _locked_pdf(path):
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.encrypt("secret")
    with path.open("wb") as fh:
        writer.write(fh)


def _bytes(content):
    return lambda path: path.write_bytes(content)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("bomb.xlsx", _zip_bomb, "bomb.xlsx looks like a zip bomb"),
        ("bomb.docx", _docx_bomb, "bomb.docx looks like a zip bomb"),
        ("line.csv", _huge_line, "line.csv has a line longer than 8 MB"),
        ("locked.pdf", _locked_pdf, "locked.pdf is an encrypted PDF"),
        ("empty.csv", _bytes(b""), "empty.csv is empty"),
        ("blank.csv", _bytes(b" \n\n"), "blank.csv is empty"),
        ("garbage.csv", _bytes(bytes(range(256)) * 40), "garbage.csv is not text"),
        ("garbage.txt", _bytes(b"\x00\x01" * 100), "garbage.txt is not text"),
        ("garbage.xlsx", _bytes(b"PK\x03\x04 not really"), "not an .xlsx"),
        ("plain.xlsx", _bytes(b"just text"), "not an .xlsx"),
        ("notes.pdf", _bytes(b"%PDF-1.7 broken"), "not a readable PDF"),
        ("notes.docx", _bytes(b"not a zip"), "not a .docx"),
        ("picture.png", _bytes(b"\x89PNG"), "picture.png: outguard scans"),
        ("garbage.parquet", _bytes(b"PAR1 nope"), "not a Parquet file"),
        ("bad.jsonl", _bytes(b"[1, 2]\n"), "not a JSON object"),
        ("bad2.jsonl", _bytes(b'{"a": 1}\n{nope\n'), "bad2.jsonl line 2 is not JSON"),
    ],
)
def test_hostile_bytes_are_refused_with_the_files_words(tmp_path, name, make, message):
    path = tmp_path / name
    make(path)
    from_disk = _message(path)
    assert message in from_disk
    assert _message(_memory(path)) == from_disk


def test_dask_is_refused_for_bytes_in_memory(tmp_path):
    path = _write(tmp_path, "ap.csv")
    never_used: Any = object()  # refused before the client is touched
    with pytest.raises(InvalidFileError, match="Dask scans only files on disk"):
        scan(_memory(path), dask=never_used)
    # text is always scanned in-process: the client plays no part
    letter = _write(tmp_path, "letter.txt")
    assert scan(_memory(letter), dask=never_used).to_json() == scan(letter).to_json()


class _Opens:
    """Every file the interpreter opens while `active` (an audit hook cannot be removed)."""

    active = False
    seen: list[tuple[object, ...]] = []  # noqa: RUF012 - one recorder per process
    installed = False

    @classmethod
    def hook(cls, event: str, args: tuple[object, ...]) -> None:
        if cls.active and event in {"open", "os.open", "os.mkdir", "os.rename"}:
            cls.seen.append((event, *args))


def test_scanning_bytes_opens_no_file(tmp_path, monkeypatch):
    """Reading a MemorySource opens, creates or renames no file.

    The audit hook sees every open made through Python (builtins, io, os, the libraries'
    Python code); the folder comparison catches anything written next to the work.
    """
    paths = [_write(tmp_path, name) for name in sorted(FILES)]
    sources = [_memory(p) for p in paths]
    for path in paths:
        scan(path)  # warm-up: lazy imports and detector data load from disk once
    if not _Opens.installed:
        sys.addaudithook(_Opens.hook)
        _Opens.installed = True
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    _Opens.seen.clear()
    _Opens.active = True
    try:
        for source in sources:
            scan(source, batch_rows=2)
            if source.suffix in {".txt", ".eml", ".pdf", ".docx"}:
                read_text_file(source)
            else:
                list(open_table(source).batches)
    finally:
        _Opens.active = False
    assert _Opens.seen == []
    assert sorted(tmp_path.rglob("*")) == before
