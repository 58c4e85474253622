"""Protection policies: schema, clear errors with line numbers, safe defaults, templates."""

from __future__ import annotations

import pytest

from outguard.errors import NotFoundError
from outguard.pii.entities import Entity
from outguard.protect.policy import Action, PolicyError, parse_policy
from outguard.protect.templates import load_template, template_names, template_text

BASE = "version: 1\nname: test\n"


def _error(text: str) -> str:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, source="p.yaml")
    return str(info.value.message if hasattr(info.value, "message") else info.value)


def test_templates_cover_the_outsourced_work_and_all_validate():
    assert template_names() == [
        "accounts-payable",
        "accounts-receivable",
        "bookkeeping",
        "payroll",
        "tax-preparation",
    ]
    for name in template_names():
        policy = load_template(name)
        assert policy.name == name
        # every entity has an explicit rule, and none is kept in clear
        assert set(policy.document.entities) == set(Entity)
        assert all(
            r.action is not Action.KEEP for r in policy.document.entities.values()
        )
        assert "version: 1" in template_text(name)


def test_offshore_tax_preparers_never_see_ssns():
    tax = load_template("tax-preparation")
    assert tax.rule_for(Entity.US_SSN).action is Action.DROP
    assert tax.rule_for(Entity.US_ITIN).action is Action.DROP
    assert tax.document.default == "drop"


def test_unknown_template_names_the_choices():
    with pytest.raises(NotFoundError, match="payroll"):
        load_template("nope")


def test_unmentioned_entities_get_the_safe_default_never_keep():
    policy = parse_policy(BASE + "entities:\n  US_SSN: {action: tokenize}\n")
    assert policy.rule_for(Entity.US_SSN).action is Action.TOKENIZE
    assert policy.rule_for(Entity.PERSON).action is Action.REDACT
    assert policy.rule_for(None).action is Action.KEEP  # not personal data
    with_default = parse_policy(BASE + "default: drop\n")
    assert with_default.rule_for(Entity.EMAIL).action is Action.DROP


def test_column_rules_override_by_header_case_insensitively():
    policy = parse_policy(
        BASE
        + "columns:\n  Amount: {action: generalize, to: band, bands: [0, 100, 1000]}\n"
        + "entities:\n  US_SSN: {action: drop}\n"
    )
    assert policy.rule_for(None, " AMOUNT ").to == "band"
    assert policy.rule_for(Entity.US_SSN, "ssn").action is Action.DROP
    assert policy.column_override("amount") is not None
    assert policy.column_override("other") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BASE + "entities:\n  SSNX: {action: drop}\n",
            "line 4: entities.SSNX: unknown entity",
        ),
        (
            BASE + "entities:\n  US_SSN: {action: shred}\n",
            "line 4: entities.US_SSN.action: unknown action",
        ),
        (
            BASE + "entities:\n  US_SSN: {action: drop, colour: red}\n",
            "line 4: entities.US_SSN.colour: unknown key",
        ),
        (
            BASE + "entities:\n  PERSON: {action: tokenize}\n",
            "line 4: entities.PERSON: PERSON cannot be tokenized",
        ),
        (
            BASE + "entities:\n  US_SSN: {action: pseudonymize}\n",
            "only PERSON and ADDRESS",
        ),
        (
            BASE + "entities:\n  DATE_OF_BIRTH: {action: generalize}\n",
            "generalize needs `to:` one of age_band, decade, year",
        ),
        (
            BASE + "entities:\n  US_SSN: {action: generalize, to: year}\n",
            "US_SSN cannot be generalized",
        ),
        (
            BASE + "columns:\n  Amount: {action: generalize, to: band}\n",
            "line 4: columns.Amount: generalize to band needs `bands:`",
        ),
        (
            BASE
            + "columns:\n  Amount: {action: generalize, to: band, bands: [5, 1]}\n",
            "strictly ascending",
        ),
        (BASE + "default: keep\n", "line 3: default"),
        (BASE + "entities: [\n", "line 4"),
        ("- a\n", "a policy is a mapping"),
        ("version: 2\nname: test\n", "line 1: version"),
        ("version: 1\nname: Bad Name\n", "line 2: name"),
        (
            BASE + "entities:\n  CREDIT_CARD: {action: mask, keep_last: 12}\n",
            "keep_last",
        ),
    ],
)
def test_bad_policies_name_the_line_and_the_problem(text, expected):
    assert expected in _error(text)


def test_huge_policy_refused_before_parsing():
    assert "at most" in _error(BASE + "#" * (300 * 1024))
