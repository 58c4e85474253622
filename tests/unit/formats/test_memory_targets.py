"""Memory targets: the bytes a path would get, kept only on success, no file touched.

A share job writes a rendition into memory and seals it into the blob store; a returned
file is re-identified into memory. The writers must give a memory target exactly the bytes
they give a file (an XLSX: the same members; only the zip and document times may differ),
keep nothing of a failed write, and open no file on the way (openpyxl stages sheets in
temporary files unless told otherwise).
"""

from __future__ import annotations

import io
import sys
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from outguard.errors import DomainValidationError
from outguard.formats.readers import InvalidFileError, file_sha256
from outguard.formats.sources import MemorySource, MemoryTarget, PathSource
from outguard.formats.writers import (
    CsvDialect,
    discard,
    kind_for,
    open_table_writer,
    open_text_writer,
    open_workbook_writer,
    overwrites,
    written,
)
from tests.integration.scanning.test_scan_memory import _Opens

NAMES = ["Name", "SSN", "Memo", "Hours"]
BATCHES = [
    [["Jane", "=HYPERLINK(1)"], ["***-**-6789", None], ["a,b", 'say "hi"\n'], ["40", "7"]],
    [["Jos\u00e9"], ["+1 (312)"], [None], ["12"]],
]  # fmt: skip
DIALECTS = {
    "default": None,
    "semicolon-bom": CsvDialect(delimiter=";", lineterminator="\n", bom=True),
    "utf-16": CsvDialect(delimiter="\t", encoding="utf-16"),
}
SUFFIXES = ["csv", "tsv", "txt", "xlsx", "parquet", "jsonl"]


