"""The engagement's terms as a form: a new engagement, and changing the terms of one.

Registered before the engagement pages so that ``/engagements/new`` is not read as an id.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from outguard.accounts.service import orgs
from outguard.db import Session
from outguard.engagements.models import Engagement
from outguard.engagements.schemas import (
    WORK_KINDS,
    EngagementCreate,
    EngagementUpdate,
)
from outguard.engagements.service import engagements
from outguard.errors import OutguardError, PermissionDeniedError
from outguard.pii.entities import Entity
from outguard.security.permissions import Permission, permissions_for
from outguard.types import Actor, OrgKind
from outguard.web.deps import CurrentSession, DbSession, Deps, PageActor
from outguard.web.rendering import redirect, render
from outguard.web.ui.forms import domain_form_error, field_errors, form_error

router = APIRouter()

_TEMPLATE = "engagement_new.html"

_NEW_DEFAULTS: dict[str, Any] = {
    "name": "",
    "vendor_org_id": "",
    "purpose": "",
    "work_kinds": [],
    "data_categories": ["PERSON", "ADDRESS", "EMAIL", "PHONE"],
    "starts_on": "",
    "ends_on": "",
    "vendor_country": "",
    "processing_countries": "",
    "timezone": "UTC",
    "work_days": [0, 1, 2, 3, 4],
    "work_start": "08:00",
    "work_end": "18:00",
    "off_hours": "deny",
    "breach_notice_hours": "24",
    "return_terms": "Return or destroy all client data within 30 days of the end date.",
    "workstation_valid_days": "90",
    "reason": "",
}

_LISTS = frozenset({"work_kinds", "data_categories", "work_days"})


def _vendors(session: Session, actor: Actor) -> list[Any]:
    return [
        o
        for o in orgs.list_orgs(session, actor)
        if o.kind == OrgKind.VENDOR and o.parent_id == actor.org_id
    ]


def _context(
    session: Session,
    actor: Actor,
    form: dict[str, Any],
    engagement: Engagement | None = None,
) -> dict[str, Any]:
    return {
        "active": "engagements",
        "vendors": _vendors(session, actor) if engagement is None else [],
        "editing": engagement,
        "work_kinds": WORK_KINDS,
        "entities": [e.value for e in Entity],
        "form": form,
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    }


def _form_of(engagement: Engagement) -> dict[str, Any]:
    """The stored terms as the form shows them."""
    form = {
        key: getattr(engagement, key)
        for key in _NEW_DEFAULTS
        if key not in {"vendor_org_id", "reason"}
    }
    form["processing_countries"] = ", ".join(engagement.processing_countries)
    form["starts_on"] = engagement.starts_on.isoformat()
    form["ends_on"] = engagement.ends_on.isoformat()
    form["vendor_org_id"] = str(engagement.vendor_org_id)
    form["contacts"] = engagement.contacts
    form["reason"] = ""
    return form


def _read(raw: FormData, base: dict[str, Any]) -> dict[str, Any]:
    form: dict[str, Any] = {
        key: (raw.getlist(key) if key in _LISTS else raw.get(key))
        if key in raw or key in _LISTS
        else default
        for key, default in base.items()
        if key != "contacts"
    }
    form["work_days"] = form["work_days"] or _NEW_DEFAULTS["work_days"]
    return form


def _payload(form: dict[str, Any]) -> dict[str, Any]:
    return {
        **form,
        "processing_countries": [
            c.strip() for c in str(form["processing_countries"]).split(",") if c.strip()
        ],
        "vendor_org_id": form["vendor_org_id"] or None,
        "starts_on": form["starts_on"] or None,
        "ends_on": form["ends_on"] or None,
    }


def _require_manager(actor: Actor, message: str) -> None:
    if Permission.ENGAGEMENTS_MANAGE not in permissions_for(actor.roles):
        raise PermissionDeniedError(message)


@router.get("/engagements/new")
def new_page(
    request: Request, session: DbSession, auth: CurrentSession, actor: PageActor
) -> Response:
    _ = auth
    _require_manager(actor, "Only the client's owner creates engagements.")
    form = {**_NEW_DEFAULTS, "starts_on": date.today().isoformat()}  # noqa: DTZ011 - a form default
    return render(request, _TEMPLATE, _context(session, actor, form))


@router.post("/engagements")
async def create(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    _ = auth
    form = _read(await request.form(), _NEW_DEFAULTS)
    context = _context(session, actor, form)
    payload = {k: v for k, v in _payload(form).items() if k != "reason"}
    try:
        data = EngagementCreate.model_validate(payload)
    except ValidationError as exc:
        raise form_error(request, _TEMPLATE, context, errors=field_errors(exc)) from exc
    try:
        engagement = engagements.create_engagement(
            session, actor, data, clock=deps.clock
        )
    except OutguardError as exc:
        raise domain_form_error(request, _TEMPLATE, context, exc) from exc
    return redirect(
        request, f"/engagements/{engagement.id}", flash="engagement_created"
    )


@router.get("/engagements/{engagement_id}/edit")
def edit_page(
    request: Request,
    engagement_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
) -> Response:
    _ = auth
    engagement = engagements.get_engagement(session, actor, engagement_id)
    if not engagements.may_edit(actor, engagement):
        raise PermissionDeniedError(
            "Only the client's owner changes the terms of an engagement that has "
            "not ended."
        )
    return render(
        request, _TEMPLATE, _context(session, actor, _form_of(engagement), engagement)
    )


@router.post("/engagements/{engagement_id}/edit")
async def update(
    request: Request,
    engagement_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    _ = auth
    engagement = engagements.get_engagement(session, actor, engagement_id)
    stored = _form_of(engagement)
    form = _read(await request.form(), stored)
    form["contacts"] = stored["contacts"]
    context = _context(session, actor, form, engagement)
    payload = {
        k: v for k, v in _payload(form).items() if k in EngagementUpdate.model_fields
    }
    try:
        data = EngagementUpdate.model_validate(payload)
    except ValidationError as exc:
        raise form_error(request, _TEMPLATE, context, errors=field_errors(exc)) from exc
    try:
        engagements.update_engagement(
            session, actor, engagement.id, data, clock=deps.clock
        )
    except OutguardError as exc:
        raise domain_form_error(request, _TEMPLATE, context, exc) from exc
    return redirect(
        request, f"/engagements/{engagement.id}", flash="engagement_updated"
    )


__all__ = ["router"]
