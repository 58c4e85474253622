"""All SQL of renditions: recipients, renditions, their fingerprint sets."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from outguard.renditions.models import Recipient, Rendition, RenditionMark


class RenditionRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def recipient(self, tenant: str, name: str) -> Recipient | None:
        return self._s.get(Recipient, (tenant, name))

    def recipients(self, tenant: str) -> list[Recipient]:
        stmt = (
            select(Recipient).where(Recipient.tenant == tenant).order_by(Recipient.name)
        )
        return list(self._s.execute(stmt).scalars())

    def add(self, obj: Recipient | Rendition | RenditionMark) -> None:
        self._s.add(obj)
        self._s.flush()

    def renditions(self, tenant: str, recipient: str | None = None) -> list[Rendition]:
        stmt = select(Rendition).where(Rendition.tenant == tenant)
        if recipient is not None:
            stmt = stmt.where(Rendition.recipient == recipient)
        return list(
            self._s.execute(stmt.order_by(Rendition.created_at, Rendition.id)).scalars()
        )

    def marks(self, rendition_ids: list[str]) -> list[RenditionMark]:
        out: list[RenditionMark] = []
        for start in range(0, len(rendition_ids), 500):
            chunk = rendition_ids[start : start + 500]
            stmt = select(RenditionMark).where(RenditionMark.rendition_id.in_(chunk))
            out.extend(self._s.execute(stmt).scalars())
        return out
