"""Web test harness: the app bound to the test's savepoint session, a synchronous browser,
a populated world of organisations and people, and a real sign-in (password + TOTP).

Fixtures live here (not only in conftest.py) so tests/security/test_web_*.py can import them.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from outguard.accounts.models import ApiToken, Invitation, Organization, User
from outguard.accounts.schemas import (
    ApiTokenCreate,
    InvitationCreate,
    OrgCreate,
    UserCreate,
)
from outguard.accounts.service import (
    AccountsDeps,
    actor_for,
    invitations,
    mfa,
    orgs,
    tokens,
    users,
)
from outguard.datasets.service import DatasetsDeps
from outguard.instance.audit_keys import signer_from
from outguard.mail import InMemoryMailer
from outguard.security import totp
from outguard.security.aead import StaticKeyProvider
from outguard.security.permissions import Permission
from outguard.security.signing import SigningKey
from outguard.settings import Settings
from outguard.storage import InMemoryBlobStore
from outguard.types import Actor, FixedClock, OrgKind, RequestContext, Role
from outguard.web import create_app
from outguard.web.deps import get_session
from tests.factories.accounts import TEST_PASSWORD

BASE_URL = "http://testserver"
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')
SYSTEM = Actor.system("tests")


def csrf_from(html: str) -> str:
    match = _CSRF_FIELD.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


class WebClient:
    """A synchronous httpx client over ASGITransport, with its own cookie jar."""

    def __init__(
        self, app: FastAPI, portal: BlockingPortal, base_url: str = BASE_URL
    ) -> None:
        self._portal = portal
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=base_url,
            follow_redirects=False,
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        call = functools.partial(self.client.request, method, url, **kwargs)
        return self._portal.call(call)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def csrf(self, page: str | None = None) -> str:
        """The form token, read from a real page as a person's browser would."""
        if page is None:
            response = self.get("/")
            if response.status_code != 200:  # not (fully) signed in
                response = self.get("/login")
        else:
            response = self.get(page)
        assert response.status_code == 200, (page, response.status_code)
        return csrf_from(response.text)

    def submit(
        self, url: str, data: dict[str, Any] | None = None, *, page: str | None = None
    ) -> httpx.Response:
        """POST a form with a valid CSRF token, like a person clicking a button."""
        return self.post(url, data={**(data or {}), "csrf_token": self.csrf(page)})

    def api(
        self, method: str, url: str, *, json: Any = None, token: str | None = None
    ) -> httpx.Response:
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        elif method != "GET" and "og_session" in self.client.cookies:
            headers["X-CSRF-Token"] = self.csrf()
        return self.request(method, url, json=json, headers=headers)

    def close(self) -> None:
        self._portal.call(self.client.aclose)


@dataclass
class World:
    """Organisations and people, created through the services like an operator would."""

    deps: AccountsDeps
    session: Session
    client: Organization
    vendor: Organization
    other: Organization
    people: dict[str, User] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    datasets_deps: Any = None  # the app's blob store and keys (datasets, renditions)
    settings: Any = None

    @property
    def clock(self) -> FixedClock:
        clock = self.deps.clock
        assert isinstance(clock, FixedClock)
        return clock

    def org_of(self, name: str) -> Organization:
        user = self.people[name]
        return next(
            o for o in (self.client, self.vendor, self.other) if o.id == user.org_id
        )

    def actor(self, name: str) -> Actor:
        return actor_for(self.people[name], self.org_of(name), RequestContext())

    def email(self, name: str) -> str:
        return self.people[name].email

    def add_person(
        self, name: str, org: Organization, role: Role, *, mfa_on: bool
    ) -> User:
        user = users.create_user(
            self.session,
            SYSTEM,
            UserCreate(
                org_id=org.id,
                email=f"{name}@example.test",
                display_name=name.replace("_", " ").title(),
                roles=frozenset({role}),
                password=TEST_PASSWORD,
            ),
            deps=self.deps,
        )
        if mfa_on:
            secret = totp.new_totp_secret()
            mfa.enrol_for_demo(user, secret, deps=self.deps)
            self.secrets[name] = secret
        self.people[name] = user
        self.session.commit()  # a savepoint: later request rollbacks keep it
        return user

    def invitation(
        self, org: Organization, email: str | None = None, role: Role | None = None
    ) -> tuple[Invitation, str]:
        """An open invitation and its raw token (as in the e-mailed link)."""
        kind_role = Role.STAFF if org.kind == OrgKind.CLIENT else Role.AGENT
        invitation, link = invitations.invite_user(
            self.session,
            SYSTEM,
            InvitationCreate(
                org_id=org.id,
                email=email or f"invitee-{uuid.uuid4().hex[:8]}@example.test",
                display_name="Invited Person",
                roles=frozenset({role or kind_role}),
            ),
            deps=self.deps,
        )
        self.session.commit()
        return invitation, link.rsplit("/", 1)[1]

    def api_token(
        self, name: str, scopes: set[Permission] | None = None
    ) -> tuple[ApiToken, str]:
        scopes = scopes or {Permission.ORGS_READ}
        token, raw = tokens.create_token(
            self.session,
            self.actor(name),
            ApiTokenCreate(name="test token", scopes=frozenset(scopes)),
            deps=self.deps,
        )
        self.session.commit()
        return token, raw

    def refresh(self, obj: Any) -> Any:
        self.session.expire_all()
        return self.session.get(type(obj), obj.id)


