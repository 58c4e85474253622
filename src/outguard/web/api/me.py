"""`/api/v1/me`: who is calling."""

from __future__ import annotations

from fastapi import APIRouter

from outguard.accounts.schemas import MeRead, OrgRead, UserRead
from outguard.accounts.service import users
from outguard.web.deps import ApiActor, DbSession

router = APIRouter(tags=["me"])


@router.get("/me", response_model=MeRead)
def read_me(session: DbSession, actor: ApiActor) -> MeRead:
    me = users.whoami(session, actor)
    return MeRead(
        user=UserRead.model_validate(me.user),
        organization=OrgRead.model_validate(me.organization),
        permissions=sorted(me.permissions),
    )
