"""Actor-scoped statements over a larger tree, built cheaply with factories."""

from __future__ import annotations

import pytest

from outguard.accounts.repository import OrganizationRepository, UserRepository
from outguard.accounts.service import actor_for
from outguard.types import Actor, RequestContext, Role
from tests.factories.accounts import OrganizationFactory, UserFactory, bind


@pytest.fixture
def tree(db_session):
    bind(db_session)
    client = OrganizationFactory()
    vendors = OrganizationFactory.create_batch(2, vendor=True, parent_id=client.id)
    subs = [OrganizationFactory(subcontractor=True, parent_id=v.id) for v in vendors]
    stranger = OrganizationFactory()
    stranger_vendor = OrganizationFactory(vendor=True, parent_id=stranger.id)
    owner = UserFactory(org_id=client.id, roles=[Role.OWNER.value])
    vendor_admin = UserFactory(org_id=vendors[0].id, roles=[Role.VENDOR_ADMIN.value])
    UserFactory.create_batch(3, org_id=stranger_vendor.id, roles=[Role.AGENT.value])
    db_session.flush()
    return {
        "client": client,
        "vendors": vendors,
        "subs": subs,
        "stranger": stranger,
        "stranger_vendor": stranger_vendor,
        "owner": owner,
        "vendor_admin": vendor_admin,
    }


def _actor(user, org) -> Actor:
    return actor_for(user, org, RequestContext())


def test_client_sees_its_whole_tree_and_nothing_else(db_session, tree):
    repo = OrganizationRepository(db_session)
    visible = repo.visible_ids(_actor(tree["owner"], tree["client"]))
    expected = {
        tree["client"].id,
        *(v.id for v in tree["vendors"]),
        *(s.id for s in tree["subs"]),
    }
    assert visible == expected


def test_vendor_sees_itself_and_its_subcontractor_only(db_session, tree):
    repo = OrganizationRepository(db_session)
    visible = repo.visible_ids(_actor(tree["vendor_admin"], tree["vendors"][0]))
    assert visible == {tree["vendors"][0].id, tree["subs"][0].id}


def test_users_of_other_trees_are_never_listed(db_session, tree):
    listed = UserRepository(db_session).list_readable(
        _actor(tree["owner"], tree["client"])
    )
    assert {u.org_id for u in listed} <= {
        tree["client"].id,
        *(v.id for v in tree["vendors"]),
    }
    assert all(u.org_id != tree["stranger_vendor"].id for u in listed)


def test_system_actor_sees_everything(db_session, tree):
    assert len(OrganizationRepository(db_session).visible_ids(Actor.system())) >= 7
