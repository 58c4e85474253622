"""Pages where people meet the engagement's preconditions.

The agent's checklist, agreement texts and signing (with a receipt), training and quizzes,
the workstation check, the vendor's sites, and the gated workspace of an engagement.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from outguard.accounts.service import orgs
from outguard.db import Session
from outguard.engagements.models import AgreementKind
from outguard.engagements.schemas import (
    SCREENING_CHECKS,
    WORKSTATION_CHECKS,
    ModulePublish,
    SignRequest,
    SiteCreate,
    TemplatePublish,
    WorkstationAnswers,
)
from outguard.engagements.service import (
    agreements,
    engagements,
    gate,
    roster,
    training,
    workstation,
)
from outguard.errors import OutguardError, PermissionDeniedError
from outguard.security.permissions import Permission, permissions_for
from outguard.shares.workspace import my_shares
from outguard.types import Actor, OrgKind
from outguard.web.deps import CurrentSession, DataDeps, DbSession, Deps, PageActor
from outguard.web.rendering import redirect, render
from outguard.web.ui.forms import domain_form_error, field_errors, form_error

router = APIRouter()

KIND_LABELS = {
    AgreementKind.VENDOR_NDA.value: "Client–vendor NDA (signed by the vendor)",
    AgreementKind.DPA.value: "Data-processing terms (signed by the vendor)",
    AgreementKind.AGENT_NDA.value: "Agent confidentiality undertaking",
    AgreementKind.NON_SOLICIT.value: "Agent non-solicitation undertaking",
    AgreementKind.AUP.value: "Acceptable-use acknowledgement",
}
# Where an agent fixes each kind of check.
FIX_LINKS = {
    "agreement": "/agreements",
    "training": "/training",
    "workstation": "/workstation",
    "mfa": "/account",
}


# ---------------------------------------------------------------- checklist and workspace
@router.get("/checklist")
def checklist(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    _ = auth
    items = gate.checklist(session, actor, clock=deps.clock)
    return render(
        request,
        "checklist.html",
        {"active": "checklist", "items": items, "fix_links": FIX_LINKS},
    )


@router.get("/work/{engagement_id}")
def workspace(
    request: Request,
    engagement_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    data_deps: DataDeps,
) -> Response:
    """The engagement's workspace: every visit goes through the gate (and is audited)."""
    _ = auth
    engagement = engagements.get_engagement(session, actor, engagement_id)
    result = gate.enforce(session, actor, engagement.id, clock=deps.clock)
    # A refusal is a page, not an exception: the `access:denied` event must commit.
    return render(
        request,
        "work.html",
        {
            "active": "checklist",
            "e": engagement,
            "result": result,
            "fix_links": FIX_LINKS,
            "shares": my_shares(session, actor, engagement.id, deps=data_deps)
            if result.allowed
            else [],
        },
        status_code=200 if result.allowed else 403,
    )


# ---------------------------------------------------------------- agreements
def _agreements_context(session: Session, actor: Actor) -> dict[str, Any]:
    mine = {(s.kind, s.version) for s in agreements.my_signatures(session, actor)}
    return {
        "active": "agreements",
        "current": agreements.current_templates(session, actor),
        "history": agreements.list_templates(session, actor),
        "signatures": agreements.my_signatures(session, actor),
        "signed": mine,
        "kinds": KIND_LABELS,
        "can_publish": Permission.ENGAGEMENTS_MANAGE in permissions_for(actor.roles)
        and actor.org_kind is OrgKind.CLIENT,
        "form": {"kind": "", "title": "", "body": "", "resign_days": "30"},
    }


@router.get("/agreements")
def agreements_page(
    request: Request, session: DbSession, auth: CurrentSession, actor: PageActor
) -> Response:
    _ = auth
    return render(request, "agreements.html", _agreements_context(session, actor))


