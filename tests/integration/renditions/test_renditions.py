"""Protect -> edit like an agent -> re-identify; trace a leak; the bad inputs (both engines)."""

from __future__ import annotations

import csv
import random
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from outguard.audit.models import AuditEvent
from outguard.errors import DomainValidationError, NotFoundError, PermissionDeniedError
from outguard.formats.readers import InvalidFileError
from outguard.protect.policy import parse_policy
from outguard.protect.templates import load_template
from outguard.renditions.models import Recipient, Rendition, RenditionMark
from outguard.renditions.reidentify import reidentify_file
from outguard.renditions.service import UnprotectedOutputError, protect_file
from outguard.renditions.tracing import trace_file
from outguard.scanning import scan
from outguard.security.aead import StaticKeyProvider
from outguard.types import Actor, ActorKind, OrgKind, Role

pytestmark = pytest.mark.integration

OWNER = Actor.system("test")
PROVIDER = StaticKeyProvider()
PAYROLL = load_template("payroll")
HEADER = [
    "Emp ID",
    "Employee",
    "SSN",
    "Email",
    "Phone",
    "Routing",
    "Account",
    "Gross",
    "Notes",
]


def _people(n: int, seed: int = 5) -> list[list[str]]:
    rng = random.Random(seed)
    first = [
        "Maria",
        "James",
        "Aisha",
        "Tomasz",
        "Li",
        "Fatima",
        "Diego",
        "Grace",
        "Omar",
        "Ines",
    ]
    last = [
        "Garcia",
        "Okafor",
        "Nguyen",
        "Kowalski",
        "Haddad",
        "Brennan",
        "Silva",
        "Park",
        "Novak",
    ]
    rows = []
    for i in range(n):
        f, la = rng.choice(first), rng.choice(last)
        ssn = f"{rng.choice([a for a in range(1, 900) if a != 666]):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
        aba = rng.choice(["021000021", "011000015", "026009593", "122105155"])
        rows.append(
            [
                f"E{1000 + i}",
                f"{f} {la}",
                ssn,
                f"{f.lower()}.{la.lower()}{i}@example.com",
                f"(312) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                aba,
                str(rng.randint(10**9, 10**11)),
                f"{rng.randint(1000, 9000)}.{rng.randint(0, 99):02d}",
                rng.choice(
                    [
                        "",
                        "Paid on time.",
                        f"Called {f} {la} about SSN {ssn}.",
                        '=HYPERLINK("http://x")',
                    ]
                ),
            ]
        )
    return rows


def _write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _protect(db_session, clock, source, out, recipient="agent-a", policy=PAYROLL, **kw):
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
        **kw,
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
    )


def test_round_trip_through_an_agents_edits(db_session, clock, tmp_path):
    rows = _people(120)
    source = _write(tmp_path / "payroll.csv", rows)
    out = tmp_path / "agent.csv"
    report = _protect(db_session, clock, source, out)
    assert report.rows == 120 and report.canaries >= 1
    head, body = _read(out)
    assert len(body) == 120 + report.canaries
    actions = {c["column"]: c["action"] for c in report.columns}
    assert actions["SSN"] == "tokenize" and actions["Employee"] == "pseudonymize"
    # The agent reorders, renames, sorts, filters, adds a column and types a token in a note.
    order = [8, 6, 5, 4, 3, 2, 1, 0, 7]
    worked_head = [head[i].upper() for i in order] + ["Agent remark"]
    worked = [
        [r[i] for i in order] + [f"checked {r[2]} for {r[1]}"]
        for r in sorted(body, key=lambda r: r[3])
        if r[0] != "E1003"
    ]
    returned = _write(tmp_path / "returned.csv", worked, worked_head)
    back = tmp_path / "back.csv"
    result = _reidentify(db_session, clock, returned, back)
    bhead, bbody = _read(back)
    original = {r[0]: r for r in rows}
    canary_rows = set(result.canary_rows)
    assert len(canary_rows) == report.canaries
    checked = 0
    for n, r in enumerate(bbody, 1):
        row = dict(zip(bhead, r, strict=True))
        if n in canary_rows:
            assert row["EMP ID"] not in original or True  # a decoy: left as it was sent
            continue
        o = dict(zip(HEADER, original[row["EMP ID"]], strict=True))
        for name in ("SSN", "Email", "Phone", "Routing", "Account", "Employee"):
            assert row[name.upper()] == o[name], name
        assert row["Agent remark"] == f"checked {o['SSN']} for {o['Employee']}"
        checked += 1
    assert checked == 119
    assert result.reidentified >= 119 * 6


