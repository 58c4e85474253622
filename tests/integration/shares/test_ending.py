"""Ending on both databases: revoking issues a certificate anchored in the audit log; the
worker shreds expired shares; ending an engagement destroys every copy made under it."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from outguard.audit.models import AuditEvent
from outguard.engagements.schemas import StateChange
from outguard.engagements.service import engagements
from outguard.errors import ConflictError, DomainValidationError, NotFoundError
from outguard.instance.audit_keys import signer_from
from outguard.keystore.service import KeyDestroyedError, load_data_key
from outguard.security.signing import SigningKey
from outguard.shares.attest import (
    attest_deletion,
    attestations_of_share,
    pending_for_vendor,
    remind_attestations,
)
from outguard.shares.certificate_pdf import certificate_pdf
from outguard.shares.certificates import key_sha256, verify_certificate
from outguard.shares.ending import (
    certificate_file,
    certificates,
    end_engagement,
    recorded_in_log,
    sweep_expired,
)
from outguard.shares.revoking import revoke
from outguard.shares.workspace import open_rendition, record_access
from tests.factories.accounts import TEST_PASSWORD
from tests.integration.shares.conftest import rendered_share


def _rendered(s, ddeps, days=10):
    rows = "employee,ssn\n" + "".join(
        f"Person {i},536-22-{8726 + i}\n" for i in range(20)
    )
    return rendered_share(s, ddeps, rows, name=f"Payroll {days}", days=days)


def _gone(s, ddeps, recipient) -> None:
    with pytest.raises(KeyDestroyedError):
        load_data_key(
            s.world_session,
            ddeps.keys,
            tenant=str(s.world.client.id),
            key_id=recipient.key_id,
        )
    assert not ddeps.blobs.exists(recipient.blob_key)


def test_revoking_issues_a_certificate_anchored_in_the_log(setup, ddeps):
    s = setup
    view = _rendered(s, ddeps)
    revoke(s.world_session, s.actor("owner"), view.share.id, reason="Done", deps=ddeps)
    _, [cert] = certificates(s.world_session, s.actor("auditor"), view.share.id)
    [item] = cert.document["destroyed"]
    assert item["rendition_id"] == view.recipients[0].rendition_id
    assert item["key_fingerprint"]
    digest = hashlib.sha256(
        json.dumps(cert.document, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert digest == cert.sha256
    event = s.world_session.execute(
        select(AuditEvent).where(AuditEvent.seq == cert.audit_seq)
    ).scalar_one()
    assert event.tag == "share:destroyed"
    assert event.details["certificate_sha256"] == cert.sha256
    _gone(s, ddeps, view.recipients[0])
    with pytest.raises(NotFoundError):
        certificates(s.world_session, s.actor("vadmin"), view.share.id)


def test_the_sweep_shreds_expired_shares_only(setup, ddeps):
    s = setup
    short = _rendered(s, ddeps, days=2)
    long = _rendered(s, ddeps, days=30)
    assert sweep_expired(s.world_session, deps=ddeps) == 0
    s.deps.clock.advance(timedelta(days=3))
    assert sweep_expired(s.world_session, deps=ddeps) == 1
    assert short.share.state == "revoked"
    assert long.share.state == "active"
    _gone(s, ddeps, short.recipients[0])
    _, [cert] = certificates(s.world_session, s.actor("owner"), short.share.id)
    assert cert.reason == "The share expired."


def test_ending_the_engagement_destroys_every_copy_first(setup, ddeps):
    s = setup
    views = [_rendered(s, ddeps, days=d) for d in (5, 20)]
    ended = end_engagement(
        s.world_session,
        s.actor("owner"),
        s.engagement.id,
        reason="Contract finished",
        deps=ddeps,
    )
    assert ended.state == "ended"
    for view in views:
        assert view.share.state == "revoked"
        _gone(s, ddeps, view.recipients[0])
        _, certs = certificates(s.world_session, s.actor("owner"), view.share.id)
        assert certs[0].reason.startswith("The engagement ended")


def test_downloaded_copies_need_the_vendors_statement(setup, ddeps):
    s = setup
    view = _rendered(s, ddeps)
    view.share.can_download = True
    agent = s.actor("agent")
    opened = open_rendition(
        s.world_session, agent, view.share.id, deps=ddeps, purpose="download"
    )
    record_access(s.world_session, agent, opened, deps=ddeps, download=True)
    revoke(s.world_session, s.actor("owner"), view.share.id, reason="Done", deps=ddeps)
    [request] = pending_for_vendor(s.world_session, s.actor("vadmin"))
    assert request.downloads == 1
    assert pending_for_vendor(s.world_session, s.actor("agent")) == []
    # The daily run e-mails the vendor's admins, then again only a week later.
    outbox = s.deps.mailer.sent
    before = len(outbox)
    assert remind_attestations(s.world_session, deps=s.deps) >= 1
    mail = outbox[-1]
    assert mail.to == s.world.people["vadmin"].email
    assert "/attestations" in mail.text
    assert "Payroll run" not in mail.text  # the purpose is free text: not mailed
    sent = len(outbox)
    assert remind_attestations(s.world_session, deps=s.deps) == 0
    s.deps.clock.advance(timedelta(days=8))
    assert remind_attestations(s.world_session, deps=s.deps) >= 1
    assert len(outbox) > sent > before
    s.deps.clock.advance(timedelta(days=-8))
    with pytest.raises(NotFoundError):
        attest_deletion(
            s.world_session,
            s.actor("other_owner"),
            request.id,
            typed_name="Other Owner",
            agree=True,
            password=TEST_PASSWORD,
            accounts=s.deps,
            clock=s.deps.clock,
        )
    with pytest.raises(DomainValidationError, match="tick"):
        attest_deletion(
            s.world_session,
            s.actor("vadmin"),
            request.id,
            typed_name="Vadmin Person",
            agree=False,
            password=TEST_PASSWORD,
            accounts=s.deps,
            clock=s.deps.clock,
        )
    done = attest_deletion(
        s.world_session,
        s.actor("vadmin"),
        request.id,
        typed_name="Vadmin Person",
        agree=True,
        password=TEST_PASSWORD,
        accounts=s.deps,
        clock=s.deps.clock,
    )
    assert done.attested_at is not None
    assert pending_for_vendor(s.world_session, s.actor("vadmin")) == []
    [seen] = attestations_of_share(s.world_session, s.actor("owner"), view.share.id)
    assert seen.typed_name == "Vadmin Person"


def test_no_statement_is_asked_when_nothing_was_downloaded(setup, ddeps):
    s = setup
    view = _rendered(s, ddeps)
    revoke(s.world_session, s.actor("owner"), view.share.id, reason="Done", deps=ddeps)
    assert pending_for_vendor(s.world_session, s.actor("vadmin")) == []


def test_an_engagement_with_live_copies_cannot_simply_be_ended(setup, ddeps):
    s = setup
    view = _rendered(s, ddeps)
    with pytest.raises(ConflictError, match="1 agent copy of shared data still exists"):
        engagements.change_state(
            s.world_session,
            s.actor("owner"),
            s.engagement.id,
            StateChange(action="end", reason="Closing early"),
            clock=s.deps.clock,
        )
    assert s.engagement.state == "active"
    revoke(s.world_session, s.actor("owner"), view.share.id, reason="Done", deps=ddeps)
    ended = engagements.change_state(
        s.world_session,
        s.actor("owner"),
        s.engagement.id,
        StateChange(action="end", reason="Closing early"),
        clock=s.deps.clock,
    )
    assert ended.state == "ended"


def _certificate(s, ddeps):
    view = _rendered(s, ddeps)
    revoke(s.world_session, s.actor("owner"), view.share.id, reason="Done", deps=ddeps)
    _, [cert] = certificates(s.world_session, s.actor("owner"), view.share.id)
    _, _, data = certificate_file(
        s.world_session, s.actor("owner"), view.share.id, cert.id, deps=ddeps
    )
    return cert, data


def test_a_certificate_file_verifies_offline_and_in_the_log(setup, ddeps):
    s = setup
    cert, data = _certificate(s, ddeps)
    pin = key_sha256(ddeps.signer.public_key)
    check = verify_certificate(data, pinned_key_sha256=pin)
    assert check.ok, check.problems
    assert check.pinned
    assert check.audit_seq == cert.audit_seq
    assert recorded_in_log(s.world_session, check)
    pdf = certificate_pdf(data, client_name="Maple Bookkeeping", names={})
    assert pdf.startswith(b"%PDF-")
    assert verify_certificate(pdf, pinned_key_sha256=pin).ok


def _edited(data: bytes, change) -> bytes:
    body = json.loads(data)
    change(body)
    return json.dumps(body).encode()


def test_a_changed_or_foreign_certificate_is_named_as_such(setup, ddeps):
    s = setup
    _, data = _certificate(s, ddeps)
    pin = key_sha256(ddeps.signer.public_key)

    def reason(body):
        body["document"]["reason"] = "Routine"

    def both(body):  # the digest recomputed to match: the signature still catches it
        reason(body)
        body["sha256"] = hashlib.sha256(
            json.dumps(body["document"], sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()

    def seq(body):
        body["audit_seq"] += 1

    def unsigned(body):
        body["signed_note"] = None

    cases = {
        reason: "the document was changed",
        both: "the signed digest is not the document's",
        seq: "the signed audit position",
        unsigned: "the certificate is not signed",
    }
    for change, problem in cases.items():
        check = verify_certificate(_edited(data, change), pinned_key_sha256=pin)
        assert not check.ok
        assert any(problem in p for p in check.problems), (problem, check.problems)
    other = key_sha256(signer_from(SigningKey.generate()).public_key)
    check = verify_certificate(data, pinned_key_sha256=other)
    assert any("different key" in p for p in check.problems)
    # Someone else's key, with its own valid signature over the altered document.
    forger = signer_from(SigningKey.generate())
    body = json.loads(data)
    body["public_key"] = base64.b64encode(forger.public_key).decode()
    body["key_name"] = forger.name
    check = verify_certificate(json.dumps(body).encode(), pinned_key_sha256=pin)
    assert not check.ok
    for junk in (b"", b"%PDF-1.4 nothing", b"{}", b"\xff" * 10):
        with pytest.raises(DomainValidationError):
            verify_certificate(junk, pinned_key_sha256=pin)
