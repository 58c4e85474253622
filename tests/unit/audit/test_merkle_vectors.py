"""Every RFC 6962 vector of transparency-dev/merkle, read in place from ../shared."""

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from outguard.audit.chain import (
    MerkleTree,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[3].parent / "shared" / "vectors" / "merkle"
INCLUSION = sorted((VECTORS / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((VECTORS / "consistency").rglob("*.json"))
# The transparency-dev test tree: its happy-path proofs must be what we generate.
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]


def _load(path: Path) -> dict[str, Any]:
    vector: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return vector


def _b(text: str) -> bytes:
    return base64.b64decode(text)


def _proof(vector: dict[str, Any]) -> list[bytes]:
    return [_b(p) for p in vector["proof"] or []]


def _id(path: Path) -> str:
    return str(path.relative_to(VECTORS))


def test_all_vector_files_are_found():
    # A moved folder must fail loudly, not parametrize over nothing.
    assert len(INCLUSION) == 98
    assert len(CONSISTENCY) == 98
    assert {_load(p)["wantErr"] for p in INCLUSION + CONSISTENCY} == {True, False}


@pytest.mark.parametrize("path", INCLUSION, ids=_id)
def test_inclusion_vector(path: Path):
    v = _load(path)
    ok = verify_inclusion(
        _b(v["leafHash"]), v["leafIdx"], v["treeSize"], _proof(v), _b(v["root"])
    )
    assert ok is not v["wantErr"], v["desc"]


@pytest.mark.parametrize("path", CONSISTENCY, ids=_id)
def test_consistency_vector(path: Path):
    v = _load(path)
    ok = verify_consistency(
        v["size1"], v["size2"], _b(v["root1"]), _b(v["root2"]), _proof(v)
    )
    assert ok is not v["wantErr"], v["desc"]


TREE = MerkleTree(leaf_hash(leaf) for leaf in LEAVES)


@pytest.mark.parametrize(
    "path", [p for p in INCLUSION if p.name == "happy-path.json"], ids=_id
)
def test_we_generate_the_published_inclusion_proof(path: Path):
    v = _load(path)
    size, index = v["treeSize"], v["leafIdx"]
    assert TREE.root(size) == _b(v["root"])
    assert TREE.inclusion_proof(index, size) == _proof(v)


@pytest.mark.parametrize(
    "path", [p for p in CONSISTENCY if p.name == "happy-path.json"], ids=_id
)
def test_we_generate_the_published_consistency_proof(path: Path):
    v = _load(path)
    m, n = v["size1"], v["size2"]
    assert (TREE.root(m), TREE.root(n)) == (_b(v["root1"]), _b(v["root2"]))
    assert TREE.consistency_proof(m, n) == _proof(v)
