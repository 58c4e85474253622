"""Dataset pages: the list with the upload panel, and one dataset's versions and scan report.

The browser uploads through the JSON API (`static/upload.js`: the file is the request body,
with a progress bar), so the server never parses a multipart form into a temporary file.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from outguard.datasets.intake import KINDS
from outguard.datasets.models import DatasetVersion
from outguard.datasets.service import (
    entity_counts,
    get_dataset,
    list_datasets,
    masked_preview,
    versions,
)
from outguard.errors import NotFoundError
from outguard.security.permissions import Permission, permissions_for
from outguard.web.deps import CurrentSession, DataDeps, DbSession, PageActor
from outguard.web.rendering import render

router = APIRouter()

_ACCEPT = ",".join(sorted(KINDS))
_FLAG_TEXT = {
    "macros": "contains macros (VBA): they do not travel in a rendition, but check the file",
    "external_links": "links to other workbooks",
    "embedded_objects": "has embedded objects (files inside the file)",
}


def _bars(version: DatasetVersion | None) -> list[dict[str, Any]]:
    """Entity counts as bars scaled to the largest (a chart without script)."""
    counts = entity_counts(version) if version is not None else {}
    top = max(counts.values(), default=0)
    return [
        {"entity": e, "count": n, "pct": round(100 * n / top) if top else 0}
        for e, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


@router.get("/datasets")
def list_page(
    request: Request, session: DbSession, auth: CurrentSession, actor: PageActor
) -> Response:
    _ = auth
    summaries = list_datasets(session, actor)
    return render(
        request,
        "datasets.html",
        {
            "active": "datasets",
            "summaries": summaries,
            "counts": {
                s.dataset.id: entity_counts(s.latest) for s in summaries if s.latest
            },
            "can_upload": Permission.DATASETS_UPLOAD in permissions_for(actor.roles),
            "accept": _ACCEPT,
        },
    )


@router.get("/datasets/{dataset_id}")
def detail_page(
    request: Request,
    dataset_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
    version: int | None = None,
) -> Response:
    _ = auth
    dataset = get_dataset(session, actor, dataset_id)
    all_versions = versions(session, actor, dataset.id)
    shown = (
        all_versions[0]
        if version is None and all_versions
        else next((v for v in all_versions if v.number == version), None)
    )
    if shown is None and all_versions:
        raise NotFoundError("No such version of this dataset.")
    report = shown.report if shown is not None else None
    return render(
        request,
        "dataset_detail.html",
        {
            "active": "datasets",
            "d": dataset,
            "versions": all_versions,
            "v": shown,
            "report": report,
            "bars": _bars(shown),
            "flags": [
                (f, _FLAG_TEXT.get(f, f)) for f in (shown.flags if shown else [])
            ],
            "pii_columns": [
                c for c in (report or {}).get("columns", []) if c["kind"] == "pii"
            ],
            "other_columns": [
                c for c in (report or {}).get("columns", []) if c["kind"] != "pii"
            ],
            "can_upload": Permission.DATASETS_UPLOAD in permissions_for(actor.roles),
            "can_share": Permission.DATA_PROTECT in permissions_for(actor.roles),
            "accept": _ACCEPT,
            "refresh": shown is not None and shown.state == "scanning",
            "preview": masked_preview(session, actor, shown.id, deps=deps)
            if shown is not None and report is not None and report.get("kind") == "text"
            else [],
        },
    )
