"""What the account use cases need from outside, built once in the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from outguard.mail import Mailer
from outguard.security.passwords import Passwords
from outguard.security.secretbox import SecretBox
from outguard.security.tokens import TokenHasher
from outguard.settings import AuthSettings, Settings
from outguard.types import Clock


@dataclass(frozen=True)
class AccountsDeps:
    clock: Clock
    passwords: Passwords
    hasher: TokenHasher
    box: SecretBox
    auth: AuthSettings
    base_url: str
    mailer: Mailer
    allow_demo_codes: bool = False

    def __repr__(self) -> str:
        return "AccountsDeps(<redacted>)"


def build_accounts_deps(
    settings: Settings, *, app_secret: bytes, clock: Clock, mailer: Mailer
) -> AccountsDeps:
    auth = settings.auth
    return AccountsDeps(
        clock=clock,
        passwords=Passwords(
            time_cost=auth.argon2_time_cost,
            memory_kib=auth.argon2_memory_kib,
            parallelism=auth.argon2_parallelism,
        ),
        hasher=TokenHasher(app_secret),
        box=SecretBox(app_secret),
        auth=auth,
        base_url=settings.web.base_url.rstrip("/"),
        mailer=mailer,
        allow_demo_codes=settings.demo,
    )
