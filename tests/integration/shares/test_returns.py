"""Returns on both databases: the agent sends a worked file back (through the gate), the
owner re-identifies it (password again), what is not the agent's is counted, canaries are
found, and only the owner's roles can do or download it."""

from __future__ import annotations

import csv
import io

import pytest

from outguard.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
)
from outguard.shares.returns import (
    reidentified_file,
    reidentify_return,
    returns_of,
    submit_return,
)
from outguard.shares.workspace import Opened, open_rendition
from tests.factories.accounts import TEST_PASSWORD
from tests.integration.engagements.conftest import HOME_IP
from tests.integration.shares.conftest import rendered_share

SSN0 = "536-22-8726"


@pytest.fixture
def ready(setup, ddeps):
    s = setup
    rows = "employee,ssn,amount\n" + "".join(
        f"Person {i},536-22-{8726 + i:04d},{100 + i}\n" for i in range(30)
    )
    return rendered_share(s, ddeps, rows)


def _worked(s, ddeps, view) -> bytes:
    """What the agent does: their copy, sorted, a column added, one stranger row appended."""
    opened = open_rendition(
        s.world_session, s.actor("agent"), view.share.id, deps=ddeps, purpose="download"
    )
    rows = list(csv.reader(io.StringIO(opened.data.decode("utf-8-sig"))))
    header, body = rows[0], sorted(rows[1:], key=lambda r: r[0])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*header, "status"])
    for row in body:
        writer.writerow([*row, "paid"])
    writer.writerow(["Someone Else", "078-05-1120", "5", "paid"])
    return out.getvalue().encode()


def test_return_then_reidentify(setup, ddeps, ready):
    s = setup
    worked = _worked(s, ddeps, ready)
    row = submit_return(
        s.world_session,
        s.actor("agent"),
        ready.share.id,
        filename="worked.csv",
        chunks=[worked],
        deps=ddeps,
    )
    assert not isinstance(row, Opened)
    assert row.state == "received"
    assert row.found.get("US_SSN", 0) >= 30
    assert SSN0.encode() not in b"".join(ddeps.blobs.open(row.blob_key))
    with pytest.raises(AuthenticationError):
        reidentify_return(
            s.world_session,
            s.actor("owner"),
            ready.share.id,
            row.id,
            password="wrong password",
            deps=ddeps,
            accounts=s.deps,
        )
    done = reidentify_return(
        s.world_session,
        s.actor("owner"),
        ready.share.id,
        row.id,
        password=TEST_PASSWORD,
        deps=ddeps,
        accounts=s.deps,
    )
    assert done.state == "reidentified"
    assert done.result["reidentified"] >= 30
    assert done.result["canary_rows"]  # the agent's copy carried canaries
    _, data = reidentified_file(
        s.world_session, s.actor("owner"), ready.share.id, row.id, deps=ddeps
    )
    text = data.decode("utf-8-sig")
    assert SSN0 in text  # the real value is back, for the owner
    assert "status" in text
    # a second click does not redo it
    again = reidentify_return(
        s.world_session,
        s.actor("owner"),
        ready.share.id,
        row.id,
        password=TEST_PASSWORD,
        deps=ddeps,
        accounts=s.deps,
    )
    assert again.reidentified_at == done.reidentified_at


def test_only_the_owners_roles_reidentify(setup, ddeps, ready):
    s = setup
    row = submit_return(
        s.world_session,
        s.actor("agent"),
        ready.share.id,
        filename="worked.csv",
        chunks=[_worked(s, ddeps, ready)],
        deps=ddeps,
    )
    for who, refusal in (
        ("staff", PermissionDeniedError),
        ("auditor", PermissionDeniedError),
        ("vadmin", NotFoundError),
        ("agent", NotFoundError),
    ):
        with pytest.raises(refusal):
            reidentify_return(
                s.world_session,
                s.actor(who),
                ready.share.id,
                row.id,
                password=TEST_PASSWORD,
                deps=ddeps,
                accounts=s.deps,
            )
    assert [
        r.id for r in returns_of(s.world_session, s.actor("agent"), ready.share.id)
    ] == [row.id]
    with pytest.raises(NotFoundError):
        returns_of(s.world_session, s.actor("vadmin"), ready.share.id)


def test_returns_go_through_the_gate_and_the_share(setup, ddeps, ready):
    s = setup
    away = submit_return(
        s.world_session,
        s.actor("agent", ip=HOME_IP),
        ready.share.id,
        filename="worked.csv",
        chunks=[b"a,b\n1,2\n"],
        deps=ddeps,
    )
    assert isinstance(away, Opened)
    assert not away.result.allowed
    with pytest.raises(NotFoundError):
        submit_return(
            s.world_session,
            s.actor("vadmin"),
            ready.share.id,
            filename="worked.csv",
            chunks=[b"a,b\n1,2\n"],
            deps=ddeps,
        )
    with pytest.raises(PermissionDeniedError, match="table"):
        submit_return(
            s.world_session,
            s.actor("agent"),
            ready.share.id,
            filename="worked.pdf",
            chunks=[b"%PDF-1.4 x"],
            deps=ddeps,
        )
