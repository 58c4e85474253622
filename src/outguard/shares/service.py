"""Share use cases: share a dataset version with agents, render each one's copy, revoke.

Creating a share runs the engagement's gate for every named agent: the eligible are queued
for rendering at once; the others wait, with the reasons, and are admitted as soon as the
gate lets them in (`admit_waiting`, run whenever the share or the agent's workspace is
looked at). Each rendition is made in memory from the sealed dataset and sealed again
under a key of its own; revoking destroys that key (crypto-shredding) and the blob.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import PurePosixPath

from pydantic import BaseModel, ConfigDict, Field, model_validator

from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.datasets.service import (
    TEXT_KINDS,
    DatasetsDeps,
    get_version,
    open_version,
    version_source,
)
from outguard.db import Session
from outguard.engagements.gate import GateResult
from outguard.engagements.models import EngagementState
from outguard.engagements.service import engagements, gate
from outguard.errors import (
    ConflictError,
    DomainValidationError,
    NotFoundError,
    OutguardError,
    PermissionDeniedError,
)
from outguard.formats.sources import MemoryTarget
from outguard.jobs import queue
from outguard.keystore.sealed import put_sealed
from outguard.protect.policy import Policy, parse_policy
from outguard.renditions.service import protect_file
from outguard.security.decisions import Decision, Deny
from outguard.shares.models import (
    RecipientState,
    Share,
    ShareRecipient,
    ShareState,
)
from outguard.shares.policy import can_manage, can_read
from outguard.shares.protection import effective_policy, policy_text
from outguard.shares.repository import ShareRepository
from outguard.types import Actor

RENDER_JOB = "shares.render"
_DOUBLE_SUBMIT = timedelta(minutes=2)  # the same share again this soon: a second click
_SYSTEM = Actor.system("worker:shares")


class ShareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    engagement_id: uuid.UUID
    version_id: uuid.UUID
    policy: str = Field(
        min_length=1, max_length=80, description="A policy template name."
    )
    # The owner's changes to the template, entity -> action (see shares.protection).
    protection: dict[str, str] = Field(default_factory=dict, max_length=40)
    agent_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    # Every agent of the engagement, now and enrolled later (with `agent_ids`, if any).
    whole_team: bool = False
    purpose: str = Field(min_length=3, max_length=500)
    can_download: bool = False
    # Agents of `agent_ids` who may only view, even though the share allows downloads.
    view_only_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    can_return: bool = True
    expires_on: date

    @model_validator(mode="after")
    def _someone(self) -> ShareCreate:
        if not self.agent_ids and not self.whole_team:
            msg = "Choose at least one agent, or the whole team."
            raise ValueError(msg)
        return self


@dataclass(frozen=True)
class ShareView:
    share: Share
    recipients: list[ShareRecipient]


def _require(decision: Decision) -> None:
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)


def recipient_name(user_id: uuid.UUID) -> str:
    """The keystore recipient of an agent: tokens are keyed to the person, not the share."""
    return f"agent-{user_id.hex}"


# ------------------------------------------------------------------- creating


def create_share(
    session: Session, actor: Actor, data: ShareCreate, *, deps: DatasetsDeps
) -> ShareView:
    engagement = engagements.get_engagement(session, actor, data.engagement_id)
    _require(can_manage(actor, engagement.client_org_id))
    if engagement.engagement_state is not EngagementState.ACTIVE:
        raise ConflictError(
            f"The engagement is {engagement.state}: share once it is active."
        )
    dataset, version = get_version(session, actor, data.version_id)
    if dataset.client_org_id != engagement.client_org_id:
        raise NotFoundError("No such dataset version.")
    if version.state != "scanned":
        raise ConflictError(
            "Share a version once its scan is done: the policy is applied to what the "
            "scan found."
        )
    today = deps.clock.now().date()
    if not today < data.expires_on <= engagement.ends_on:
        raise DomainValidationError(
            f"The share must expire after today and by the engagement's end "
            f"({engagement.ends_on.isoformat()})."
        )
    policy, changes = effective_policy(
        data.policy, list(engagement.data_categories), data.protection
    )
    chosen = list(data.agent_ids)
    if data.whole_team:
        chosen += _team(session, engagement.id, deps)
        if not chosen:
            raise DomainValidationError(
                "No agent is enrolled in this engagement yet: the vendor's administrator "
                "enrols them."
            )
    now = deps.clock.now()
    repo = ShareRepository(session)
    repo.serialise_sharing(version.id)
    twin = _double_submit(repo, actor, data, version.id, policy, set(chosen), now)
    if twin is not None:
        return twin
    share = Share(
        client_org_id=engagement.client_org_id,
        engagement_id=engagement.id,
        dataset_id=dataset.id,
        version_id=version.id,
        policy_name=policy.name,
        policy_text=policy_text(policy),
        policy_changes=changes,
        purpose=data.purpose,
        can_download=data.can_download,
        can_return=data.can_return,
        whole_team=data.whole_team,
        expires_at=datetime.combine(data.expires_on, time.max, tzinfo=UTC),
        state=ShareState.ACTIVE,
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    repo.add(share)
    recipients = [
        _add_recipient(session, share, user_id, data.view_only_ids, deps)
        for user_id in dict.fromkeys(chosen)  # a double click names no one twice
    ]
    record(
        session,
        actor,
        AuditTag.SHARE_CREATED,
        clock=deps.clock,
        subject_type="share",
        subject_id=share.id,
        org_id=share.client_org_id,
        details={
            "engagement_id": str(engagement.id),
            "dataset_id": str(dataset.id),
            "version": version.number,
            "policy": policy.name,
            "policy_changes": len(changes),
            "owner_changes": sum(c.endswith("(by the owner)") for c in changes),
            "recipients": len(recipients),
            "waiting": sum(r.state == RecipientState.WAITING for r in recipients),
            "whole_team": share.whole_team,
            "can_download": share.can_download,
            "view_only_agents": sum(r.view_only for r in recipients),
            "can_return": share.can_return,
            "expires_on": data.expires_on.isoformat(),
        },
    )
    return ShareView(share, recipients)


def _rows_progress(
    report: dict[str, object], report_to: Callable[[float, str], None] | None
) -> Callable[[int], None] | None:
    """Rows done → the job's progress, against the row count the scan found."""
    total = report.get("rows")
    if report_to is None or not isinstance(total, int) or total <= 0:
        return None
    return lambda done: report_to(
        min(done / total, 0.99), f"{min(done, total):,} of {total:,} rows"
    )


