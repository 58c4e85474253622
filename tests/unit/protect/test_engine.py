"""The policy engine over columns: every action, drops, spans, fallbacks, neutralising."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from outguard.pii.entities import Entity
from outguard.protect.engine import ColumnPlan, protect_table
from outguard.protect.policy import parse_policy

AS_OF = date(2026, 11, 24)
POLICY = parse_policy(
    """
version: 1
name: t
default: redact
entities:
  US_SSN: {action: tokenize}
  PERSON: {action: pseudonymize}
  CREDIT_CARD: {action: mask, keep_last: 4}
  DATE_OF_BIRTH: {action: generalize, to: year}
  EMAIL: {action: drop}
columns:
  Amount: {action: generalize, to: band, bands: [0, 100, 1000]}
free_text: {action: tokenize}
"""
)


@dataclass(frozen=True)
class S:
    start: int
    end: int
    entity: Entity


class FakeKeys:
    """Stands in for FF1 and the vault: reversible, and None for a malformed value."""

    def __init__(self):
        self.calls = []

    def tokenize(self, entity, values, rule):
        self.calls.append(("tok", entity, list(values)))
        return [None if "bad" in v else "T" + v[::-1] for v in values]

    def pseudonymize(self, entity, values):
        self.calls.append(("pse", entity, list(values)))
        return [f"Pseudo {len(v)}" for v in values]


def test_each_column_gets_its_rule_and_drops_vanish():
    plans = [
        ColumnPlan("SSN", Entity.US_SSN),
        ColumnPlan("Name", Entity.PERSON),
        ColumnPlan("Card", Entity.CREDIT_CARD),
        ColumnPlan("DOB", Entity.DATE_OF_BIRTH),
        ColumnPlan("Email", Entity.EMAIL),
        ColumnPlan("Amount", None),
        ColumnPlan("Invoice", None),
        ColumnPlan("Phone", Entity.PHONE),  # not in the policy: the default (redact)
    ]
    columns = [
        ["123-45-6789", "bad-ssn", None],
        ["Jane Roe", "", "Li Wu"],
        ["4111111111111111", None, "=1+1"],
        ["1985-03-14", "junk", None],
        ["a@b.example", "c@d.example", None],
        ["12.00", "$1,500", None],
        ["=HYPERLINK(1)", "INV-2", None],
        ["555-0100", None, ""],
    ]
    keys = FakeKeys()
    out = protect_table(POLICY, plans, columns, keys, as_of=AS_OF)
    assert out.names == ["SSN", "Name", "Card", "DOB", "Amount", "Invoice", "Phone"]
    ssn, name, card, dob, amount, invoice, phone = out.columns
    assert ssn == [
        "T9876-54-321",
        "[US_SSN]",
        None,
    ]  # the malformed one falls back, safely
    assert name == ["Pseudo 8", "", "Pseudo 5"]
    assert card == ["************1111", None, "'=*+1"]
    assert dob == ["1985", "[DATE_OF_BIRTH]", None]
    assert amount == ["0–100", "≥ 1,000", None]
    assert invoice == ["'=HYPERLINK(1)", "INV-2", None]
    assert phone == ["[PHONE]", None, ""]
    by_name = {o.name: o for o in out.outcomes}
    assert by_name["Email"].dropped
    assert by_name["SSN"].fallbacks == 1
    assert by_name["SSN"].cells_changed == 2
    # only non-empty values are sent to the keyed transforms
    assert ("tok", Entity.US_SSN, ["123-45-6789", "bad-ssn"]) in keys.calls


def test_free_text_spans_are_replaced_right_to_left_and_batched():
    note = "Paid Jane Roe, SSN 123-45-6789, card 4111111111111111."
    spans = [
        [
            S(5, 13, Entity.PERSON),
            S(19, 30, Entity.US_SSN),
            S(37, 53, Entity.CREDIT_CARD),
        ],
        [],
        [S(0, 11, Entity.US_SSN)],
    ]
    keys = FakeKeys()
    out = protect_table(
        POLICY,
        [ColumnPlan("Memo", None, free_text=True)],
        [[note, "no pii", "123-45-6789"]],
        keys,
        spans={0: spans},
        as_of=AS_OF,
    )
    memo = out.columns[0]
    # tokenize applies where the entity's own rule is tokenize; otherwise a typed placeholder
    assert memo[0] == "Paid [PERSON], SSN T9876-54-321, card [CREDIT_CARD]."
    assert memo[1] == "no pii"
    assert memo[2] == "T9876-54-321"
    assert keys.calls == [("tok", Entity.US_SSN, ["123-45-6789"])]  # one batched call
    outcome = out.outcomes[0]
    assert outcome.spans_replaced == {"PERSON": 1, "US_SSN": 2, "CREDIT_CARD": 1}
    assert outcome.cells_changed == 2


def test_free_text_redact_and_drop_modes():
    for action, expected in (("redact", "SSN [US_SSN]."), ("drop", "SSN .")):
        policy = parse_policy(f"version: 1\nname: t\nfree_text: {{action: {action}}}\n")
        out = protect_table(
            policy,
            [ColumnPlan("Notes", None, free_text=True)],
            [["SSN 123-45-6789.", None]],
            FakeKeys(),
            spans={0: [[S(4, 15, Entity.US_SSN)], []]},
            as_of=AS_OF,
        )
        assert out.columns[0] == [expected, None]


def test_pseudonymize_free_text_names():
    policy = parse_policy("version: 1\nname: t\nfree_text: {action: pseudonymize}\n")
    out = protect_table(
        policy,
        [ColumnPlan("Notes", None, free_text=True)],
        [["Call Li Wu"]],
        FakeKeys(),
        spans={0: [[S(5, 10, Entity.PERSON)]]},
        as_of=AS_OF,
    )
    assert out.columns[0] == ["Call Pseudo 5"]
