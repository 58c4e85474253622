"""The vendor's deletion attestation: downloaded copies of an ended share were deleted.

outguard shreds every copy it holds; a copy an agent downloaded is outside its reach. When a
share whose copies were downloaded ends, the vendor's administrator is asked to state, with
their typed name and password, that every downloaded copy was deleted. The owner sees the
request and the answer beside the share's destruction certificate.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from outguard.accounts.policy import has_permission
from outguard.accounts.service import AccountsDeps, orgs, users
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.errors import (
    ConflictError,
    DomainValidationError,
    NotFoundError,
    PermissionDeniedError,
)
from outguard.mail import OutgoingMail
from outguard.security.decisions import Deny
from outguard.security.permissions import Permission
from outguard.shares.models import DeletionAttestation, Share
from outguard.shares.repository import ShareRepository
from outguard.shares.service import readable_share
from outguard.types import Actor, Clock, Role


def pending_for_vendor(session: Session, actor: Actor) -> list[DeletionAttestation]:
    """The vendor admin's open requests (empty for anyone else)."""
    if actor.org_id is None or isinstance(
        has_permission(actor, Permission.ROSTER_MANAGE), Deny
    ):
        return []
    return [
        a
        for a in ShareRepository(session).attestations_for_vendor(actor.org_id)
        if a.attested_at is None
    ]


def attestations_of_share(
    session: Session, actor: Actor, share_id: uuid.UUID
) -> list[DeletionAttestation]:
    """For the share's owner: what was asked of the vendor, and answered."""
    share = readable_share(session, actor, share_id)
    return ShareRepository(session).attestations_of(share.id)


def attest_deletion(
    session: Session,
    actor: Actor,
    attestation_id: uuid.UUID,
    *,
    typed_name: str,
    agree: bool,
    password: str,
    accounts: AccountsDeps,
    clock: Clock,
) -> DeletionAttestation:
    repo = ShareRepository(session)
    row = repo.attestation(attestation_id, for_update=True)
    if row is None or actor.org_id != row.vendor_org_id:
        raise NotFoundError("No such request.")
    decision = has_permission(actor, Permission.ROSTER_MANAGE)
    if isinstance(decision, Deny):
        raise PermissionDeniedError("The vendor's administrator attests deletion.")
    if row.attested_at is not None:
        raise ConflictError("This deletion was already attested.")
    name = " ".join(typed_name.split())
    if not agree or len(name) < 3:  # noqa: PLR2004 - a name, typed
        raise DomainValidationError(
            "Type your full name and tick the statement to attest the deletion."
        )
    users.reauthenticate(session, actor, password, deps=accounts)
    row.typed_name = name[:200]
    row.attested_by_id = actor.user_id
    row.attested_at = clock.now()
    record(
        session,
        actor,
        AuditTag.SHARE_DELETION_ATTESTED,
        clock=clock,
        subject_type="share",
        subject_id=row.share_id,
        org_id=row.client_org_id,
        details={"attestation_id": str(row.id), "downloads": row.downloads},
    )
    return row


def share_for_attestation(session: Session, row: DeletionAttestation) -> Share | None:
    """The share a request is about (the vendor sees its purpose, nothing else)."""
    return ShareRepository(session).share(row.share_id)


REMIND_EVERY = timedelta(days=7)
_SYSTEM = Actor.system("worker:shares")


def remind_attestations(session: Session, *, deps: AccountsDeps) -> int:
    """E-mail the vendor admins of every statement still owed, at most weekly; how many sent.

    Run with the daily expiry sweep. The e-mail names the client and the number of
    downloads, never the share's purpose (a free text that could hold names).
    """
    now = deps.clock.now()
    sent = 0
    for row in ShareRepository(session).attestations_owed():
        if row.reminded_at is not None and now - row.reminded_at < REMIND_EVERY:
            continue
        client = orgs.org_unscoped(session, row.client_org_id)
        admins = [
            u
            for u in users.users_in_org_unscoped(session, row.vendor_org_id)
            if u.is_active and Role.VENDOR_ADMIN.value in u.roles
        ]
        for admin in admins:
            deps.mailer.send(
                OutgoingMail(
                    to=admin.email,
                    subject="outguard: confirm that downloaded copies were deleted",
                    text=(
                        f"Hello {admin.display_name},\n\n"
                        f"{client.name if client else 'A client'} ended a share whose "
                        f"copies your agents downloaded ({row.downloads} download(s)), "
                        f"on {row.requested_at:%Y-%m-%d}. outguard destroyed every copy "
                        "it held; the downloaded ones are yours to delete.\n\n"
                        "Once they are deleted, state it (typed name and password): "
                        f"{deps.base_url}/attestations\n"
                    ),
                )
            )
            record(
                session,
                _SYSTEM,
                AuditTag.REMINDER_SENT,
                clock=deps.clock,
                subject_type="user",
                subject_id=admin.id,
                org_id=admin.org_id,
                details={"items": ["deletion_attestation"]},
            )
            sent += 1
        row.reminded_at = now
    return sent
