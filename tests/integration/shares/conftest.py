"""The engagements world (a compliant agent on an active engagement) for the share tests,
and an in-memory blob store and key provider for the datasets and renditions."""

import pytest

from outguard.datasets.service import DatasetsDeps
from outguard.instance.audit_keys import signer_from
from outguard.security.aead import StaticKeyProvider
from outguard.security.signing import SigningKey
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
