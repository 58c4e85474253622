"""Reminder e-mails before things expire, and while something is missing.

Run daily (`outguard engagement remind`, or the worker's schedule). One e-mail per person
per run, listing their items; each item is mentioned once per stage (30 days, 7 days before
expiry; weekly while missing), recorded in `reminders_sent` so a re-run sends nothing new.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from outguard.accounts.models import User
from outguard.accounts.service import AccountsDeps, users
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.engagements.gate import Check, Status, evaluate
from outguard.engagements.models import Engagement, EngagementState, ReminderSent
from outguard.engagements.repository import EngagementRepository
from outguard.engagements.service.gate import facts_for
from outguard.mail import OutgoingMail
from outguard.types import Actor, Role

_LAST_WEEK = 7


@dataclass(frozen=True)
class Reminder:
    to: User
    engagement: str
    agent: str
    check: Check


def _stage(check: Check, session_now_days: int | None) -> str:
    if check.status is Status.MISSING or session_now_days is None:
        return "missing"
    return "7" if session_now_days <= _LAST_WEEK else "30"


def _items(
    session: Session,
    engagement: Engagement,
    agent: User,
    org_id: uuid.UUID,
    now: datetime,
) -> Iterator[tuple[User, Reminder, str]]:
    """(person to remind, item, dedup key) for one enrolled agent."""
    result = evaluate(
        facts_for(session, engagement, agent, now=now), now=now, request=False
    )
    admins = [
        u
        for u in users.users_in_org_unscoped(session, org_id)
        if u.is_active and Role.VENDOR_ADMIN.value in u.roles
    ]
    for check in result.checks:
        if check.status is Status.OK or check.who_fixes == "client":
            continue
        days = (check.due - now).days if check.due else None
        stage = _stage(check, days)
        when = now.strftime("%G-W%V") if stage == "missing" else f"{check.due:%Y-%m-%d}"
        for person in [agent] if check.who_fixes == "agent" else admins:
            key = f"{person.id}:{engagement.id}:{agent.id}:{check.code}:{stage}:{when}"
            reminder = Reminder(person, engagement.name, agent.display_name, check)
            yield person, reminder, key[:200]


def send_reminders(session: Session, actor: Actor, *, deps: AccountsDeps) -> int:
    """Send what is due now; returns the number of e-mails sent."""
    repo = EngagementRepository(session)
    now = deps.clock.now()
    pending: dict[uuid.UUID, list[Reminder]] = defaultdict(list)
    for engagement in repo.all():
        if engagement.engagement_state is not EngagementState.ACTIVE:
            continue
        for enrolment in repo.agents(engagement.id):
            agent = users.user_unscoped(session, enrolment.user_id)
            if (
                enrolment.offboarded_at is not None
                or agent is None
                or not agent.is_active
            ):
                continue
            for person, reminder, key in _items(
                session, engagement, agent, enrolment.org_id, now
            ):
                if not repo.reminder_sent(key):
                    repo.add(ReminderSent(key=key, sent_at=now))
                    pending[person.id].append(reminder)
    for items in pending.values():
        person = items[0].to
        _mail(person, items, deps=deps)
        record(
            session,
            actor,
            AuditTag.REMINDER_SENT,
            clock=deps.clock,
            subject_type="user",
            subject_id=person.id,
            org_id=person.org_id,
            details={"items": sorted({r.check.code for r in items})},
        )
    return len(pending)


def _mail(person: User, items: list[Reminder], *, deps: AccountsDeps) -> None:
    lines = []
    for r in items:
        who = "" if r.agent == person.display_name else f" ({r.agent})"
        state = "missing" if r.check.status is Status.MISSING else "expiring"
        lines.append(
            f"- {r.engagement}{who}: {r.check.label}: {state}: {r.check.detail}."
            + (f" {r.check.fix}" if r.check.fix else "")
        )
    deps.mailer.send(
        OutgoingMail(
            to=person.email,
            subject=f"outguard: {len(items)} item(s) need your attention",
            text=(
                f"Hello {person.display_name},\n\n"
                "These items keep your access to client data current:\n\n"
                + "\n".join(lines)
                + f"\n\nOpen your checklist: {deps.base_url}/checklist\n"
            ),
        )
    )
