"""Training modules (content + quiz with a pass mark) and the results that expire (PS-04)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.engagements.models import TrainingModule, TrainingResult
from outguard.engagements.policy import can_act_for_self, can_create
from outguard.engagements.repository import EngagementRepository
from outguard.engagements.schemas import ModulePublish
from outguard.engagements.service.common import require
from outguard.engagements.service.engagements import readable_client_ids
from outguard.errors import ConflictError, DomainValidationError, NotFoundError
from outguard.types import Actor, Clock


def publish_module(
    session: Session,
    actor: Actor,
    data: ModulePublish,
    *,
    clock: Clock,
    client_org_id: uuid.UUID | None = None,
) -> TrainingModule:
    client_id = client_org_id if actor.is_system else actor.org_id
    if client_id is None:
        raise NotFoundError("Organisation not found.")
    require(can_create(actor, client_id))
    module = EngagementRepository(session).add(
        TrainingModule(
            client_org_id=client_id,
            title=data.title,
            content=data.content,
            questions=[q.model_dump() for q in data.questions],
            pass_mark=data.pass_mark,
            valid_days=data.valid_days,
            published_by_id=actor.user_id,
            published_at=clock.now(),
        )
    )
    record(
        session,
        actor,
        AuditTag.TRAINING_PUBLISHED,
        clock=clock,
        subject_type="training_module",
        subject_id=module.id,
        org_id=client_id,
        details={
            "questions": len(data.questions),
            "pass_mark": data.pass_mark,
            "valid_days": data.valid_days,
        },
    )
    return module


def list_modules(session: Session, actor: Actor) -> list[TrainingModule]:
    repo = EngagementRepository(session)
    out: list[TrainingModule] = []
    for client_id in sorted(readable_client_ids(session, actor)):
        out.extend(repo.modules(client_id))
    return out


def get_module(session: Session, actor: Actor, module_id: uuid.UUID) -> TrainingModule:
    module = EngagementRepository(session).module(module_id)
    if module is None or (
        not actor.is_system
        and module.client_org_id not in readable_client_ids(session, actor)
    ):
        raise NotFoundError("Training module not found.")
    return module


def take_quiz(
    session: Session,
    actor: Actor,
    module_id: uuid.UUID,
    answers: list[int | None],
    *,
    clock: Clock,
) -> TrainingResult:
    """Score the answers; a pass counts for the module's validity period."""
    require(can_act_for_self(actor))
    module = get_module(session, actor, module_id)
    if module.retired_at is not None:
        raise ConflictError("This module has been retired.")
    if len(answers) != len(module.questions):
        raise DomainValidationError(
            f"Answer all {len(module.questions)} questions "
            f"({sum(a is not None for a in answers)} answered)."
        )
    if any(a is None for a in answers):
        missing = [str(i + 1) for i, a in enumerate(answers) if a is None]
        raise DomainValidationError(f"Answer question(s) {', '.join(missing)}.")
    correct = sum(
        1 for q, a in zip(module.questions, answers, strict=True) if q["answer"] == a
    )
    score = correct * 100 // len(module.questions)
    now = clock.now()
    assert actor.user_id is not None  # noqa: S101 - can_act_for_self needs a person
    result = EngagementRepository(session).add(
        TrainingResult(
            module_id=module.id,
            user_id=actor.user_id,
            score=score,
            passed=score >= module.pass_mark,
            taken_at=now,
            expires_at=now + timedelta(days=module.valid_days),
        )
    )
    record(
        session,
        actor,
        AuditTag.TRAINING_COMPLETED,
        clock=clock,
        subject_type="training_module",
        subject_id=module.id,
        org_id=module.client_org_id,
        details={
            "score": score,
            "pass_mark": module.pass_mark,
            "passed": result.passed,
        },
    )
    return result


def my_results(session: Session, actor: Actor) -> list[TrainingResult]:
    if actor.user_id is None:
        return []
    return EngagementRepository(session).results(actor.user_id)


def require_retake(
    session: Session, actor: Actor, module_id: uuid.UUID, *, clock: Clock
) -> TrainingModule:
    """Every earlier pass stops counting now (after an incident, or a changed module)."""
    module = get_module(session, actor, module_id)
    require(can_create(actor, module.client_org_id))
    module.retake_after = clock.now()
    record(
        session,
        actor,
        AuditTag.TRAINING_RETAKE_REQUIRED,
        clock=clock,
        subject_type="training_module",
        subject_id=module.id,
        org_id=module.client_org_id,
        details={},
    )
    return module
