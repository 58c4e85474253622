"""`/api/v1/orgs`: organisations visible to the caller; add a vendor or sub-contractor."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from outguard.accounts.schemas import OrgCreate, OrgRead
from outguard.accounts.service import orgs
from outguard.web.deps import ApiActor, DbSession, Deps

router = APIRouter(prefix="/orgs", tags=["organisations"])


@router.get("", response_model=list[OrgRead])
def list_orgs(session: DbSession, actor: ApiActor) -> list[OrgRead]:
    return [OrgRead.model_validate(o) for o in orgs.list_orgs(session, actor)]


@router.post("", response_model=OrgRead, status_code=status.HTTP_201_CREATED)
def create_org(
    data: OrgCreate, session: DbSession, actor: ApiActor, deps: Deps
) -> OrgRead:
    return OrgRead.model_validate(
        orgs.create_org(session, actor, data, clock=deps.clock)
    )


@router.get("/{org_id}", response_model=OrgRead)
def read_org(org_id: uuid.UUID, session: DbSession, actor: ApiActor) -> OrgRead:
    return OrgRead.model_validate(orgs.get_org(session, actor, org_id))
