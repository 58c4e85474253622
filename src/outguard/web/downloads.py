"""A rendition as a file download: the right type, a safe name, never cached."""

from __future__ import annotations

from starlette.responses import Response

from outguard.shares.workspace import Opened

_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "jsonl": "application/x-ndjson",
    "txt": "text/plain; charset=utf-8",
}


def attachment(opened: Opened) -> Response:
    recipient = opened.recipient
    kind = recipient.output_kind or "csv"
    # The name is the share's, not the client's original file name.
    name = f"share-{opened.share.id.hex[:8]}.{kind}"
    return Response(
        opened.data or b"",
        media_type=_TYPES.get(kind, "application/octet-stream"),
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
