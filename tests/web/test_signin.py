"""Signing in and out through the pages: password, TOTP, recovery codes, enrolment,
throttling and lockout, session timeouts, sign out everywhere."""

from __future__ import annotations

import re
from datetime import timedelta

from outguard.accounts.models import LoginFailure
from outguard.audit.models import AuditEvent
from outguard.security import totp
from outguard.types import Role
from tests.factories.accounts import TEST_PASSWORD
from tests.web.harness import password_step, totp_now

GENERIC = "The e-mail address or password is not correct."


def _tags(db_session) -> list[str]:
    db_session.expire_all()
    return [e.tag for e in db_session.query(AuditEvent).order_by(AuditEvent.seq)]


def _mfa(client, code: str):
    return client.post(
        "/login/mfa", data={"code": code, "csrf_token": client.csrf("/login/mfa")}
    )


class TestPasswordAndTotp:
    def test_sign_in_with_password_then_totp(self, world, new_client, db_session):
        client = new_client()
        response = password_step(client, world, "owner")
        assert response.status_code == 303
        assert response.headers["location"] == "/login/mfa"
        pending_cookie = client.client.cookies["og_session"]
        assert client.get("/").status_code == 303  # half signed in is not signed in
        response = _mfa(client, totp_now(world, "owner"))
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        assert client.client.cookies["og_session"] != pending_cookie  # rotated
        page = client.get("/")
        assert page.status_code == 200
        assert "Hello, Owner" in page.text
        assert "login:succeeded" in _tags(db_session)

    def test_next_is_followed_only_to_local_paths(self, world, new_client):
        client = new_client()
        for target, expected in [
            ("/users?x=1", "/users?x=1"),
            ("https://evil.example/", "/"),
            ("//evil.example/", "/"),
            ("/\\evil.example", "/"),
        ]:
            response = client.post(
                "/login",
                data={
                    "email": world.email("staff"),
                    "password": TEST_PASSWORD,
                    "next": target,
                    "csrf_token": client.csrf("/login"),
                },
            )
            assert response.headers["location"] == expected
            client.post("/logout", data={"csrf_token": client.csrf()})

    def test_page_redirects_anonymous_to_login_with_next(self, new_client):
        response = new_client().get("/users?org=1")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/users%3Forg%3D1"

    def test_wrong_password_is_generic_and_the_failure_is_recorded(
        self, world, new_client, db_session
    ):
        client = new_client()
        wrong = password_step(client, world, "owner", password="not the password")
        unknown = client.submit(
            "/login",
            {"email": "nobody@example.test", "password": "not the password"},
            page="/login",
        )
        assert wrong.status_code == unknown.status_code == 401
        assert GENERIC in wrong.text
        assert GENERIC in unknown.text
        assert world.email("owner") in wrong.text  # the e-mail is kept in the form
        assert "not the password" not in wrong.text  # the password never is
        # The request "failed", but its failure record was committed.
        db_session.expire_all()
        assert db_session.query(LoginFailure).count() == 4  # account + address, twice
        assert _tags(db_session).count("login:failed") == 2

    def test_lockout_after_repeated_failures(self, world, new_client, accounts_deps):
        client = new_client()
        for _ in range(accounts_deps.auth.login_max_failures_per_account):
            response = password_step(client, world, "staff", password="wrong password!")
            assert response.status_code == 401
        locked = password_step(client, world, "staff")  # right password, too late
        assert locked.status_code == 429
        assert "paused" in locked.text
        assert int(locked.headers["retry-after"]) > 0
        assert world.refresh(world.people["staff"]).locked_until is not None
        world.clock.advance(timedelta(minutes=accounts_deps.auth.lockout_minutes + 1))
        assert password_step(client, world, "staff").status_code == 303

    def test_replayed_totp_code_is_refused(self, world, new_client):
        code = totp_now(world, "owner")
        first = new_client()
        password_step(first, world, "owner")
        assert _mfa(first, code).status_code == 303
        second = new_client()
        password_step(second, world, "owner")
        replay = _mfa(second, code)
        assert replay.status_code == 401
        assert "Codes work once" in replay.text
        assert second.get("/").status_code == 303

    def test_recovery_code_works_once(self, world, new_client, sign_in):
        owner = sign_in("owner")
        page = owner.submit("/account/recovery-codes")
        codes = re.findall(
            r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", page.text
        )
        assert len(codes) == 10
        first = new_client()
        password_step(first, world, "owner")
        assert (
            _mfa(first, codes[0].upper()).status_code == 303
        )  # case and dashes forgiven
        second = new_client()
        password_step(second, world, "owner")
        assert _mfa(second, codes[0]).status_code == 401

    def test_pending_sign_in_expires(self, world, new_client):
        client = new_client()
        password_step(client, world, "owner")
        token = client.csrf("/login/mfa")
        world.clock.advance(timedelta(minutes=11))
        code = totp.current_code(world.secrets["owner"], world.clock.now())
        response = client.post("/login/mfa", data={"code": code, "csrf_token": token})
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
        assert client.get("/").status_code == 303