def test_no_output_holds_unprotected_personal_data(db_session, clock, tmp_path):
    source = _write(tmp_path / "payroll.csv", _people(80))
    out = tmp_path / "agent.csv"
    _protect(db_session, clock, source, out)
    text = out.read_text(encoding="utf-8-sig")
    for r in _people(80):
        assert r[2] not in text and r[3] not in text and r[1] not in text
    report = scan(out)
    notes = next(c for c in report.columns if c.name == "Notes")
    assert notes.spans == {} or set(notes.spans) <= {
        "US_SSN",
        "PERSON",
    }  # tokens look like SSNs
    _, body = _read(out)
    assert all(
        not r[8].startswith("=") for r in body
    )  # the formula payload is neutralised
    assert any(r[8].startswith("'=HYPERLINK") for r in body)


def test_registration_stores_no_original_value(db_session, clock, tmp_path):
    rows = _people(50)
    source = _write(tmp_path / "payroll.csv", rows)
    report = _protect(db_session, clock, source, tmp_path / "out.csv")
    rendition = db_session.get(Rendition, report.id)
    assert rendition is not None and rendition.recipient == "agent-a"
    assert db_session.get(Recipient, ("t1", "agent-a")) is not None
    marks = db_session.query(RenditionMark).filter_by(rendition_id=report.id).all()
    assert {m.role for m in marks} >= {"sent", "canary", "rendered"}
    blob = (
        b"".join(m.digests for m in marks)
        + repr(rendition.columns).encode()
        + repr(rendition.token_uses).encode()
    )
    for r in rows:
        for value in r[1:7]:
            assert value.encode() not in blob
    events = (
        db_session.query(AuditEvent)
        .filter(AuditEvent.tag.in_(["recipient:added", "rendition:created"]))
        .all()
    )
    assert {e.tag for e in events} == {"recipient:added", "rendition:created"}
    assert not any(
        r[2] in repr(e.details) or r[1] in repr(e.details) for e in events for r in rows
    )


def test_trace_names_the_leaker_among_recipients(db_session, clock, tmp_path):
    source = _write(tmp_path / "payroll.csv", _people(300))
    for k in range(6):
        _protect(
            db_session, clock, source, tmp_path / f"r{k}.csv", recipient=f"agent-{k}"
        )
    head, body = _read(tmp_path / "r4.csv")
    rng = random.Random(2)
    leak = rng.sample(body, 20)
    # Columns dropped, rows shuffled, a few values edited, converted to XLSX.
    keep = [0, 2, 3, 7]
    book = Workbook()
    sheet = book.active
    sheet.append([head[i] for i in keep])
    for n, r in enumerate(leak):
        values = [r[i] for i in keep]
        if n % 5 == 0:
            values[1] = (
                values[1][:-1] + str((int(values[1][-1]) + 1) % 10)
                if values[1][-1:].isdigit()
                else values[1]
            )
        sheet.append(values)
    book.save(tmp_path / "found.xlsx")
    result = trace_file(
        db_session,
        PROVIDER,
        OWNER,
        tenant="t1",
        source=tmp_path / "found.xlsx",
        clock=clock,
    )
    assert [a.recipient for a in result.report.attributed] == ["agent-4"]
    assert result.report.recipients_tested == 6
    assert result.report.attributed[0].false_attribution < 1e-9
    # Pasted as text (an OCR of a screenshot: spaces, an O for a 0).
    text = "\n".join(" ".join(r[i] for i in (1, 2, 4)) for r in leak[:8]).replace(
        "0", "O", 3
    )
    (tmp_path / "ocr.txt").write_text(text)
    pasted = trace_file(
        db_session,
        PROVIDER,
        OWNER,
        tenant="t1",
        source=tmp_path / "ocr.txt",
        clock=clock,
    )
    assert [a.recipient for a in pasted.report.attributed] == ["agent-4"]


