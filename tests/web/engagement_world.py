"""Engagement objects for the web tests: the client's active engagement with a compliant
agent ("own"), and another client's engagement ("other"), created lazily per test."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from outguard.accounts.schemas import OrgCreate
from outguard.accounts.service import orgs
from outguard.engagements.models import AgreementKind
from outguard.engagements.schemas import (
    AgentEnrol,
    EngagementCreate,
    ExceptionGrant,
    ModulePublish,
    Question,
    ScreeningAttest,
    SignRequest,
    SiteCreate,
    StateChange,
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
from outguard.engagements.service.workstation import canonical
from outguard.security.tokens import keyed_digest
from outguard.types import Actor, OrgKind, Role
from tests.factories.accounts import TEST_PASSWORD
from tests.web.harness import World

SYSTEM = Actor.system("tests")
KINDS = (
    AgreementKind.VENDOR_NDA,
    AgreementKind.DPA,
    AgreementKind.AGENT_NDA,
    AgreementKind.AUP,
)


def _cache(w: World) -> dict[str, Any]:
    return w.__dict__.setdefault("_engagements", {})


def _vendor_of(w: World, which: str) -> Any:
    if which == "own":
        return w.vendor
    cache = _cache(w)
    if "other_vendor" not in cache:
        cache["other_vendor"] = orgs.create_org(
            w.session,
            SYSTEM,
            OrgCreate(name="Other Vendor", kind=OrgKind.VENDOR, parent_id=w.other.id),
            clock=w.clock,
        )
    return cache["other_vendor"]


def _sub_of(w: World, which: str) -> Any:
    cache = _cache(w)
    key = f"sub_{which}"
    if key not in cache:
        cache[key] = orgs.create_org(
            w.session,
            SYSTEM,
            OrgCreate(
                name=f"Sub {which}",
                kind=OrgKind.SUBCONTRACTOR,
                parent_id=_vendor_of(w, which).id,
            ),
            clock=w.clock,
        )
    return cache[key]


def engagement(w: World, which: str) -> Any:
    cache = _cache(w)
    if which in cache:
        return cache[which]
    client = w.client if which == "own" else w.other
    today = w.clock.now().date()
    e = engagements.create_engagement(
        w.session,
        SYSTEM,
        EngagementCreate(
            vendor_org_id=_vendor_of(w, which).id,
            name=f"Bookkeeping {which}",
            purpose="Monthly bookkeeping work.",
            work_kinds=["bookkeeping"],
            starts_on=today - timedelta(days=5),
            ends_on=today + timedelta(days=300),
            vendor_country="IN",
            processing_countries=["IN"],
        ),
        clock=w.clock,
        client_org_id=client.id,
    )
    cache[which] = e
    templates = {
        kind: agreements.publish_template(
            w.session,
            SYSTEM,
            TemplatePublish(
                kind=kind, title=f"{kind} text", body=f"The {kind} terms, in full here."
            ),
            clock=w.clock,
            client_org_id=client.id,
        )
        for kind in KINDS
    }
    module = training.publish_module(
        w.session,
        SYSTEM,
        ModulePublish(
            title="Handling data",
            content="Keep files inside outguard at all times.",
            questions=[
                Question(question="Where?", options=["USB", "outguard"], answer=1)
            ],
        ),
        clock=w.clock,
        client_org_id=client.id,
    )
    cache[f"templates_{which}"] = templates
    cache[f"module_{which}"] = module
    engagements.change_state(
        w.session,
        SYSTEM,
        e.id,
        StateChange(action="activate", reason="Ready"),
        clock=w.clock,
    )
    if which == "own":
        _comply(w, e, templates, module)
    w.session.commit()  # a savepoint: later request rollbacks keep it
    return e


def _sign(w: World, name: str, template: Any, engagement_id: Any = None) -> Any:
    return agreements.sign(
        w.session,
        w.actor(name),
        SignRequest(
            template_id=template.id,
            typed_name=name,
            agree=True,
            password=TEST_PASSWORD,
            engagement_id=engagement_id,
        ),
        deps=w.deps,
    )


def _comply(w: World, e: Any, templates: dict[AgreementKind, Any], module: Any) -> None:
    roster.register_site(
        w.session,
        SYSTEM,
        SiteCreate(
            org_id=w.vendor.id, name="Pune", country="IN", networks=["127.0.0.0/8"]
        ),
        clock=w.clock,
    )
    for kind in (AgreementKind.VENDOR_NDA, AgreementKind.DPA):
        _sign(w, "vadmin", templates[kind], e.id)
    agent = w.people["agent"]
    roster.enrol_agent(
        w.session,
        SYSTEM,
        e.id,
        AgentEnrol(user_id=agent.id, role_title="Associate", starts_on=e.starts_on),
        clock=w.clock,
    )
    roster.attest_screening(
        w.session,
        SYSTEM,
        e.id,
        agent.id,
        ScreeningAttest(checks=["identity"], performed_on=e.starts_on),
        clock=w.clock,
    )
    for kind in (AgreementKind.AGENT_NDA, AgreementKind.AUP):
        _cache(w)["signature"] = _sign(w, "agent", templates[kind])
    training.take_quiz(w.session, w.actor("agent"), module.id, [1], clock=w.clock)
    workstation.self_attest(
        w.session,
        w.actor("agent"),
        WorkstationAnswers(
            disk_encryption=True,
            firewall=True,
            antivirus=True,
            os_updates=True,
            removable_storage_blocked=True,
        ),
        clock=w.clock,
    )


# ---------------------------------------------------------------- path/body builders
def eng(w: World, which: str) -> dict[str, Any]:
    return {"engagement_id": engagement(w, which).id}


def eng_agent(w: World, which: str) -> dict[str, Any]:
    e = engagement(w, which)
    return {"engagement_id": e.id, "user_id": w.people["agent"].id}


def eng_approval(w: World, which: str) -> dict[str, Any]:
    e = engagement(w, which)
    approval = roster.propose_subcontractor(
        w.session,
        SYSTEM,
        e.id,
        SubcontractorPropose(sub_org_id=_sub_of(w, which).id, scope="Data entry"),
        clock=w.clock,
    )
    w.session.commit()
    return {"engagement_id": e.id, "approval_id": approval.id}


def eng_exception(w: World, which: str) -> dict[str, Any]:
    e = engagement(w, which)
    x = roster.grant_exception(
        w.session,
        SYSTEM,
        e.id,
        ExceptionGrant(cidr="198.51.100.0/24", reason="Office move", days=2),
        clock=w.clock,
    )
    w.session.commit()
    return {"engagement_id": e.id, "exception_id": x.id}


def template(w: World, which: str) -> dict[str, Any]:
    """A text the agent has not signed yet (a non-solicitation undertaking)."""
    engagement(w, which)
    client = w.client if which == "own" else w.other
    t = agreements.publish_template(
        w.session,
        SYSTEM,
        TemplatePublish(
            kind=AgreementKind.NON_SOLICIT,
            title="Non-solicit",
            body="No soliciting customers, ever.",
        ),
        clock=w.clock,
        client_org_id=client.id,
    )
    w.session.commit()
    return {"template_id": t.id}


def module(w: World, which: str) -> dict[str, Any]:
    engagement(w, which)
    return {"module_id": _cache(w)[f"module_{which}"].id}


def signature(w: World, which: str) -> dict[str, Any]:
    engagement(w, "own")
    return {"signature_id": _cache(w)["signature"].id}


def new_engagement_body(w: World, which: str, *, form: bool = False) -> dict[str, Any]:
    today = w.clock.now().date()
    body: dict[str, Any] = {
        "vendor_org_id": str(_vendor_of(w, which).id),
        "name": "Payroll 2027",
        "purpose": "Monthly payroll work.",
        "work_kinds": ["payroll"],
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=100)),
        "vendor_country": "IN",
        "processing_countries": "IN" if form else ["IN"],
    }
    return body


def terms_form(w: World, which: str) -> dict[str, Any]:
    """The terms form as the browser posts it: the ticked boxes, a change and its reason."""
    e = engagement(w, which)
    return {
        "work_kinds": e.work_kinds,
        "data_categories": e.data_categories,
        "work_days": [str(d) for d in e.work_days],
        "breach_notice_hours": "36",
        "reason": "Amendment 2",
    }


def new_agent_body(w: World, which: str) -> dict[str, Any]:
    engagement(w, which)
    if "newagent" not in w.people:
        w.add_person("newagent", w.vendor, Role.AGENT, mfa_on=True)
    return {
        "user_id": str(w.people["newagent"].id),
        "role_title": "Associate",
        "starts_on": str(w.clock.now().date()),
    }


def sub_body(w: World, which: str) -> dict[str, Any]:
    return {"sub_org_id": str(_sub_of(w, which).id), "scope": "Month-end overflow"}


def script_result(w: World, which: str) -> dict[str, Any]:
    user = str(w.people["agent"].id)
    payload: dict[str, Any] = {
        "version": 1,
        "user": user,
        "checked_at": w.clock.now().isoformat(),
        "os": "Linux",
        "checks": dict.fromkeys(
            (
                "disk_encryption",
                "firewall",
                "antivirus",
                "os_updates",
                "removable_storage_blocked",
            ),
            True,
        ),
    }
    key = bytes.fromhex(w.deps.hasher.digest(user, purpose="workstation-check"))
    payload["signature"] = keyed_digest(key, canonical(payload))
    return {"result": json.dumps(payload)}
