"""A recipient's rendition through real keys, and the owner's way back (both engines)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from stdnum.us import ssn as std_ssn

from outguard.keystore.service import KeyDestroyedError
from outguard.keystore.tokens import shred_recipient
from outguard.pii.entities import Entity
from outguard.protect.engine import ColumnPlan, protect_table
from outguard.protect.templates import load_template
from outguard.renditions.keys import KeyedTransforms, TokenUse
from outguard.security.aead import StaticKeyProvider
from outguard.types import Actor

ACTOR = Actor.system("test")
PAYROLL = load_template("payroll")
AS_OF = date(2026, 11, 24)


def _transforms(db_session, clock, recipient):
    return KeyedTransforms(
        db_session, StaticKeyProvider(), ACTOR, "tenant-a", recipient, clock
    )


def _ssns(n, seed=3):
    rng = random.Random(seed)
    return [
        f"{rng.choice([a for a in range(1, 900) if a != 666]):03d}-"
        f"{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
        for _ in range(n)
    ]


def test_two_recipients_get_unrelated_tokens_and_the_owner_reverses_both(
    db_session, clock
):
    values = list(dict.fromkeys(_ssns(10_000)))
    a, b = (
        _transforms(db_session, clock, "agent-a"),
        _transforms(db_session, clock, "agent-b"),
    )
    rule = PAYROLL.rule_for(Entity.US_SSN)
    ta = a.tokenize(Entity.US_SSN, values, rule)
    tb = b.tokenize(Entity.US_SSN, values, rule)
    assert all(std_ssn.is_valid(t) for t in ta[:200])
    # Two random permutations of ~8.9e8 valid SSNs: equal tokens for *different* values occur
    # by the birthday bound (~0.1 expected on 10k); equal tokens for the same value never.
    assert not [i for i in range(len(values)) if ta[i] == tb[i]]
    assert len(set(ta) & set(tb)) <= 3
    assert ta == a.tokenize(
        Entity.US_SSN, values, rule
    )  # joins across files still work
    owner = _transforms(db_session, clock, "agent-a")
    assert owner.detokenize(a.used["ssn"], ta) == values
    assert (
        _transforms(db_session, clock, "agent-b").detokenize(b.used["ssn"], tb)
        == values
    )
    # a's tokens reversed with b's key give nothing of a's values back
    wrong = _transforms(db_session, clock, "agent-b").detokenize(
        b.used["ssn"], ta[:500]
    )
    assert len(set(wrong) & set(values)) <= 1  # p ~ 1e-5 per token


def test_a_payroll_rendition_round_trips_and_shredding_ends_it(db_session, clock):
    plans = [
        ColumnPlan("Employee", Entity.PERSON),
        ColumnPlan("SSN", Entity.US_SSN),
        ColumnPlan("Routing", Entity.ABA_ROUTING),
        ColumnPlan("Account", Entity.BANK_ACCOUNT),
        ColumnPlan("DOB", Entity.DATE_OF_BIRTH),
        ColumnPlan("Gross", None),
    ]
    columns = [
        ["Roe, Jane", "Doe, John", "Roe, Jane"],
        ["123-45-6789", "078-05-1120", "123-45-6789"],
        ["011000015", "021000021", "011000015"],
        ["000123456789", "987654321", "000123456789"],
        ["1985-03-14", "1990-07-01", "1985-03-14"],
        ["4,200.00", "3,900.50", "4,200.00"],
    ]
    t = _transforms(db_session, clock, "payroll-vendor-1")
    out = protect_table(PAYROLL, plans, columns, t, as_of=AS_OF)
    names, ssn, routing, account, dob, gross = out.columns
    assert names[0] == names[2] != names[1] and "Roe" not in names[0]
    assert ssn[0] == ssn[2] != "123-45-6789"
    assert dob == ["35-44", "35-44", "35-44"]  # generalised, not tokenized, in payroll
    assert gross == columns[5]
    owner = _transforms(db_session, clock, "payroll-vendor-1")
    assert owner.reidentify(Entity.PERSON, names) == columns[0]
    assert owner.detokenize(t.used["ssn"], ssn) == columns[1]
    assert owner.detokenize(t.used["aba"], routing) == columns[2]
    assert owner.detokenize(t.used["bank"], account) == columns[3]
    shred_recipient(
        db_session,
        StaticKeyProvider(),
        ACTOR,
        tenant="tenant-a",
        recipient="payroll-vendor-1",
        clock=clock,
    )
    with pytest.raises(KeyDestroyedError):
        owner.detokenize(t.used["ssn"], ssn)


def test_unknown_kinds_fall_back_to_none(db_session, clock):
    t = _transforms(db_session, clock, "agent-a")
    assert t.tokenize(Entity.PERSON, ["x"], PAYROLL.rule_for(Entity.PERSON)) == [None]
    assert t.pseudonymize(Entity.US_SSN, ["x"]) == [None]
    assert TokenUse("ssn", 1).as_dict()["version"] == 1
