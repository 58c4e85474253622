"""Factories for the accounts feature, bound to the test session (factory_boy)."""

from __future__ import annotations

import uuid

import factory
from factory.alchemy import SQLAlchemyModelFactory

from outguard.accounts.models import Organization, User, UserStatus
from outguard.types import OrgKind, Role
from tests.conftest import TEST_NOW

# Hash of the password "correct horse battery" with the cheap test parameters.
TEST_PASSWORD = "correct horse battery"


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "flush"


class OrganizationFactory(_Base):
    class Meta:
        model = Organization

    id = factory.LazyFunction(uuid.uuid4)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrgKind.CLIENT.value
    parent_id = None
    is_demo = False
    created_at = TEST_NOW

    class Params:
        vendor = factory.Trait(kind=OrgKind.VENDOR.value)
        subcontractor = factory.Trait(kind=OrgKind.SUBCONTRACTOR.value)


class UserFactory(_Base):
    class Meta:
        model = User

    id = factory.LazyFunction(uuid.uuid4)
    org_id = None
    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    roles = factory.LazyFunction(lambda: [Role.STAFF.value])
    status = UserStatus.ACTIVE.value
    password_hash = None
    created_at = TEST_NOW
    failed_login_count = 0


def bind(session) -> None:
    for f in (OrganizationFactory, UserFactory):
        f._meta.sqlalchemy_session = session