def test_trace_says_plainly_when_it_cannot_attribute(db_session, clock, tmp_path):
    source = _write(tmp_path / "payroll.csv", _people(60))
    _protect(db_session, clock, source, tmp_path / "r.csv", recipient="agent-x")
    # The owner's own original leaks: no recipient's tokens or canaries are in it.
    result = trace_file(
        db_session, PROVIDER, OWNER, tenant="t1", source=source, clock=clock
    )
    assert not result.report.attributed
    assert result.report.verdict().startswith("Cannot attribute")


def test_canaries_name_the_recipient_without_token_columns(db_session, clock, tmp_path):
    source = _write(tmp_path / "payroll.csv", _people(200))
    reports = {
        k: _protect(
            db_session, clock, source, tmp_path / f"c{k}.csv", recipient=f"agent-{k}"
        )
        for k in range(3)
    }
    head, body = _read(tmp_path / "c1.csv")
    back = _reidentify(
        db_session,
        clock,
        tmp_path / "c1.csv",
        tmp_path / "c1-back.csv",
        recipient="agent-1",
    )
    canaries = [body[n - 1] for n in back.canary_rows]
    assert len(canaries) == reports[1].canaries
    only_email = _write(tmp_path / "emails.csv", [[r[3]] for r in canaries], ["Email"])
    result = trace_file(
        db_session, PROVIDER, OWNER, tenant="t1", source=only_email, clock=clock
    )
    assert result.report.attributed[0].recipient == "agent-1"
    assert result.report.attributed[0].evidence.canaries_found >= 1


def test_another_recipients_tokens_are_left_untouched_and_counted(
    db_session, clock, tmp_path
):
    source = _write(tmp_path / "payroll.csv", _people(40))
    _protect(db_session, clock, source, tmp_path / "a.csv", recipient="agent-a")
    _protect(db_session, clock, source, tmp_path / "b.csv", recipient="agent-b")
    result = _reidentify(
        db_session,
        clock,
        tmp_path / "b.csv",
        tmp_path / "wrong.csv",
        recipient="agent-a",
    )
    _, sent_b = _read(tmp_path / "b.csv")
    _, back = _read(tmp_path / "wrong.csv")
    assert [r[2] for r in back] == [
        r[2] for r in sent_b
    ]  # agent-b's SSN tokens stay as they are
    ssn = next(c for c in result.columns if c.name == "SSN")
    assert (
        ssn.reidentified.get("ssn", 0) <= 1
    )  # a chance decryption into a sent value, at most


def test_text_files_are_protected_span_by_span(db_session, clock, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text(
        "Hi team, please pay Maria Garcia (SSN 512-84-3307) to account 000123456789 at routing 021000021.\n"
    )
    out = tmp_path / "note.out.txt"
    report = _protect(db_session, clock, note, out)
    text = out.read_text()
    assert "512-84-3307" not in text and "000123456789" not in text
    assert report.kind == "text"
    back = _reidentify(db_session, clock, out, tmp_path / "note.back.txt")
    assert (
        "512-84-3307" in (tmp_path / "note.back.txt").read_text()
        or back.reidentified == 0
    )


def test_xlsx_keeps_its_sheets_and_parquet_its_types(db_session, clock, tmp_path):
    book = Workbook()
    first = book.active
    first.title = "Staff"
    first.append(["Name", "SSN", "Hours"])
    for r in _people(30):
        first.append([r[1], r[2], 40])
    second = book.create_sheet("Vendors")
    second.append(["Vendor", "EIN", "Amount"])
    second.append(["Acme Supplies LLC", "12-3456789", 1200.5])
    book.save(tmp_path / "book.xlsx")
    _protect(db_session, clock, tmp_path / "book.xlsx", tmp_path / "book.out.xlsx")
    out = load_workbook(tmp_path / "book.out.xlsx", read_only=True)
    assert out.sheetnames == ["Staff", "Vendors"]
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {"ssn": [r[2] for r in _people(20)], "hours": pa.array(range(20), pa.int64())}
    )
    pq.write_table(table, tmp_path / "t.parquet")
    _protect(db_session, clock, tmp_path / "t.parquet", tmp_path / "t.out.parquet")
    schema = pq.read_schema(tmp_path / "t.out.parquet")
    assert (
        schema.field("hours").type == pa.int64()
        and schema.field("ssn").type == pa.string()
    )


