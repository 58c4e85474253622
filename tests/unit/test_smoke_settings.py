import pytest
from pydantic import ValidationError

from outguard.settings import Environment, Settings


def test_production_refuses_http_base_url():
    with pytest.raises(ValidationError, match="base_url must be https"):
        Settings(environment=Environment.PRODUCTION)
