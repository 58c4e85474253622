"""Renditions in memory: the share job's path, with the results of the path-to-path calls.

A share job decrypts a dataset version into a `MemorySource`, protects it into a
`MemoryTarget` and seals that into the blob store; a returned file is re-identified the same
way and a leaked upload is traced from memory. For every format the rendition must be the
one made from files with the same keys, and no file may be opened or created on the way.

Renditions are deterministic per recipient except for their canaries (placed under a key
drawn from the random rendition id): the byte-for-byte comparisons use a policy without
canaries; with canaries, the real rows and the report are compared.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook
from phonenumbers import PhoneMetadata

from outguard.errors import DomainValidationError
from outguard.formats.readers import InvalidFileError
from outguard.formats.sources import MemorySource, MemoryTarget
from outguard.protect.policy import Canaries, FreeText
from outguard.renditions import pipeline, service
from outguard.renditions.models import Rendition, RenditionMark
from outguard.renditions.reidentify import reidentify_file
from outguard.renditions.service import UnprotectedOutputError, protect_file
from outguard.renditions.tracing import trace_file
from tests.integration.renditions.test_renditions import (
    HEADER,
    OWNER,
    PAYROLL,
    PROVIDER,
    _people,
    _write,
)
from tests.integration.scanning.test_scan_memory import _Opens

pytestmark = pytest.mark.integration

NO_CANARIES = replace(
    PAYROLL,
    document=PAYROLL.document.model_copy(update={"canaries": Canaries(enabled=False)}),
)
# Tokens in free text too, so that a text comes back re-identified.
TEXT_TOKENS = replace(
    PAYROLL,
    document=PAYROLL.document.model_copy(
        update={"free_text": FreeText(action="tokenize")}
    ),
)
ROWS = _people(40)


def _csv(path: Path) -> None:
    _write(path, ROWS)


def _semicolon_cp1252(path: Path) -> None:
    body = "".join(f"{r[1]};{r[2]};{r[7]};Caf\u00e9\r\n" for r in ROWS)
    path.write_bytes(("Name;SSN;Amount;Dept\r\n" + body).encode("cp1252"))


def _xlsx(path: Path) -> None:
    book = Workbook()
    staff = book.active
    staff.title = "Staff"
    staff.append(["Name", "SSN", "Email", "Hours"])
    for r in ROWS:
        staff.append([r[1], r[2], r[3], 40])
    vendors = book.create_sheet("Vendors")
    vendors.append(["Vendor", "EIN", "Amount"])
    vendors.append(["Acme Supplies LLC", "12-3456789", 1200.5])
    book.save(path)


def _parquet(path: Path) -> None:
    table = pa.table(
        {
            "Employee": [r[1] for r in ROWS],
            "SSN": [r[2] for r in ROWS],
            "Phone": [r[4] for r in ROWS],
            "Hours": pa.array(range(len(ROWS)), pa.int64()),
        }
    )
    pq.write_table(table, path)


def _jsonl(path: Path) -> None:
    path.write_text(
        "\n".join(json.dumps(dict(zip(HEADER, r, strict=True))) for r in ROWS)
    )


def _txt(path: Path) -> None:
    path.write_text(
        "Hi team, please pay Maria Garcia (SSN 512-84-3307) to account 000123456789 "
        "at routing 021000021.\nCall James Okafor on (312) 555-0188 about card "
        "4556 7375 8689 9855.\n"
    )


MAKERS = {
    "payroll.csv": _csv,
    "semi.csv": _semicolon_cp1252,
    "book.xlsx": _xlsx,
    "payroll.parquet": _parquet,
    "payroll.jsonl": _jsonl,
    "letter.txt": _txt,
}
# (input, output): every format into itself, and a workbook into CSV (its first sheet).
CASES = [
    ("payroll.csv", "out.csv"),
    ("semi.csv", "out.csv"),
    ("book.xlsx", "out.xlsx"),
    ("book.xlsx", "out.csv"),
    ("payroll.parquet", "out.parquet"),
    ("payroll.jsonl", "out.jsonl"),
    ("letter.txt", "out.txt"),
]


def _make(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    MAKERS[name](path)
    return path


def _memory(path: Path) -> MemorySource:
    return MemorySource(path.name, path.read_bytes())


def _protect(db_session, clock, source, out, recipient="agent-a", policy=PAYROLL):
    return protect_file(
        db_session,
        PROVIDER,
        OWNER,
        tenant="t1",
        recipient=recipient,
        policy=policy,
        source=source,
        out=out,
        clock=clock,
        batch_rows=16,  # several batches, several writes
    )


def _reidentify(db_session, clock, source, out, recipient="agent-a"):
    return reidentify_file(
        db_session,
        PROVIDER,
        OWNER,
        tenant="t1",
        recipient=recipient,
        source=source,
        out=out,
        clock=clock,
        batch_rows=16,
    )


def _trace(db_session, clock, source):
    return trace_file(
        db_session, PROVIDER, OWNER, tenant="t1", source=source, clock=clock
    )


def _content(name: str, data: bytes) -> object:
    """The bytes, or an XLSX's members: its zip entries and core.xml carry the save time."""
    if not name.endswith(".xlsx"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            (i.filename, None if i.filename == "docProps/core.xml" else archive.read(i))
            for i in archive.infolist()
        ]


