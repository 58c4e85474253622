"""A fully compliant agent on an active engagement, built through the services.

Each gate test takes one precondition away and checks the gate refuses, naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from outguard.accounts.service import actor_for
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
from outguard.types import Actor, RequestContext
from tests.factories.accounts import TEST_PASSWORD

OFFICE = "203.0.113.0/24"
OFFICE_IP = "203.0.113.7"
HOME_IP = "198.51.100.9"
QUESTIONS = [
    Question(question="Where do files stay?", options=["USB", "outguard"], answer=1),
    Question(question="Phishing e-mail?", options=["Report", "Reply"], answer=0),
]


@dataclass
class Setup:
    world: object
    engagement: Engagement
    module_id: object
    templates: dict[AgreementKind, object]
    deps: object

    def actor(self, name: str, ip: str = OFFICE_IP) -> Actor:
        w = self.world
        user = w.people[name]
        org = {o.id: o for o in (w.client, w.vendor, w.sub, w.other)}[user.org_id]
        return actor_for(user, org, RequestContext(ip=ip, user_agent="pytest"))

    def sign(self, name: str, kind: AgreementKind, template_id=None) -> None:
        agreements.sign(
            self.world_session,
            self.actor(name),
            SignRequest(
                template_id=template_id or self.templates[kind],
                typed_name=name.title(),
                agree=True,
                password=TEST_PASSWORD,
                engagement_id=self.engagement.id if kind.is_vendor_level else None,
            ),
            deps=self.deps,
        )

    def comply(self, name: str, *, site_id=None) -> None:
        """Everything an agent needs: enrolment, screening, agreements, training, workstation."""
        s = self.world_session
        vendor = self.actor("vadmin")
        roster.enrol_agent(
            s,
            vendor,
            self.engagement.id,
            AgentEnrol(
                user_id=self.world.people[name].id,
                role_title="Associate",
                site_id=site_id,
                starts_on=self.engagement.starts_on,
            ),
            clock=self.deps.clock,
        )
        roster.attest_screening(
            s,
            vendor,
            self.engagement.id,
            self.world.people[name].id,
            ScreeningAttest(checks=["identity"], performed_on=date(2026, 10, 1)),
            clock=self.deps.clock,
        )
        for kind in (AgreementKind.AGENT_NDA, AgreementKind.AUP):
            self.sign(name, kind)
        me = self.actor(name)
        training.take_quiz(s, me, self.module_id, [1, 0], clock=self.deps.clock)
        workstation.self_attest(
            s,
            me,
            WorkstationAnswers(
                disk_encryption=True,
                firewall=True,
                antivirus=True,
                os_updates=True,
                removable_storage_blocked=True,
            ),
            clock=self.deps.clock,
        )


@pytest.fixture
def setup(db_session, world, deps) -> Setup:
    clock = deps.clock
    owner = actor_for(
        world.people["owner"],
        world.client,
        RequestContext(ip="127.0.0.1", user_agent="pytest"),
    )
    engagement = engagements.create_engagement(
        db_session,
        owner,
        EngagementCreate(
            vendor_org_id=world.vendor.id,
            name="Payroll 2027",
            purpose="Monthly payroll for the client's customers.",
            work_kinds=["payroll"],
            data_categories=["PERSON", "EMAIL"],
            starts_on=clock.now().date() - timedelta(days=10),
            ends_on=clock.now().date() + timedelta(days=200),
            vendor_country="IN",
            processing_countries=["IN"],
            timezone="UTC",
            work_days=[0, 1, 2, 3, 4],
            work_start="08:00",
            work_end="18:00",
        ),
        clock=clock,
    )
    templates = {
        kind: agreements.publish_template(
            db_session,
            owner,
            TemplatePublish(
                kind=kind, title=f"{kind} text", body=f"The {kind} terms, long enough."
            ),
            clock=clock,
        ).id
        for kind in (
            AgreementKind.VENDOR_NDA,
            AgreementKind.DPA,
            AgreementKind.AGENT_NDA,
            AgreementKind.AUP,
        )
    }
    module = training.publish_module(
        db_session,
        owner,
        ModulePublish(
            title="Handling data",
            content="Keep files inside outguard; report phishing.",
            questions=QUESTIONS,
            pass_mark=100,
            valid_days=60,
        ),
        clock=clock,
    )
    engagements.change_state(
        db_session,
        owner,
        engagement.id,
        StateChange(action="activate", reason="Ready to go"),
        clock=clock,
    )
    s = Setup(world, engagement, module.id, templates, deps)
    s.world_session = db_session
    vendor = s.actor("vadmin")
    roster.register_site(
        db_session,
        vendor,
        SiteCreate(
            org_id=world.vendor.id, name="Pune", country="IN", networks=[OFFICE]
        ),
        clock=clock,
    )
    for kind in (AgreementKind.VENDOR_NDA, AgreementKind.DPA):
        s.sign("vadmin", kind)
    s.comply("agent")
    return s


def approve_sub(s: Setup) -> object:
    w = s.world
    proposal = roster.propose_subcontractor(
        s.world_session,
        s.actor("vadmin"),
        s.engagement.id,
        SubcontractorPropose(sub_org_id=w.sub.id, scope="Overflow data entry"),
        clock=s.deps.clock,
    )
    roster.decide_subcontractor(
        s.world_session,
        s.actor("owner"),
        s.engagement.id,
        proposal.id,
        SubcontractorDecide(decision=ApprovalState.APPROVED, note="Checked"),
        clock=s.deps.clock,
    )
    return proposal
