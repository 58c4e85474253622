"""The engagements world (a compliant agent on an active engagement) for the share tests,
and an in-memory blob store and key provider for the datasets and renditions."""

from datetime import timedelta

import pytest

from outguard.datasets.service import DatasetsDeps, scan_version, upload
from outguard.instance.audit_keys import signer_from
from outguard.security.aead import StaticKeyProvider
from outguard.security.signing import SigningKey
from outguard.shares.service import (
    ShareCreate,
    ShareView,
    create_share,
    render_recipient,
)
from outguard.storage import InMemoryBlobStore
from tests.integration.engagements.conftest import setup  # noqa: F401 - a shared fixture


@pytest.fixture
def ddeps(setup) -> DatasetsDeps:  # noqa: F811 - the fixture above, by name
    return DatasetsDeps(
        clock=setup.deps.clock,
        blobs=InMemoryBlobStore(),
        keys=StaticKeyProvider(),
        max_upload_bytes=1 << 20,
        signer=signer_from(SigningKey.generate()),
    )


def rendered_share(
    s, ddeps: DatasetsDeps, rows: str, *, name: str = "Payroll", days: int = 10
) -> ShareView:
    """Upload `rows`, scan them, share them with the compliant agent, make the copy."""
    version = upload(
        s.world_session,
        s.actor("owner"),
        org_id=s.world.client.id,
        filename="payroll.csv",
        name=name,
        chunks=[rows.encode()],
        deps=ddeps,
    )
    scan_version(s.world_session, version.id, deps=ddeps)
    view = create_share(
        s.world_session,
        s.actor("owner"),
        ShareCreate(
            engagement_id=s.engagement.id,
            version_id=version.id,
            policy="payroll",
            agent_ids=[s.world.people["agent"].id],
            purpose="Payroll run",
            can_download=True,
            expires_on=s.deps.clock.now().date() + timedelta(days=days),
        ),
        deps=ddeps,
    )
    render_recipient(s.world_session, view.recipients[0].id, deps=ddeps)
    return view
