"""Trace aggregation: strongest recipient first, plain verdicts, multiple-testing aware."""

from __future__ import annotations

from dataclasses import dataclass, field

from outguard.protect.trace import distinct_values, trace


@dataclass
class Probe:
    recipient: str
    tokens: set[str] = field(default_factory=set)
    canaries: set[str] = field(default_factory=set)
    rendered: set[str] = field(default_factory=set)
    p: float = 1e-5

    def token_hits(self, values):
        tested = [v for v in values if v.isdigit()]
        return [("digits", len(tested), sum(v in self.tokens for v in tested), self.p)]

    def canary_hits(self, values):
        return sum(v in self.canaries for v in values)

    def fingerprint_hits(self, values):
        return sum(v in self.rendered for v in values)


def test_the_leaking_recipient_is_named_first():
    leaker = Probe("agent-7", tokens={"111", "222", "333", "444"})
    bystander = Probe("agent-2", tokens={"111"})
    others = [Probe(f"agent-{i}") for i in range(10, 58)]
    report = trace(["111", "222", "333", "444", "Jane"], [bystander, leaker, *others])
    assert report.recipients_tested == 50
    assert [a.recipient for a in report.attributed] == ["agent-7"]
    assert report.attributions[0].recipient == "agent-7"
    assert "agent-2" in [
        a.recipient for a in report.attributions
    ]  # shown, not attributed
    assert report.verdict().startswith("Attributed to recipient agent-7")


def test_canaries_attribute_without_token_columns():
    report = trace(
        ["Nadia Okafor", "x"], [Probe("a", canaries={"Nadia Okafor"}), Probe("b")]
    )
    assert [a.recipient for a in report.attributed] == ["a"]


def test_weak_or_no_evidence_says_so_plainly():
    weak = trace(["111"], [Probe("a", tokens={"111"}, p=0.5), Probe("b")])
    assert not weak.attributed
    assert weak.verdict().startswith("Cannot attribute: some values match")
    nothing = trace(["zzz"], [Probe("a"), Probe("b")])
    assert nothing.attributions == []
    assert "nothing in this file matches" in nothing.verdict()


def test_two_colluders_are_both_named():
    a = Probe("a", tokens={"1", "2", "3"})
    b = Probe("b", tokens={"7", "8", "9"})
    report = trace(["1", "2", "3", "7", "8", "9"], [a, b, Probe("c")])
    assert {x.recipient for x in report.attributed} == {"a", "b"}
    assert (
        "recipients a, b" in report.verdict() or "recipients b, a" in report.verdict()
    )


def test_distinct_values_trims_dedupes_and_strips_formula_guard():
    assert distinct_values([" 1 ", "1", None, "", "'=x", "2"]) == ["1", "=x", "2"]