PEOPLE: tuple[tuple[str, str, Role, bool], ...] = (
    ("owner", "client", Role.OWNER, True),
    ("staff", "client", Role.STAFF, False),
    ("auditor", "client", Role.AUDITOR, False),
    ("security", "client", Role.SECURITY_OFFICER, True),
    ("vadmin", "vendor", Role.VENDOR_ADMIN, True),
    ("agent", "vendor", Role.AGENT, True),
    ("other", "other", Role.OWNER, True),
)


@pytest.fixture
def mailer() -> InMemoryMailer:
    return InMemoryMailer()


def _bind_app(
    settings: Settings, db_session: Session, clock: FixedClock, mailer: InMemoryMailer
) -> FastAPI:
    factory = sessionmaker(
        bind=db_session.connection(), join_transaction_mode="create_savepoint"
    )
    app = create_app(
        settings,
        session_factory=factory,
        mailer=mailer,
        clock=clock,
        datasets_deps=DatasetsDeps(
            clock=clock,
            blobs=InMemoryBlobStore(),
            keys=StaticKeyProvider(),
            max_upload_bytes=256 * 1024,
            signer=signer_from(SigningKey.generate()),
        ),
    )

    def test_unit_of_work() -> Iterator[Session]:
        # Same semantics as outguard.db.unit_of_work; commit here releases a savepoint.
        try:
            yield db_session
            db_session.commit()
        except BaseException:
            db_session.rollback()
            raise

    app.dependency_overrides[get_session] = test_unit_of_work
    return app


@pytest.fixture
def app(settings, db_session, clock, mailer) -> FastAPI:
    return _bind_app(settings, db_session, clock, mailer)


@pytest.fixture
def make_app(db_session, clock, mailer):
    """Build another app on the same session with different settings (e.g. https)."""

    def make(settings: Settings) -> FastAPI:
        return _bind_app(settings, db_session, clock, mailer)

    return make


@pytest.fixture
def accounts_deps(app) -> AccountsDeps:
    deps: AccountsDeps = app.state.accounts_deps
    return deps


@pytest.fixture
def world(db_session, accounts_deps, app, settings) -> World:
    client = orgs.create_org(
        db_session,
        SYSTEM,
        OrgCreate(name="Maple Books", kind=OrgKind.CLIENT),
        clock=accounts_deps.clock,
    )
    vendor = orgs.create_org(
        db_session,
        SYSTEM,
        OrgCreate(name="Northwind BPO", kind=OrgKind.VENDOR, parent_id=client.id),
        clock=accounts_deps.clock,
    )
    other = orgs.create_org(
        db_session,
        SYSTEM,
        OrgCreate(name="Other Client", kind=OrgKind.CLIENT),
        clock=accounts_deps.clock,
    )
    world = World(
        deps=accounts_deps,
        session=db_session,
        client=client,
        vendor=vendor,
        other=other,
        datasets_deps=app.state.datasets_deps,
        settings=settings,
    )
    by_key = {"client": client, "vendor": vendor, "other": other}
    for name, org_key, role, mfa_on in PEOPLE:
        world.add_person(name, by_key[org_key], role, mfa_on=mfa_on)
    return world


@pytest.fixture
def portal() -> Iterator[BlockingPortal]:
    with start_blocking_portal(backend="asyncio") as blocking_portal:
        yield blocking_portal


@pytest.fixture
def new_client(app, portal):
    """Factory of independent browsers (each with its own cookies)."""
    opened: list[WebClient] = []

    def make(base_url: str = BASE_URL, target_app: FastAPI | None = None) -> WebClient:
        b = WebClient(target_app or app, portal, base_url)
        opened.append(b)
        return b

    yield make
    for b in opened:
        b.close()


def totp_now(world: World, name: str) -> str:
    """The code the person's authenticator shows, one fresh time step later (no replay)."""
    world.clock.advance(timedelta(seconds=totp.TOTP_PERIOD))
    return totp.current_code(world.secrets[name], world.clock.now())


def password_step(
    b: WebClient, world: World, name: str, *, password: str = TEST_PASSWORD
) -> httpx.Response:
    return b.submit(
        "/login", {"email": world.email(name), "password": password}, page="/login"
    )


@pytest.fixture
def sign_in(world, new_client):
    """Sign a person in through the real pages: password, then TOTP when enrolled."""

    def do(name: str, b: WebClient | None = None) -> WebClient:
        b = b or new_client()
        response = password_step(b, world, name)
        assert response.status_code == 303, response.text
        if response.headers["location"].startswith("/login/mfa"):
            token = b.csrf("/login/mfa")
            response = b.post(
                "/login/mfa", data={"code": totp_now(world, name), "csrf_token": token}
            )
            assert response.status_code == 303, response.text
        assert "og_session" in b.client.cookies
        return b

    return do
