"""All SQL of datasets. Reads are scoped by the service's policy checks."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outguard.datasets.models import Dataset, DatasetVersion
from outguard.errors import AlreadyExistsError


class DatasetRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_dataset(self, dataset: Dataset) -> Dataset:
        """Insert; a concurrent upload under the same name loses cleanly."""
        try:
            with self._session.begin_nested():
                self._session.add(dataset)
                self._session.flush()
        except IntegrityError:
            raise AlreadyExistsError(
                "A dataset with that name already exists: upload a new version of it."
            ) from None
        return dataset

    def add_version(self, version: DatasetVersion) -> DatasetVersion:
        self._session.add(version)
        self._session.flush()
        return version

    def dataset(
        self, dataset_id: uuid.UUID, *, for_update: bool = False
    ) -> Dataset | None:
        return self._session.get(
            Dataset,
            dataset_id,
            with_for_update=for_update,
            populate_existing=for_update,
        )

    def version(
        self, version_id: uuid.UUID, *, for_update: bool = False
    ) -> DatasetVersion | None:
        return self._session.get(
            DatasetVersion,
            version_id,
            with_for_update=for_update,
            populate_existing=for_update,
        )

    def name_taken(self, org_id: uuid.UUID, name: str) -> bool:
        stmt = select(Dataset.id).where(
            Dataset.client_org_id == org_id, func.lower(Dataset.name) == name.lower()
        )
        return self._session.execute(stmt.limit(1)).first() is not None

    def datasets_of(self, org_id: uuid.UUID) -> list[Dataset]:
        stmt = (
            select(Dataset)
            .where(Dataset.client_org_id == org_id)
            .order_by(Dataset.updated_at.desc(), Dataset.id)
        )
        return list(self._session.execute(stmt).scalars())

    def all_datasets(self) -> list[Dataset]:
        stmt = select(Dataset).order_by(Dataset.updated_at.desc(), Dataset.id)
        return list(self._session.execute(stmt).scalars())

    def versions_of(self, dataset_ids: list[uuid.UUID]) -> list[DatasetVersion]:
        """Newest first within each dataset."""
        if not dataset_ids:
            return []
        stmt = (
            select(DatasetVersion)
            .where(DatasetVersion.dataset_id.in_(dataset_ids))
            .order_by(DatasetVersion.dataset_id, DatasetVersion.number.desc())
        )
        return list(self._session.execute(stmt).scalars())

    def last_number(self, dataset_id: uuid.UUID) -> int:
        stmt = select(func.max(DatasetVersion.number)).where(
            DatasetVersion.dataset_id == dataset_id
        )
        return self._session.execute(stmt).scalar_one() or 0
