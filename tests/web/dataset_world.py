"""Datasets for the web tests, uploaded through the service like an operator's CLI would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from outguard.accounts.service import actor_for
from outguard.datasets.service import DatasetsDeps, scan_version, upload
from outguard.engagements.schemas import AgentEnrol
from outguard.engagements.service import roster
from outguard.instance.audit_keys import signer_from
from outguard.instance.home import InstancePaths
from outguard.security.aead import StaticKeyProvider
from outguard.security.signing import SigningKey
from outguard.shares.ending import certificates
from outguard.shares.leaks import trace_leak
from outguard.shares.models import (
    DeletionAttestation,
    DestructionCertificate,
    LeakTrace,
    ShareReturn,
)
from outguard.shares.returns import reidentify_return, submit_return
from outguard.shares.revoking import revoke
from outguard.shares.service import ShareCreate, create_share, render_recipient
from outguard.shares.workspace import open_rendition
from outguard.storage import InMemoryBlobStore
from outguard.types import Actor, RequestContext, Role
from tests.factories.accounts import TEST_PASSWORD
from tests.web import engagement_world as ew
from tests.web.harness import World

SYSTEM = Actor.system("tests")
ROWS = b"name,city\nPerson One,Austin\nPerson Two,Boston\n"


def deps(w: World) -> DatasetsDeps:
    """The app's blob store and keys (what the pages read), or a test's own."""
    if w.datasets_deps is not None:
        app_deps: DatasetsDeps = w.datasets_deps
        return app_deps
    if "_datasets_deps" not in w.__dict__:
        w.__dict__["_datasets_deps"] = DatasetsDeps(
            clock=w.clock,
            blobs=InMemoryBlobStore(),
            keys=StaticKeyProvider(),
            max_upload_bytes=1 << 20,
            signer=signer_from(SigningKey.generate()),
        )
    found: DatasetsDeps = w.__dict__["_datasets_deps"]
    return found


def _version(w: World, which: str) -> Any:
    cache = w.__dict__.setdefault("_datasets", {})
    if which not in cache:
        cache[which] = upload(
            w.session,
            SYSTEM,
            org_id=(w.client if which == "own" else w.other).id,
            filename="people.csv",
            name=f"People {which}",
            chunks=[ROWS],
            deps=deps(w),
        )
    return cache[which]


def dataset(w: World, which: str) -> dict[str, Any]:
    return {"dataset_id": _version(w, which).dataset_id}


def version(w: World, which: str) -> dict[str, Any]:
    return {"version_id": _version(w, which).id}


def scanned(w: World, which: str) -> Any:
    version = _version(w, which)
    if version.state == "scanning":
        scan_version(w.session, version.id, deps=deps(w))
    return version


def _agent_of(w: World, which: str) -> Any:
    """An agent enrolled in the engagement: ours is compliant; the other client's waits."""
    if which == "own":
        return ew.eng_agent(w, "own")["user_id"]
    e = ew.engagement(w, "other")
    if "other_agent" not in w.people:
        w.add_person("other_agent", ew._vendor_of(w, "other"), Role.AGENT, mfa_on=True)
        roster.enrol_agent(
            w.session,
            SYSTEM,
            e.id,
            AgentEnrol(
                user_id=w.people["other_agent"].id,
                role_title="Associate",
                starts_on=e.starts_on,
            ),
            clock=w.clock,
        )
    return w.people["other_agent"].id


def share(w: World, which: str) -> Any:
    """A share of the dataset with the engagement's agent, rendered (own: ready to open)."""
    cache = w.__dict__.setdefault("_shares", {})
    if which not in cache:
        e = ew.engagement(w, which)
        agent = _agent_of(w, which)
        view = create_share(
            w.session,
            SYSTEM,
            ShareCreate(
                engagement_id=e.id,
                version_id=scanned(w, which).id,
                policy="bookkeeping",
                agent_ids=[agent],
                purpose=f"Reconcile {which}",
                can_download=True,
                expires_on=w.clock.now().date() + timedelta(days=20),
            ),
            deps=deps(w),
        )
        for r in view.recipients:
            if r.state == "queued":
                render_recipient(w.session, r.id, deps=deps(w))
        cache[which] = view
    return cache[which]


def share_id(w: World, which: str) -> dict[str, Any]:
    return {"share_id": share(w, which).share.id}


def work_share(w: World, which: str) -> dict[str, Any]:
    view = share(w, which)
    return {"engagement_id": view.share.engagement_id, "share_id": view.share.id}


