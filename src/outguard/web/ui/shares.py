"""Share pages: the owner shares a dataset version and follows each agent's copy.

The agent opens their copy in the viewer (a page of rows, watermarked) or downloads it if
allowed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from outguard.datasets.service import get_dataset, versions
from outguard.db import Session
from outguard.engagements.service import engagements
from outguard.errors import AuthenticationError, OutguardError
from outguard.protect.templates import template_names
from outguard.security.permissions import Permission, permissions_for
from outguard.shares.attest import (
    attest_deletion,
    attestations_of_share,
    pending_for_vendor,
    share_for_attestation,
)
from outguard.shares.certificate_pdf import certificate_pdf
from outguard.shares.certificates import key_sha256
from outguard.shares.choices import (
    candidates,
    preview_protection,
    shareable_engagements,
)
from outguard.shares.ending import certificate, certificate_file, certificates
from outguard.shares.returns import reidentified_file, reidentify_return, returns_of
from outguard.shares.revoking import revoke
from outguard.shares.service import (
    ShareCreate,
    create_share,
    get_share,
    render_progress,
)
from outguard.shares.workspace import open_rendition, page_of, record_access
from outguard.types import Actor
from outguard.web.deps import CurrentSession, DataDeps, DbSession, Deps, PageActor
from outguard.web.downloads import attachment, file_response
from outguard.web.rendering import redirect, render
from outguard.web.ui.forms import domain_form_error, field_errors, form_error

router = APIRouter()
_DEFAULT_POLICY = "bookkeeping"
_PROTECT = "protect_"


def _share_form_context(
    session: Session,
    actor: Actor,
    dataset_id: uuid.UUID,
    engagement_id: uuid.UUID | None,
    deps: Any,
    form: dict[str, Any],
) -> dict[str, Any]:
    dataset = get_dataset(session, actor, dataset_id)
    scanned = [v for v in versions(session, actor, dataset.id) if v.state == "scanned"]
    options = shareable_engagements(session, actor)
    chosen = next((e for e in options if e.id == engagement_id), None)
    if chosen is None and options:
        chosen = options[0]  # the chooser above the form shows which, and switches
    rows = candidates(session, actor, chosen.id, deps=deps) if chosen else []
    today = deps.clock.now().date()
    # The template for the engagement's first kind of work (payroll → payroll, ...).
    fitting = [
        k.replace("_", "-")
        for k in (chosen.work_kinds if chosen else [])
        if k.replace("_", "-") in template_names()
    ]
    template = str(form.get("policy") or (fitting[0] if fitting else _DEFAULT_POLICY))
    version = scanned[0] if scanned else None
    preview, preview_error = None, None
    if chosen is not None and version is not None:
        try:
            preview = preview_protection(
                session,
                actor,
                version_id=version.id,
                engagement_id=chosen.id,
                template=template,
                overrides=form.get("protection") or {},
                deps=deps,
            )
        except OutguardError as exc:
            preview_error = exc.message
    return {
        "active": "datasets",
        "d": dataset,
        "version": version,
        "engagements": options,
        "preview": preview,
        "preview_error": preview_error,
        "e": chosen,
        "agents": rows,
        "templates": template_names(),
        "form": {
            "policy": template,
            "protection": {},
            "purpose": "",
            "expires_on": min(
                today + timedelta(days=30), chosen.ends_on if chosen else today
            ).isoformat(),
            "agent_ids": [],
            "view_only_ids": [],
            **form,
        },
    }


@router.get("/datasets/{dataset_id}/share")
def share_page(
    request: Request,
    dataset_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
    engagement: uuid.UUID | None = None,
) -> Response:
    _ = auth
    return render(
        request,
        "share_new.html",
        _share_form_context(session, actor, dataset_id, engagement, deps, {}),
    )


@router.post("/datasets/{dataset_id}/share")
async def share_create(
    request: Request,
    dataset_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
) -> Response:
    _ = auth
    form = _share_form(await request.form())
    get_dataset(
        session, actor, dataset_id
    )  # the URL's dataset is one the actor may see

    def context() -> dict[
        str, Any
    ]:  # only to show the form again (it decrypts a preview)
        engagement_id = _uuid_or_none(form["engagement_id"])
        return _share_form_context(
            session, actor, dataset_id, engagement_id, deps, form
        )

    try:
        data = ShareCreate.model_validate(form)
    except ValidationError as exc:
        raise form_error(
            request, "share_new.html", context(), errors=field_errors(exc)
        ) from exc
    try:
        view = create_share(session, actor, data, deps=deps)
    except OutguardError as exc:
        raise domain_form_error(request, "share_new.html", context(), exc) from exc
    return redirect(request, f"/shares/{view.share.id}", flash="share_created")


def _share_form(raw: Any) -> dict[str, Any]:
    return {
        "engagement_id": raw.get("engagement_id") or None,
        "version_id": raw.get("version_id") or None,
        "policy": raw.get("policy") or "",
        # The owner's per-entity choices: `protect_<ENTITY>` selects on the form.
        "protection": {
            str(k).removeprefix(_PROTECT): str(v)
            for k, v in raw.multi_items()
            if str(k).startswith(_PROTECT) and v
        },
        "purpose": raw.get("purpose") or "",
        "expires_on": raw.get("expires_on") or None,
        "agent_ids": raw.getlist("agent_ids"),
        "view_only_ids": raw.getlist("view_only_ids"),
        "whole_team": raw.get("whole_team") == "on",
        "can_download": raw.get("can_download") == "on",
        "can_return": raw.get("can_return") == "on",
    }


def _uuid_or_none(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@router.post("/datasets/{dataset_id}/share/preview")
async def share_preview(
    request: Request,
    dataset_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
) -> Response:
    """The form again, previewing the chosen protection (the page's script: just that)."""
    _ = auth
    form = _share_form(await request.form())
    context = _share_form_context(
        session, actor, dataset_id, _uuid_or_none(form["engagement_id"]), deps, form
    )
    if request.headers.get("x-preview") == "fragment":
        return render(request, "_share_preview.html", context)
    return render(request, "share_new.html", context)


@router.get("/shares/{share_id}")
def share_detail(
    request: Request,
    share_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
) -> Response:
    _ = auth
    view = get_share(session, actor, share_id, deps=deps)
    rows = (
        {
            r.user.id: r
            for r in candidates(session, actor, view.share.engagement_id, deps=deps)
        }
        if view.share.client_org_id == actor.org_id and _can_manage(actor)
        else {}
    )
    return render(
        request,
        "share_detail.html",
        {
            "active": "datasets",
            "s": view.share,
            "recipients": view.recipients,
            # The copies being made: their render job's progress (the page refreshes).
            "progress": {r.id: render_progress(session, r) for r in view.recipients},
            "agents": rows,
            "dataset": get_dataset(session, actor, view.share.dataset_id),
            "engagement": engagements.get_engagement(
                session, actor, view.share.engagement_id
            ),
            "can_manage": _can_manage(actor),
            "can_reidentify": Permission.DATA_REIDENTIFY
            in permissions_for(actor.roles),
            "returns": returns_of(session, actor, view.share.id),
            "certificates": certificates(session, actor, view.share.id)[1],
            "attestations": attestations_of_share(session, actor, view.share.id),
        },
    )


def _can_manage(actor: Actor) -> bool:
    return Permission.DATA_PROTECT in permissions_for(actor.roles)


@router.post("/shares/{share_id}/revoke")
def share_revoke(
    request: Request,
    share_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
    reason: Annotated[str, Form()] = "",
    user_id: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    revoke(
        session,
        actor,
        share_id,
        reason=reason,
        deps=deps,
        user_id=uuid.UUID(user_id) if user_id else None,
    )
    return redirect(request, f"/shares/{share_id}", flash="share_revoked")


# ---------------------------------------------------------------- the agent's side
@router.get("/work/{engagement_id}/shares/{share_id}")
def viewer(
    request: Request,
    engagement_id: uuid.UUID,
    share_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
    page: int = 1,
    q: str = "",
) -> Response:
    """A page of the agent's copy, rendered here: the file itself is not sent to view it."""
    opened = open_rendition(session, actor, share_id, deps=deps, purpose="view")
    if opened.share.engagement_id != engagement_id:
        return redirect(
            request, f"/work/{opened.share.engagement_id}/shares/{share_id}"
        )
    if not opened.result.allowed:
        return _denied(request, session, actor, opened)
    shown = page_of(opened, page, query=q[:100])
    record_access(
        session,
        actor,
        opened,
        deps=deps,
        download=False,
        page=shown.number,
        rows=len(shown.rows),
    )
    return render(
        request,
        "viewer.html",
        {
            "active": "checklist",
            "s": opened.share,
            "r": opened.recipient,
            "page": shown,
            "q": q[:100],
            "returns": returns_of(session, actor, share_id)
            if opened.share.can_return
            else [],
            "watermark": f"{auth.user.display_name} · {actor.user_id} · "
            f"{deps.clock.now():%Y-%m-%d %H:%M UTC}",
            "engagement_id": engagement_id,
        },
        headers={"Cache-Control": "no-store"},
    )


def _denied(request: Request, session: Session, actor: Actor, opened: Any) -> Response:
    engagement = engagements.get_engagement(session, actor, opened.share.engagement_id)
    # A refusal is a page, not an exception: the `access:denied` event must commit.
    return render(
        request,
        "work.html",
        {
            "active": "checklist",
            "e": engagement,
            "result": opened.result,
            "fix_links": {},
        },
        status_code=403,
    )


@router.get("/work/{engagement_id}/shares/{share_id}/download")
def download(
    request: Request,
    engagement_id: uuid.UUID,
    share_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
) -> Response:
    _ = (auth, engagement_id)
    opened = open_rendition(session, actor, share_id, deps=deps, purpose="download")
    if not opened.result.allowed:
        return _denied(request, session, actor, opened)
    record_access(session, actor, opened, deps=deps, download=True)
    return attachment(opened)


@router.post("/shares/{share_id}/returns/{return_id}/reidentify")
def return_reidentify(
    request: Request,
    share_id: uuid.UUID,
    return_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
    accounts: Deps,
    password: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    try:
        reidentify_return(
            session,
            actor,
            share_id,
            return_id,
            password=password,
            deps=deps,
            accounts=accounts,
        )
    except AuthenticationError:
        # A mistyped password is not a lost session: say so, keep them signed in.
        return redirect(request, f"/shares/{share_id}", flash="password_not_correct")
    return redirect(request, f"/shares/{share_id}", flash="return_reidentified")


@router.get("/shares/{share_id}/returns/{return_id}/result")
def return_result(
    share_id: uuid.UUID,
    return_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
) -> Response:
    _ = auth
    row, data = reidentified_file(session, actor, share_id, return_id, deps=deps)
    return file_response(data, row.result_name or "reidentified.csv")


def _recipient_names(
    session: Session, actor: Actor, engagement_id: uuid.UUID, deps: Any
) -> dict[str, str]:
    """Agents' names for the owner's roles; others see ids only."""
    if not _can_manage(actor):
        return {}
    return {
        str(r.user.id): r.user.display_name
        for r in candidates(session, actor, engagement_id, deps=deps)
    }


@router.get("/shares/{share_id}/certificates/{certificate_id}")
def certificate_page(
    request: Request,
    share_id: uuid.UUID,
    certificate_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
) -> Response:
    _ = auth
    share, cert = certificate(session, actor, share_id, certificate_id)
    return render(
        request,
        "certificate.html",
        {
            "active": "datasets",
            "s": share,
            "c": cert,
            "names": _recipient_names(session, actor, share.engagement_id, deps),
            "key_sha256": key_sha256(deps.signer.public_key) if deps.signer else "",
        },
    )


@router.get("/shares/{share_id}/certificates/{certificate_id}/certificate.json")
def certificate_json_download(
    share_id: uuid.UUID,
    certificate_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
) -> Response:
    _ = auth
    _, cert, data = certificate_file(
        session, actor, share_id, certificate_id, deps=deps
    )
    return file_response(data, f"certificate-{cert.id.hex[:8]}.json")


@router.get("/shares/{share_id}/certificates/{certificate_id}/certificate.pdf")
def certificate_pdf_download(
    share_id: uuid.UUID,
    certificate_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: DataDeps,
) -> Response:
    _ = auth
    share, cert, data = certificate_file(
        session, actor, share_id, certificate_id, deps=deps
    )
    client = engagements.party_names(session, actor, share.engagement_id)["client"]
    pdf = certificate_pdf(
        data,
        client_name=client,
        names=_recipient_names(session, actor, share.engagement_id, deps),
    )
    return file_response(pdf, f"certificate-{cert.id.hex[:8]}.pdf")


# ---------------------------------------------------------------- the vendor's attestation
@router.get("/attestations")
def attestations_page(
    request: Request, session: DbSession, auth: CurrentSession, actor: PageActor
) -> Response:
    _ = auth
    pending = [
        (a, share)
        for a in pending_for_vendor(session, actor)
        if (share := share_for_attestation(session, a)) is not None
    ]
    return render(
        request, "attestations.html", {"active": "attestations", "pending": pending}
    )


@router.post("/attestations/{attestation_id}")
def attest(
    request: Request,
    attestation_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    accounts: Deps,
    typed_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    agree: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    try:
        attest_deletion(
            session,
            actor,
            attestation_id,
            typed_name=typed_name,
            agree=agree == "yes",
            password=password,
            accounts=accounts,
            clock=accounts.clock,
        )
    except AuthenticationError:
        return redirect(request, "/attestations", flash="password_not_correct_attest")
    return redirect(request, "/attestations", flash="deletion_attested")
