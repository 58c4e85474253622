"""Table writers: atomic, formula-inert, dialect-keeping, every format readable back."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from outguard.errors import DomainValidationError
from outguard.formats.writers import CsvDialect, kind_for, open_table_writer

NAMES = ["Name", "SSN", "Memo"]
BATCH = [["Jane", "=HYPERLINK(1)"], ["***-**-6789", None], ["a,b", 'say "hi"']]


@pytest.mark.parametrize("suffix", ["csv", "tsv", "xlsx", "parquet", "jsonl"])
def test_round_trip_in_every_format(tmp_path, suffix):
    target = tmp_path / f"out.{suffix}"
    with open_table_writer(target, NAMES) as writer:
        writer.write(BATCH)
        writer.write([["x"], ["y"], ["z"]])
    assert target.exists()
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    if suffix in {"csv", "tsv"}:
        with target.open(newline="") as handle:
            rows = list(csv.reader(handle, delimiter="\t" if suffix == "tsv" else ","))
        assert rows == [
            NAMES,
            ["Jane", "***-**-6789", "a,b"],
            ["=HYPERLINK(1)", "", 'say "hi"'],
            ["x", "y", "z"],
        ]
    elif suffix == "xlsx":
        ws = load_workbook(target).active
        values = [[c.value for c in row] for row in ws.iter_rows()]
        assert values[1] == ["Jane", "***-**-6789", "a,b"]
        # a formula-looking value is stored as a string cell, not a formula
        cell = ws.cell(row=3, column=1)
        assert cell.data_type == "s"
        assert cell.value == "=HYPERLINK(1)"
    elif suffix == "parquet":
        table = pq.read_table(target)
        assert table.column_names == NAMES
        assert table.column("SSN").to_pylist() == ["***-**-6789", None, "y"]
    else:
        lines = [json.loads(line) for line in target.read_text().splitlines()]
        assert lines[1] == {"Name": "=HYPERLINK(1)", "SSN": None, "Memo": 'say "hi"'}


def test_failure_leaves_no_file_at_all(tmp_path):
    target = tmp_path / "out.csv"

    def protect() -> None:
        with open_table_writer(target, NAMES) as writer:
            writer.write(BATCH)
            raise RuntimeError("the re-scan found an unprotected SSN")

    with pytest.raises(RuntimeError):
        protect()
    assert list(tmp_path.iterdir()) == []


def test_dialect_and_bom_are_kept(tmp_path):
    target = tmp_path / "out.csv"
    dialect = CsvDialect(delimiter=";", lineterminator="\n", bom=True, encoding="utf-8")
    with open_table_writer(target, NAMES, dialect=dialect) as writer:
        writer.write(BATCH)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfName;SSN;Memo\n")


def test_refusals(tmp_path):
    existing = tmp_path / "x.csv"
    existing.write_text("keep me")
    with (
        pytest.raises(DomainValidationError, match="already exists"),
        open_table_writer(existing, NAMES),
    ):
        pass
    assert existing.read_text() == "keep me"
    with (
        pytest.raises(DomainValidationError, match="same name"),
        open_table_writer(tmp_path / "d.csv", ["a", "a"]),
    ):
        pass
    with pytest.raises(DomainValidationError, match=r"\.exe"):
        kind_for(tmp_path / "x.exe")
    with (
        pytest.raises(ValueError, match="same length"),
        open_table_writer(tmp_path / "r.csv", ["a", "b"]) as w,
    ):
        w.write([["1", "2"], ["1"]])
    assert not (tmp_path / "r.csv").exists()
