"""The engagements world (a compliant agent on an active engagement) for the share tests."""

from tests.integration.engagements.conftest import setup  # noqa: F401 - a shared fixture
