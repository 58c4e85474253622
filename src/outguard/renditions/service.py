"""Protect a file for one recipient: the rendition, its canaries and its fingerprints.

One pass over the file, a batch at a time: classify the columns from the first batch, then
for each batch plant this batch's share of canary rows, find the spans of free-text columns
(and of any "non-personal" cell that turns out to hold personal data), apply the policy with
the recipient's keys, re-scan what is about to be written, and append it to a temporary file
that is renamed into place only when the whole rendition passed. The rendition is registered
(policy outcome, token versions, keyed fingerprint sets) in the caller's transaction.

Source and output may both live in memory (a `MemorySource` decrypted from the blob store,
a `MemoryTarget` to be sealed into it): then no byte of the file reaches the disk.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.errors import DomainValidationError
from outguard.formats.readers import (
    BATCH_ROWS,
    TABLE_SUFFIXES,
    InvalidFileError,
    file_sha256,
    open_table,
)
from outguard.formats.sources import MemoryTarget, Source, as_source
from outguard.formats.writers import (
    WorkbookWriter,
    discard,
    kind_for,
    open_table_writer,
    open_text_writer,
    open_workbook_writer,
    overwrites,
    written,
)
from outguard.keystore.tokens import check_recipient, recipient_scope
from outguard.pii.text import NameRecogniser, scan_text
from outguard.protect import fingerprints as fp
from outguard.protect.engine import (
    protect_text,
)
from outguard.protect.policy import Policy
from outguard.renditions.access import require
from outguard.renditions.keys import KeyedTransforms
from outguard.renditions.marks import fingerprint_key
from outguard.renditions.models import Recipient, Rendition, RenditionMark
from outguard.renditions.pipeline import (
    Job,
    Outcome,
    Recording,
    UnprotectedOutputError,
    protect_stream,
)
from outguard.renditions.repository import RenditionRepository
from outguard.scanning import (
    DEFAULT_SAMPLE,
    TEXT_SUFFIXES,
    read_text_file,
)
from outguard.security.aead import KeyProvider, keyed_digest
from outguard.security.permissions import Permission
from outguard.types import Actor, Clock

Progress = Callable[[int], None]
Batch = list[list[str | None]]


# Canary values worth registering: unique per recipient by construction (names and
# addresses may coincide with another recipient's pseudonyms; dates and bands do).
@dataclass
class RenditionReport:
    """What was made, for the person running it: names, actions and counts, never values."""

    id: str
    recipient: str
    policy: str
    source: str
    output: str
    kind: str
    rows: int = 0
    canaries: int = 0
    columns: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    recipient_created: bool = False
    output_sha256: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rendition": self.id,
            "recipient": self.recipient,
            "policy": self.policy,
            "source": self.source,
            "output": self.output,
            "kind": self.kind,
            "rows": self.rows,
            "canaries": self.canaries,
            "columns": self.columns,
            "notes": self.notes,
            "recipient_created": self.recipient_created,
            "output_sha256": self.output_sha256,
        }


def ensure_recipient(
    session: Session, actor: Actor, *, tenant: str, recipient: str, clock: Clock
) -> bool:
    """Register a recipient named for the first time (audited); True if it was new."""
    check_recipient(recipient)
    repo = RenditionRepository(session)
    if repo.recipient(tenant, recipient) is not None:
        return False
    scope = recipient_scope(tenant, recipient)
    repo.add(
        Recipient(
            tenant=tenant,
            name=recipient,
            scope=scope,
            created_at=clock.now(),
            created_by=actor.display[:200],
        )
    )
    record(
        session,
        actor,
        AuditTag.RECIPIENT_ADDED,
        clock=clock,
        subject_type="recipient",
        subject_id=scope,
        details={},
    )
    return True


def protect_file(
    session: Session,
    provider: KeyProvider,
    actor: Actor,
    *,
    tenant: str,
    recipient: str,
    policy: Policy,
    source: Path | Source,
    out: Path | MemoryTarget,
    clock: Clock,
    ner: NameRecogniser | None = None,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
    sample: int = DEFAULT_SAMPLE,
    overwrite: bool = False,
    as_of: date | None = None,
) -> RenditionReport:
    """Make `recipient`'s rendition of `source` at `out` (never a partial file) and register it."""
    require(actor, Permission.DATA_PROTECT)
    check_recipient(recipient)
    source = as_source(source)  # a missing path is refused here
    if overwrites(out, source):
        raise DomainValidationError(
            "The output would overwrite the original: choose another path."
        )
    suffix = source.suffix.lower()
    is_text = suffix in TEXT_SUFFIXES
    if not is_text and suffix not in TABLE_SUFFIXES:
        raise InvalidFileError(
            f"{source.name}: outguard protects CSV, TSV, XLSX, Parquet, JSON lines, TXT, PDF, DOCX and e-mail (.eml)."
        )
    if is_text and out.suffix.lower() not in {".txt", ".md", ".text"}:
        raise DomainValidationError(
            f"A protected text is written as .txt, not {out.suffix or '(none)'}."
        )
    if not is_text:
        kind_for(out)  # refuses an unknown output format before any work
    created = ensure_recipient(
        session, actor, tenant=tenant, recipient=recipient, clock=clock
    )
    key = fingerprint_key(session, provider, tenant=tenant, clock=clock)
    assert key is not None  # noqa: S101 - created on demand
    keyed = KeyedTransforms(session, provider, actor, tenant, recipient, clock)
    rendition_id = uuid.uuid4().hex
    canary_base = keyed.canary_key()
    job = Job(
        policy=policy,
        transforms=Recording(keyed, key),
        canary_key=keyed_digest(canary_base, "canary-rendition", rendition_id),
        ner=ner,
        as_of=as_of or clock.now().date(),
        sample=sample,
        batch_rows=batch_rows,
        progress=progress,
    )
    if is_text:
        _protect_text_file(job, source, out, overwrite=overwrite)
    else:
        _protect_table_file(
            job, source, out, batch_rows=batch_rows, overwrite=overwrite
        )
    report = RenditionReport(
        rendition_id,
        recipient,
        policy.name,
        source.name,
        out.name,
        "text" if is_text else "table",
        rows=job.rows,
        canaries=job.canaries,
        columns=[o.as_dict() for o in job.outcomes.values()],
        notes=job.notes,
        recipient_created=created,
        output_sha256=file_sha256(written(out)),
    )
    try:
        _register(
            session, actor, tenant, job, report, file_sha256(source), clock, keyed
        )
    except BaseException:
        discard(out)  # an unregistered rendition could never be traced
        raise
    return report