def render_progress(session: Session, recipient: ShareRecipient) -> float | None:
    """How far the render job of a queued copy is (None: not started or not known)."""
    if recipient.render_job_id is None or recipient.state != RecipientState.QUEUED:
        return None
    try:
        return queue.get(session, recipient.render_job_id).progress
    except NotFoundError:
        return None


def _double_submit(
    repo: ShareRepository,
    actor: Actor,
    data: ShareCreate,
    version_id: uuid.UUID,
    policy: Policy,
    chosen: set[uuid.UUID],
    now: datetime,
) -> ShareView | None:
    """The same share the same person created a moment ago (a second click), if any."""
    twin = repo.recent_share_by(
        actor.user_id,
        version_id,
        data.engagement_id,
        data.purpose,
        now - _DOUBLE_SUBMIT,
    )
    if twin is None or twin.policy_text != policy_text(policy):
        return None
    recipients = repo.recipients_of(twin.id)
    if {r.user_id for r in recipients} != chosen or twin.whole_team != data.whole_team:
        return None
    return ShareView(twin, recipients)


def _gate(
    session: Session, engagement_id: uuid.UUID, user_id: uuid.UUID, deps: DatasetsDeps
) -> GateResult:
    """The agent's standing now (without a request: address and hours are checked at access)."""
    try:
        return gate.agent_status(
            session, _SYSTEM, engagement_id, user_id, clock=deps.clock
        )
    except NotFoundError:
        raise DomainValidationError(
            "Every recipient must be an agent enrolled in this engagement."
        ) from None


