"""Persistence: declarative base, engines, the unit of work and migrations."""

from sqlalchemy.exc import SQLAlchemyError as DatabaseError
from sqlalchemy.orm import Session

from outguard.db.engine import make_engine
from outguard.db.uow import SessionFactory, make_session_factory, unit_of_work

__all__ = [
    "DatabaseError",
    "Session",
    "SessionFactory",
    "make_engine",
    "make_session_factory",
    "unit_of_work",
]
