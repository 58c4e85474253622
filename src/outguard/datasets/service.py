"""Dataset use cases: upload (encrypted as it streams in), list, read, and the scan job.

An upload is all-or-nothing: the name and the first bytes are checked before anything is
kept; the content is encrypted chunk by chunk into the blob store under a new data key while
its size and SHA-256 are counted; a file over the limit stops the stream, and the store's
atomic write keeps nothing. The scan job decrypts the version into memory (never to disk),
scans it, flags macros and external links in Office files, and keeps the report (names,
entities, counts, masked examples).
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from outguard.accounts.service import orgs
from outguard.audit.checkpoint import SignerKey
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.datasets.intake import Counted, clean_filename, kind_of
from outguard.datasets.models import Dataset, DatasetVersion, VersionState
from outguard.datasets.policy import can_read, can_see, can_upload
from outguard.datasets.repository import DatasetRepository
from outguard.db import Session
from outguard.errors import (
    ConflictError,
    DomainValidationError,
    NotFoundError,
    OutguardError,
    PermissionDeniedError,
)
from outguard.formats.sources import MemorySource
from outguard.instance.audit_keys import audit_signer
from outguard.jobs import queue
from outguard.keystore.sealed import put_sealed, read_sealed_bytes
from outguard.pii.entities import Entity
from outguard.pii.masking import mask_example
from outguard.scanning import read_text_file, scan
from outguard.security.aead import KeyProvider
from outguard.security.decisions import Decision, Deny
from outguard.settings import Settings
from outguard.storage import BlobStore
from outguard.types import Actor, Clock, OrgKind

SCAN_JOB = "datasets.scan"
TEXT_KINDS = frozenset({"txt", "pdf", "docx", "eml"})  # read as text, not a table
_KEY_PURPOSE = "dataset"
MAX_DESCRIPTION = 2000


@dataclass(frozen=True)
class DatasetsDeps:
    clock: Clock
    blobs: BlobStore
    keys: KeyProvider
    max_upload_bytes: int
    max_attempts: int = 5
    pages_per_minute: int = 60  # an agent's viewer pages (shares)
    downloads_per_hour: int = 20  # an agent's downloads (shares)
    # The instance's audit key, which signs destruction certificates (shares).
    signer: SignerKey | None = None

    def __repr__(self) -> str:
        return "DatasetsDeps(<redacted>)"


def build_datasets_deps(
    settings: Settings, *, clock: Clock, blobs: BlobStore, keys: KeyProvider
) -> DatasetsDeps:
    return DatasetsDeps(
        clock=clock,
        blobs=blobs,
        keys=keys,
        max_upload_bytes=settings.datasets.max_upload_mb * 1024 * 1024,
        max_attempts=settings.jobs.max_attempts,
        pages_per_minute=settings.datasets.agent_pages_per_minute,
        downloads_per_hour=settings.datasets.agent_downloads_per_hour,
        signer=audit_signer(settings)[0],
    )


@dataclass(frozen=True)
class DatasetSummary:
    dataset: Dataset
    latest: DatasetVersion | None
    versions: int


def _require(decision: Decision) -> None:
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)


def tenant_of(org_id: uuid.UUID) -> str:
    """The keystore tenant of a client's datasets (one key hierarchy per client)."""
    return str(org_id)


def version_source(
    session: Session,
    client_org_id: uuid.UUID,
    version: DatasetVersion,
    deps: DatasetsDeps,
) -> MemorySource:
    """The version decrypted into memory (never to disk), under a neutral name.

    File names can hold personal data ("Jane Roe SSN.csv"), and readers, reports and
    error messages quote the name they are given.
    """
    data = read_sealed_bytes(
        session,
        deps.keys,
        deps.blobs,
        tenant=tenant_of(client_org_id),
        key_id=version.key_id,
        blob_key=version.blob_key,
    )
    suffix = PurePosixPath(version.filename).suffix.lower()
    return MemorySource(f"version-{version.number}{suffix}", data)


# ------------------------------------------------------------------- upload


