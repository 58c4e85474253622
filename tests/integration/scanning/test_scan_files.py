"""Scanning real files: every table format, text and e-mail, and the hostile ones."""

from __future__ import annotations

import csv
import json
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from outguard.formats.readers import InvalidFileError, open_table
from outguard.pii.entities import Entity
from outguard.scanning import scan

HEADER = [
    "Vendor Name",
    "Tax ID",
    "Routing #",
    "Acct No",
    "Amount",
    "Invoice #",
    "Memo",
]
ROWS = [
    [
        "Roe, Jane",
        "12-3456789",
        "011000015",
        "000493817265",
        "1,234.56",
        "INV-0042",
        "Paid Jane Roe, SSN 512-84-3307",
    ],
    [
        "Acme Supply LLC",
        "27-1234567",
        "021000021",
        "98765432",
        "50.00",
        "INV-0043",
        "net 30",
    ],
    ["Smith, John", "45-7654321", "011000015", "12345678", "(20.00)", "INV-0044", ""],
    [
        "Garcia, Maria",
        "81-2345678",
        "122105155",
        "55512345",
        "9,999.99",
        "INV-0045",
        "call (617) 555-0142",
    ],
]


def _expect(report):
    by = {c.name: c for c in report.columns}
    assert by["Tax ID"].entity is Entity.US_EIN
    assert by["Routing #"].entity is Entity.ABA_ROUTING
    assert by["Acct No"].entity is Entity.BANK_ACCOUNT
    assert by["Vendor Name"].entity is Entity.PERSON
    assert by["Amount"].kind == "not_pii" and by["Invoice #"].kind == "not_pii"
    assert by["Memo"].kind == "free_text" and by["Memo"].spans.get("US_SSN") == 1
    assert by["Tax ID"].matched == 4 and by["Tax ID"].total == 4
    text = json.dumps(report.to_json())
    for raw in ("512-84-3307", "000493817265", "12-3456789", "Jane Roe"):
        assert raw not in text


def test_csv_with_bom_tsv_xlsx_parquet_jsonl_all_agree(tmp_path):
    csv_path = tmp_path / "ap.csv"
    with csv_path.open("w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])
    _expect(scan(csv_path))
    tsv = tmp_path / "ap.tsv"
    with tsv.open("w", newline="") as fh:
        csv.writer(fh, delimiter="\t").writerows([HEADER, *ROWS])
    _expect(scan(tsv))
    xlsx = tmp_path / "ap.xlsx"
    wb = Workbook()
    for row in [HEADER, *ROWS]:
        wb.active.append(row)
    wb.save(xlsx)
    _expect(scan(xlsx))
    parquet = tmp_path / "ap.parquet"
    pq.write_table(
        pa.table({h: [r[i] for r in ROWS] for i, h in enumerate(HEADER)}), parquet
    )
    _expect(scan(parquet))
    jsonl = tmp_path / "ap.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps(dict(zip(HEADER, r, strict=True))) for r in ROWS)
    )
    _expect(scan(jsonl))


def test_leading_zeros_ragged_rows_and_cp1252(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(
        "Name;Acct No;Note\nJos\xe9 Roe;000123;ok\nragged\nAna;000456;x\n".encode(
            "cp1252"
        )
    )
    stream = open_table(path)
    cols = [c for batch in stream.batches for c in batch]
    assert cols[1] == ["000123", "000456"]
    assert (
        "encoding cp1252" in stream.notes
        and "1 malformed row(s) skipped" in stream.notes
    )


def test_text_and_email_files(tmp_path):
    txt = tmp_path / "letter.txt"
    txt.write_text(
        "Dear Ms. Roe,\nyour SSN 512-84-3307 and card 4556 7375 8689 9855.\n"
    )
    found = {f.entity for f in scan(txt).findings}
    assert {Entity.US_SSN, Entity.CREDIT_CARD} <= found
    eml = tmp_path / "mail.eml"
    eml.write_text(
        "From: a@example.com\nTo: b@example.com\nSubject: payroll\n\nRouting 011000015 acct 000493817265\n"
    )
    found = {f.entity for f in scan(eml).findings}
    assert {Entity.EMAIL, Entity.ABA_ROUTING, Entity.BANK_ACCOUNT} <= found


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "is empty"),
        ("garbage.csv", bytes(range(256)) * 40, "not text"),
        ("garbage.xlsx", b"PK\x03\x04 not really", "not an .xlsx"),
        ("notes.pdf", b"%PDF-1.7 broken", "not a readable PDF"),
        ("notes.docx", b"not a zip", "not a .docx"),
        ("picture.png", b"\x89PNG", "outguard scans"),
        ("garbage.parquet", b"PAR1 nope", "not a Parquet file"),
        ("bad.jsonl", b"[1, 2]\n", "not a JSON object"),
    ],
)
def test_hostile_files_get_a_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidFileError, match=message):
        scan(path)


def test_xlsx_zip_bomb_is_refused_before_parsing(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (64 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(InvalidFileError, match="zip bomb"):
        scan(bomb)


def test_a_huge_single_line_is_refused(tmp_path):
    path = tmp_path / "line.csv"
    with path.open("wb") as fh:
        for _ in range(10):
            fh.write(b"a," * (512 * 1024))
    with pytest.raises(InvalidFileError, match="line longer than"):
        scan(path)


def _pdf_with_text(text: str) -> bytes:
    """A minimal one-page PDF whose content stream shows `text` in Helvetica."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_pdf_and_docx_text_and_encrypted_pdf(tmp_path):
    from docx import Document
    from pypdf import PdfWriter

    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(_pdf_with_text("Employee SSN 512-84-3307 on file"))
    assert Entity.US_SSN in {f.entity for f in scan(pdf).findings}
    doc = tmp_path / "memo.docx"
    document = Document()
    document.add_paragraph("Please wire to routing 011000015.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Card"
    table.rows[0].cells[1].text = "4556 7375 8689 9855"
    document.save(doc)
    found = {f.entity for f in scan(doc).findings}
    assert {Entity.ABA_ROUTING, Entity.CREDIT_CARD} <= found
    locked = tmp_path / "locked.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.encrypt("secret")
    with locked.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(InvalidFileError, match="encrypted PDF"):
        scan(locked)
