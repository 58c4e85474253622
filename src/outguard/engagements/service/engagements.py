"""Engagements: create one with a vendor, list and read them, move them through their states."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from pydantic import ValidationError

from outguard.accounts.policy import has_permission
from outguard.accounts.service import orgs
from outguard.audit.models import AuditEvent
from outguard.audit.service import record, subject_history
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.engagements.models import Engagement, EngagementState
from outguard.engagements.policy import can_create, can_manage, can_view
from outguard.engagements.repository import EngagementRepository
from outguard.engagements.schemas import (
    EngagementCreate,
    EngagementPatch,
    EngagementTerms,
    EngagementUpdate,
    StateChange,
)
from outguard.engagements.service.common import (
    org_name,
    require,
    standing,
    visible,
)
from outguard.errors import (
    AlreadyExistsError,
    ConflictError,
    DomainValidationError,
    NotFoundError,
)
from outguard.security.decisions import Deny
from outguard.security.permissions import Permission
from outguard.types import Actor, Clock, OrgKind

# Terms whose values are facts of the arrangement (dates, places, hours, categories): the
# audit event keeps their old and new values. Free texts and contacts can hold names, so for
# them only "changed" is recorded.
_TERMS_WITH_VALUES = (
    "work_kinds",
    "data_categories",
    "starts_on",
    "ends_on",
    "vendor_country",
    "processing_countries",
    "timezone",
    "work_days",
    "work_start",
    "work_end",
    "off_hours",
    "breach_notice_hours",
    "workstation_valid_days",
)
_TERMS_TEXT = ("name", "purpose", "return_terms", "contacts")

# What must be gone before an engagement may end, asked of the features above this one
# (shares: no protected copy may outlive the engagement). Each returns why not, or None.
EndGuard = Callable[[Session, uuid.UUID], str | None]
_END_GUARDS: list[EndGuard] = []


def guard_ending(guard: EndGuard) -> None:
    """Register a check that can refuse to end an engagement (idempotent)."""
    if guard not in _END_GUARDS:
        _END_GUARDS.append(guard)


_HISTORY_TAGS = (
    AuditTag.ENGAGEMENT_CREATED,
    AuditTag.ENGAGEMENT_UPDATED,
    AuditTag.ENGAGEMENT_STATE_CHANGED,
)

# action -> (states it may start from, resulting state)
_TRANSITIONS: dict[str, tuple[frozenset[EngagementState], EngagementState]] = {
    "activate": (frozenset({EngagementState.DRAFT}), EngagementState.ACTIVE),
    "suspend": (frozenset({EngagementState.ACTIVE}), EngagementState.SUSPENDED),
    "resume": (frozenset({EngagementState.SUSPENDED}), EngagementState.ACTIVE),
    "end": (
        frozenset(
            {EngagementState.DRAFT, EngagementState.ACTIVE, EngagementState.SUSPENDED}
        ),
        EngagementState.ENDED,
    ),
}


def create_engagement(
    session: Session,
    actor: Actor,
    data: EngagementCreate,
    *,
    clock: Clock,
    client_org_id: uuid.UUID | None = None,
) -> Engagement:
    """A draft engagement between the actor's client organisation and one of its vendors."""
    client_id = client_org_id if actor.is_system else actor.org_id
    if client_id is None:
        raise DomainValidationError("Name the client organisation.")
    require(can_create(actor, client_id))
    vendor = orgs.org_unscoped(session, data.vendor_org_id)
    if vendor is None or vendor.kind != OrgKind.VENDOR or vendor.parent_id != client_id:
        raise NotFoundError("That vendor is not one of your organisation's vendors.")
    repo = EngagementRepository(session)
    if repo.name_taken(client_id, data.name):
        raise AlreadyExistsError("An engagement with that name already exists.")
    now = clock.now()
    engagement = repo.add(
        Engagement(
            client_org_id=client_id,
            created_by_id=actor.user_id,
            created_at=now,
            updated_at=now,
            state=EngagementState.DRAFT,
            vendor_org_id=data.vendor_org_id,
            **_columns(data),
        )
    )
    record(
        session,
        actor,
        AuditTag.ENGAGEMENT_CREATED,
        clock=clock,
        subject_type="engagement",
        subject_id=engagement.id,
        org_id=client_id,
        details={
            "vendor_id": str(vendor.id),
            "starts_on": str(data.starts_on),
            "ends_on": str(data.ends_on),
            "work_kinds": engagement.work_kinds,
            "data_categories": engagement.data_categories,
        },
    )
    return engagement


