"""Leak response pages: hand in a found file, see whom it names, take the evidence away."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from outguard.audit.ledger import export_evidence
from outguard.errors import ConflictError, NotFoundError, PermissionDeniedError
from outguard.instance import InstanceNotInitialisedError
from outguard.instance.audit_keys import audit_signer, verifier_of
from outguard.security.permissions import Permission, permissions_for
from outguard.shares.leaks import get_leak, list_leaks
from outguard.web.deps import AppSettings, CurrentSession, DbSession, Deps, PageActor
from outguard.web.downloads import file_response
from outguard.web.rendering import render

router = APIRouter()


@router.get("/leaks")
def list_page(
    request: Request, session: DbSession, auth: CurrentSession, actor: PageActor
) -> Response:
    _ = auth
    return render(
        request,
        "leaks.html",
        {"active": "leaks", "traces": list_leaks(session, actor)},
    )


@router.get("/leaks/{trace_id}")
def detail_page(
    request: Request,
    trace_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
) -> Response:
    _ = auth
    row, suspects = get_leak(session, actor, trace_id)
    return render(
        request,
        "leak_detail.html",
        {
            "active": "leaks",
            "t": row,
            "suspects": suspects,
            "can_export": Permission.AUDIT_READ in permissions_for(actor.roles),
        },
    )


@router.get("/leaks/{trace_id}/evidence/{rendition_id}")
def evidence(
    trace_id: uuid.UUID,
    rendition_id: str,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    settings: AppSettings,
) -> Response:
    """The audit events of one copy, with inclusion proofs: verifies offline."""
    _ = auth
    if Permission.AUDIT_READ not in permissions_for(actor.roles):
        raise PermissionDeniedError(
            "Exporting evidence needs the audit-log permission."
        )
    _, suspects = get_leak(session, actor, trace_id)
    ours = {
        c.recipient.rendition_id
        for s in suspects
        for c in s.copies
        if c.recipient.rendition_id
    }
    if rendition_id not in ours:
        raise NotFoundError("No such copy in this trace.")
    try:
        signer, _ = audit_signer(settings)
    except InstanceNotInitialisedError:
        raise ConflictError(  # no server path in a page
            "This instance has no audit signing key yet: the operator runs "
            "`outguard init`."
        ) from None
    data, _count = export_evidence(
        session,
        signer,
        verifier_of(signer),
        clock=deps.clock,
        subject=f"rendition:{rendition_id}",
    )
    return file_response(data, f"evidence-{rendition_id[:12]}.zip")
