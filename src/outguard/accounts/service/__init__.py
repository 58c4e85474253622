"""Use cases of the accounts feature, split by use case; import from here."""

from outguard.accounts.service import invitations, mfa, orgs, signin, tokens, users
from outguard.accounts.service.actors import actor_for
from outguard.accounts.service.deps import AccountsDeps, build_accounts_deps
from outguard.accounts.service.signin import (
    AuthenticatedSession,
    SignInOutcome,
    SignInStep,
    authenticate_session,
)

__all__ = [
    "AccountsDeps",
    "AuthenticatedSession",
    "SignInOutcome",
    "SignInStep",
    "actor_for",
    "authenticate_session",
    "build_accounts_deps",
    "invitations",
    "mfa",
    "orgs",
    "signin",
    "tokens",
    "users",
]