def _admit(
    session: Session,
    share: Share,
    recipient: ShareRecipient,
    result: GateResult,
    deps: DatasetsDeps,
) -> None:
    if not result.allowed:
        recipient.waiting_for = result.reasons()
        return
    recipient.waiting_for = []
    recipient.state = RecipientState.QUEUED
    job = queue.enqueue(
        session,
        kind=RENDER_JOB,
        payload={"recipient_id": str(recipient.id)},
        clock=deps.clock,
        max_attempts=deps.max_attempts,
        org_id=share.client_org_id,
    )
    recipient.render_job_id = job.id


def _team(
    session: Session, engagement_id: uuid.UUID, deps: DatasetsDeps
) -> list[uuid.UUID]:
    """The engagement's current agents (offboarded ones are not the team any more)."""
    return [
        row.user.id
        for row in gate.matrix(session, _SYSTEM, engagement_id, clock=deps.clock)
        if row.enrolment.offboarded_at is None
    ]


def _add_recipient(
    session: Session,
    share: Share,
    user_id: uuid.UUID,
    view_only_ids: list[uuid.UUID],
    deps: DatasetsDeps,
) -> ShareRecipient:
    result = _gate(session, share.engagement_id, user_id, deps)
    recipient = ShareRecipient(
        share_id=share.id,
        user_id=user_id,
        state=RecipientState.WAITING,
        view_only=user_id in view_only_ids,
        waiting_for=[],
        created_at=deps.clock.now(),
    )
    ShareRepository(session).add(recipient)
    _admit(session, share, recipient, result, deps)
    return recipient


def join_team(
    session: Session, share: Share, user_ids: list[uuid.UUID], *, deps: DatasetsDeps
) -> list[ShareRecipient]:
    """Add agents enrolled since a whole-team share was made (queued or waiting)."""
    if not share.whole_team or share.share_state is not ShareState.ACTIVE:
        return []
    if _expired(share, deps):
        return []
    repo = ShareRepository(session)
    have = {r.user_id for r in repo.recipients_of(share.id)}
    added = []
    for user_id in user_ids:
        if user_id in have:
            continue
        try:
            recipient = _add_recipient(session, share, user_id, [], deps)
        except DomainValidationError:  # not (or no longer) an agent of the engagement
            continue
        record(
            session,
            _SYSTEM,
            AuditTag.SHARE_JOINED,
            clock=deps.clock,
            subject_type="share",
            subject_id=share.id,
            org_id=share.client_org_id,
            details={
                "recipient_user_id": str(user_id),
                "state": recipient.state,
            },
        )
        added.append(recipient)
    return added


def admit_waiting(session: Session, share: Share, *, deps: DatasetsDeps) -> int:
    """Queue the waiting recipients the gate now lets in; returns how many.

    A whole-team share first takes in agents enrolled since it was made.
    """
    if share.share_state is not ShareState.ACTIVE or _expired(share, deps):
        return 0
    if share.whole_team:
        join_team(session, share, _team(session, share.engagement_id, deps), deps=deps)
    admitted = 0
    for recipient in ShareRepository(session).recipients_of(share.id):
        if recipient.recipient_state is not RecipientState.WAITING:
            continue
        try:
            result = _gate(session, share.engagement_id, recipient.user_id, deps)
        except DomainValidationError:  # offboarded since: they never get it
            continue
        _admit(session, share, recipient, result, deps)
        admitted += result.allowed
    return admitted


def _expired(share: Share, deps: DatasetsDeps) -> bool:
    return deps.clock.now() > share.expires_at


# ------------------------------------------------------------------- rendering


