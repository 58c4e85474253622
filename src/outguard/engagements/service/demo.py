"""Demo engagement: Maple Street Bookkeeping × Northwind Outsourcing, with three agents.

Asha is fully compliant; Ben has not taken the training; Hugo works for Harbor Data Services,
a sub-contractor whose approval the client has revoked pending review. Northwind's site
includes the loopback network so the demo works from this machine.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from outguard.accounts.models import User
from outguard.accounts.service import AccountsDeps, actor_for, orgs, users
from outguard.accounts.service.demo import DEMO_PASSWORD
from outguard.db import Session
from outguard.engagements.models import AgreementKind, ApprovalState, Engagement
from outguard.engagements.schemas import (
    AgentEnrol,
    EngagementCreate,
    ModulePublish,
    Question,
    ScreeningAttest,
    SignRequest,
    SiteCreate,
    StateChange,
    SubcontractorDecide,
    SubcontractorPropose,
    TemplatePublish,
    WorkstationAnswers,
)
from outguard.engagements.service import (
    agreements,
    engagements,
    roster,
    training,
    workstation,
)
from outguard.errors import NotFoundError
from outguard.types import Actor, RequestContext

DEMO_CONTEXT = RequestContext(ip="127.0.0.1", user_agent="outguard demo")

TEXTS: dict[AgreementKind, tuple[str, str]] = {
    AgreementKind.VENDOR_NDA: (
        "Mutual non-disclosure agreement",
        (
            "The vendor keeps confidential all information the client shares through outguard, "
            "uses it only to perform the agreed services, discloses it to no one except its "
            "enrolled agents and sub-contractors the client has approved in writing, and returns "
            "or destroys it at the end of the engagement. Obligations survive for five years."
        ),
    ),
    AgreementKind.DPA: (
        "Data-processing terms",
        (
            "The vendor processes personal data only on the client's documented instructions, "
            "within the countries listed in the engagement; ensures every person processing it is "
            "bound by confidentiality; applies the security measures of the outguard BPO Baseline; "
            "engages no sub-processor without the client's prior approval; notifies the client of "
            "a personal-data breach within the engagement's notification window; and deletes or "
            "returns all personal data at the end of the services."
        ),
    ),
    AgreementKind.AGENT_NDA: (
        "Agent confidentiality undertaking",
        (
            "I will keep confidential everything I see of the client's business and its customers. "
            "I will use it only for the work assigned to me, reach it only through outguard, not "
            "copy, photograph, print or take it home, and report any loss at once. This undertaking "
            "continues after my assignment ends."
        ),
    ),
    AgreementKind.AUP: (
        "Acceptable use of client data",
        (
            "No personal phones or storage devices at my workstation while client data is open; "
            "no photos of screens; a clean desk; my screen locks when I step away; I sign in only "
            "from my office network with my own account and second factor."
        ),
    ),
    AgreementKind.NON_SOLICIT: (
        "Non-solicitation undertaking",
        (
            "During my assignment and for twelve months after it ends, I will not solicit the "
            "client's customers or employees using anything I learned through this work."
        ),
    ),
}

MODULE = ModulePublish(
    title="Handling client data at Maple Street",
    content=(
        "Customer files contain names, Social Security numbers, card and bank numbers. "
        "Work on them only inside outguard, from your office network. Never e-mail a file, "
        "copy it to a USB stick or a personal cloud, or photograph a screen. Tokens such as "
        "SSN 7xx-xx-xxxx are not real numbers: work with them as they are. If you see "
        "something that looks like a real SSN or card number outside its column, or you "
        "suspect a file has leaked, tell your supervisor and the client's security officer "
        "at once. Phishing: outguard never asks for your password by e-mail."
    ),
    questions=[
        Question(
            question="Where may you work on the client's files?",
            options=[
                "Anywhere with Wi-Fi",
                "Only inside outguard, from the office network",
                "On a USB stick",
            ],
            answer=1,
        ),
        Question(
            question="A colleague asks you to e-mail a spreadsheet. You…",
            options=[
                "E-mail it",
                "Refuse: files stay inside outguard",
                "Send a photo of it",
            ],
            answer=1,
        ),
        Question(
            question="You spot what looks like a real SSN in a notes column. You…",
            options=[
                "Ignore it",
                "Tell your supervisor and the client's security officer",
                "Copy it down",
            ],
            answer=1,
        ),
        Question(
            question="An e-mail asks for your outguard password. You…",
            options=[
                "Reply with it",
                "Report it as phishing",
                "Forward it to a colleague",
            ],
            answer=1,
        ),
    ],
    pass_mark=75,
    valid_days=365,
)


def _as(user: User, session: Session) -> Actor:
    org = orgs.org_unscoped(session, user.org_id)
    if org is None:
        raise NotFoundError("Organisation not found.")
    return actor_for(user, org, DEMO_CONTEXT)


def _person(session: Session, email: str) -> User:
    return users.find_user_for_operator(session, Actor.system("demo"), email)


def _sign_all(
    session: Session,
    user: User,
    kinds: list[AgreementKind],
    ids: dict[AgreementKind, uuid.UUID],
    deps: AccountsDeps,
    engagement: Engagement | None = None,
) -> None:
    actor = _as(user, session)
    for kind in kinds:
        agreements.sign(
            session,
            actor,
            SignRequest(
                template_id=ids[kind],
                typed_name=user.display_name,
                agree=True,
                password=DEMO_PASSWORD,
                engagement_id=engagement.id if engagement else None,
            ),
            deps=deps,
        )


def seed_engagement_demo(session: Session, *, deps: AccountsDeps) -> Engagement:
    clock = deps.clock
    today = clock.now().date()
    owner = _person(session, "owner@maple.example")
    vadmin = _person(session, "admin@northwind.example")
    asha = _person(session, "agent1@northwind.example")
    ben = _person(session, "agent2@northwind.example")
    hugo = _person(session, "agent@harbor.example")
    owner_actor, vendor_actor = _as(owner, session), _as(vadmin, session)
    engagement = engagements.create_engagement(
        session,
        owner_actor,
        EngagementCreate(
            vendor_org_id=vadmin.org_id,
            name="Monthly bookkeeping and payroll",
            purpose="Reconcile bank and card statements, post invoices, and prepare the "
            "monthly payroll run for Maple Street's customers.",
            work_kinds=["bookkeeping", "accounts_payable", "payroll"],
            data_categories=["PERSON", "ADDRESS", "EMAIL", "PHONE", "BANK_ACCOUNT"],
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=335),
            vendor_country="IN",
            processing_countries=["IN", "PH"],
            timezone="Asia/Kolkata",
            work_days=[0, 1, 2, 3, 4, 5],
            work_start="06:00",
            work_end="22:00",
            off_hours="flag",
            contacts=[
                {"name": "Olivia Owner", "role": "Client owner", "email": owner.email},
                {
                    "name": "Victor Vendor-Admin",
                    "role": "Vendor security lead",
                    "email": vadmin.email,
                },
            ],
        ),
        clock=clock,
    )
    ids: dict[AgreementKind, uuid.UUID] = {}
    for kind, (title, body) in TEXTS.items():
        ids[kind] = agreements.publish_template(
            session,
            owner_actor,
            TemplatePublish(kind=kind, title=title, body=body),
            clock=clock,
        ).id
    module = training.publish_module(session, owner_actor, MODULE, clock=clock)
    engagements.change_state(
        session,
        owner_actor,
        engagement.id,
        StateChange(action="activate", reason="Agreements executed; vendor approved."),
        clock=clock,
    )
    pune = roster.register_site(
        session,
        vendor_actor,
        SiteCreate(
            org_id=vadmin.org_id,
            name="Pune delivery centre",
            country="IN",
            networks=["127.0.0.0/8", "::1/128", "203.0.113.0/24"],
        ),
        clock=clock,
    )
    _sign_all(
        session,
        vadmin,
        [AgreementKind.VENDOR_NDA, AgreementKind.DPA],
        ids,
        deps,
        engagement,
    )
    proposal = roster.propose_subcontractor(
        session,
        vendor_actor,
        engagement.id,
        SubcontractorPropose(
            sub_org_id=hugo.org_id, scope="Overflow payroll data entry at month end."
        ),
        clock=clock,
    )
    roster.decide_subcontractor(
        session,
        owner_actor,
        engagement.id,
        proposal.id,
        SubcontractorDecide(
            decision=ApprovalState.APPROVED, note="Due diligence complete."
        ),
        clock=clock,
    )
    manila = roster.register_site(
        session,
        _as(_person(session, "admin@harbor.example"), session),
        SiteCreate(
            org_id=hugo.org_id,
            name="Manila floor",
            country="PH",
            networks=["127.0.0.0/8", "::1/128"],
        ),
        clock=clock,
    )
    agent_kinds = [
        AgreementKind.AGENT_NDA,
        AgreementKind.AUP,
        AgreementKind.NON_SOLICIT,
    ]
    for agent, site, trained in (
        (asha, pune, True),
        (ben, pune, False),
        (hugo, manila, True),
    ):
        roster.enrol_agent(
            session,
            vendor_actor,
            engagement.id,
            AgentEnrol(
                user_id=agent.id,
                role_title="Bookkeeping associate",
                site_id=site.id,
                starts_on=today - timedelta(days=20),
            ),
            clock=clock,
        )
        roster.attest_screening(
            session,
            vendor_actor,
            engagement.id,
            agent.id,
            ScreeningAttest(
                checks=["identity", "criminal_record", "employment_history"],
                performed_on=today - timedelta(days=60),
            ),
            clock=clock,
        )
        _sign_all(session, agent, agent_kinds, ids, deps)
        agent_actor = _as(agent, session)
        workstation.self_attest(
            session,
            agent_actor,
            WorkstationAnswers(
                disk_encryption=True,
                firewall=True,
                antivirus=True,
                os_updates=True,
                removable_storage_blocked=True,
            ),
            clock=clock,
        )
        if trained:
            training.take_quiz(
                session,
                agent_actor,
                module.id,
                [q.answer for q in MODULE.questions],
                clock=clock,
            )
    roster.decide_subcontractor(
        session,
        owner_actor,
        engagement.id,
        proposal.id,
        SubcontractorDecide(
            decision=ApprovalState.REVOKED,
            note="Suspended pending review of the Manila floor audit.",
        ),
        clock=clock,
    )
    return engagement
