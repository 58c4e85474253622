"""Leak response on both databases: a 30-row subset of an agent's download is traced back
to that agent, with the copy's audit trail; the found file is not kept; who may trace."""

from __future__ import annotations

import uuid

import pytest

from outguard.errors import NotFoundError, PermissionDeniedError
from outguard.shares.leaks import get_leak, list_leaks, trace_leak
from outguard.shares.workspace import open_rendition, record_access
from tests.integration.shares.conftest import rendered_share


def test_a_leaked_subset_names_the_agent(setup, ddeps):
    s = setup
    rows = "employee,ssn,email,amount\n" + "".join(
        f"Person {i},{100 + i % 600:03d}-{10 + i % 80:02d}-{1000 + i:04d},p{i}@example.org,{i}\n"
        for i in range(300)
    )
    view = rendered_share(s, ddeps, rows)
    agent = s.actor("agent")
    opened = open_rendition(
        s.world_session, agent, view.share.id, deps=ddeps, purpose="download"
    )
    record_access(s.world_session, agent, opened, deps=ddeps, download=True)
    lines = opened.data.decode("utf-8-sig").splitlines()
    leaked = "\n".join([lines[0], *lines[40:70]]) + "\n"  # 30 rows
    trace = trace_leak(
        s.world_session,
        s.actor("owner"),
        filename="found-on-a-forum.csv",
        chunks=[leaked.encode()],
        deps=ddeps,
    )
    assert trace.result["attributions"]
    row, suspects = get_leak(s.world_session, s.actor("owner"), trace.id)
    top = suspects[0]
    assert top.attributed
    assert top.user is not None
    assert top.user.id == s.world.people["agent"].id
    assert top.false_attribution < 1e-6
    [copy] = top.copies
    assert [e.tag for e in copy.trail] == ["rendition:downloaded"]
    assert row.sha256 and row.size == len(leaked.encode())
    assert [t.id for t in list_leaks(s.world_session, s.actor("owner"))] == [trace.id]


def test_who_may_trace(setup, ddeps):
    s = setup
    for who in ("staff", "auditor", "vadmin", "agent"):
        with pytest.raises(PermissionDeniedError):
            trace_leak(
                s.world_session,
                s.actor(who),
                filename="x.csv",
                chunks=[b"a,b\n1,2\n"],
                deps=ddeps,
            )
    with pytest.raises(NotFoundError, match="No rendition"):
        trace_leak(
            s.world_session,
            s.actor("owner"),
            filename="x.csv",
            chunks=[b"a,b\n1,2\n"],
            deps=ddeps,
        )
    with pytest.raises(NotFoundError):
        get_leak(s.world_session, s.actor("other_owner"), uuid.uuid4())
