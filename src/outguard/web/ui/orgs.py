"""Organisations: the list, adding a vendor or sub-contractor, and one organisation's page."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from outguard.accounts.schemas import OrgCreate
from outguard.accounts.service import orgs, users
from outguard.db import Session
from outguard.errors import AlreadyExistsError, PermissionDeniedError
from outguard.types import Actor
from outguard.web.deps import CurrentSession, DbSession, Deps, PageActor
from outguard.web.rendering import redirect, render
from outguard.web.ui.forms import domain_form_error, field_errors, form_error

router = APIRouter()


def _list_context(session: Session, actor: Actor) -> dict[str, Any]:
    visible = orgs.list_orgs(session, actor)
    names = {o.id: o.name for o in visible}
    return {
        "active": "orgs",
        "orgs": visible,
        "parent_names": names,
        "creatable": orgs.creatable_kinds(session, actor),
        "form": {"name": "", "kind": ""},
    }


@router.get("/orgs")
def list_page(
    request: Request, session: DbSession, auth: CurrentSession, actor: PageActor
) -> Response:
    _ = auth
    return render(request, "orgs.html", _list_context(session, actor))


@router.post("/orgs")
def create(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
) -> Response:
    context = {**_list_context(session, actor), "form": {"name": name, "kind": kind}}
    try:
        data = OrgCreate.model_validate(
            {"name": name, "kind": kind, "parent_id": auth.org.id}
        )
    except ValidationError as exc:
        raise form_error(
            request, "orgs.html", context, errors=field_errors(exc)
        ) from exc
    try:
        org = orgs.create_org(session, actor, data, clock=deps.clock)
    except AlreadyExistsError as exc:
        raise domain_form_error(request, "orgs.html", context, exc) from exc
    return redirect(request, f"/orgs/{org.id}", flash="org_created")


@router.get("/orgs/{org_id}")
def detail(
    request: Request,
    org_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
) -> Response:
    _ = auth
    org = orgs.get_org(session, actor, org_id)
    visible = orgs.list_orgs(session, actor)
    parent = next((o for o in visible if o.id == org.parent_id), None)
    try:
        people = users.directory(session, actor, org_id=org.id)
    except PermissionDeniedError:
        people = None
    return render(
        request,
        "org_detail.html",
        {
            "active": "orgs",
            "org": org,
            "parent": parent,
            "children": [o for o in visible if o.parent_id == org.id],
            "people": people,
        },
    )