def render_recipient(
    session: Session,
    recipient_id: uuid.UUID,
    *,
    deps: DatasetsDeps,
    progress: Callable[[float, str], None] | None = None,
) -> ShareRecipient:
    """The render job's body: decrypt in memory, protect for the agent, seal the result."""
    repo = ShareRepository(session)
    found = repo.recipient(recipient_id)
    if found is None:
        raise NotFoundError("No such share recipient.")
    # Locks in the order a revocation takes them (the share, then its recipients), so the
    # two wait for each other instead of deadlocking.
    share = repo.share(found.share_id, for_share=True)
    recipient = repo.recipient(recipient_id, for_update=True)
    if share is None or recipient is None:  # pragma: no cover - foreign keys
        raise NotFoundError("No such share recipient.")
    if recipient.recipient_state is not RecipientState.QUEUED:
        return recipient  # done by an earlier attempt, or revoked meanwhile
    if share.share_state is not ShareState.ACTIVE or _expired(share, deps):
        recipient.state = RecipientState.REVOKED
        recipient.revoked_at = deps.clock.now()
        return recipient
    version = open_version(session, share.version_id)
    source = version_source(session, share.client_org_id, version, deps)
    out_suffix = ".txt" if version.kind in TEXT_KINDS else source.suffix
    out = MemoryTarget(f"{PurePosixPath(version.filename).stem[:80]}{out_suffix}")
    try:
        with session.begin_nested():
            report = protect_file(
                session,
                deps.keys,
                _SYSTEM,
                tenant=str(share.client_org_id),
                recipient=recipient_name(recipient.user_id),
                policy=parse_policy(share.policy_text, source=f"share {share.id}"),
                source=source,
                out=out,
                clock=deps.clock,
                progress=_rows_progress(version.report or {}, progress),
            )
    except OutguardError as exc:
        recipient.state = RecipientState.FAILED
        recipient.error = exc.message[:500]
        return recipient
    data = out.data
    assert data is not None  # noqa: S101 - a successful write holds its bytes
    recipient.key_id = f"sr-{recipient.id.hex}"
    recipient.blob_key = f"shares/{share.id.hex}/{recipient.id.hex}.sealed"
    put_sealed(
        session,
        deps.keys,
        deps.blobs,
        tenant=str(share.client_org_id),
        key_id=recipient.key_id,
        purpose="rendition",
        blob_key=recipient.blob_key,
        chunks=[data],
        clock=deps.clock,
    )
    recipient.rendition_id = report.id
    recipient.output_name = out.name
    recipient.output_kind = out_suffix.lstrip(".")
    recipient.output_sha256 = report.output_sha256
    recipient.rows = report.rows
    recipient.canaries = report.canaries
    recipient.columns = report.columns
    recipient.state = RecipientState.READY
    recipient.ready_at = deps.clock.now()
    record(
        session,
        _SYSTEM,
        AuditTag.SHARE_RENDERED,
        clock=deps.clock,
        subject_type="share",
        subject_id=share.id,
        org_id=share.client_org_id,
        details={
            "recipient_user_id": str(recipient.user_id),
            "rendition_id": report.id,
            "rows": report.rows,
            "canaries": report.canaries,
            "output_sha256": report.output_sha256,
        },
    )
    return recipient


# ------------------------------------------------------------------- reading


def client_share(
    session: Session, actor: Actor, share_id: uuid.UUID, *, for_update: bool = False
) -> Share:
    share = ShareRepository(session).share(share_id, for_update=for_update)
    if share is None or not (actor.is_system or actor.org_id == share.client_org_id):
        raise NotFoundError("No such share.")
    return share


def readable_share(session: Session, actor: Actor, share_id: uuid.UUID) -> Share:
    """A share of the actor's client, for someone who may read its records."""
    share = client_share(session, actor, share_id)
    _require(can_read(actor, share.client_org_id))
    return share


def get_share(
    session: Session, actor: Actor, share_id: uuid.UUID, *, deps: DatasetsDeps
) -> ShareView:
    """The owner's view: the share and each recipient's state (admitting the now-eligible)."""
    share = readable_share(session, actor, share_id)
    admit_waiting(session, share, deps=deps)
    return ShareView(share, ShareRepository(session).recipients_of(share.id))


def list_shares(session: Session, actor: Actor) -> list[Share]:
    if actor.org_id is None:
        return []
    _require(can_read(actor, actor.org_id))
    return ShareRepository(session).shares_of_client(actor.org_id)


def engagement_shares(
    session: Session, actor: Actor, engagement_id: uuid.UUID
) -> list[Share]:
    engagement = engagements.get_engagement(session, actor, engagement_id)
    _require(can_read(actor, engagement.client_org_id))
    return ShareRepository(session).shares_of_engagement(engagement.id)


def recipient_state(
    session: Session, share_id: uuid.UUID, user_id: uuid.UUID
) -> ShareRecipient | None:
    return ShareRepository(session).recipient_for(share_id, user_id)
