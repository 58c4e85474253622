"""The FastAPI adapter: JSON API under /api/v1 and server-rendered pages.

Thin delivery only: parse the request, call an `outguard.accounts.service` use case inside
the request's unit of work, present the result. No business rule lives here.
"""

from outguard.web.app import create_app

__all__ = ["create_app"]
