"""Datasets on both databases: upload sealed, versions, the scan job, who may see what, and
uploads that are refused change nothing."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from outguard.audit.models import AuditEvent
from outguard.datasets.models import Dataset, DatasetVersion
from outguard.datasets.service import (
    DatasetsDeps,
    entity_counts,
    get_dataset,
    get_version,
    list_datasets,
    masked_preview,
    scan_version,
    tenant_of,
    upload,
    versions,
)
from outguard.errors import (
    ConflictError,
    DomainValidationError,
    NotFoundError,
    PermissionDeniedError,
)
from outguard.jobs.models import Job
from outguard.keystore.service import destroy_data_key
from outguard.security.aead import StaticKeyProvider
from outguard.storage import InMemoryBlobStore
from outguard.types import Actor

SSN = "536-22-8726"
CARD = "4111 1111 1111 1111"
NAME = "Maribel Quintero-Oakes"


def _payroll_csv(rows: int = 40) -> bytes:
    lines = ["employee,ssn,email,card,note"]
    lines += [
        f"{NAME if i == 0 else f'Person {i}'},"
        f"{SSN if i == 0 else f'219-09-{1000 + i:04d}'},"
        f"p{i}@example.com,{CARD if i == 0 else '4012 8888 8888 1881'},"
        "paid on time"
        for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def ddeps(clock) -> DatasetsDeps:
    return DatasetsDeps(
        clock=clock,
        blobs=InMemoryBlobStore(),
        keys=StaticKeyProvider(),
        max_upload_bytes=64 * 1024,
    )


def _chunks(data: bytes, size: int = 1000):
    return (data[i : i + size] for i in range(0, len(data), size))


def _upload(world, ddeps, data=None, who="owner", **kw):
    kw.setdefault("filename", "payroll.csv")
    kw.setdefault("name", "November payroll")
    return upload(
        world.session_,
        world.actor(who),
        org_id=kw.pop("org_id", world.client.id),
        chunks=_chunks(_payroll_csv() if data is None else data),
        deps=ddeps,
        **kw,
    )


@pytest.fixture
def w(world, db_session):
    world.session_ = db_session
    return world


def test_upload_is_sealed_versioned_and_queued(w, ddeps, db_session):
    data = _payroll_csv()
    version = _upload(w, ddeps, data)
    assert version.number == 1
    assert version.size == len(data)
    assert version.state == "scanning"
    stored = b"".join(ddeps.blobs.open(version.blob_key))
    assert SSN.encode() not in stored  # sealed on arrival
    assert NAME.encode() not in stored
    assert "payroll" not in version.blob_key  # no file names in blob keys
    job = db_session.get(Job, version.scan_job_id)
    assert job is not None
    assert job.kind == "datasets.scan"
    assert job.payload == {"version_id": str(version.id)}
    second = _upload(
        w, ddeps, data + b"x,y,z,w,v\n", dataset_id=version.dataset_id, name=None
    )
    assert second.number == 2
    assert [
        v.number for v in versions(db_session, w.actor("staff"), version.dataset_id)
    ] == [2, 1]


def test_the_scan_keeps_a_report_without_values(w, ddeps, db_session):
    version = _upload(w, ddeps)
    scanned = scan_version(db_session, version.id, deps=ddeps)
    assert scanned.state == "scanned"
    report = scanned.report
    assert report is not None
    assert report["rows"] == 40
    columns = {c["name"]: c for c in report["columns"]}
    assert columns["ssn"]["entity"] == "US_SSN"
    assert columns["email"]["entity"] == "EMAIL"
    counts = entity_counts(scanned)
    assert counts["US_SSN"] == 40
    text = json.dumps(report)
    for raw in (SSN, CARD, NAME):
        assert raw not in text
    # the scan is idempotent: a retried job changes nothing
    assert scan_version(db_session, version.id, deps=ddeps).report == report


def test_no_personal_data_in_audit_events(w, ddeps, db_session):
    version = _upload(w, ddeps, filename=f"{NAME} {SSN}.csv", name=f"Payroll of {NAME}")
    scan_version(db_session, version.id, deps=ddeps)
    events = db_session.execute(
        select(AuditEvent).where(AuditEvent.tag.like("dataset:%"))
    ).scalars()
    text = json.dumps([e.details for e in events])
    for raw in (SSN, CARD, NAME, "Quintero"):
        assert raw not in text


def test_a_file_that_cannot_be_read_ends_failed_with_the_reason(w, ddeps, db_session):
    version = _upload(
        w, ddeps, b"PK\x03\x04 not really a workbook", filename="book.xlsx"
    )
    failed = scan_version(db_session, version.id, deps=ddeps)
    assert failed.state == "failed"
    assert "xlsx" in (failed.error or "").lower()
    tags = [
        e.tag
        for e in db_session.execute(
            select(AuditEvent).order_by(AuditEvent.seq)
        ).scalars()
    ]
    assert tags[-1] == "dataset:scan_failed"


def _workbook(*, macro: bool = False) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["name", "ssn"])
    ws.append([NAME, SSN])
    ws.append(["Person Two", "219-09-1001"])
    buf = io.BytesIO()
    wb.save(buf)
    if not macro:
        return buf.getvalue()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        zipfile.ZipFile(out, "w") as dst,
    ):
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", b"\x00macro")
    return out.getvalue()


def test_macros_in_a_workbook_are_flagged(w, ddeps, db_session):
    clean = _upload(w, ddeps, _workbook(), filename="staff.xlsx", name="Staff")
    assert scan_version(db_session, clean.id, deps=ddeps).flags == []
    risky = _upload(
        w, ddeps, _workbook(macro=True), filename="staff2.xlsx", name="Staff 2"
    )
    scanned = scan_version(db_session, risky.id, deps=ddeps)
    assert scanned.state == "scanned"
    assert scanned.flags == ["macros"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"MZ\x90\x00 binary", "payroll.csv", "Windows executable"),
        (b"col\x00umn\x00", "payroll.csv", "not text"),
        (b"hello", "payroll.pdf", "not one"),
        (b"a,b\n", "payroll.xlsm", "macros"),
        (b"a,b\n", "payroll.exe", "not one of them"),
        (b"", "payroll.csv", "empty"),
        (b"a,b\n" + b"1,2\n" * 20_000, "payroll.csv", "larger than"),
    ],
)
def test_refused_uploads_change_nothing(w, ddeps, db_session, data, filename, message):
    before = (
        db_session.scalar(select(func.count()).select_from(Dataset)),
        db_session.scalar(select(func.count()).select_from(DatasetVersion)),
        db_session.scalar(select(func.count()).select_from(Job)),
    )
    with (
        pytest.raises(DomainValidationError, match=message),
        db_session.begin_nested(),
    ):
        _upload(w, ddeps, data, filename=filename)
    after = (
        db_session.scalar(select(func.count()).select_from(Dataset)),
        db_session.scalar(select(func.count()).select_from(DatasetVersion)),
        db_session.scalar(select(func.count()).select_from(Job)),
    )
    assert after == before
    assert list(ddeps.blobs.iter_keys()) == []


def test_paths_in_file_names_are_dropped(w, ddeps):
    version = _upload(w, ddeps, filename="C:\\Users\\x\\..\\..\\payroll.csv")
    assert version.filename == "payroll.csv"
    other = _upload(w, ddeps, filename="../../etc/payroll\u202e.csv", name="Other")
    assert other.filename == "payroll.csv"


def test_a_duplicate_name_is_refused(w, ddeps):
    _upload(w, ddeps)
    with pytest.raises(ConflictError, match="already exists"):
        _upload(w, ddeps, name="november PAYROLL")


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("vadmin", PermissionDeniedError),  # a vendor never uploads the client's data
        ("agent", PermissionDeniedError),
        ("auditor", PermissionDeniedError),
        ("other_owner", PermissionDeniedError),
    ],
)
def test_who_may_upload(w, ddeps, who, refusal):
    with pytest.raises(refusal):
        _upload(w, ddeps, who=who)


def test_who_may_see(w, ddeps, db_session):
    version = _upload(w, ddeps)
    for who in ("owner", "staff", "auditor"):
        assert (
            get_dataset(db_session, w.actor(who), version.dataset_id).id
            == version.dataset_id
        )
        assert [s.dataset.id for s in list_datasets(db_session, w.actor(who))] == [
            version.dataset_id
        ]
    for who in ("vadmin", "agent", "other_owner"):
        with pytest.raises(NotFoundError):
            get_dataset(db_session, w.actor(who), version.dataset_id)
        with pytest.raises(NotFoundError):
            get_version(db_session, w.actor(who), version.id)
    assert list_datasets(db_session, w.actor("other_owner")) == []
    with pytest.raises(PermissionDeniedError):
        list_datasets(db_session, w.actor("agent"))


def test_a_shredded_version_cannot_be_scanned(w, ddeps, db_session):
    version = _upload(w, ddeps)
    destroy_data_key(
        db_session,
        Actor.system("test"),
        tenant=tenant_of(w.client.id),
        key_id=version.key_id,
        clock=ddeps.clock,
    )
    with pytest.raises(NotFoundError):
        scan_version(db_session, version.id, deps=ddeps)


def test_a_text_shows_a_masked_preview(w, ddeps, db_session):
    note = (
        f"Payroll note. Please pay {NAME}, SSN {SSN}, by Friday.\n"
        "Call 415-555-0142 if the bank refuses it.\n"
    ).encode()
    version = _upload(w, ddeps, note, filename="note.txt", name="Note")
    scan_version(db_session, version.id, deps=ddeps)
    segments = masked_preview(db_session, w.actor("staff"), version.id, deps=ddeps)
    text = "".join(s.text for s in segments)
    assert "Payroll note" in text
    assert SSN not in text
    assert "8726" in text  # the masked form keeps the last digits
    assert {s.entity for s in segments if s.entity} >= {"US_SSN"}
    with pytest.raises(NotFoundError):
        masked_preview(db_session, w.actor("vadmin"), version.id, deps=ddeps)
    table = _upload(w, ddeps, name="A table")
    assert masked_preview(db_session, w.actor("staff"), table.id, deps=ddeps) == []
