"""Datasets for the web tests, uploaded through the service like an operator's CLI would."""

from __future__ import annotations

from typing import Any

from outguard.datasets.service import DatasetsDeps, upload
from outguard.security.aead import StaticKeyProvider
from outguard.storage import InMemoryBlobStore
from outguard.types import Actor
from tests.web.harness import World

SYSTEM = Actor.system("tests")
ROWS = b"name,city\nPerson One,Austin\nPerson Two,Boston\n"


def deps(w: World) -> DatasetsDeps:
    """The blob store and keys these datasets were sealed with (to scan them in a test)."""
    if "_datasets_deps" not in w.__dict__:
        w.__dict__["_datasets_deps"] = DatasetsDeps(
            clock=w.clock,
            blobs=InMemoryBlobStore(),
            keys=StaticKeyProvider(),
            max_upload_bytes=1 << 20,
        )
    found: DatasetsDeps = w.__dict__["_datasets_deps"]
    return found


def _version(w: World, which: str) -> Any:
    cache = w.__dict__.setdefault("_datasets", {})
    if which not in cache:
        cache[which] = upload(
            w.session,
            SYSTEM,
            org_id=(w.client if which == "own" else w.other).id,
            filename="people.csv",
            name=f"People {which}",
            chunks=[ROWS],
            deps=deps(w),
        )
    return cache[which]


def dataset(w: World, which: str) -> dict[str, Any]:
    return {"dataset_id": _version(w, which).dataset_id}


def version(w: World, which: str) -> dict[str, Any]:
    return {"version_id": _version(w, which).id}