def _members(data: bytes) -> list[tuple[str, int, int, bytes | None]]:
    """An XLSX as its members; core.xml holds the time of saving, so only its name counts."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            (
                info.filename,
                info.external_attr,
                info.compress_type,
                None if info.filename == "docProps/core.xml" else archive.read(info),
            )
            for info in archive.infolist()
        ]


def _same(suffix: str, data: bytes) -> object:
    return _members(data) if suffix == "xlsx" else data


def _write_table(target, suffix, dialect=None):
    types = [None, None, None, pa.int64()] if suffix == "parquet" else None
    with open_table_writer(
        target, NAMES, dialect=dialect, sheet="Staff", types=types
    ) as writer:
        for batch in BATCHES:
            writer.write(batch)


class TestMemoryTarget:
    def test_name_suffix_and_nothing_written_yet(self):
        target = MemoryTarget("Rendition.XLSX")
        assert (target.name, target.suffix, target.data) == (
            "Rendition.XLSX",
            ".xlsx",
            None,
        )
        with pytest.raises(InvalidFileError, match="has not been written"):
            target.source()

    @pytest.mark.parametrize(
        "name", ["", "..", "out/r.csv", "..\\r.csv", "r\x00.csv", "r\n.csv"]
    )
    def test_only_a_plain_file_name_is_taken(self, name):
        with pytest.raises(InvalidFileError, match="plain name"):
            MemoryTarget(name)

    def test_the_bytes_stay_out_of_its_repr(self):
        target = MemoryTarget("r.csv")
        with open_table_writer(target, ["SSN"]) as writer:
            writer.write([["512-84-3307"]])
        assert target.data is not None and b"512-84-3307" in target.data
        assert "512-84-3307" not in repr(target)

    def test_kind_comes_from_the_name(self):
        assert kind_for(MemoryTarget("a.PQ")) == "parquet"
        assert kind_for(MemoryTarget("a.ndjson")) == "jsonl"
        with pytest.raises(DomainValidationError, match=r"as \.exe"):
            kind_for(MemoryTarget("a.exe"))
        with pytest.raises(DomainValidationError, match=r"as \.\(none\)"):
            kind_for(MemoryTarget("README"))


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_a_memory_target_gets_the_files_bytes(tmp_path, suffix, dialect):
    path = tmp_path / f"out.{suffix}"
    target = MemoryTarget(f"out.{suffix}")
    _write_table(path, suffix, DIALECTS[dialect])
    _write_table(target, suffix, DIALECTS[dialect])
    assert target.data is not None
    assert _same(suffix, target.data) == _same(suffix, path.read_bytes())
    assert file_sha256(target.source()) == file_sha256(MemorySource("x", target.data))


def test_what_is_written_reads_back_as_written(tmp_path):
    xlsx, parquet = MemoryTarget("o.xlsx"), MemoryTarget("o.parquet")
    _write_table(xlsx, "xlsx")
    _write_table(parquet, "parquet")
    assert xlsx.data is not None and parquet.data is not None
    ws = load_workbook(io.BytesIO(xlsx.data))["Staff"]
    assert ws.cell(row=3, column=1).value == "=HYPERLINK(1)"
    assert ws.cell(row=3, column=1).data_type == "s"  # text, never a formula
    table = pq.read_table(io.BytesIO(parquet.data))
    assert table.schema.field("Hours").type == pa.int64()
    assert table.column("SSN").to_pylist() == ["***-**-6789", None, "+1 (312)"]


def test_a_workbook_of_several_sheets_and_an_empty_one(tmp_path):
    def fill(book):
        book.sheet("Staff", ["Name", "SSN"]).write([["Jane"], ["=1+1"]])
        book.sheet("Vendors", ["Vendor"]).write([["Acme", "Beta"]])

    for fill_with in (fill, lambda book: None):
        path, target = tmp_path / "book.xlsx", MemoryTarget("book.xlsx")
        with open_workbook_writer(path, overwrite=True) as book:
            fill_with(book)
        with open_workbook_writer(target) as book:
            fill_with(book)
        assert target.data is not None
        assert _members(target.data) == _members(path.read_bytes())
    with open_workbook_writer(target, overwrite=True) as book:
        fill(book)
    assert target.data is not None
    assert load_workbook(io.BytesIO(target.data)).sheetnames == ["Staff", "Vendors"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_text_gets_the_files_bytes(tmp_path, encoding):
    text = "Dear Ms. Roe,\r\nyour token 834-12-0042.\n\u00e9"
    path, target = tmp_path / "note.txt", MemoryTarget("note.txt")
    for where in (path, target):
        with open_text_writer(where, encoding=encoding) as handle:
            handle.write(text)
    assert target.data == path.read_bytes()
    assert target.data.decode(encoding) == text


class TestAllOrNothing:
    @pytest.mark.parametrize("suffix", SUFFIXES)
    def test_a_failed_write_keeps_nothing(self, suffix):
        target = MemoryTarget(f"out.{suffix}")

        def protect() -> None:
            with open_table_writer(target, NAMES) as writer:
                writer.write(BATCHES[0])
                raise RuntimeError("the re-scan found an unprotected SSN")

        with pytest.raises(RuntimeError):
            protect()
        assert target.data is None

    def test_a_failed_workbook_or_text_keeps_nothing(self):
        book, text = MemoryTarget("book.xlsx"), MemoryTarget("note.txt")

        def protect() -> None:
            with open_workbook_writer(book) as writer:
                writer.sheet("A", ["x"]).write([["1"]])
                with open_text_writer(text) as handle:
                    handle.write("half")
                    raise RuntimeError

        with pytest.raises(RuntimeError):
            protect()
        assert book.data is None and text.data is None

    def test_a_failed_workbook_on_disk_leaves_no_staged_sheet(self, tmp_path):
        from openpyxl.worksheet._writer import ALL_TEMP_FILES

        staged = list(ALL_TEMP_FILES)

        def protect() -> None:
            with open_table_writer(tmp_path / "out.xlsx", NAMES) as writer:
                writer.write(BATCHES[0])
                raise RuntimeError

        with pytest.raises(RuntimeError):
            protect()
        assert [*ALL_TEMP_FILES] == staged  # removed now, not at exit
        assert list(tmp_path.iterdir()) == []

    def test_a_written_target_is_not_replaced_unless_asked(self):
        target = MemoryTarget("out.csv")
        with open_table_writer(target, ["a"]) as writer:
            writer.write([["first"]])
        first = target.data
        with (
            pytest.raises(DomainValidationError, match="already holds a written file"),
            open_table_writer(target, ["a"]),
        ):
            pass
        # Like a file replaced atomically: a failed overwrite leaves the earlier output.
        with (
            pytest.raises(ValueError, match="same length"),
            open_table_writer(target, ["a", "b"], overwrite=True) as writer,
        ):
            writer.write([["1", "2"], ["1"]])
        assert target.data == first
        with open_table_writer(target, ["a"], overwrite=True) as writer:
            writer.write([["second"]])
        assert target.data == b"a\r\nsecond\r\n"

    def test_discard_drops_the_bytes_or_the_file(self, tmp_path):
        target, path = MemoryTarget("out.csv"), tmp_path / "out.csv"
        for where in (target, path):
            with open_table_writer(where, ["a"]) as writer:
                writer.write([["x"]])
        assert file_sha256(written(target)) == file_sha256(written(path))
        discard(target)
        discard(path)
        discard(path)  # already gone: nothing to do
        assert target.data is None and not path.exists()


def test_only_a_path_can_overwrite_its_source(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("a\n1\n")
    assert overwrites(path, path)
    assert overwrites(tmp_path / "." / "p.csv", PathSource(path))
    assert not overwrites(tmp_path / "q.csv", path)
    assert not overwrites(path, MemorySource("p.csv", b"a\n1\n"))
    assert not overwrites(MemoryTarget("p.csv"), path)


def test_writing_into_memory_opens_no_file(tmp_path, monkeypatch):
    """Every format, the multi-sheet workbook and text: no open, mkdir or rename at all."""
    for suffix in SUFFIXES:  # warm-up: lazy imports (codecs too) load from disk once
        for dialect in DIALECTS.values():
            _write_table(MemoryTarget(f"w.{suffix}"), suffix, dialect)
    if not _Opens.installed:
        sys.addaudithook(_Opens.hook)
        _Opens.installed = True
    monkeypatch.chdir(tmp_path)
    targets = []
    _Opens.seen.clear()
    _Opens.active = True
    try:
        for suffix in SUFFIXES:
            for dialect in DIALECTS.values():
                targets.append(MemoryTarget(f"out.{suffix}"))
                _write_table(targets[-1], suffix, dialect)
        targets.append(MemoryTarget("book.xlsx"))
        with open_workbook_writer(targets[-1]) as book:
            book.sheet("A", ["x"]).write([["1"]])
            book.sheet("B", ["y"]).write([["2"]])
        targets.append(MemoryTarget("note.txt"))
        with open_text_writer(targets[-1]) as handle:
            handle.write("text")
    finally:
        _Opens.active = False
    assert _Opens.seen == []
    assert list(tmp_path.iterdir()) == []
    assert all(t.data for t in targets)