def _report(report, *, drop=("rendition", "recipient_created", "output_sha256")):
    data = report.to_json()
    for key in drop:
        data.pop(key, None)
    return data


def _marks(db_session, rendition_id):
    marks = db_session.query(RenditionMark).filter_by(rendition_id=rendition_id)
    return sorted((m.role, m.kind, m.count, m.digests) for m in marks)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(("name", "out_name"), CASES)
def test_a_rendition_made_in_memory_is_the_one_made_from_files(
    db_session, clock, tmp_path, name, out_name
):
    path = _make(tmp_path, name)
    out = tmp_path / out_name
    on_disk = _protect(db_session, clock, path, out, policy=NO_CANARIES)
    target = MemoryTarget(out_name)
    in_memory = _protect(db_session, clock, _memory(path), target, policy=NO_CANARIES)
    assert target.data is not None
    assert _content(out_name, target.data) == _content(out_name, out.read_bytes())
    assert _report(in_memory) == _report(on_disk)
    assert in_memory.output_sha256 == hashlib.sha256(target.data).hexdigest()
    if not out_name.endswith(".xlsx"):
        assert in_memory.output_sha256 == on_disk.output_sha256
    # Registered like the file's: the same source digest and the same fingerprint sets.
    disk_row = db_session.get(Rendition, on_disk.id)
    memory_row = db_session.get(Rendition, in_memory.id)
    assert memory_row.source_sha256 == disk_row.source_sha256
    assert memory_row.output_sha256 == in_memory.output_sha256
    assert _marks(db_session, in_memory.id) == _marks(db_session, on_disk.id)
    if name != "letter.txt":  # a text's redacted spans leave no fingerprints
        assert _marks(db_session, in_memory.id)


def test_a_multi_sheet_workbook_keeps_its_sheets_in_memory(db_session, clock, tmp_path):
    path = _make(tmp_path, "book.xlsx")
    target = MemoryTarget("book.out.xlsx")
    report = _protect(db_session, clock, _memory(path), target)
    assert target.data is not None
    book = load_workbook(io.BytesIO(target.data), read_only=True)
    assert book.sheetnames == ["Staff", "Vendors"]
    staff = [[c.value for c in row] for row in book["Staff"].iter_rows()]
    assert len(staff) > len(ROWS) and report.rows == len(ROWS) + 1  # + a vendor
    assert not {r[2] for r in ROWS} & {row[1] for row in staff}  # no SSN left
    only_first = MemoryTarget("book.out.csv")
    first = _protect(db_session, clock, _memory(path), only_first)
    assert "only the first sheet (Staff) was written: .csv holds one table" in (
        first.notes
    )
    assert _rows(only_first.data or b"")[0] == ["Name", "SSN", "Email", "Hours"]