def test_csv_dialect_is_kept(db_session, clock, tmp_path):
    path = tmp_path / "semi.csv"
    rows = "".join(f"{r[1]};{r[2]};{r[7]};Caf\u00e9\r\n" for r in _people(20))
    path.write_bytes(("Name;SSN;Amount;Dept\r\n" + rows).encode("cp1252"))
    _protect(db_session, clock, path, tmp_path / "semi.out.csv")
    raw = (tmp_path / "semi.out.csv").read_bytes()
    # A Windows-1252 export comes back as UTF-8 with a BOM (Excel reads both the same way).
    assert raw.startswith(b"\xef\xbb\xbfName;SSN;Amount;Dept\r\n")
    assert "Caf\u00e9\r\n" in raw.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unknown_entity", "unknown entity"),
        ("unknown_action", "unknown action"),
    ],
)
def test_bad_policies_name_the_problem(case, message):
    text = {
        "unknown_entity": "version: 1\nname: x\nentities:\n  SOCIAL: {action: drop}\n",
        "unknown_action": "version: 1\nname: x\nentities:\n  US_SSN: {action: shred}\n",
    }[case]
    with pytest.raises(DomainValidationError, match=message) as info:
        parse_policy(text, source="p.yaml")
    assert "line" in str(info.value)


def test_bad_inputs_change_nothing(db_session, clock, tmp_path):
    source = _write(tmp_path / "payroll.csv", _people(10))
    with pytest.raises(DomainValidationError, match="overwrite the original"):
        _protect(db_session, clock, source, source)
    with pytest.raises(DomainValidationError, match="Cannot write a table"):
        _protect(db_session, clock, source, tmp_path / "out.exe")
    with pytest.raises(DomainValidationError, match="recipient id"):
        _protect(
            db_session, clock, source, tmp_path / "o.csv", recipient="../etc/passwd"
        )
    (tmp_path / "exists.csv").write_text("keep me")
    with pytest.raises(DomainValidationError, match="already exists"):
        _protect(db_session, clock, source, tmp_path / "exists.csv")
    assert (tmp_path / "exists.csv").read_text() == "keep me"
    (tmp_path / "bomb.csv").write_bytes(b"\x00\x01\x02" * 1000)
    with pytest.raises(InvalidFileError, match="binary"):
        _protect(db_session, clock, tmp_path / "bomb.csv", tmp_path / "b.csv")
    with pytest.raises(
        NotFoundError, match="No rendition was made for recipient 'nobody'"
    ):
        _reidentify(db_session, clock, source, tmp_path / "r.csv", recipient="nobody")
    assert not list(tmp_path.glob("*.part")) and not (tmp_path / "o.csv").exists()
    assert not (tmp_path / "b.csv").exists() and not (tmp_path / "r.csv").exists()


def test_protect_fails_whole_when_output_would_leak(
    db_session, clock, tmp_path, monkeypatch
):
    """The re-scan before writing is a second, independent look: simulate a detector miss."""
    from outguard.renditions import pipeline

    real = pipeline.classify_table
    calls = {"n": 0}

    def miss_the_ssns(names, sample):
        calls["n"] += 1
        reports = real(names, sample)
        if (
            calls["n"] == 1
        ):  # the input scan misses the SSN column; the output re-scan doesn't
            reports = [
                replace(r, kind="not_pii", entity=None) if r.name == "SSN" else r
                for r in reports
            ]
        return reports

    monkeypatch.setattr(pipeline, "classify_table", miss_the_ssns)
    monkeypatch.setattr(pipeline, "suspect_spans", lambda *a, **k: {})
    source = _write(
        tmp_path / "s.csv", [[r[0], r[2]] for r in _people(30)], ["Emp", "SSN"]
    )
    out = tmp_path / "s.out.csv"
    with pytest.raises(
        UnprotectedOutputError, match=r"'SSN'.*US_SSN.*Nothing was written"
    ):
        _protect(db_session, clock, source, out)
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def test_a_kept_column_with_personal_data_in_it_is_still_protected(
    db_session, clock, tmp_path
):
    rows = [
        [f"R{i}", "Refund approved" if i % 7 else f"SSN on file 512-84-{3300 + i}"]
        for i in range(600)
    ]
    source = _write(tmp_path / "memo.csv", rows, ["Ref", "Memo"])
    out = tmp_path / "memo.out.csv"
    report = _protect(db_session, clock, source, out)
    assert "512-84-33" not in out.read_text()
    memo = next(c for c in report.columns if c["column"] == "Memo")
    assert memo["spans"].get("US_SSN", 0) >= 80


