"""Agreement texts (versioned, hashed) and signatures in the browser with re-authentication.

A signature records the document's SHA-256 and version, the time, and the signer's IP and
user agent (in the row and in the audit event). Publishing a new version asks everyone to
sign again, by a deadline during which the old signature still counts.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from outguard.accounts.service import AccountsDeps, users
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.engagements.models import (
    AgreementKind,
    AgreementTemplate,
    Engagement,
    Signature,
)
from outguard.engagements.policy import (
    can_act_for_self,
    can_create,
    can_sign_for_vendor,
)
from outguard.engagements.repository import EngagementRepository
from outguard.engagements.schemas import SignRequest, TemplatePublish
from outguard.engagements.service.common import require, visible
from outguard.engagements.service.engagements import readable_client_ids
from outguard.errors import AlreadyExistsError, ConflictError, NotFoundError
from outguard.types import Actor, Clock, Role


def document_sha256(body: str) -> str:
    """The hash people sign: the text as UTF-8 with normalised line endings."""
    normal = body.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def publish_template(
    session: Session,
    actor: Actor,
    data: TemplatePublish,
    *,
    clock: Clock,
    client_org_id: uuid.UUID | None = None,
) -> AgreementTemplate:
    client_id = client_org_id if actor.is_system else actor.org_id
    if client_id is None:
        raise NotFoundError("Organisation not found.")
    require(can_create(actor, client_id))
    repo = EngagementRepository(session)
    version = repo.next_version(client_id, data.kind.value)
    now = clock.now()
    resign_by = None
    if version > 1 and data.resign_days:
        resign_by = now + timedelta(days=data.resign_days)
    template = repo.add(
        AgreementTemplate(
            client_org_id=client_id,
            kind=data.kind.value,
            version=version,
            title=data.title,
            body=data.body,
            sha256=document_sha256(data.body),
            published_by_id=actor.user_id,
            published_at=now,
            resign_by=resign_by,
        )
    )
    record(
        session,
        actor,
        AuditTag.AGREEMENT_PUBLISHED,
        clock=clock,
        subject_type="agreement_template",
        subject_id=template.id,
        org_id=client_id,
        details={
            "kind": template.kind,
            "version": version,
            "sha256": template.sha256,
            "resign_by": resign_by.isoformat() if resign_by else None,
        },
    )
    return template


def list_templates(session: Session, actor: Actor) -> list[AgreementTemplate]:
    """Every version of every text the actor may read, newest version first per kind."""
    repo = EngagementRepository(session)
    out: list[AgreementTemplate] = []
    for client_id in sorted(readable_client_ids(session, actor)):
        out.extend(repo.templates(client_id))
    return sorted(out, key=lambda t: (t.kind, -t.version))


def current_templates(session: Session, actor: Actor) -> list[AgreementTemplate]:
    latest: dict[tuple[uuid.UUID, str], AgreementTemplate] = {}
    for t in list_templates(session, actor):
        key = (t.client_org_id, t.kind)
        if key not in latest or t.version > latest[key].version:
            latest[key] = t
    return sorted(
        latest.values(), key=lambda t: list(AgreementKind).index(t.agreement_kind)
    )


def get_template(
    session: Session, actor: Actor, template_id: uuid.UUID
) -> AgreementTemplate:
    template = EngagementRepository(session).template(template_id)
    if template is None or (
        not actor.is_system
        and template.client_org_id not in readable_client_ids(session, actor)
    ):
        raise NotFoundError("Agreement not found.")
    return template


@dataclass(frozen=True)
class SignedReceipt:
    signature: Signature
    template: AgreementTemplate
    signer_name: str
    engagement: Engagement | None


def sign(
    session: Session, actor: Actor, data: SignRequest, *, deps: AccountsDeps
) -> Signature:
    """Sign the current version of a text, for oneself or (vendor texts) for one's vendor."""
    template = get_template(session, actor, data.template_id)
    users.reauthenticate(session, actor, data.password, deps=deps)
    repo = EngagementRepository(session)
    if template.version != repo.next_version(template.client_org_id, template.kind) - 1:
        raise ConflictError("A newer version of this text exists: sign that one.")
    engagement_id = None
    if template.agreement_kind.is_vendor_level:
        if data.engagement_id is None:
            raise ConflictError("Choose the engagement you sign this agreement for.")
        engagement, _ = visible(session, actor, data.engagement_id)
        if engagement.client_org_id != template.client_org_id:
            raise NotFoundError("Agreement not found.")
        require(can_sign_for_vendor(actor, engagement))
        engagement_id = engagement.id
        signed = repo.signed_versions(
            template.client_org_id, engagement_id=engagement_id
        )
    else:
        require(can_act_for_self(actor))
        signed = repo.signed_versions(template.client_org_id, user_id=actor.user_id)
    if signed.get(template.kind, 0) >= template.version:
        raise AlreadyExistsError("You have already signed this version.")
    if actor.user_id is None or actor.org_id is None:
        raise NotFoundError("Agreement not found.")
    ctx = actor.context
    signature = repo.add(
        Signature(
            template_id=template.id,
            client_org_id=template.client_org_id,
            kind=template.kind,
            version=template.version,
            sha256=template.sha256,
            user_id=actor.user_id,
            org_id=actor.org_id,
            engagement_id=engagement_id,
            typed_name=data.typed_name,
            signed_at=deps.clock.now(),
            ip=ctx.ip,
            user_agent=(ctx.user_agent or "")[:300] or None,
        )
    )
    record(
        session,
        actor,
        AuditTag.AGREEMENT_SIGNED,
        clock=deps.clock,
        subject_type="agreement_signature",
        subject_id=signature.id,
        org_id=template.client_org_id,
        details={
            "kind": template.kind,
            "version": template.version,
            "sha256": template.sha256,
            "engagement_id": str(engagement_id) if engagement_id else None,
        },
    )
    return signature


def my_signatures(session: Session, actor: Actor) -> list[Signature]:
    if actor.user_id is None:
        return []
    return EngagementRepository(session).signatures(user_id=actor.user_id)


def receipt(session: Session, actor: Actor, signature_id: uuid.UUID) -> SignedReceipt:
    """The signer, their vendor's administrators and the client may read a receipt."""
    repo = EngagementRepository(session)
    signature = repo.signature(signature_id)
    if signature is None:
        raise NotFoundError("Signature not found.")
    own = actor.user_id == signature.user_id
    client = actor.org_id == signature.client_org_id
    vendor = actor.org_id == signature.org_id and Role.VENDOR_ADMIN in actor.roles
    if not (own or client or vendor or actor.is_system):
        raise NotFoundError("Signature not found.")
    template = repo.template(signature.template_id)
    assert template is not None  # noqa: S101 - foreign key
    signer = users.user_unscoped(session, signature.user_id)
    engagement = repo.get(signature.engagement_id) if signature.engagement_id else None
    return SignedReceipt(
        signature=signature,
        template=template,
        signer_name=signer.display_name if signer else "unknown",
        engagement=engagement,
    )
