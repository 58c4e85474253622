"""Property: whatever an agent does to the rows and columns, the owner gets every value back."""

from __future__ import annotations

import csv
import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outguard.protect.policy import parse_policy
from outguard.renditions.reidentify import reidentify_file
from outguard.renditions.service import protect_file
from outguard.security.aead import StaticKeyProvider
from outguard.types import Actor

pytestmark = pytest.mark.integration

OWNER = Actor.system("test")
PROVIDER = StaticKeyProvider()
HEADER = ["ID", "Customer", "SSN", "Email", "Card", "Routing", "Balance"]
POLICY = parse_policy(
    """
version: 1
name: round-trip
entities:
  PERSON: {action: pseudonymize}
  US_SSN: {action: tokenize}
  EMAIL: {action: tokenize, keep_domain: false}
  CREDIT_CARD: {action: tokenize, keep_first: 6, keep_last: 4}
  ABA_ROUTING: {action: tokenize}
canaries: {enabled: true, density: 0.05}
"""
)
REVERSIBLE = ("Customer", "SSN", "Email", "Card", "Routing")
_counter = itertools.count()


def _source(rows: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    out = []
    for i in range(rows):
        area = rng.choice([a for a in range(1, 900) if a != 666])
        body = "4" + "".join(str(rng.randint(0, 9)) for _ in range(14))
        check = (
            10
            - sum(
                int(d) * (2 if k % 2 == 0 else 1) // 10
                + int(d) * (2 if k % 2 == 0 else 1) % 10
                for k, d in enumerate(reversed(body))
            )
            % 10
        ) % 10
        out.append(
            [
                f"C{i:04d}",
                f"{rng.choice(['Ana', 'Ben', 'Chloe', 'Dev', 'Eve'])} {rng.choice(['Ito', 'Jones', 'Khan', 'Lopez'])}",
                f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}",
                f"user{i}.{rng.randint(10, 99)}@mail.example.org",
                body + str(check),
                rng.choice(["021000021", "011000015", "026009593"]),
                f"{rng.randint(0, 99999)}.{rng.randint(0, 99):02d}",
            ]
        )
    return out


edits = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 10_000),
        "rows": st.integers(5, 40),
        "order": st.permutations(range(len(HEADER))),
        "keep_share": st.floats(0.3, 1.0),
        "sort_by": st.integers(0, len(HEADER) - 1),
        "rename": st.booleans(),
        "note": st.booleans(),
        "tsv": st.booleans(),
    }
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(edit=edits)
def test_every_tokenized_value_comes_back(db_session, clock, tmp_path, edit):
    n = next(_counter)
    rows = _source(edit["rows"], edit["seed"])
    source = tmp_path / f"s{n}.csv"
    with source.open("w", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    sent = tmp_path / f"sent{n}.csv"
    recipient = f"agent-{n}"
    protect_file(
        db_session,
        PROVIDER,
        OWNER,
        tenant="prop",
        recipient=recipient,
        policy=POLICY,
        source=source,
        out=sent,
        clock=clock,
    )
    with sent.open(newline="", encoding="utf-8-sig") as fh:
        got = list(csv.reader(fh))
    head, body = got[0], got[1:]
    rng = random.Random(edit["seed"])
    kept = [r for r in body if rng.random() < edit["keep_share"]] or body[:1]
    kept.sort(key=lambda r: r[edit["sort_by"]] if edit["sort_by"] < len(r) else "")
    order = [i for i in edit["order"] if i < len(head)]
    new_head = [(head[i] + " (agent)") if edit["rename"] else head[i] for i in order]
    new_rows = [[r[i] for i in order] for r in kept]
    if edit["note"]:
        new_head.append("Remark")
        id_col = head.index("ID")
        new_rows = [
            [*row, f"see {r[id_col]} and {row[0]}"]
            for row, r in zip(new_rows, kept, strict=True)
        ]
    suffix = ".tsv" if edit["tsv"] else ".csv"
    worked = tmp_path / f"worked{n}{suffix}"
    with worked.open("w", newline="") as fh:
        csv.writer(fh, delimiter="\t" if edit["tsv"] else ",").writerows(
            [new_head, *new_rows]
        )
    back = tmp_path / f"back{n}{suffix}"
    report = reidentify_file(
        db_session,
        PROVIDER,
        OWNER,
        tenant="prop",
        recipient=recipient,
        source=worked,
        out=back,
        clock=clock,
    )
    with back.open(newline="", encoding="utf-8-sig") as fh:
        result = list(csv.reader(fh, delimiter="\t" if edit["tsv"] else ","))
    original = {r[0]: dict(zip(HEADER, r, strict=True)) for r in rows}
    canaries = set(report.canary_rows)
    id_name = new_head[order.index(head.index("ID"))]
    for k, row in enumerate(result[1:], 1):
        if k in canaries:
            continue
        values = dict(zip(result[0], row, strict=True))
        o = original[values[id_name]]
        for name in REVERSIBLE:
            column = new_head[order.index(head.index(name))]
            assert values[column] == o[name], name
        if edit["note"]:
            assert values["Remark"] == f"see {o['ID']} and {values[new_head[0]]}"
