"""Sources: a file on disk or decrypted bytes in memory, read the same way by every reader."""

from __future__ import annotations

import pytest

from outguard.formats.readers import InvalidFileError, file_sha256, open_table
from outguard.formats.sources import (
    MemorySource,
    PathSource,
    Source,
    as_source,
    name_and_suffix,
)

CSV = b"Name,SSN\nJane Roe,512-84-3307\nJohn Smith,231-45-6780\n"


class TestMemorySource:
    def test_name_suffix_size_and_fresh_handles(self):
        source = MemorySource("Payroll.CSV", CSV)
        assert (source.name, source.suffix, source.size) == (
            "Payroll.CSV",
            ".csv",
            len(CSV),
        )
        with source.open() as first:
            first.read(5)
        with source.open() as second:
            assert second.tell() == 0
            assert second.read() == CSV

    def test_a_name_without_suffix_has_an_empty_one(self):
        assert MemorySource("README", b"x").suffix == ""

    def test_the_bytes_stay_out_of_its_repr(self):
        assert "512-84-3307" not in repr(MemorySource("p.csv", CSV))

    @pytest.mark.parametrize(
        "name",
        [
            "",
            ".",
            "..",
            "exports/payroll.csv",
            "../payroll.csv",
            "/etc/passwd",
            "C:\\Users\\x\\payroll.csv",
            "pay\x00roll.csv",
            "pay\nroll.csv",
            "a" * 252 + ".csv",
        ],
    )
    def test_only_a_plain_file_name_is_taken(self, name):
        with pytest.raises(InvalidFileError, match="plain name"):
            MemorySource(name, CSV)

    def test_a_name_of_255_characters_is_fine(self):
        assert MemorySource("a" * 251 + ".csv", CSV).suffix == ".csv"


class TestPathSource:
    def test_reads_the_file(self, tmp_path):
        path = tmp_path / "p.CSV"
        path.write_bytes(CSV)
        source = PathSource(str(path))
        assert (source.name, source.suffix, source.size) == ("p.CSV", ".csv", len(CSV))
        with source.open() as fh:
            assert fh.read() == CSV

    @pytest.mark.parametrize("make", [lambda p: None, lambda p: p.mkdir()])
    def test_a_missing_path_or_a_folder_is_refused_as_readers_always_did(
        self, tmp_path, make
    ):
        path = tmp_path / "gone.csv"
        make(path)
        message = "gone.csv does not exist or is not a file."
        with pytest.raises(InvalidFileError, match=message) as raised:
            PathSource(path)
        assert raised.value.message == message
        with pytest.raises(InvalidFileError) as by_reader:
            open_table(path)
        assert by_reader.value.message == message


def test_as_source_converts_paths_and_passes_sources_through(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(CSV)
    assert isinstance(as_source(path), PathSource)
    assert isinstance(as_source(str(path)), PathSource)
    memory: Source = MemorySource("p.csv", CSV)
    assert as_source(memory) is memory


def test_name_and_suffix_never_look_at_the_file(tmp_path):
    assert name_and_suffix(tmp_path / "missing" / "A.XLSX") == ("A.XLSX", ".xlsx")
    assert name_and_suffix(MemorySource("b.Parquet", b"")) == ("b.Parquet", ".parquet")


def test_the_digest_is_the_files(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(CSV)
    assert file_sha256(MemorySource("p.csv", CSV)) == file_sha256(path)