def _columns(terms: EngagementTerms) -> dict[str, object]:
    """The terms as the engagement row stores them."""
    values = terms.model_dump(
        mode="python", include=set(EngagementTerms.model_fields) - {"contacts"}
    )
    values["data_categories"] = [str(c) for c in terms.data_categories]
    values["contacts"] = [c.model_dump() for c in terms.contacts]
    return values


def _same(old: object, new: object) -> bool:
    """Kinds, categories, countries and days are sets: another order is no change."""
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and not any(isinstance(v, dict) for v in (*old, *new))  # contacts keep order
    ):
        return sorted(map(str, old)) == sorted(map(str, new))
    return old == new


def _audit_value(value: object) -> object:
    if isinstance(value, list):
        return [str(v) if not isinstance(v, int) else v for v in value]
    return value if isinstance(value, int) else str(value)


def update_engagement(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    data: EngagementUpdate,
    *,
    clock: Clock,
) -> Engagement:
    """Change the agreed terms (not the vendor), keeping who changed what and why.

    The gate reads the terms at every request, so a narrower window, other hours or a
    shorter workstation validity apply from the next access on.
    """
    engagement, _ = visible(session, actor, engagement_id, for_update=True)
    require(can_manage(actor, engagement))
    if engagement.engagement_state is EngagementState.ENDED:
        raise ConflictError(
            "An ended engagement is a closed record; create a new engagement instead."
        )
    new = _columns(data)
    changed = [
        f
        for f in (*_TERMS_WITH_VALUES, *_TERMS_TEXT)
        if not _same(getattr(engagement, f), new[f])
    ]
    values: dict[str, object] = {}
    for field in changed:
        if field in _TERMS_WITH_VALUES:  # flat details: <field>_was / <field>_now
            values[f"{field}_was"] = _audit_value(getattr(engagement, field))
            values[f"{field}_now"] = _audit_value(new[field])
    if not changed:
        raise DomainValidationError("Nothing changed: the terms are as they were.")
    if data.name.lower() != engagement.name.lower() and EngagementRepository(
        session
    ).name_taken(engagement.client_org_id, data.name):
        raise AlreadyExistsError("An engagement with that name already exists.")
    if (
        engagement.engagement_state is not EngagementState.DRAFT
        and data.ends_on < clock.now().date()
    ):
        raise DomainValidationError(
            "The end date cannot be in the past; end the engagement instead."
        )
    for field, value in new.items():
        setattr(engagement, field, value)
    engagement.updated_at = clock.now()
    record(
        session,
        actor,
        AuditTag.ENGAGEMENT_UPDATED,
        clock=clock,
        subject_type="engagement",
        subject_id=engagement.id,
        org_id=engagement.client_org_id,
        details={"changed": changed, "reason": data.reason, **values},
    )
    return engagement