def upload(
    session: Session,
    actor: Actor,
    *,
    org_id: uuid.UUID,
    filename: str,
    chunks: Iterable[bytes],
    deps: DatasetsDeps,
    name: str | None = None,
    dataset_id: uuid.UUID | None = None,
    description: str = "",
) -> DatasetVersion:
    """A new dataset (`name`), or a new version of `dataset_id`; queues its scan."""
    _require(can_upload(actor, org_id))
    org = orgs.org_unscoped(session, org_id)
    if org is None or org.kind != OrgKind.CLIENT:
        raise DomainValidationError("Datasets belong to a client organisation.")
    clean = clean_filename(filename)
    kind = kind_of(clean)
    counted = Counted(chunks, kind=kind, limit=deps.max_upload_bytes)
    repo = DatasetRepository(session)
    now = deps.clock.now()
    if dataset_id is not None:
        dataset = _visible(session, actor, dataset_id, for_update=True)
        if dataset.client_org_id != org_id:
            raise NotFoundError("No such dataset.")
        number = repo.last_number(dataset.id) + 1
    else:
        dataset = _new_dataset(repo, actor, org_id, name or clean, description, now)
        number = 1
    version_id = uuid.uuid4()
    version = repo.add_version(
        DatasetVersion(
            id=version_id,
            dataset_id=dataset.id,
            number=number,
            filename=clean,
            kind=kind,
            size=0,
            sha256="",
            blob_key=f"datasets/{dataset.id.hex}/{version_id.hex}.sealed",
            key_id=f"ds-{version_id.hex}",
            state=VersionState.SCANNING,
            flags=[],
            uploaded_by_id=actor.user_id,
            uploaded_at=now,
        )
    )
    put_sealed(
        session,
        deps.keys,
        deps.blobs,
        tenant=tenant_of(org_id),
        key_id=version.key_id,
        purpose=_KEY_PURPOSE,
        blob_key=version.blob_key,
        chunks=counted,
        clock=deps.clock,
    )
    version.size = counted.size
    version.sha256 = counted.sha.hexdigest()
    dataset.updated_at = now
    job = queue.enqueue(
        session,
        kind=SCAN_JOB,
        payload={"version_id": str(version.id)},
        clock=deps.clock,
        max_attempts=deps.max_attempts,
        org_id=org_id,
        created_by_id=actor.user_id,
    )
    version.scan_job_id = job.id
    record(
        session,
        actor,
        AuditTag.DATASET_UPLOADED,
        clock=deps.clock,
        subject_type="dataset",
        subject_id=dataset.id,
        org_id=org_id,
        details={
            "version": number,
            "version_id": str(version.id),
            "kind": kind,
            "size": version.size,
            "sha256": version.sha256,
            "key_id": version.key_id,
        },
    )
    return version


def _new_dataset(
    repo: DatasetRepository,
    actor: Actor,
    org_id: uuid.UUID,
    name: str,
    description: str,
    now: Any,
) -> Dataset:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 200:  # noqa: PLR2004 - the column's length
        raise DomainValidationError("A dataset name is 1 to 200 characters.")
    if len(description) > MAX_DESCRIPTION:
        raise DomainValidationError(
            f"A description is at most {MAX_DESCRIPTION} characters."
        )
    if repo.name_taken(org_id, name):
        raise ConflictError(
            "A dataset with that name already exists: upload a new version of it."
        )
    return repo.add_dataset(
        Dataset(
            client_org_id=org_id,
            name=name,
            description=description.strip(),
            created_by_id=actor.user_id,
            created_at=now,
            updated_at=now,
        )
    )


# ------------------------------------------------------------------- reading


def _visible(
    session: Session, actor: Actor, dataset_id: uuid.UUID, *, for_update: bool = False
) -> Dataset:
    dataset = DatasetRepository(session).dataset(dataset_id, for_update=for_update)
    if dataset is None or not can_see(actor, dataset.client_org_id):
        raise NotFoundError("No such dataset.")
    _require(can_read(actor, dataset.client_org_id))
    return dataset


def get_dataset(session: Session, actor: Actor, dataset_id: uuid.UUID) -> Dataset:
    return _visible(session, actor, dataset_id)


def versions(
    session: Session, actor: Actor, dataset_id: uuid.UUID
) -> list[DatasetVersion]:
    """Newest first."""
    dataset = _visible(session, actor, dataset_id)
    return DatasetRepository(session).versions_of([dataset.id])


def get_version(
    session: Session, actor: Actor, version_id: uuid.UUID
) -> tuple[Dataset, DatasetVersion]:
    version = DatasetRepository(session).version(version_id)
    if version is None:
        raise NotFoundError("No such dataset version.")
    try:
        dataset = _visible(session, actor, version.dataset_id)
    except NotFoundError:
        raise NotFoundError("No such dataset version.") from None
    return dataset, version


def find_dataset_for_operator(
    session: Session, actor: Actor, name_or_id: str
) -> Dataset:
    """Operator lookup by id, or by exact name (case-insensitive) across clients."""
    if not actor.is_system:
        raise PermissionDeniedError("Only an operator can look datasets up by name.")
    repo = DatasetRepository(session)
    try:
        found = repo.dataset(uuid.UUID(name_or_id))
    except ValueError:
        wanted = " ".join(name_or_id.split()).lower()
        matches = [d for d in repo.all_datasets() if d.name.lower() == wanted]
        if len(matches) > 1:
            raise ConflictError(
                "Several datasets have that name; use the id."
            ) from None
        found = matches[0] if matches else None
    if found is None:
        raise NotFoundError("No dataset with that name or id.")
    return found


def open_version(session: Session, version_id: uuid.UUID) -> DatasetVersion:
    """For jobs that act for an authorised request (a share's rendering): no actor check."""
    version = DatasetRepository(session).version(version_id)
    if version is None:
        raise NotFoundError("No such dataset version.")
    return version


