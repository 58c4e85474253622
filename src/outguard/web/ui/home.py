"""The overview page: who am I, my organisation, what to do next."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from outguard.accounts.service import mfa, orgs, tokens, users
from outguard.errors import PermissionDeniedError
from outguard.security.permissions import Permission, permissions_for
from outguard.web.deps import CurrentSession, DbSession, PageActor
from outguard.web.rendering import render

router = APIRouter()


@router.get("/")
def dashboard(
    request: Request, session: DbSession, auth: CurrentSession, actor: PageActor
) -> Response:
    perms = permissions_for(actor.roles)
    visible_orgs = orgs.list_orgs(session, actor)
    people = users.directory(session, actor) if Permission.USERS_READ in perms else []
    try:
        token_count = len(
            [t for t in tokens.list_tokens(session, actor) if t.revoked_at is None]
        )
    except PermissionDeniedError:
        token_count = None
    return render(
        request,
        "dashboard.html",
        {
            "active": "home",
            "user": auth.user,
            "org": auth.org,
            "roles": sorted(auth.user.role_set),
            "partners": [o for o in visible_orgs if o.id != auth.org.id],
            "people_count": len(people),
            "token_count": token_count,
            "creatable": orgs.creatable_kinds(session, actor),
            "recovery_left": mfa.unused_recovery_codes(session, auth.user)
            if auth.user.has_mfa
            else None,
        },
    )