def test_with_canaries_only_their_placement_differs(db_session, clock, tmp_path):
    path = _make(tmp_path, "payroll.csv")
    on_disk = _protect(db_session, clock, path, tmp_path / "sent.csv")
    target = MemoryTarget("sent.csv")
    in_memory = _protect(db_session, clock, _memory(path), target)
    assert in_memory.canaries == on_disk.canaries >= 1
    assert _report(in_memory) == _report(on_disk)
    sent = {
        "disk": (tmp_path / "sent.csv").read_bytes(),
        "memory": target.data or b"",
    }
    real = {}
    for where, data in sent.items():
        back = MemoryTarget("back.csv")
        result = _reidentify(db_session, clock, MemorySource("sent.csv", data), back)
        assert len(result.canary_rows) == on_disk.canaries
        canary = set(result.canary_rows)
        protected = [r for n, r in enumerate(_rows(data)[1:], 1) if n not in canary]
        restored = [
            r for n, r in enumerate(_rows(back.data or b"")[1:], 1) if n not in canary
        ]
        # Every real row comes back (its notes' spans were redacted, not tokenized).
        assert [r[:8] for r in restored] == [r[:8] for r in ROWS], where
        real[where] = protected
    assert real["memory"] == real["disk"]


@pytest.mark.parametrize(("name", "out_name"), CASES)
def test_reidentify_from_memory_is_reidentify_from_files(
    db_session, clock, tmp_path, name, out_name
):
    path = _make(tmp_path, name)
    sent = tmp_path / f"sent-{out_name}"
    _protect(db_session, clock, path, sent, policy=TEXT_TOKENS)
    back_name = f"back{Path(out_name).suffix}"
    on_disk = _reidentify(db_session, clock, sent, tmp_path / back_name)
    target = MemoryTarget(back_name)
    in_memory = _reidentify(db_session, clock, _memory(sent), target)
    assert target.data is not None
    assert _content(back_name, target.data) == _content(
        back_name, (tmp_path / back_name).read_bytes()
    )
    assert in_memory.reidentified > 0
    assert in_memory.output_sha256 == hashlib.sha256(target.data).hexdigest()
    drop = ("output_sha256",) if back_name.endswith(".xlsx") else ()
    assert _report(in_memory, drop=drop) == _report(on_disk, drop=drop)


def test_trace_from_memory_attributes_like_from_a_file(db_session, clock, tmp_path):
    source = _memory(_make(tmp_path, "payroll.csv"))
    renditions = {}
    for k in range(3):  # made in memory, as the share job makes them
        target = MemoryTarget(f"r{k}.csv")
        _protect(db_session, clock, source, target, recipient=f"agent-{k}")
        renditions[k] = _rows(target.data or b"")
    head, body = renditions[1][0], renditions[1][1:]
    leak = tmp_path / "found.csv"
    with leak.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[head[i] for i in (0, 2, 3)]])
        csv.writer(fh).writerows([r[i] for i in (0, 2, 3)] for r in body[::3])
    pasted = tmp_path / "pasted.txt"
    pasted.write_text("\n".join(f"{r[1]} {r[2]} {r[4]}" for r in body[:10]))
    for found in (leak, pasted):
        on_disk = _trace(db_session, clock, found)
        in_memory = _trace(db_session, clock, _memory(found))
        assert [a.recipient for a in in_memory.report.attributed] == ["agent-1"]
        assert in_memory.to_json() == on_disk.to_json()


