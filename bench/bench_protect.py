"""Protect, re-identify, trace: attribution power and throughput, vs Presidio's anonymizer.

Attribution: one seeded source table (ID, customer, SSN, e-mail, amount, memo) is protected
for N recipients in a throwaway instance; leaks are drawn from a random recipient's
rendition under several scenarios and traced against every recipient. "Correct" means the
leaker (and only the leaker) is attributed; "false" counts attributions of a recipient who
did not leak. Throughput: a payroll-style export (15 columns, names, SSNs, bank details,
addresses, notes) protected and re-identified end to end, next to Presidio 2.2's structured
analyzer + anonymizer on a slice of the same rows.

    .venv/bin/python bench/bench_protect.py [--quick] [--rows N] [--recipients N] [--trials N]
        [--throughput-rows N] [--throughput-only]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "bench")]

from bench.pii.generate import generate_table, write_csv  # noqa: E402
from outguard.db import make_engine, make_session_factory, unit_of_work  # noqa: E402
from outguard.db.migrate import upgrade  # noqa: E402
from outguard.protect.policy import parse_policy  # noqa: E402
from outguard.protect.templates import load_template  # noqa: E402
from outguard.protect.trace import trace  # noqa: E402
from outguard.renditions.keys import KeyedTransforms  # noqa: E402
from outguard.renditions.marks import fingerprint_key, load_marks  # noqa: E402
from outguard.renditions.reidentify import reidentify_file  # noqa: E402
from outguard.renditions.service import protect_file  # noqa: E402
from outguard.renditions.tracing import Probe, leak_values  # noqa: E402
from outguard.security.aead import StaticKeyProvider  # noqa: E402
from outguard.types import Actor, FixedClock  # noqa: E402

ACTOR = Actor.system("bench")
PROVIDER = StaticKeyProvider()
CLOCK = FixedClock(datetime(2026, 11, 25, tzinfo=UTC))
POLICY = parse_policy(
    """
version: 1
name: bench
entities:
  PERSON: {action: pseudonymize}
  US_SSN: {action: tokenize}
  EMAIL: {action: tokenize, keep_domain: true}
