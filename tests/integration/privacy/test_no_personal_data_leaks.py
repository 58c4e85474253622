"""Sentinel personal values pushed through real flows appear in no audit event, log or error.

Flows today: tokenizing and pseudonymizing for a recipient (key store + vault), the owner's
reversal, shredding, bad input to the vault, a policy rendition. Features that land later
(datasets, shares) add their flows here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from outguard.audit.models import AuditEvent
from outguard.errors import OutguardError
from outguard.keystore.tokens import shred_recipient
from outguard.keystore.vault import pseudonymize as vault_pseudonymize
from outguard.pii.entities import Entity
from outguard.protect.engine import ColumnPlan, protect_table
from outguard.protect.pseudonyms import person_candidates
from outguard.protect.templates import load_template
from outguard.renditions.keys import KeyedTransforms
from outguard.security.aead import StaticKeyProvider
from outguard.types import Actor
from tests.support.sentinels import ACCOUNT, CARD, NAME, SSN, leaks

ACTOR = Actor.system("test")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    entity: Entity


def _audit_texts(session) -> list[str]:
    rows = session.execute(select(AuditEvent)).scalars()
    columns = [c.name for c in AuditEvent.__table__.columns]
    return [json.dumps({c: str(getattr(e, c)) for c in columns}) for e in rows]


def test_sentinels_never_reach_audit_logs_or_errors(db_session, clock, caplog):
    caplog.set_level(logging.DEBUG)
    provider = StaticKeyProvider()
    t = KeyedTransforms(
        db_session, provider, ACTOR, "tenant-a", "vendor-agent-1", clock
    )
    policy = load_template("payroll")
    plans = [
        ColumnPlan("Employee", Entity.PERSON),
        ColumnPlan("SSN", Entity.US_SSN),
        ColumnPlan("Card", Entity.CREDIT_CARD),
        ColumnPlan("Account", Entity.BANK_ACCOUNT),
        ColumnPlan("Notes", None, free_text=True),
    ]
    columns = [[NAME], [SSN], [CARD], [ACCOUNT], [f"Paid {NAME}, SSN {SSN}"]]
    note = columns[4][0]
    spans = {  # as the scanner reports them
        4: [
            [
                _Span(note.index(NAME), note.index(NAME) + len(NAME), Entity.PERSON),
                _Span(note.index(SSN), note.index(SSN) + len(SSN), Entity.US_SSN),
            ]
        ]
    }
    out = protect_table(
        policy, plans, columns, t, spans=spans, as_of=date(2026, 11, 24)
    )
    rendered = json.dumps(out.columns)
    assert SSN not in rendered and NAME not in rendered
    owner = KeyedTransforms(
        db_session, provider, ACTOR, "tenant-a", "vendor-agent-1", clock
    )
    assert owner.detokenize(t.used["ssn"], out.columns[1]) == [SSN]
    errors: list[str] = []
    for bad in ([SSN + "x" * 500], ["  "]):
        # A rendition redacts what cannot be vaulted; the vault itself refuses it, clearly.
        assert t.pseudonymize(Entity.PERSON, bad) == [None]
        with pytest.raises(OutguardError) as info:
            vault_pseudonymize(
                db_session,
                provider,
                ACTOR,
                tenant="tenant-a",
                recipient="vendor-agent-1",
                kind="person",
                values=bad,
                candidates=person_candidates,
                clock=clock,
            )
        errors.append(str(info.value.message))
    shred_recipient(
        db_session,
        provider,
        ACTOR,
        tenant="tenant-a",
        recipient="vendor-agent-1",
        clock=clock,
    )
    texts = _audit_texts(db_session) + [r.getMessage() for r in caplog.records] + errors
    assert len(_audit_texts(db_session)) >= 3  # keyed, shredded, destroyed keys
    assert leaks(texts) == []
