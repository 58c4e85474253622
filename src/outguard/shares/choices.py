"""What the share form offers: the client's active engagements and their agents' standing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from outguard.datasets.models import VersionState
from outguard.datasets.service import (
    TEXT_KINDS,
    DatasetsDeps,
    entity_counts,
    get_version,
    version_source,
)
from outguard.db import Session
from outguard.engagements.models import Engagement, EngagementState
from outguard.engagements.service import engagements, gate
from outguard.errors import ConflictError, NotFoundError
from outguard.renditions.preview import Preview, preview_table, preview_text
from outguard.scanning import read_text_file
from outguard.shares.policy import can_manage
from outguard.shares.protection import EntityChoice, choices, effective_policy
from outguard.shares.service import _SYSTEM, _require
from outguard.types import Actor


def candidates(
    session: Session, actor: Actor, engagement_id: uuid.UUID, *, deps: DatasetsDeps
) -> list[gate.AgentRow]:
    """The engagement's current agents, with their standing, for the share form."""
    engagement = engagements.get_engagement(session, actor, engagement_id)
    _require(can_manage(actor, engagement.client_org_id))
    return [
        row
        for row in gate.matrix(session, _SYSTEM, engagement.id, clock=deps.clock)
        if row.enrolment.offboarded_at is None
    ]


def shareable_engagements(session: Session, actor: Actor) -> list[Engagement]:
    """The client's active engagements (where a share can go now)."""
    if actor.org_id is None:
        return []
    _require(can_manage(actor, actor.org_id))
    return [
        e
        for e in engagements.list_engagements(session, actor)
        if e.client_org_id == actor.org_id
        and e.engagement_state is EngagementState.ACTIVE
    ]


@dataclass(frozen=True)
class ProtectionPreview:
    """The share form's live preview: what the agents would see, and why it differs."""

    table: Preview | None
    text: str | None
    changes: list[str]
    choices: list[EntityChoice]


def preview_protection(
    session: Session,
    actor: Actor,
    *,
    version_id: uuid.UUID,
    engagement_id: uuid.UUID,
    template: str,
    overrides: Mapping[str, str],
    deps: DatasetsDeps,
) -> ProtectionPreview:
    """The first rows (or the start of the text) protected as a share would protect them.

    Decrypted in memory for this response and protected with throwaway keys: the shapes
    are the agents', the tokens are not.
    """
    engagement = engagements.get_engagement(session, actor, engagement_id)
    _require(can_manage(actor, engagement.client_org_id))
    dataset, version = get_version(session, actor, version_id)
    if dataset.client_org_id != engagement.client_org_id:
        raise NotFoundError("No such dataset version.")
    if version.version_state is not VersionState.SCANNED:
        raise ConflictError("The preview needs the version's scan to be done.")
    policy, changes = effective_policy(
        template, list(engagement.data_categories), overrides
    )
    counts = entity_counts(version)
    found = sorted(counts, key=lambda e: -counts[e])
    rows = choices(policy, found)
    source = version_source(session, dataset.client_org_id, version, deps)
    as_of = deps.clock.now().date()
    if version.kind in TEXT_KINDS:
        return ProtectionPreview(
            None, preview_text(policy, read_text_file(source)), changes, rows
        )
    return ProtectionPreview(
        preview_table(policy, source, as_of=as_of), None, changes, rows
    )