def list_datasets(session: Session, actor: Actor) -> list[DatasetSummary]:
    """The actor's client's datasets, most recently changed first, with their latest version."""
    repo = DatasetRepository(session)
    if actor.is_system:
        found = repo.all_datasets()
    else:
        if actor.org_id is None:
            return []
        _require(can_read(actor, actor.org_id))
        found = repo.datasets_of(actor.org_id)
    by_dataset: dict[uuid.UUID, list[DatasetVersion]] = {}
    for v in repo.versions_of([d.id for d in found]):
        by_dataset.setdefault(v.dataset_id, []).append(v)
    out = []
    for d in found:
        mine = by_dataset.get(d.id, [])
        out.append(DatasetSummary(d, mine[0] if mine else None, len(mine)))
    return out


# ------------------------------------------------------------------- scanning


def _office_flags(kind: str, data: bytes) -> list[str]:
    """Things in an Office file the owner should know of before it leaves."""
    if kind not in {"xlsx", "docx"}:
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = [n.lower() for n in zf.namelist()]
    except zipfile.BadZipFile:
        return []  # the scan says what is wrong with it
    flags = []
    if any(n.endswith("vbaproject.bin") for n in names):
        flags.append("macros")
    if any("externallinks/" in n for n in names):
        flags.append("external_links")
    if any(n.startswith(("xl/embeddings/", "word/embeddings/")) for n in names):
        flags.append("embedded_objects")
    return flags


def report_counts(report: dict[str, Any]) -> dict[str, int]:
    """Per entity, values (columns) and spans (text) a scan report found."""
    counts: Counter[str] = Counter()
    for column in report.get("columns", []):
        if column.get("kind") == "pii" and column.get("entity"):
            counts[column["entity"]] += int(column.get("matched") or 0)
        for entity, n in (column.get("spans") or {}).items():
            counts[entity] += int(n)
    for span in report.get("spans", []):
        counts[span["entity"]] += 1
    return dict(counts)


def scan_version(
    session: Session, version_id: uuid.UUID, *, deps: DatasetsDeps
) -> DatasetVersion:
    """The scan job's body: decrypt in memory, check, scan, keep the report.

    A file that cannot be read ends as `failed` with the reason (the job itself succeeds:
    retrying would not change the file). Anything else raises, and the job is retried.
    """
    repo = DatasetRepository(session)
    version = repo.version(version_id, for_update=True)
    if version is None:
        raise NotFoundError("No such dataset version.")
    if version.version_state is not VersionState.SCANNING:
        return version  # already done by an earlier attempt, or destroyed meanwhile
    dataset = repo.dataset(version.dataset_id)
    if dataset is None:  # pragma: no cover - a foreign key
        raise NotFoundError("No such dataset.")
    system = Actor.system("worker:datasets")
    source = version_source(session, dataset.client_org_id, version, deps)
    if hashlib.sha256(source.data).hexdigest() != version.sha256:  # pragma: no cover
        raise ConflictError("The stored file does not match its recorded hash.")
    now = deps.clock.now()
    try:
        report = scan(source).to_json()
    except OutguardError as exc:
        version.state = VersionState.FAILED
        version.error = exc.message[:500]
        version.scanned_at = now
        record(
            session,
            system,
            AuditTag.DATASET_SCAN_FAILED,
            clock=deps.clock,
            subject_type="dataset",
            subject_id=dataset.id,
            org_id=dataset.client_org_id,
            details={"version": version.number, "error_code": exc.code},
        )
        return version
    version.flags = _office_flags(version.kind, source.data)
    version.report = report
    version.state = VersionState.SCANNED
    version.scanned_at = now
    counts = report_counts(report)
    record(
        session,
        system,
        AuditTag.DATASET_SCANNED,
        clock=deps.clock,
        subject_type="dataset",
        subject_id=dataset.id,
        org_id=dataset.client_org_id,
        details={
            "version": version.number,
            "rows": int(report.get("rows") or 0),
            "entities": sorted(counts),
            "findings": sum(counts.values()),
            "flags": version.flags,
        },
    )
    return version


def entity_counts(version: DatasetVersion) -> dict[str, int]:
    """Per entity, how many values or spans the scan found (for the report's chart)."""
    return report_counts(version.report or {})


PREVIEW_CHARS = 20_000


@dataclass(frozen=True)
class Segment:
    text: str
    entity: str | None = None  # set: a masked finding


def masked_preview(
    session: Session, actor: Actor, version_id: uuid.UUID, *, deps: DatasetsDeps
) -> list[Segment]:
    """The start of a scanned text, each finding replaced by its masked form.

    Decrypted in memory for this response; the owner sees where the personal data sits and
    what kind it is, never the values.
    """
    dataset, version = get_version(session, actor, version_id)
    if (
        version.kind not in TEXT_KINDS
        or version.version_state is not VersionState.SCANNED
    ):
        return []
    text = read_text_file(version_source(session, dataset.client_org_id, version, deps))
    spans = sorted(
        (int(s["start"]), int(s["end"]), str(s["entity"]))
        for s in (version.report or {}).get("spans", [])
    )
    out: list[Segment] = []
    at = 0
    for start, end, entity in spans:
        if start < at or start >= PREVIEW_CHARS:
            continue
        out.append(Segment(text[at:start]))
        out.append(Segment(mask_example(Entity(entity), text[start:end]), entity))
        at = end
    out.append(Segment(text[at:PREVIEW_CHARS]))
    return out
