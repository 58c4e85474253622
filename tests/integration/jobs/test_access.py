import pytest

from outguard.errors import PermissionDeniedError
from outguard.jobs import queue
from outguard.jobs.access import list_visible_jobs


def test_members_see_only_their_organisations_jobs(db_session, world, clock):
    own = queue.enqueue(
        db_session, kind="noop", payload={}, clock=clock, org_id=world.client.id
    )
    queue.enqueue(
        db_session, kind="noop", payload={}, clock=clock, org_id=world.other.id
    )
    seen = list_visible_jobs(db_session, world.actor("staff"))
    assert [j.id for j in seen] == [own.id]


def test_agents_cannot_list_jobs(db_session, world):
    with pytest.raises(PermissionDeniedError):
        list_visible_jobs(db_session, world.actor("agent"))
