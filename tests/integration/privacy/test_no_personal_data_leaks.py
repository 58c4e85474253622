"""Sentinel personal values pushed through real flows appear in no audit event, log or error.

Flows today: tokenizing and pseudonymizing for a recipient (key store + vault), the owner's
reversal, shredding, bad input to the vault, a policy rendition; dataset uploads, scans and
refused uploads. Features that land later (shares) add their flows here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from outguard.audit.models import AuditEvent
from outguard.datasets.service import DatasetsDeps, scan_version, upload
from outguard.errors import OutguardError
from outguard.keystore.tokens import shred_recipient
from outguard.keystore.vault import pseudonymize as vault_pseudonymize
from outguard.pii.entities import Entity
from outguard.protect.engine import ColumnPlan, protect_table
from outguard.protect.pseudonyms import person_candidates
from outguard.protect.templates import load_template
from outguard.renditions.keys import KeyedTransforms
from outguard.security.aead import StaticKeyProvider
from outguard.storage import InMemoryBlobStore
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


def test_sentinels_never_leak_from_datasets(db_session, clock, caplog, world):
    """Upload (name, file name and content full of sentinels), scan, refusals: nothing."""
    caplog.set_level(logging.DEBUG)
    deps = DatasetsDeps(
        clock=clock,
        blobs=InMemoryBlobStore(),
        keys=StaticKeyProvider(),
        max_upload_bytes=4096,
    )
    owner = world.actor("owner")
    rows = f"name,ssn,card,account\n{NAME},{SSN},{CARD},{ACCOUNT}\n" * 3
    version = upload(
        db_session,
        owner,
        org_id=world.client.id,
        filename=f"{NAME} {SSN}.csv",
        name=f"Payroll of {NAME}",
        chunks=[rows.encode()],
        deps=deps,
    )
    scanned = scan_version(db_session, version.id, deps=deps)
    assert scanned.state == "scanned"
    report = json.dumps(scanned.report)
    errors: list[str] = []
    for data, filename in (
        (rows.encode() * 100, "big.csv"),  # too large
        (b"MZ" + SSN.encode(), "x.csv"),  # an executable
        (rows.encode(), f"{NAME}.xlsm"),  # macro-enabled
    ):
        with pytest.raises(OutguardError) as info, db_session.begin_nested():
            upload(
                db_session,
                owner,
                org_id=world.client.id,
                filename=filename,
                name=f"Other {SSN}",
                chunks=[data],
                deps=deps,
            )
        errors.append(info.value.message)
    texts = (
        _audit_texts(db_session)
        + [r.getMessage() for r in caplog.records]
        + errors
        + [report, json.dumps(sorted(deps.blobs.iter_keys()))]
    )
    assert leaks(texts) == []
    sealed = b"".join(deps.blobs.open(version.blob_key)).decode("latin-1")
    assert leaks([sealed]) == []