def test_only_the_owner_reidentifies(db_session, clock, tmp_path):
    import uuid

    agent = Actor(
        kind=ActorKind.USER,
        display="agent",
        user_id=uuid.uuid4(),
        org_id=uuid.uuid4(),  # type: ignore[arg-type]
        org_kind=OrgKind.VENDOR,
        roles=frozenset({Role.AGENT}),
    )
    source = _write(tmp_path / "payroll.csv", _people(10))
    with pytest.raises(PermissionDeniedError):
        protect_file(
            db_session,
            PROVIDER,
            agent,
            tenant="t1",
            recipient="a",
            policy=PAYROLL,
            source=source,
            out=tmp_path / "o.csv",
            clock=clock,
        )
    with pytest.raises(PermissionDeniedError):
        reidentify_file(
            db_session,
            PROVIDER,
            agent,
            tenant="t1",
            recipient="a",
            source=source,
            out=tmp_path / "o.csv",
            clock=clock,
        )
    with pytest.raises(PermissionDeniedError):
        trace_file(db_session, PROVIDER, agent, tenant="t1", source=source, clock=clock)
    assert not (tmp_path / "o.csv").exists()


def test_a_returned_file_in_another_encoding_is_read(db_session, clock, tmp_path):
    rows = _people(30)
    source = _write(tmp_path / "payroll.csv", rows)
    _protect(db_session, clock, source, tmp_path / "sent.csv")
    text = (tmp_path / "sent.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "back16.csv").write_text(
        text, encoding="utf-16"
    )  # Excel's "Unicode text"
    result = _reidentify(
        db_session, clock, tmp_path / "back16.csv", tmp_path / "real.csv"
    )
    assert "encoding utf-16" in result.notes
    restored = (tmp_path / "real.csv").read_text(encoding="utf-16")
    assert all(r[2] in restored for r in rows)


class _Reading:
    """A reverser whose kinds read values as given: (original, kind) per (value, kind)."""

    def __init__(self, readings: dict[tuple[str, str], str], order: list[str]) -> None:
        self.readings = readings
        self.order = order

    def detokenize(self, values, kinds=None):
        out = []
        for v in values:
            hit = next(
                (
                    (self.readings[(v, k)], k)
                    for k in self.order
                    if (kinds is None or k in kinds) and (v, k) in self.readings
                ),
                None,
            )
            out.append(hit)
        return out, [h is not None for h in out]


def test_a_chance_reading_as_another_kind_gives_way_to_the_columns_kind():
    from outguard.renditions.reidentify import _prefer_the_columns_kind

    phones = [f"(415) 555-01{i:02d}" for i in range(20)]
    readings = {(p, "phone"): f"real {p}" for p in phones}
    # One phone token that the bank-account key also reads into its sent set (tried first).
    readings[(phones[3], "bank")] = "somebody's account"
    readings[("ana@x.test", "email")] = (
        "ana@real.test"  # a mixed column keeps its email
    )
    reverser = _Reading(readings, ["bank", "email", "phone"])
    values = [*phones, "ana@x.test"]
    found, _ = reverser.detokenize(values)
    assert found[3] == ("somebody's account", "bank")
    _prefer_the_columns_kind(reverser, values, found)
    assert found[3] == (f"real {phones[3]}", "phone")
    assert found[-1] == ("ana@real.test", "email")
    assert all(hit[1] == "phone" for hit in found[:-1])
