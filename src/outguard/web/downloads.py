"""A rendition as a file download: the right type, a safe name, never cached."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import PurePosixPath
from typing import TypeVar

import anyio.from_thread
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from outguard.shares.workspace import Opened

_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "jsonl": "application/x-ndjson",
    "txt": "text/plain; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}

T = TypeVar("T")


async def with_body(request: Request, use: Callable[[Iterator[bytes]], T]) -> T:
    """Run `use` in a worker thread on the request body's chunks, as they arrive.

    Uploads are raw bodies, never multipart: nothing is spooled to a temporary file, so
    the use case can seal the bytes as they come in.
    """
    body = request.stream()
    return await anyio.to_thread.run_sync(lambda: use(body_chunks(body)))


def body_chunks(stream: AsyncIterator[bytes]) -> Iterator[bytes]:
    """A request body read from the event loop, consumed in a worker thread (uploads)."""

    async def next_chunk() -> bytes | None:
        return await anext(stream, None)

    while (chunk := anyio.from_thread.run(next_chunk)) is not None:
        if chunk:
            yield chunk


def file_response(data: bytes, name: str) -> Response:
    kind = PurePosixPath(name).suffix.lstrip(".").lower()
    safe = "".join(c for c in name if c.isalnum() or c in "-_.")[:120] or "download"
    return Response(
        data,
        media_type=_TYPES.get(kind, "application/octet-stream"),
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "Cache-Control": "no-store",
        },
    )


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
