import pytest

from outguard.errors import DomainValidationError, NotFoundError
from outguard.storage import InMemoryBlobStore, LocalBlobStore


@pytest.fixture(params=["local", "memory"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    return InMemoryBlobStore()


def test_round_trip_streamed(store):
    chunks = [bytes([i % 256]) * 300_000 for i in range(10)]
    assert store.put("datasets/abc/v1.bin", iter(chunks)) == 3_000_000
    assert b"".join(store.open("datasets/abc/v1.bin")) == b"".join(chunks)
    assert store.size("datasets/abc/v1.bin") == 3_000_000
    assert list(store.iter_keys("datasets/")) == ["datasets/abc/v1.bin"]
    assert store.delete("datasets/abc/v1.bin")
    assert not store.exists("datasets/abc/v1.bin")
    assert not store.delete("datasets/abc/v1.bin")


def test_missing_blob(store):
    with pytest.raises(NotFoundError):
        store.open("nope/x")
    with pytest.raises(NotFoundError):
        store.size("nope/x")


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../x",
        "/etc/passwd",
        "a/../../b",
        "a//b",
        "a/./b",
        "x\x00y",
        "A/B",
        "ａ/b",
        "a\\b",
        "a/b/",
        ".hidden",
        "a" * 600,
        "dataset/ümlaut",
    ],
)
def test_bad_keys_refused(store, key):
    with pytest.raises(DomainValidationError):
        store.put(key, [b"x"])


def test_failed_write_leaves_nothing(store, tmp_path):
    def broken():
        yield b"first part"
        raise OSError("disk went away")

    with pytest.raises(OSError, match="disk went away"):
        store.put("a/b", broken())
    assert not store.exists("a/b")
    assert list(store.iter_keys()) == []
    if isinstance(store, LocalBlobStore):
        leftovers = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
        assert leftovers == []


def test_overwrite_is_atomic_replace(store):
    store.put("k/v", [b"old"])
    store.put("k/v", [b"new"])
    assert b"".join(store.open("k/v")) == b"new"


def test_local_files_are_private(tmp_path):
    store = LocalBlobStore(tmp_path / "blobs")
    store.put("a/b", [b"x"])
    assert (tmp_path / "blobs" / "a" / "b").stat().st_mode & 0o077 == 0