canaries: {enabled: true, density: auto}
"""
)
HEADER = ["Customer ID", "Customer", "SSN", "Email", "Balance", "Memo"]
RESULTS: dict[str, float] = {}


def _source(rows: int, seed: int = 11) -> list[list[str]]:
    rng = random.Random(seed)
    firsts = [
        "Maria",
        "James",
        "Aisha",
        "Tomasz",
        "Li",
        "Fatima",
        "Diego",
        "Grace",
        "Omar",
    ]
    lasts = [
        "Garcia",
        "Okafor",
        "Nguyen",
        "Kowalski",
        "Haddad",
        "Brennan",
        "Silva",
        "Park",
    ]
    out = []
    for i in range(rows):
        area = rng.choice([a for a in range(1, 900) if a != 666])
        f, la = rng.choice(firsts), rng.choice(lasts)
        out.append(
            [
                f"C{100000 + i}",
                f"{f} {la}",
                f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}",
                f"{f.lower()}.{la.lower()}{i}@example.com",
                f"{rng.randint(0, 99999)}.{rng.randint(0, 99):02d}",
                rng.choice(["", "Paid in full", "Follow up in March", "Disputed fee"]),
            ]
        )
    return out


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _edit(value: str, rng: random.Random) -> str:
    digits = [i for i, c in enumerate(value) if c.isdigit()]
    if not digits:
        return value + "x"
    i = rng.choice(digits)
    return (
        value[:i] + str((int(value[i]) + 1 + rng.randint(0, 8)) % 10) + value[i + 1 :]
    )


def attribution(recipients: int, rows: int, trials: int) -> None:  # noqa: C901, PLR0915 - one report
    work = Path(tempfile.mkdtemp(prefix="og-attr-"))
    url = f"sqlite:///{work / 'bench.sqlite'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    source = work / "source.csv"
    original = _source(rows)
    with source.open("w", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *original])
    t0 = time.perf_counter()
    for k in range(recipients):
        with unit_of_work(factory) as session:
            protect_file(
                session, PROVIDER, ACTOR, tenant="b", recipient=f"agent-{k:02d}",
                policy=POLICY, source=source, out=work / f"r{k:02d}.csv", clock=CLOCK,
            )  # fmt: skip
    made = time.perf_counter() - t0
    print(f"\n{recipients} renditions of {rows:,} rows made in {made:.0f} s")
    renditions = {
        f"agent-{k:02d}": _read(work / f"r{k:02d}.csv") for k in range(recipients)
    }
    with unit_of_work(factory) as session:
        key = fingerprint_key(session, PROVIDER, tenant="b", clock=CLOCK, create=False)
        if key is None:
            raise SystemExit("no fingerprint key: no rendition was made")
        marks = load_marks(session, "b")
        probes = [
            Probe(n, m, KeyedTransforms(session, PROVIDER, ACTOR, "b", n, CLOCK), key)
            for n, m in sorted(marks.items())
        ]
        rng = random.Random(7)

        def run(
            label: str,
            n_trials: int,
            make: Callable[[], tuple[list[str | None], set[str]]],
        ) -> None:
            correct = false = innocent_tests = 0
            t = time.perf_counter()
            for _ in range(n_trials):
                cells, leakers = make()
                report = trace(leak_values(cells), probes)
                named = {a.recipient for a in report.attributed}
                correct += bool(leakers) and named == leakers
                false += len(named - leakers)
                innocent_tests += recipients - len(leakers)
            per = (time.perf_counter() - t) / max(n_trials, 1)
            rate = correct / n_trials if n_trials else 0.0
            RESULTS[label] = rate
            print(
                f"{label:<46} correct {rate:7.1%}  false {false:>2} of {innocent_tests:,} "
                f"innocent tests   {per * 1000:6.0f} ms/trace"
            )

        def leak(
            n: int, drop: tuple[str, ...] = (), edit: float = 0.0, leakers: int = 1
        ) -> Callable[[], tuple[list[str | None], set[str]]]:
            def make() -> tuple[list[str | None], set[str]]:
                names = rng.sample(sorted(renditions), leakers)
                cells: list[str | None] = []
                for name in names:
                    head, body = renditions[name]
                    keep = [i for i, h in enumerate(head) if h not in drop]
                    for row in rng.sample(body, n // leakers):
                        for i in keep:
                            value = row[i]
                            if (
                                edit
                                and head[i] in {"SSN", "Email"}
                                and rng.random() < edit
                            ):
                                value = _edit(value, rng)
                            cells.append(value)
                return cells, set(names)

            return make

        print(
            f"\nTracing leaks among {recipients} recipients (threshold 1e-9, Bonferroni over all):"
        )
        run("20 rows, all columns", trials, leak(20))
        for n in (1, 2, 3, 5, 10):
            run(f"{n} row(s), all columns", max(100, trials // 5), leak(n))
        run(
            "20 rows, SSN and e-mail columns dropped",
            max(100, trials // 5),
            leak(20, drop=("SSN", "Email")),
        )
        run(
            "200 rows, SSN and e-mail columns dropped",
            max(50, trials // 10),
            leak(200, drop=("SSN", "Email")),
        )
        run(
            "20 rows, half the token cells edited",
            max(100, trials // 5),
            leak(20, edit=0.5),
        )
        run(
            "20 rows, 10 from each of two colluders",
            max(100, trials // 5),
            leak(20, leakers=2),
        )

        def owners_file() -> tuple[list[str | None], set[str]]:
            return [c for row in rng.sample(original, 20) for c in row], set()

        run("innocent: 20 of the owner's own rows", max(100, trials // 5), owners_file)


def throughput(rows: int, presidio_rows: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="og-tput-"))
    url = f"sqlite:///{work / 'bench.sqlite'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    table = generate_table("payroll", rows, 5)
    source = work / "payroll.csv"
    write_csv(table, source)
    print(
        f"\nThroughput on a payroll export: {rows:,} rows x {len(table.header)} columns ({source.stat().st_size / 1e6:.0f} MB)"
    )
    t0 = time.perf_counter()
    with unit_of_work(factory) as session:
        report = protect_file(
            session, PROVIDER, ACTOR, tenant="b", recipient="agent-1",
            policy=load_template("payroll"), source=source, out=work / "sent.csv", clock=CLOCK,
        )  # fmt: skip
    protect_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with unit_of_work(factory) as session:
        reidentify_file(
            session, PROVIDER, ACTOR, tenant="b", recipient="agent-1",
            source=work / "sent.csv", out=work / "back.csv", clock=CLOCK,
        )  # fmt: skip
    back_s = time.perf_counter() - t0
    ours = rows / protect_s
    RESULTS["protect rows/s"] = ours
    RESULTS["reidentify rows/s"] = rows / back_s
    print(
        f"  outguard protect (scan + policy + canaries + re-scan + write): {ours:10,.0f} rows/s ({report.canaries} canaries)"
    )
    print(
        f"  outguard reidentify (keys + sent-set check + write):          {rows / back_s:10,.0f} rows/s"
    )
    theirs = _presidio(table, presidio_rows)
    if theirs:
        RESULTS["presidio rows/s"] = theirs
        print(
            f"  Presidio 2.2 structured analyze + anonymize ({presidio_rows:,} rows): {theirs:10,.0f} rows/s"
        )
        print(f"  ratio (outguard / Presidio): {ours / theirs:.0f}x")


def _presidio(table: object, rows: int) -> float | None:
    try:
        import pandas as pd  # noqa: PLC0415
        from presidio_anonymizer.entities import OperatorConfig  # noqa: PLC0415
        from presidio_structured import PandasAnalysisBuilder, StructuredEngine  # noqa: PLC0415
    except ImportError:
        print("  Presidio not installed (pip install -e '.[bench]'): no reference")
        return None
    import bench_pii  # noqa: PLC0415 - sibling script: the same spaCy model, no download

    engine = bench_pii.presidio_engine()
    frame = pd.DataFrame(table.rows[:rows], columns=table.header)  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    analysis = PandasAnalysisBuilder(analyzer=engine).generate_analysis(
        frame, n=min(rows, 500)
    )
    StructuredEngine().anonymize(
        frame, analysis, operators={"DEFAULT": OperatorConfig("replace")}
    )
    return rows / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="10 recipients, 2,000 rows, 100 trials, 20k-row throughput",
    )
    parser.add_argument("--recipients", type=int, default=50)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--throughput-rows", type=int, default=200_000)
    parser.add_argument(
        "--throughput-only",
        action="store_true",
        help="skip attribution: protect and re-identify throughput, Presidio beside it",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.recipients, args.rows, args.trials, args.throughput_rows = (
            10,
            2000,
            100,
            20_000,
        )
    if not args.throughput_only:
        attribution(args.recipients, args.rows, args.trials)
    throughput(args.throughput_rows, presidio_rows=min(2000, args.throughput_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
