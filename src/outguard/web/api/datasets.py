"""`/api/v1/datasets`: upload (the request body is the file, streamed), list, read, report.

Uploads are raw bodies, not multipart forms: the server never spools a clear copy to a
temporary file, it encrypts the bytes as they arrive.

    curl -H "Authorization: Bearer $TOKEN" --data-binary @payroll.csv
         "http://127.0.0.1:8000/api/v1/datasets?filename=payroll.csv&name=Payroll"
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel

from outguard.datasets.models import Dataset, DatasetVersion
from outguard.datasets.service import (
    DatasetSummary,
    entity_counts,
    get_dataset,
    get_version,
    list_datasets,
    upload,
    versions,
)
from outguard.web.deps import ApiActor, DataDeps, DbSession
from outguard.web.downloads import with_body

router = APIRouter(prefix="/datasets", tags=["datasets"])


class VersionRead(BaseModel):
    id: uuid.UUID
    dataset_id: uuid.UUID
    number: int
    filename: str
    kind: str
    size: int
    sha256: str
    state: str
    flags: list[str]
    error: str | None
    uploaded_at: datetime
    scanned_at: datetime | None
    scan_job_id: uuid.UUID | None
    entities: dict[str, int]


class DatasetRead(BaseModel):
    id: uuid.UUID
    client_org_id: uuid.UUID
    name: str
    description: str
    created_at: datetime
    updated_at: datetime
    versions: list[VersionRead]


def _version(v: DatasetVersion) -> VersionRead:
    return VersionRead(
        id=v.id,
        dataset_id=v.dataset_id,
        number=v.number,
        filename=v.filename,
        kind=v.kind,
        size=v.size,
        sha256=v.sha256,
        state=v.state,
        flags=list(v.flags),
        error=v.error,
        uploaded_at=v.uploaded_at,
        scanned_at=v.scanned_at,
        scan_job_id=v.scan_job_id,
        entities=entity_counts(v),
    )


def _dataset(d: Dataset, vs: list[DatasetVersion]) -> DatasetRead:
    return DatasetRead(
        id=d.id,
        client_org_id=d.client_org_id,
        name=d.name,
        description=d.description,
        created_at=d.created_at,
        updated_at=d.updated_at,
        versions=[_version(v) for v in vs],
    )


async def _stream_upload(request: Request, **kwargs: Any) -> DatasetVersion:
    return await with_body(request, lambda chunks: upload(chunks=chunks, **kwargs))


@router.get("", response_model=list[DatasetRead])
def list_(session: DbSession, actor: ApiActor) -> list[DatasetRead]:
    out: list[DatasetRead] = []
    summary: DatasetSummary
    for summary in list_datasets(session, actor):
        latest = [summary.latest] if summary.latest is not None else []
        out.append(_dataset(summary.dataset, latest))
    return out


@router.post("", response_model=VersionRead, status_code=status.HTTP_201_CREATED)
async def create(
    request: Request,
    session: DbSession,
    actor: ApiActor,
    deps: DataDeps,
    filename: str = Query(
        ..., max_length=1000, description="The file's name, with its suffix."
    ),
    name: str | None = Query(
        None, max_length=200, description="Default: the file name."
    ),
    description: str = Query("", max_length=2000),
) -> VersionRead:
    """Upload a new dataset: the body is the file. Its scan starts at once (a job)."""
    if actor.org_id is None:  # pragma: no cover - API actors are people
        raise ValueError
    version = await _stream_upload(
        request,
        session=session,
        actor=actor,
        org_id=actor.org_id,
        filename=filename,
        name=name,
        description=description,
        deps=deps,
    )
    return _version(version)


@router.post(
    "/{dataset_id}/versions",
    response_model=VersionRead,
    status_code=status.HTTP_201_CREATED,
)
async def add_version(
    dataset_id: uuid.UUID,
    request: Request,
    session: DbSession,
    actor: ApiActor,
    deps: DataDeps,
    filename: str = Query(..., max_length=1000),
) -> VersionRead:
    """Upload a new version of a dataset: the body is the file."""
    if actor.org_id is None:  # pragma: no cover - API actors are people
        raise ValueError
    version = await _stream_upload(
        request,
        session=session,
        actor=actor,
        org_id=actor.org_id,
        filename=filename,
        dataset_id=dataset_id,
        deps=deps,
    )
    return _version(version)


@router.get("/{dataset_id}", response_model=DatasetRead)
def read(dataset_id: uuid.UUID, session: DbSession, actor: ApiActor) -> DatasetRead:
    dataset = get_dataset(session, actor, dataset_id)
    return _dataset(dataset, versions(session, actor, dataset.id))


@router.get("/versions/{version_id}/report")
def report(
    version_id: uuid.UUID, session: DbSession, actor: ApiActor
) -> dict[str, Any]:
    """The scan report: columns and entities with counts and masked examples; no values."""
    _, version = get_version(session, actor, version_id)
    return {
        "version": _version(version).model_dump(mode="json"),
        "report": version.report,
    }