def amend_engagement(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    patch: EngagementPatch,
    *,
    clock: Clock,
) -> Engagement:
    """`update_engagement` with only the terms given; the rest stay as stored."""
    engagement = get_engagement(session, actor, engagement_id)
    require(can_manage(actor, engagement))
    current = {f: getattr(engagement, f) for f in EngagementTerms.model_fields}
    try:
        data = EngagementUpdate.model_validate(
            {**current, **patch.model_dump(exclude_unset=True, exclude_none=True)}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "terms"
        raise DomainValidationError(f"{where}: {first['msg']}") from exc
    return update_engagement(session, actor, engagement.id, data, clock=clock)


def may_edit(actor: Actor, engagement: Engagement) -> bool:
    """Whether the terms form is offered: the client's manager, until the engagement ends."""
    return (
        bool(can_manage(actor, engagement))
        and engagement.engagement_state is not EngagementState.ENDED
    )


def history(
    session: Session, actor: Actor, engagement_id: uuid.UUID
) -> list[AuditEvent]:
    """Creation, term changes and state changes, newest first, for any party."""
    engagement = get_engagement(session, actor, engagement_id)
    return subject_history(
        session, "engagement", engagement.id, tags=_HISTORY_TAGS, limit=100
    )


def list_engagements(session: Session, actor: Actor) -> list[Engagement]:
    repo = EngagementRepository(session)
    if actor.is_system:
        return repo.all()
    require(has_permission(actor, Permission.ENGAGEMENTS_READ))
    if actor.org_id is None:
        return []
    return [
        e
        for e in repo.visible(actor.org_id, actor.user_id)
        if not isinstance(can_view(actor, e, standing(session, actor, e)), Deny)
    ]


def readable_client_ids(session: Session, actor: Actor) -> set[uuid.UUID]:
    """Clients whose texts the actor may read: their own, or those they work for."""
    ids = {e.client_org_id for e in list_engagements(session, actor)}
    if (
        actor.org_id is not None
        and actor.org_kind is not None
        and actor.org_kind == "client"
    ):
        ids.add(actor.org_id)
    return ids


def get_engagement(
    session: Session, actor: Actor, engagement_id: uuid.UUID
) -> Engagement:
    return visible(session, actor, engagement_id)[0]


def find_engagement_for_operator(
    session: Session, actor: Actor, name_or_id: str
) -> Engagement:
    """CLI lookup by id or exact name (case-insensitive)."""
    try:
        return get_engagement(session, actor, uuid.UUID(name_or_id))
    except ValueError:
        pass
    matches = [
        e
        for e in list_engagements(session, actor)
        if e.name.lower() == name_or_id.strip().lower()
    ]
    if len(matches) > 1:
        raise ConflictError("Several engagements have that name; use the id.")
    if not matches:
        raise NotFoundError("No engagement with that name or id.")
    return matches[0]


def allowed_actions(engagement: Engagement) -> list[str]:
    state = engagement.engagement_state
    return [a for a, (sources, _) in _TRANSITIONS.items() if state in sources]


def change_state(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    change: StateChange,
    *,
    clock: Clock,
) -> Engagement:
    """Activate, suspend, resume or end, with the reason recorded in the audit log."""
    engagement, _ = visible(session, actor, engagement_id, for_update=True)
    require(can_manage(actor, engagement))
    sources, target = _TRANSITIONS[change.action]
    before = engagement.engagement_state
    if before not in sources:
        raise ConflictError(
            f"An engagement that is {before} cannot be {change.action}d"
            if change.action != "end"
            else "The engagement has already ended."
        )
    if target is EngagementState.ACTIVE and clock.now().date() > engagement.ends_on:
        raise ConflictError(
            "The engagement's end date has passed; it cannot be made active."
        )
    if target is EngagementState.ENDED:
        for guard in _END_GUARDS:
            if (why := guard(session, engagement.id)) is not None:
                raise ConflictError(why)
    engagement.state = target
    engagement.state_reason = change.reason
    engagement.updated_at = clock.now()
    record(
        session,
        actor,
        AuditTag.ENGAGEMENT_STATE_CHANGED,
        clock=clock,
        subject_type="engagement",
        subject_id=engagement.id,
        org_id=engagement.client_org_id,
        details={"from": before.value, "to": target.value, "reason": change.reason},
    )
    return engagement


def party_names(
    session: Session, actor: Actor, engagement_id: uuid.UUID
) -> dict[str, str]:
    """The client's and the vendor's names, for any party to the engagement."""
    engagement = get_engagement(session, actor, engagement_id)
    return {
        "client": org_name(session, engagement.client_org_id),
        "vendor": org_name(session, engagement.vendor_org_id),
    }
