"""Both blob stores behave the same; the local one is also atomic and private on disk."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from outguard.errors import ConflictError, DomainValidationError, NotFoundError
from outguard.settings import Environment, Settings, StorageSettings
from outguard.storage import (
    CHUNK_SIZE,
    BlobStore,
    InMemoryBlobStore,
    LocalBlobStore,
    make_blob_store,
    validate_key,
)
from outguard.storage.local import TEMP_PREFIX

MIB = 1024 * 1024


@pytest.fixture(params=["local", "memory"])
def store(request, tmp_path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    return InMemoryBlobStore()


def _read(store: BlobStore, key: str) -> bytes:
    return b"".join(store.open(key))


def _files_on_disk(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


class TestRoundTrip:
    def test_small_blob(self, store):
        assert store.put("a/b.txt", [b"hello ", b"world"]) == 11
        assert _read(store, "a/b.txt") == b"hello world"
        assert store.exists("a/b.txt")
        assert store.size("a/b.txt") == 11

    def test_empty_blob(self, store):
        assert store.put("empty", []) == 0
        assert store.exists("empty")
        assert _read(store, "empty") == b""
        assert store.size("empty") == 0

    def test_large_stream_is_written_and_read_in_chunks(self, store):
        piece = 64 * 1024
        total_pieces = 5 * MIB // piece + 3  # not a multiple of the read chunk size

        def stream():
            for i in range(total_pieces):
                yield bytes([i % 251]) * piece

        assert store.put("datasets/abc/v1.bin", stream()) == total_pieces * piece
        chunks = list(store.open("datasets/abc/v1.bin"))
        assert len(chunks) > 1
        assert all(len(c) <= CHUNK_SIZE for c in chunks)
        assert b"".join(chunks) == b"".join(stream())
        assert store.size("datasets/abc/v1.bin") == total_pieces * piece

    def test_overwrite_replaces(self, store):
        store.put("k/v", [b"old contents"])
        store.put("k/v", [b"new"])
        assert _read(store, "k/v") == b"new"
        assert store.size("k/v") == 3

    def test_delete(self, store):
        store.put("a/b/c", [b"x"])
        assert store.delete("a/b/c")
        assert not store.exists("a/b/c")
        assert not store.delete("a/b/c")
        with pytest.raises(NotFoundError):
            store.open("a/b/c")


class TestMissing:
    @pytest.mark.parametrize("key", ["nope", "nope/x", "a/b/c"])
    def test_missing_blob_is_not_found(self, store, key):
        assert not store.exists(key)
        assert not store.delete(key)
        with pytest.raises(NotFoundError):
            store.open(key)
        with pytest.raises(NotFoundError):
            store.size(key)

    def test_a_folder_is_not_a_blob(self, store):
        store.put("folder/inside", [b"x"])
        assert not store.exists("folder")
        assert not store.delete("folder")
        with pytest.raises(NotFoundError):
            store.open("folder")
        with pytest.raises(NotFoundError):
            store.size("folder")
        assert store.exists("folder/inside")

    def test_below_a_blob_is_not_found(self, store):
        store.put("file", [b"x"])
        assert not store.exists("file/below")
        with pytest.raises(NotFoundError):
            store.open("file/below")
        with pytest.raises(NotFoundError):
            store.size("file/below")


class TestFileFolderConflict:
    def test_blob_where_a_folder_is(self, store):
        store.put("a/b", [b"x"])
        with pytest.raises(ConflictError):
            store.put("a", [b"y"])
        assert _read(store, "a/b") == b"x"

    def test_blob_below_a_blob(self, store):
        store.put("a", [b"x"])
        with pytest.raises(ConflictError):
            store.put("a/b", [b"y"])
        assert _read(store, "a") == b"x"
        assert list(store.iter_keys()) == ["a"]

    def test_folder_can_become_a_blob_once_emptied(self, store):
        store.put("a/b/c", [b"x"])
        store.delete("a/b/c")
        store.put("a", [b"now a file"])
        assert _read(store, "a") == b"now a file"


class TestListing:
    def test_keys_sorted_and_filtered_by_prefix(self, store):
        for key in ["b/2", "a0", "a/x", "a-b", "a/y/z", "c"]:
            store.put(key, [key.encode()])
        assert list(store.iter_keys()) == ["a-b", "a/x", "a/y/z", "a0", "b/2", "c"]
        assert list(store.iter_keys("a/")) == ["a/x", "a/y/z"]
        assert list(store.iter_keys("a")) == ["a-b", "a/x", "a/y/z", "a0"]
        assert list(store.iter_keys("a/y/")) == ["a/y/z"]
        assert list(store.iter_keys("b/2")) == ["b/2"]
        assert list(store.iter_keys("zzz/")) == []

    def test_empty_store(self, store):
        assert list(store.iter_keys()) == []

    @pytest.mark.parametrize("prefix", ["../", "/etc", "a//", "A", "a\x00", "ä"])
    def test_bad_prefix_refused(self, store, prefix):
        with pytest.raises(DomainValidationError):
            list(store.iter_keys(prefix))


BAD_KEYS = [
    pytest.param("", id="empty"),
    pytest.param("../x", id="parent"),
    pytest.param("..", id="dotdot"),
    pytest.param(".", id="dot"),
    pytest.param("/etc/passwd", id="absolute"),
    pytest.param("a/../../b", id="inner-traversal"),
    pytest.param("a/..", id="trailing-traversal"),
    pytest.param("a/b..c", id="double-dot-inside"),
    pytest.param("a//b", id="empty-segment"),
    pytest.param("a/./b", id="dot-segment"),
    pytest.param("a/b/", id="trailing-slash"),
    pytest.param("x\x00y", id="nul"),
    pytest.param("a/b\n", id="trailing-newline"),
    pytest.param("a\nb", id="newline"),
    pytest.param("a\rb", id="carriage-return"),
    pytest.param("a b", id="space"),
    pytest.param("a\tb", id="tab"),
    pytest.param("a\\b", id="backslash"),
    pytest.param("..\\x", id="windows-traversal"),
    pytest.param("c:/x", id="drive"),
    pytest.param("A/B", id="upper-case"),
    pytest.param(".hidden", id="leading-dot"),
    pytest.param("-rf", id="leading-dash"),
    pytest.param(TEMP_PREFIX + "x", id="temp-name"),
    pytest.param("a" * 600, id="too-long"),
    pytest.param("a" * 129, id="segment-too-long"),
    pytest.param("%2e%2e/x", id="percent-encoded"),
    pytest.param("\uff41/b", id="fullwidth-a"),
    pytest.param("\uff0e\uff0e/x", id="fullwidth-dots"),
    pytest.param("\u2024\u2024/x", id="one-dot-leaders"),
    pytest.param("a\u2215b", id="division-slash"),
    pytest.param("a\u2044b", id="fraction-slash"),
    pytest.param("a\u200bb", id="zero-width-space"),
    pytest.param("a\u202eb", id="rtl-override"),
    pytest.param("dataset/\u00fcmlaut", id="umlaut"),
    pytest.param("u\u0308", id="combining-mark"),
    pytest.param("\u0131d", id="dotless-i"),
    pytest.param("\u212a", id="kelvin-sign"),
]


class TestKeyValidation:
    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_put_refuses(self, store, key):
        with pytest.raises(DomainValidationError):
            store.put(key, [b"x"])
        assert list(store.iter_keys()) == []

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_every_operation_refuses(self, store, key):
        for operation in (store.open, store.exists, store.size, store.delete):
            with pytest.raises(DomainValidationError):
                operation(key)

    @pytest.mark.parametrize(
        "key",
        [
            "a",
            "0",
            "datasets/3f2a9c1e-7b44-4f7e-9d5c-2b1f0a9e8c11/v1.bin",
            "a.b_c-d/e",
            "x" * 128,
            "/".join(["a"] * 256),
        ],
    )
    def test_good_keys(self, store, key):
        assert validate_key(key) == key
        store.put(key, [b"ok"])
        assert _read(store, key) == b"ok"

    def test_traversal_never_touches_the_file_system(self, tmp_path):
        store = LocalBlobStore(tmp_path / "root")
        (tmp_path / "secret").write_bytes(b"do not read")
        for key in ["../secret", "a/../../secret", str(tmp_path / "secret")]:
            with pytest.raises(DomainValidationError):
                store.open(key)
            with pytest.raises(DomainValidationError):
                store.put(key, [b"overwritten"])
        assert (tmp_path / "secret").read_bytes() == b"do not read"
        assert not (tmp_path / "root").exists()


class _DiskFullError(OSError):
    pass


def _failing_stream():
    yield b"first part"
    yield b"second part"
    raise _DiskFullError("disk went away")


class TestFailedWrite:
    def test_new_key_leaves_nothing(self, store, tmp_path):
        with pytest.raises(_DiskFullError):
            store.put("a/b", _failing_stream())
        assert not store.exists("a/b")
        assert list(store.iter_keys()) == []
        assert _files_on_disk(tmp_path / "blobs") == []

    def test_existing_blob_is_kept(self, store, tmp_path):
        store.put("a/b", [b"previous"])
        with pytest.raises(_DiskFullError):
            store.put("a/b", _failing_stream())
        assert _read(store, "a/b") == b"previous"
        assert list(store.iter_keys()) == ["a/b"]
        if isinstance(store, LocalBlobStore):
            assert _files_on_disk(tmp_path / "blobs") == [tmp_path / "blobs/a/b"]

    def test_non_bytes_chunk_leaves_nothing(self, store, tmp_path):
        with pytest.raises(TypeError):
            store.put("a/b", [b"ok", "text is not bytes"])  # type: ignore[list-item]
        assert not store.exists("a/b")
        assert _files_on_disk(tmp_path / "blobs") == []


class TestLocalOnDisk:
    def test_files_and_folders_are_private(self, tmp_path):
        old_umask = os.umask(0o002)  # a permissive umask must not leak into the modes
        try:
            store = LocalBlobStore(tmp_path / "blobs")
            store.put("a/b/c/d", [b"x"])
        finally:
            os.umask(old_umask)
        root = tmp_path / "blobs"
        for folder in [root, root / "a", root / "a/b", root / "a/b/c"]:
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        assert stat.S_IMODE((root / "a/b/c/d").stat().st_mode) == 0o600

    def test_write_goes_through_a_temp_file_in_the_same_folder(
        self, tmp_path, monkeypatch
    ):
        store = LocalBlobStore(tmp_path / "blobs")
        seen: list[tuple[str, str]] = []
        real_replace = os.replace

        def spy(src, dst):
            seen.append((str(src), str(dst)))
            real_replace(src, dst)

        monkeypatch.setattr(os, "replace", spy)
        store.put("a/b", [b"x"])
        ((src, dst),) = seen
        assert Path(src).parent == Path(dst).parent == tmp_path / "blobs/a"
        assert Path(src).name.startswith(TEMP_PREFIX)
        assert dst == str(tmp_path / "blobs/a/b")

    def test_failed_rename_removes_the_temp_file(self, tmp_path, monkeypatch):
        store = LocalBlobStore(tmp_path / "blobs")

        def broken_replace(src, dst):
            raise _DiskFullError("rename failed")

        monkeypatch.setattr(os, "replace", broken_replace)
        with pytest.raises(_DiskFullError):
            store.put("a/b", [b"x"])
        assert _files_on_disk(tmp_path / "blobs") == []

    def test_leftover_temp_files_are_not_listed(self, tmp_path):
        store = LocalBlobStore(tmp_path / "blobs")
        store.put("a/b", [b"x"])
        (tmp_path / "blobs/a" / f"{TEMP_PREFIX}crashed.part").write_bytes(b"half")
        (tmp_path / "blobs/a/Not A Key").write_bytes(b"dropped by hand")
        assert list(store.iter_keys()) == ["a/b"]

    def test_delete_prunes_empty_folders_only(self, tmp_path):
        store = LocalBlobStore(tmp_path / "blobs")
        store.put("a/b/c", [b"x"])
        store.put("a/d", [b"y"])
        store.delete("a/b/c")
        assert not (tmp_path / "blobs/a/b").exists()
        assert (tmp_path / "blobs/a/d").is_file()
        assert (tmp_path / "blobs").is_dir()


class TestMakeBlobStore:
    def _settings(self, tmp_path, **storage):
        return Settings(
            environment=Environment.TEST,
            home=tmp_path / "home",
            storage=StorageSettings(**storage),
        )

    def test_local_uses_the_blob_path(self, tmp_path):
        store = make_blob_store(self._settings(tmp_path, backend="local"))
        assert isinstance(store, LocalBlobStore)
        assert store.root == tmp_path / "home" / "blobs"

    def test_local_with_explicit_path(self, tmp_path):
        store = make_blob_store(
            self._settings(tmp_path, backend="local", path=tmp_path / "elsewhere")
        )
        assert isinstance(store, LocalBlobStore)
        assert store.root == tmp_path / "elsewhere"

    def test_memory(self, tmp_path):
        assert isinstance(
            make_blob_store(self._settings(tmp_path, backend="memory")),
            InMemoryBlobStore,
        )