def test_failures_keep_nothing_in_memory(db_session, clock, tmp_path, monkeypatch):
    path = _make(tmp_path, "payroll.csv")
    # The output re-scan refuses the rendition: nothing was written.
    real = pipeline.classify_table
    calls = {"n": 0}

    def miss_the_ssns(names, sample):
        calls["n"] += 1
        reports = real(names, sample)
        if calls["n"] == 1:
            reports = [
                replace(r, kind="not_pii", entity=None) if r.name == "SSN" else r
                for r in reports
            ]
        return reports

    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "classify_table", miss_the_ssns)
        patch.setattr(pipeline, "suspect_spans", lambda *a, **k: {})
        target = MemoryTarget("out.csv")
        with pytest.raises(UnprotectedOutputError, match="Nothing was written"):
            _protect(db_session, clock, _memory(path), target)
        assert target.data is None

    # Written, but not registered: an untraceable rendition is dropped.
    def fail_to_register(*args, **kwargs):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(service, "_register", fail_to_register)
        target = MemoryTarget("out.csv")
        with pytest.raises(RuntimeError, match="went away"):
            _protect(db_session, clock, _memory(path), target)
        assert target.data is None


def test_bad_targets_are_refused_before_any_work(db_session, clock, tmp_path):
    path = _make(tmp_path, "payroll.csv")
    letter = _memory(_make(tmp_path, "letter.txt"))
    cases = [
        (_memory(path), MemoryTarget("out.exe"), "Cannot write a table as .exe"),
        (letter, MemoryTarget("out.csv"), "written as .txt, not .csv"),
        (MemorySource("photo.png", b"\x89PNG"), MemoryTarget("o.csv"), "protects CSV"),
    ]
    for source, target, message in cases:
        with pytest.raises((DomainValidationError, InvalidFileError), match=message):
            _protect(db_session, clock, source, target)
        assert target.data is None
    with pytest.raises(InvalidFileError, match=r"^gone\.csv does not exist"):
        _protect(db_session, clock, tmp_path / "gone.csv", MemoryTarget("o.csv"))
    written = MemoryTarget("out.csv")
    _protect(db_session, clock, _memory(path), written)
    with pytest.raises(DomainValidationError, match="already holds a written file"):
        _protect(db_session, clock, _memory(path), written)
    with pytest.raises(DomainValidationError, match=r"written as \.txt, not \.csv"):
        _reidentify(db_session, clock, letter, MemoryTarget("back.csv"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter.txt", "payroll.csv"]


def test_the_share_path_opens_no_file(db_session, clock, tmp_path, monkeypatch):
    """Protect, re-identify and trace from memory: no open, mkdir or rename at all.

    The audit hook sees every open made through Python (openpyxl's staged sheets and
    temporary files included); the folder comparison catches anything written beside.
    """
    paths = {name: _make(tmp_path, name) for name in MAKERS}
    for name, out_name in CASES:  # warm-up: lazy imports and detector data, once
        sent = tmp_path / f"warm-{name}-{out_name}"
        _protect(db_session, clock, paths[name], sent)
        _reidentify(db_session, clock, sent, tmp_path / f"back-{sent.name}")
    _trace(db_session, clock, paths["payroll.csv"])
    # Region metadata is imported per region on first use; canaries (random per rendition)
    # may reach a region the warm-up did not: load every region's module now.
    PhoneMetadata.load_all()
    sources = {name: _memory(path) for name, path in paths.items()}
    if not _Opens.installed:
        sys.addaudithook(_Opens.hook)
        _Opens.installed = True
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    _Opens.seen.clear()
    _Opens.active = True
    try:
        for name, out_name in CASES:
            sent = MemoryTarget(out_name)
            _protect(db_session, clock, sources[name], sent, recipient="agent-m")
            back = MemoryTarget(f"back-{out_name}")
            _reidentify(db_session, clock, sent.source(), back, recipient="agent-m")
            assert back.data
        result = _trace(db_session, clock, sent.source())
    finally:
        _Opens.active = False
    assert _Opens.seen == []
    assert sorted(tmp_path.rglob("*")) == before
    assert result.source == "out.txt"
