"""Run the app under uvicorn (`outguard serve`)."""

from __future__ import annotations

import copy
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from outguard.settings import Settings
from outguard.web.app import create_app


def log_config() -> dict[str, Any]:
    """The console logging of uvicorn, plus outguard's own loggers (errors, redacted access)."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["outguard"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def run_server(settings: Settings, *, host: str, port: int) -> None:
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        # The app decides about X-Forwarded-For itself (settings.web.trust_proxy_headers).
        proxy_headers=False,
        server_header=False,
        # uvicorn's access log would print e-mailed invitation tokens; ours redacts them.
        access_log=False,
        log_config=log_config(),
    )
