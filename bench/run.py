"""`make bench`: side-by-side benchmarks, reported as ratios (machines here are noisy).

Each benchmark names its reference and runs both in the same process, interleaved, so
that the ratio survives a busy machine. Add a benchmark: write a function returning a
`Result` and list it in BENCHMARKS.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from outguard.security.passwords import Passwords
from outguard.security.tokens import TokenHasher, new_token


@dataclass
class Result:
    name: str
    ours: float  # seconds per operation (median)
    reference_name: str
    reference: float

    def line(self) -> str:
        ratio = self.reference / self.ours if self.ours else float("inf")
        return (
            f"{self.name:<40} ours {self.ours * 1e3:9.3f} ms   "
            f"{self.reference_name:<28} {self.reference * 1e3:9.3f} ms   x{ratio:6.2f}"
        )


def _median_time(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_password_hash() -> Result:
    """Default argon2id cost vs the OWASP minimum: what one sign-in costs the server."""
    ours = Passwords(time_cost=3, memory_kib=65536, parallelism=2)
    owasp = Passwords(time_cost=2, memory_kib=19456, parallelism=1)
    a = _median_time(lambda: ours.hash("correct horse battery staple"), 7)
    b = _median_time(lambda: owasp.hash("correct horse battery staple"), 7)
    return Result("argon2id hash (default settings)", a, "OWASP minimum", b)


def bench_token_lookup() -> Result:
    """HMAC of a bearer token (every API request) vs a plain SHA-256."""
    import hashlib  # noqa: PLC0415

    hasher = TokenHasher(b"k" * 32)
    tokens = [new_token("og_") for _ in range(10_000)]
    a = _median_time(
        lambda: [hasher.digest(t, purpose="api-token") for t in tokens], 5
    ) / len(tokens)
    b = _median_time(
        lambda: [hashlib.sha256(t.encode()).hexdigest() for t in tokens], 5
    ) / len(tokens)
    return Result("token HMAC per request", a, "bare SHA-256", b)


def bench_stream_encrypt() -> Result:
    """1 GiB streamed through AES-256-GCM vs `openssl speed -evp aes-256-gcm` (1 MiB blocks)."""
    import bench_stream  # noqa: PLC0415 - sibling script

    reference = bench_stream.openssl_bytes_per_second() or float("nan")
    enc, _ = bench_stream.ours_bytes_per_second(1024)
    mib = float(1 << 20)
    return Result(
        "stream encrypt, per MiB", mib / enc, "openssl speed, per MiB", mib / reference
    )


def bench_rewrap() -> Result:
    """Data keys rewrapped per second during rotation (SQLite file), vs wrapping them first."""
    import tempfile  # noqa: PLC0415

    from outguard.db import make_engine, make_session_factory, unit_of_work  # noqa: PLC0415
    from outguard.db.migrate import upgrade  # noqa: PLC0415
    from outguard.keystore import service as keys  # noqa: PLC0415
    from outguard.security.aead import StaticKeyProvider  # noqa: PLC0415
    from outguard.types import Actor, SystemClock  # noqa: PLC0415

    n = 5000
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        provider, clock = StaticKeyProvider(), SystemClock()
        start = time.perf_counter()
        with unit_of_work(factory) as session:
            for i in range(n):
                keys.create_data_key(
                    session,
                    provider,
                    tenant="t",
                    key_id=f"k/{i}",
                    purpose="blob",
                    clock=clock,
                )
        create = (time.perf_counter() - start) / n
        with unit_of_work(factory) as session:
            keys.start_rotation(
                session, Actor.system(), provider, tenant="t", clock=clock
            )
        start = time.perf_counter()
        remaining = n
        while remaining:
            with unit_of_work(factory) as session:
                remaining = keys.rewrap_step(
                    session, provider, tenant="t", limit=500, clock=clock
                ).remaining
        rewrap = (time.perf_counter() - start) / n
    print(
        f"  rotation: {1 / rewrap:,.0f} data keys rewrapped/s (batches of 500, SQLite)"
    )
    return Result(
        "rewrap one data key (rotation)", rewrap, "create + wrap one data key", create
    )


def bench_ff1_ssn() -> Result:
    """A column of 1M SSNs tokenized (parse + FF1 + format) vs libffx on the same column."""
    import bench_ff1  # noqa: PLC0415 - sibling script

    rows = {name: (ours, ref) for name, ours, ref in bench_ff1.run()}
    for name, (ours, ref) in rows.items():
        print(
            f"  FF1 tokens, {name}: {ours:,.0f} values/s vs libffx {ref:,.0f} values/s"
        )
    ours, ref = rows["SSN"]
    return Result(
        "tokenize one SSN (1M column)", 1 / ours, "libffx, same column", 1 / ref
    )


def bench_audit_verify() -> Result:
    """Verifying the audit log (1M events) vs hashlib building the same tree; appends; proofs."""
    import bench_audit  # noqa: PLC0415 - sibling script

    bench_audit.main()
    events = bench_audit.make_events(200_000)
    rows = bench_audit.stored_rows(events)
    blobs = [
        bench_audit.canonical_event({k: e[k] for k in bench_audit.EVENT_FIELDS})
        for e in events
    ]
    ours = _median_time(lambda: bench_audit.verify(rows, stored=True), 3) / len(rows)
    ref = _median_time(lambda: bench_audit.hashlib_tree(blobs), 3) / len(events)
    return Result("verify one audit event", ours, "hashlib tree, per event", ref)


def bench_detection() -> Result:
    """Detection accuracy and speed vs Presidio 2.2 (bench_pii.py prints the details)."""
    import os  # noqa: PLC0415

    import bench_pii  # noqa: PLC0415 - sibling script

    bench_pii.main(["--big"] if os.environ.get("OUTGUARD_BENCH_BIG") else [])
    ours, theirs = bench_pii.SPEED["ours 2 KB"], bench_pii.SPEED["presidio 2 KB"]
    return Result("scan 1 KB of free text", 1024 / ours, "Presidio 2.2", 1024 / theirs)


def bench_protect() -> Result:
    """Protect and trace (bench_protect.py prints attribution power and the details)."""
    import bench_protect  # noqa: PLC0415 - sibling script

    bench_protect.main([])
    ours = bench_protect.RESULTS["protect rows/s"]
    theirs = bench_protect.RESULTS.get("presidio rows/s", float("nan"))
    return Result(
        "protect one row (15 columns)",
        1 / ours,
        "Presidio 2.2 analyze + anonymize",
        1 / theirs,
    )


BENCHMARKS = [
    bench_password_hash,
    bench_token_lookup,
    bench_stream_encrypt,
    bench_rewrap,
    bench_ff1_ssn,
    bench_audit_verify,
    bench_detection,
    bench_protect,
]


def main() -> int:
    sys.path.insert(0, str(Path(__file__).parent))
    print(
        "outguard benchmarks (ratio = reference time / our time; >1 means we are faster)"
    )
    for bench in BENCHMARKS:
        print(bench().line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
