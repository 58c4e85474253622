"""Per-invocation wiring: settings, engine, the accounts dependencies, the system actor."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from outguard.accounts.service import AccountsDeps, build_accounts_deps
from outguard.datasets.service import DatasetsDeps, build_datasets_deps
from outguard.db import (
    Session,
    SessionFactory,
    make_engine,
    make_session_factory,
    unit_of_work,
)
from outguard.db.migrate import is_current
from outguard.instance import (
    InstanceNotInitialisedError,
    InstancePaths,
    load_app_secret,
)
from outguard.keystore.provider import make_key_provider
from outguard.mail import make_mailer
from outguard.settings import Settings
from outguard.storage import make_blob_store
from outguard.types import Actor, Clock, RequestContext, SystemClock


@dataclass
class CliContext:
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)

    def require_instance(self) -> None:
        if not InstancePaths(self.settings.home).exists:
            raise InstanceNotInitialisedError(
                f"No outguard instance in {self.settings.home}: run `outguard init` first "
                "(or set OUTGUARD_HOME)."
            )

    @cached_property
    def session_factory(self) -> SessionFactory:
        self.require_instance()
        engine = make_engine(
            self.settings.database_url, echo=self.settings.database.echo
        )
        if not is_current(engine):
            raise InstanceNotInitialisedError(
                "The database is not at the newest schema: run `outguard db upgrade`."
            )
        return make_session_factory(engine)

    @cached_property
    def deps(self) -> AccountsDeps:
        return build_accounts_deps(
            self.settings,
            app_secret=load_app_secret(self.settings),
            clock=self.clock,
            mailer=make_mailer(self.settings),
        )

    @cached_property
    def datasets_deps(self) -> DatasetsDeps:
        """The blob store and the key provider (needs the instance's root key)."""
        return build_datasets_deps(
            self.settings,
            clock=self.clock,
            blobs=make_blob_store(self.settings),
            keys=make_key_provider(self.settings),
        )

    @property
    def actor(self) -> Actor:
        """Operator commands act as the system, named after the OS account for the audit log."""
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
        return Actor.system(f"cli:{who}", RequestContext(user_agent="outguard-cli"))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with unit_of_work(self.session_factory) as session:
            yield session