class TestEnrolment:
    def test_role_requiring_mfa_enrols_end_to_end(self, world, new_client, db_session):
        world.add_person("newagent", world.vendor, Role.AGENT, mfa_on=False)
        client = new_client()
        response = password_step(client, world, "newagent")
        assert response.headers["location"] == "/mfa/enrol"
        assert client.get("/").headers["location"].startswith("/mfa/enrol")
        page = client.get("/mfa/enrol")
        assert page.status_code == 200
        assert re.search(r'<img src="data:image/svg\+xml[^"]+" alt="QR code', page.text)
        secret = "".join(
            re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.text)
            .group(1)
            .split()
        )
        assert (
            client.get("/mfa/enrol").text.count(secret[:4]) >= 1
        )  # same secret on reload
        wrong = client.post(
            "/mfa/enrol", data={"code": "000000", "csrf_token": csrf_of(page.text)}
        )
        assert wrong.status_code == 401
        assert "does not match" in wrong.text
        done = client.post(
            "/mfa/enrol",
            data={
                "code": totp.current_code(secret, world.clock.now()),
                "csrf_token": csrf_of(client.get("/mfa/enrol").text),
            },
        )
        assert done.status_code == 200
        assert len(re.findall(r"<code>[a-z0-9-]{14}</code>", done.text)) == 10
        assert "only time they are shown" in done.text
        assert client.get("/").status_code == 200
        assert "mfa:enrolled" in _tags(db_session)
        # The page's own forms work with the rotated session (sign out button).
        assert (
            client.post("/logout", data={"csrf_token": csrf_of(done.text)}).status_code
            == 303
        )

    def test_optional_enrolment_for_staff(self, world, sign_in):
        client = sign_in("staff")
        page = client.get("/mfa/enrol")
        assert page.status_code == 200
        assert "Your role needs" not in page.text


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]*)"', html).group(1)


class TestSessions:
    def test_sign_out_ends_the_session(self, world, sign_in):
        client = sign_in("staff")
        cookie = client.client.cookies["og_session"]
        response = client.submit("/logout")
        assert response.headers["location"] == "/login"
        assert "You are signed out." in client.get("/login").text
        client.client.cookies.set("og_session", cookie)
        assert client.get("/").status_code == 303

    def test_sign_out_everywhere_invalidates_other_sessions(self, world, sign_in):
        laptop = sign_in("owner")
        phone = sign_in("owner")
        assert phone.get("/").status_code == 200
        response = laptop.submit("/account/sessions/revoke-all")
        assert response.headers["location"] == "/login"
        assert phone.get("/").status_code == 303
        assert laptop.get("/").status_code == 303
        assert "signed out on every device" in laptop.get("/login").text

    def test_account_lists_active_sessions(self, world, sign_in):
        sign_in("staff")
        client = sign_in("staff")
        page = client.get("/account")
        assert page.text.count("<td>testclient") + page.text.count("127.0.0.1") >= 2
        assert "this browser" in page.text

    def test_idle_timeout(self, world, sign_in, accounts_deps):
        client = sign_in("staff")
        world.clock.advance(
            timedelta(minutes=accounts_deps.auth.session_idle_minutes - 1)
        )
        assert client.get("/").status_code == 200  # activity keeps it alive
        world.clock.advance(
            timedelta(minutes=accounts_deps.auth.session_idle_minutes + 1)
        )
        response = client.get("/")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
        assert "Your session has ended" in client.get("/login").text

    def test_absolute_timeout_despite_activity(self, world, sign_in, accounts_deps):
        client = sign_in("staff")
        step = timedelta(minutes=accounts_deps.auth.session_idle_minutes - 5)
        elapsed = timedelta()
        limit = timedelta(hours=accounts_deps.auth.session_absolute_hours)
        while elapsed + step < limit:
            world.clock.advance(step)
            elapsed += step
            assert client.get("/").status_code == 200
        world.clock.advance(step)
        assert client.get("/").status_code == 303

    def test_disabled_user_is_signed_out_at_once(self, world, sign_in):
        staff = sign_in("staff")
        owner = sign_in("owner")
        owner.submit(f"/users/{world.people['staff'].id}/disable")
        assert staff.get("/").status_code == 303
        assert password_step(staff, world, "staff").status_code == 401