@router.post("/agreements")
def publish_agreement(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    kind: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    resign_days: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    context = _agreements_context(session, actor)
    context["form"] = {
        "kind": kind,
        "title": title,
        "body": body,
        "resign_days": resign_days,
    }
    try:
        data = TemplatePublish.model_validate(
            {
                "kind": kind,
                "title": title,
                "body": body,
                "resign_days": resign_days or None,
            }
        )
    except ValidationError as exc:
        raise form_error(
            request, "agreements.html", context, errors=field_errors(exc)
        ) from exc
    try:
        agreements.publish_template(session, actor, data, clock=deps.clock)
    except OutguardError as exc:
        raise domain_form_error(request, "agreements.html", context, exc) from exc
    return redirect(request, "/agreements", flash="agreement_published")


def _agreement_context(
    session: Session, actor: Actor, template_id: uuid.UUID
) -> dict[str, Any]:
    template = agreements.get_template(session, actor, template_id)
    current = {t.id for t in agreements.current_templates(session, actor)}
    vendor_level = AgreementKind(template.kind).is_vendor_level
    signable_engagements = [
        e
        for e in engagements.list_engagements(session, actor)
        if vendor_level
        and e.vendor_org_id == actor.org_id
        and e.client_org_id == template.client_org_id
    ]
    perms = permissions_for(actor.roles)
    can_sign = template.id in current and (
        (
            vendor_level
            and Permission.ROSTER_MANAGE in perms
            and bool(signable_engagements)
        )
        or (not vendor_level and Permission.COMPLIANCE_SELF in perms)
    )
    already = any(
        s.template_id == template.id and s.engagement_id is None
        for s in agreements.my_signatures(session, actor)
    )
    return {
        "active": "agreements",
        "t": template,
        "kind_label": KIND_LABELS.get(template.kind, template.kind),
        "is_current": template.id in current,
        "can_sign": can_sign and not (already and not vendor_level),
        "already": already and not vendor_level,
        "vendor_level": vendor_level,
        "engagements": signable_engagements,
        "form": {"typed_name": ""},
    }


@router.get("/agreements/{template_id}")
def agreement_page(
    request: Request,
    template_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
) -> Response:
    _ = auth
    return render(
        request, "agreement.html", _agreement_context(session, actor, template_id)
    )


@router.post("/agreements/{template_id}/sign")
def sign_agreement(
    request: Request,
    template_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    typed_name: Annotated[str, Form()] = "",
    agree: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    engagement_id: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    context = _agreement_context(session, actor, template_id)
    context["form"] = {"typed_name": typed_name}
    try:
        data = SignRequest.model_validate(
            {
                "template_id": template_id,
                "typed_name": typed_name,
                "agree": agree == "yes",
                "password": password,
                "engagement_id": engagement_id or None,
            }
        )
    except ValidationError as exc:
        raise form_error(
            request, "agreement.html", context, errors=field_errors(exc)
        ) from exc
    try:
        signature = agreements.sign(session, actor, data, deps=deps)
    except OutguardError as exc:
        raise domain_form_error(request, "agreement.html", context, exc) from exc
    return redirect(request, f"/signatures/{signature.id}", flash="agreement_signed")


@router.get("/signatures/{signature_id}")
def receipt(
    request: Request,
    signature_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
) -> Response:
    _ = auth
    found = agreements.receipt(session, actor, signature_id)
    return render(
        request,
        "receipt.html",
        {
            "active": "agreements",
            "r": found,
            "kind_label": KIND_LABELS.get(found.template.kind),
        },
    )


# ---------------------------------------------------------------- training
def _training_context(session: Session, actor: Actor) -> dict[str, Any]:
    results = training.my_results(session, actor)
    best: dict[uuid.UUID, Any] = {}
    for r in results:
        if r.passed and (
            r.module_id not in best or r.expires_at > best[r.module_id].expires_at
        ):
            best[r.module_id] = r
    return {
        "active": "training",
        "modules": training.list_modules(session, actor),
        "passed": best,
        "results": results[:20],
        "can_publish": Permission.ENGAGEMENTS_MANAGE in permissions_for(actor.roles)
        and actor.org_kind is OrgKind.CLIENT,
        "can_take": Permission.COMPLIANCE_SELF in permissions_for(actor.roles),
        "form": {
            "title": "",
            "content": "",
            "questions": "",
            "pass_mark": "80",
            "valid_days": "365",
        },
    }


def parse_questions(text: str) -> list[dict[str, Any]]:
    """Questions typed as blocks: a question line, then options; the right one starts with `*`."""
    out = []
    for block in [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]:
        lines = [line.strip() for line in block.strip().split("\n") if line.strip()]
        options = [line.lstrip("*- ").strip() for line in lines[1:]]
        answers = [i for i, line in enumerate(lines[1:]) if line.startswith("*")]
        out.append(
            {
                "question": lines[0],
                "options": options,
                "answer": answers[0] if len(answers) == 1 else len(options) + 99,
            }
        )
    return out


@router.get("/training")
def training_page(
    request: Request, session: DbSession, auth: CurrentSession, actor: PageActor
) -> Response:
    _ = auth
    return render(request, "training.html", _training_context(session, actor))


@router.post("/training")
def publish_training(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    title: Annotated[str, Form()] = "",
    content: Annotated[str, Form()] = "",
    questions: Annotated[str, Form()] = "",
    pass_mark: Annotated[str, Form()] = "",
    valid_days: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    context = _training_context(session, actor)
    context["form"] = {
        "title": title,
        "content": content,
        "questions": questions,
        "pass_mark": pass_mark,
        "valid_days": valid_days,
    }
    try:
        data = ModulePublish.model_validate(
            {
                "title": title,
                "content": content,
                "questions": parse_questions(questions),
                "pass_mark": pass_mark or 80,
                "valid_days": valid_days or 365,
            }
        )
    except ValidationError as exc:
        raise form_error(
            request, "training.html", context, errors=field_errors(exc)
        ) from exc
    try:
        training.publish_module(session, actor, data, clock=deps.clock)
    except OutguardError as exc:
        raise domain_form_error(request, "training.html", context, exc) from exc
    return redirect(request, "/training", flash="training_published")


@router.get("/training/{module_id}")
def module_page(
    request: Request,
    module_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
) -> Response:
    _ = auth
    module = training.get_module(session, actor, module_id)
    return render(
        request,
        "training_module.html",
        {
            "active": "training",
            "m": module,
            "chosen": {},
            "result": None,
            "can_publish": Permission.ENGAGEMENTS_MANAGE in permissions_for(actor.roles)
            and actor.org_id == module.client_org_id,
        },
    )


@router.post("/training/{module_id}/retake")
def require_retake(
    request: Request,
    module_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    _ = auth
    training.require_retake(session, actor, module_id, clock=deps.clock)
    return redirect(request, f"/training/{module_id}", flash="retake_required")


@router.post("/training/{module_id}")
async def take_quiz(
    request: Request,
    module_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    _ = auth
    module = training.get_module(session, actor, module_id)
    raw = await request.form()
    answers: list[int | None] = []
    for i in range(len(module.questions)):
        value = str(raw.get(f"q{i}", ""))
        answers.append(int(value) if value.isdigit() else None)
    context = {
        "active": "training",
        "m": module,
        "chosen": dict(enumerate(answers)),
        "result": None,
    }
    try:
        result = training.take_quiz(
            session, actor, module.id, answers, clock=deps.clock
        )
    except OutguardError as exc:
        raise domain_form_error(request, "training_module.html", context, exc) from exc
    context["result"] = result
    return render(request, "training_module.html", context)


# ---------------------------------------------------------------- workstation
def _workstation_context(session: Session, actor: Actor) -> dict[str, Any]:
    return {
        "active": "workstation",
        "latest": workstation.latest(session, actor),
        "checks": WORKSTATION_CHECKS,
        "form": {"result": ""},
    }


@router.get("/workstation")
def workstation_page(
    request: Request, session: DbSession, auth: CurrentSession, actor: PageActor
) -> Response:
    _ = auth
    return render(request, "workstation.html", _workstation_context(session, actor))


@router.get("/workstation/check.py")
def workstation_script(
    session: DbSession, auth: CurrentSession, actor: PageActor, deps: Deps
) -> Response:
    _ = auth, session
    script = workstation.script_for(actor, deps=deps)
    return Response(
        script,
        media_type="text/x-python; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="outguard-workstation-check.py"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/workstation/result")
def workstation_result(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    result: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    context = _workstation_context(session, actor)
    try:
        workstation.submit_script_result(session, actor, result, deps=deps)
    except OutguardError as exc:
        raise domain_form_error(request, "workstation.html", context, exc) from exc
    return redirect(request, "/workstation", flash="workstation_recorded")


@router.post("/workstation/self")
async def workstation_self(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    _ = auth
    raw = await request.form()
    answers = WorkstationAnswers.model_validate(
        {name: raw.get(name) == "yes" for name in WORKSTATION_CHECKS}
    )
    context = _workstation_context(session, actor)
    try:
        workstation.self_attest(session, actor, answers, clock=deps.clock)
    except OutguardError as exc:
        raise domain_form_error(request, "workstation.html", context, exc) from exc
    return redirect(request, "/workstation", flash="workstation_recorded")


# ---------------------------------------------------------------- sites
def _sites_context(session: Session, actor: Actor) -> dict[str, Any]:
    if Permission.ROSTER_MANAGE not in permissions_for(actor.roles):
        raise PermissionDeniedError("Sites are managed by the vendor's administrator.")
    managed = [
        o
        for o in orgs.list_orgs(session, actor)
        if o.id == actor.org_id
        or (o.kind == OrgKind.SUBCONTRACTOR and o.parent_id == actor.org_id)
    ]
    managed = [o for o in managed if o.kind != OrgKind.CLIENT]
    names = {o.id: o.name for o in managed}
    return {
        "active": "sites",
        "orgs": managed,
        "names": names,
        "sites": roster.list_sites(session, actor, [o.id for o in managed]),
        "form": {
            "org_id": str(actor.org_id),
            "name": "",
            "country": "",
            "networks": "",
        },
        "screening_checks": SCREENING_CHECKS,
    }


@router.get("/sites")
def sites_page(
    request: Request, session: DbSession, auth: CurrentSession, actor: PageActor
) -> Response:
    _ = auth
    return render(request, "sites.html", _sites_context(session, actor))


@router.post("/sites")
def register_site(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    org_id: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
    networks: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    context = _sites_context(session, actor)
    context["form"] = {
        "org_id": org_id,
        "name": name,
        "country": country,
        "networks": networks,
    }
    try:
        data = SiteCreate.model_validate(
            {
                "org_id": org_id or None,
                "name": name,
                "country": country,
                "networks": [
                    n for n in networks.replace(",", "\n").split("\n") if n.strip()
                ],
            }
        )
    except ValidationError as exc:
        raise form_error(
            request, "sites.html", context, errors=field_errors(exc)
        ) from exc
    try:
        roster.register_site(session, actor, data, clock=deps.clock)
    except OutguardError as exc:
        raise domain_form_error(request, "sites.html", context, exc) from exc
    return redirect(request, "/sites", flash="site_registered")
