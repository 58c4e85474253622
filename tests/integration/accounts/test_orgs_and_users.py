import pytest

from outguard.accounts.errors import SessionExpiredError
from outguard.accounts.schemas import OrgCreate
from outguard.accounts.service import orgs, signin, users
from outguard.errors import NotFoundError, PermissionDeniedError
from outguard.types import OrgKind


class TestVisibility:
    def test_client_sees_own_vendor_and_its_subcontractor_not_other_client(
        self, db_session, world
    ):
        names = {o.name for o in orgs.list_orgs(db_session, world.actor("owner"))}
        assert names == {"Client Co", "Vendor Co", "Sub Co"}

    def test_other_tenant_object_is_not_found_not_forbidden(self, db_session, world):
        with pytest.raises(NotFoundError):
            orgs.get_org(db_session, world.actor("other_owner"), world.client.id)
        with pytest.raises(NotFoundError):
            users.get_user(
                db_session, world.actor("other_owner"), world.people["staff"].id
            )

    def test_agent_sees_only_themself(self, db_session, world):
        seen = users.list_users(db_session, world.actor("agent"))
        assert [u.id for u in seen] == [world.people["agent"].id]
        with pytest.raises(NotFoundError):
            users.get_user(db_session, world.actor("agent"), world.people["vadmin"].id)

    def test_vendor_does_not_see_client_users(self, db_session, world):
        emails = {u.email for u in users.list_users(db_session, world.actor("vadmin"))}
        assert "owner@example.test" not in emails
        assert "subagent@example.test" in emails


class TestCreateOrg:
    def test_owner_adds_vendor_under_own_org(self, db_session, world, deps):
        org = orgs.create_org(
            db_session,
            world.actor("owner"),
            OrgCreate(
                name="New Vendor", kind=OrgKind.VENDOR, parent_id=world.client.id
            ),
            clock=deps.clock,
        )
        assert org.parent_id == world.client.id

    def test_staff_cannot_add_vendor(self, db_session, world, deps):
        with pytest.raises(PermissionDeniedError):
            orgs.create_org(
                db_session,
                world.actor("staff"),
                OrgCreate(
                    name="X Vendor", kind=OrgKind.VENDOR, parent_id=world.client.id
                ),
                clock=deps.clock,
            )

    def test_owner_cannot_add_under_another_tenant(self, db_session, world, deps):
        with pytest.raises(NotFoundError):
            orgs.create_org(
                db_session,
                world.actor("other_owner"),
                OrgCreate(
                    name="Sneaky", kind=OrgKind.VENDOR, parent_id=world.client.id
                ),
                clock=deps.clock,
            )


class TestDisable:
    def test_disabling_cuts_sessions_at_once(self, db_session, world, deps):
        from outguard.types import RequestContext
        from tests.factories.accounts import TEST_PASSWORD

        outcome = signin.sign_in(
            db_session,
            email="staff@example.test",
            password=TEST_PASSWORD,
            context=RequestContext(ip="10.0.0.1"),
            deps=deps,
        )
        assert outcome.step is signin.SignInStep.DONE
        signin.authenticate_session(db_session, outcome.session_token, deps=deps)
        users.disable_user(
            db_session, world.actor("owner"), world.people["staff"].id, deps=deps
        )
        with pytest.raises(SessionExpiredError):
            signin.authenticate_session(db_session, outcome.session_token, deps=deps)

    def test_owner_cannot_disable_other_tenant_user(self, db_session, world, deps):
        with pytest.raises(NotFoundError):
            users.disable_user(
                db_session,
                world.actor("owner"),
                world.people["other_owner"].id,
                deps=deps,
            )

    def test_cannot_disable_self(self, db_session, world, deps):
        with pytest.raises(PermissionDeniedError):
            users.disable_user(
                db_session, world.actor("owner"), world.people["owner"].id, deps=deps
            )
