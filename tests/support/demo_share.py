"""On the demo's engagement: a file uploaded, scanned and shared with Asha (not made yet)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from outguard.accounts.models import User
from outguard.datasets.service import DatasetsDeps, scan_version, upload
from outguard.engagements.models import Engagement
from outguard.shares.service import ShareCreate, ShareView, create_share
from outguard.types import Actor


@dataclass(frozen=True)
class DemoShare:
    view: ShareView
    form: ShareCreate  # as submitted: a second submit starts from it
    client_org_id: uuid.UUID


def share_with_asha(
    session: Session,
    actor: Actor,
    deps: DatasetsDeps,
    *,
    today: date,
    rows: bytes,
    filename: str = "p.csv",
    can_download: bool = False,
) -> DemoShare:
    """Upload `rows`, scan them and share them for five days with Asha (agent1)."""
    engagement = session.execute(select(Engagement)).scalars().first()
    assert engagement is not None
    asha = session.execute(
        select(User).where(User.email == "agent1@northwind.example")
    ).scalar_one()
    version = upload(
        session,
        actor,
        org_id=engagement.client_org_id,
        filename=filename,
        name=filename.removesuffix(".csv").title(),
        chunks=[rows],
        deps=deps,
    )
    scan_version(session, version.id, deps=deps)
    form = ShareCreate(
        engagement_id=engagement.id,
        version_id=version.id,
        policy="payroll",
        agent_ids=[asha.id],
        purpose="Payroll run",
        can_download=can_download,
        expires_on=today + timedelta(days=5),
    )
    view = create_share(session, actor, form, deps=deps)
    return DemoShare(view, form, engagement.client_org_id)