def new_share_body(w: World, which: str) -> dict[str, Any]:
    e = ew.engagement(w, which)
    return {
        "engagement_id": str(e.id),
        "version_id": str(scanned(w, which).id),
        "policy": "payroll",
        "agent_ids": [str(_agent_of(w, which))],
        "purpose": "Payroll run",
        "expires_on": str(w.clock.now().date() + timedelta(days=10)),
    }


def returned(w: World, which: str) -> Any:
    """A worked file the share's agent sent back (own: through the gate)."""
    cache = w.__dict__.setdefault("_returns", {})
    if which not in cache:
        view = share(w, which)
        cache[which] = ShareReturn(
            share_id=view.share.id,
            user_id=view.recipients[0].user_id,
            filename="worked.csv",
            kind="csv",
            size=0,
            sha256="",
            blob_key="",
            key_id="",
            found={},
            received_at=w.clock.now(),
        )
        if which == "own":
            agent = actor_for(
                w.people["agent"], w.org_of("agent"), RequestContext(ip="127.0.0.1")
            )
            cache[which] = submit_return(
                w.session,
                agent,
                view.share.id,
                filename="worked.csv",
                chunks=[ROWS],
                deps=deps(w),
            )
        else:
            w.session.add(cache[which])
            w.session.flush()
    return cache[which]


def return_ids(w: World, which: str) -> dict[str, Any]:
    row = returned(w, which)
    return {"share_id": row.share_id, "return_id": row.id}


def reidentified(w: World, which: str) -> dict[str, Any]:
    ids = return_ids(w, which)
    if which == "own":
        reidentify_return(
            w.session,
            w.actor("owner"),
            ids["share_id"],
            ids["return_id"],
            password=TEST_PASSWORD,
            deps=deps(w),
            accounts=w.deps,
        )
    return ids


def leak(w: World, which: str) -> dict[str, Any]:
    """A trace of a file found outside: ours comes from the agent's download."""
    cache = w.__dict__.setdefault("_leaks", {})
    if which not in cache:
        view = share(w, which)
        if which == "own":
            agent = actor_for(
                w.people["agent"], w.org_of("agent"), RequestContext(ip="127.0.0.1")
            )
            opened = open_rendition(
                w.session, agent, view.share.id, deps=deps(w), purpose="download"
            )
            cache[which] = trace_leak(
                w.session,
                w.actor("owner"),
                filename="found.csv",
                chunks=[opened.data or b""],
                deps=deps(w),
            )
        else:
            row = LeakTrace(
                client_org_id=w.other.id,
                filename="found.csv",
                kind="csv",
                size=1,
                sha256="0" * 64,
                verdict="Cannot attribute this file.",
                result={"attributions": []},
                created_at=w.clock.now(),
            )
            w.session.add(row)
            w.session.flush()
            cache[which] = row
    return {"trace_id": cache[which].id}


def leak_copy(w: World, which: str) -> dict[str, Any]:
    key = InstancePaths(w.settings.home).audit_key  # the evidence bundle's signing key
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True)
        key.write_bytes(SigningKey.generate().material)
    ids = leak(w, which)
    rendition = share(w, "own").recipients[0].rendition_id
    return {**ids, "rendition_id": rendition}


def for_tracing(w: World, which: str) -> dict[str, Any]:
    share(w, "own")  # something to trace against
    return {"__query__": {"filename": "found.jsonl"}}


def certificate(w: World, which: str) -> dict[str, Any]:
    """A destruction certificate: ours from revoking the share, theirs made directly."""
    view = share(w, which)
    if which == "own":
        revoke(w.session, SYSTEM, view.share.id, reason="Work finished", deps=deps(w))
        _, certs = certificates(w.session, SYSTEM, view.share.id)
        cert = certs[0]
    else:
        cert = DestructionCertificate(
            client_org_id=w.other.id,
            share_id=view.share.id,
            reason="Work finished",
            document={"destroyed": []},
            sha256="0" * 64,
            created_at=w.clock.now(),
        )
        w.session.add(cert)
        w.session.flush()
    return {"share_id": view.share.id, "certificate_id": cert.id}


def attestation(w: World, which: str) -> dict[str, Any]:
    """A request for the vendor's statement after a downloaded share ended."""
    view = share(w, which)
    row = DeletionAttestation(
        share_id=view.share.id,
        client_org_id=w.client.id if which == "own" else w.other.id,
        vendor_org_id=(w.vendor if which == "own" else ew._vendor_of(w, "other")).id,
        downloads=1,
        requested_at=w.clock.now(),
    )
    w.session.add(row)
    w.session.flush()
    return {"attestation_id": row.id}


def attest_body(w: World, which: str) -> dict[str, Any]:
    return {"agree": "yes", "typed_name": "Vendor Admin", "password": TEST_PASSWORD}