def _protect_table_file(
    job: Job,
    source: Source,
    out: Path | MemoryTarget,
    *,
    batch_rows: int,
    overwrite: bool,
) -> None:
    out_kind = kind_for(out)
    stream = open_table(source, batch_rows=batch_rows)
    size = source.size
    if stream.kind == "xlsx" and out_kind == "xlsx" and len(stream.sheets) > 1:
        with open_workbook_writer(out, overwrite=overwrite) as book:
            for title in stream.sheets:
                sheet_stream = (
                    stream
                    if title == stream.sheet
                    else open_table(source, batch_rows=batch_rows, sheet=title)
                )
                protect_stream(
                    job,
                    sheet_stream,
                    _sheet_opener(book, title),
                    size_bytes=size // len(stream.sheets),
                )
        return
    if stream.kind == "xlsx" and len(stream.sheets) > 1:
        job.notes.append(
            f"only the first sheet ({stream.sheet}) was written: {out.suffix} holds one table"
        )

    def open_writer(names: list[str], types: list[Any] | None) -> Any:
        return open_table_writer(
            out,
            names,
            dialect=stream.dialect if out_kind == stream.kind else None,
            sheet=stream.sheet or "Sheet1",
            overwrite=overwrite,
            types=types if out_kind == "parquet" else None,
        )

    protect_stream(job, stream, open_writer, size_bytes=size)


def _sheet_opener(
    book: WorkbookWriter, title: str
) -> Callable[[list[str], list[Any] | None], Any]:
    def open_sheet(names: list[str], _types: list[Any] | None) -> Any:
        return nullcontext(book.sheet(title, names))

    return open_sheet


def _protect_text_file(
    job: Job, source: Source, out: Path | MemoryTarget, *, overwrite: bool
) -> None:
    text = read_text_file(source)
    findings = scan_text(text, ner=job.ner)
    protected, outcome, where = protect_text(job.policy, text, findings, job.transforms)
    for f in scan_text(protected, ner=job.ner):
        if not any(f.start < b and a < f.end for a, b in where):
            line = protected.count("\n", 0, f.start) + 1
            raise UnprotectedOutputError(
                f"Line {line:,}: a {f.entity.value} would leave unprotected after the policy was "
                "applied. Nothing was written."
            )
    handle: IO[str]
    with open_text_writer(out, overwrite=overwrite) as handle:
        handle.write(protected)
    o = Outcome("text", "free text", outcome.action.value)
    o.add(outcome)
    job.outcomes["text"] = o
    job.rows = protected.count("\n") + 1


def _register(
    session: Session,
    actor: Actor,
    tenant: str,
    job: Job,
    report: RenditionReport,
    source_sha: str,
    clock: Clock,
    keyed: KeyedTransforms,
) -> None:
    repo = RenditionRepository(session)
    repo.add(
        Rendition(
            id=report.id,
            tenant=tenant,
            recipient=report.recipient,
            policy=report.policy,
            source_name=report.source[:255],
            source_sha256=source_sha,
            output_name=report.output[:255],
            output_sha256=report.output_sha256,
            kind=report.kind,
            rows=report.rows,
            canaries=report.canaries,
            columns=report.columns,
            token_uses=[
                u.as_dict()
                for u in sorted(keyed.uses, key=lambda u: (u.kind, u.version))
            ],
            created_at=clock.now(),
        )
    )
    for (role, kind), arrays in job.transforms.sets.items():
        merged = fp.union(arrays)
        if merged.size:
            repo.add(
                RenditionMark(
                    rendition_id=report.id,
                    role=role,
                    kind=kind,
                    count=int(merged.size),
                    digests=fp.to_bytes(merged),
                )
            )
    actions: dict[str, int] = defaultdict(int)
    for c in report.columns:
        actions[c["action"]] += 1
    record(
        session,
        actor,
        AuditTag.RENDITION_CREATED,
        clock=clock,
        subject_type="recipient",
        subject_id=recipient_scope(tenant, report.recipient),
        details={
            "rendition": report.id,
            "policy": report.policy,
            "rows": report.rows,
            "canaries": report.canaries,
            "columns_by_action": [f"{k}:{v}" for k, v in sorted(actions.items())],
            "source_sha256": source_sha,
            "output_sha256": report.output_sha256,
        },
    )
