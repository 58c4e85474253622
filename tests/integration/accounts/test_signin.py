from datetime import timedelta

import pytest

from outguard.accounts.errors import (
    AccountLockedError,
    MfaCodeInvalidError,
    SessionExpiredError,
    SignInFailedError,
)
from outguard.accounts.service import signin
from outguard.accounts.service.signin import SignInStep
from outguard.audit.repository import AuditRepository
from outguard.security import totp
from outguard.types import RequestContext
from tests.factories.accounts import TEST_PASSWORD

CTX = RequestContext(ip="192.0.2.10", user_agent="pytest")


def _password(db_session, deps, email, password=TEST_PASSWORD):
    return signin.sign_in(
        db_session, email=email, password=password, context=CTX, deps=deps
    )


class TestPasswordStep:
    def test_wrong_password_and_unknown_account_look_the_same(
        self, db_session, world, deps
    ):
        a = _password(db_session, deps, "owner@example.test", "wrong password!!")
        b = _password(db_session, deps, "nobody@example.test", "wrong password!!")
        assert type(a.error) is type(b.error) is SignInFailedError
        assert a.error.message == b.error.message
        assert a.session_token is None

    def test_failure_is_audited_without_the_email(self, db_session, world, deps):
        _password(db_session, deps, "nobody@example.test", "wrong password!!")
        event = AuditRepository(db_session).list_recent(org_ids=None, limit=1)[0]
        assert event.tag == "login:failed"
        assert "nobody" not in str(event.details)

    def test_lockout_after_repeated_failures(self, db_session, world, deps):
        for _ in range(deps.auth.login_max_failures_per_account):
            assert isinstance(
                _password(
                    db_session, deps, "owner@example.test", "wrong password!!"
                ).error,
                SignInFailedError,
            )
        locked = _password(db_session, deps, "owner@example.test")
        assert isinstance(locked.error, AccountLockedError)
        deps.clock.advance(timedelta(minutes=deps.auth.lockout_minutes + 1))
        assert _password(db_session, deps, "owner@example.test").error is None

    def test_mfa_user_gets_a_pending_session_only(self, db_session, world, deps):
        outcome = _password(db_session, deps, "owner@example.test")
        assert outcome.step is SignInStep.MFA
        with pytest.raises(SessionExpiredError):
            signin.authenticate_session(db_session, outcome.session_token, deps=deps)


class TestSecondFactor:
    def test_totp_completes_and_rotates_the_session(self, db_session, world, deps):
        pending = _password(db_session, deps, "owner@example.test")
        code = totp.current_code(world.secrets["owner"], deps.clock.now())
        done = signin.verify_second_factor(
            db_session,
            session_token=pending.session_token,
            code=code,
            context=CTX,
            deps=deps,
        )
        assert done.step is SignInStep.DONE
        assert done.session_token != pending.session_token
        signin.authenticate_session(db_session, done.session_token, deps=deps)
        with pytest.raises(SessionExpiredError):
            signin.authenticate_session(
                db_session, pending.session_token, deps=deps, require_complete=False
            )

    def test_replayed_code_refused(self, db_session, world, deps):
        code = totp.current_code(world.secrets["owner"], deps.clock.now())
        first = _password(db_session, deps, "owner@example.test")
        assert (
            signin.verify_second_factor(
                db_session,
                session_token=first.session_token,
                code=code,
                context=CTX,
                deps=deps,
            ).error
            is None
        )
        second = _password(db_session, deps, "owner@example.test")
        replay = signin.verify_second_factor(
            db_session,
            session_token=second.session_token,
            code=code,
            context=CTX,
            deps=deps,
        )
        assert isinstance(replay.error, MfaCodeInvalidError)

    def test_staff_without_mfa_is_done_after_password(self, db_session, world, deps):
        assert _password(db_session, deps, "staff@example.test").step is SignInStep.DONE


class TestSessions:
    def _signed_in(self, db_session, world, deps):
        pending = _password(db_session, deps, "owner@example.test")
        code = totp.current_code(world.secrets["owner"], deps.clock.now())
        return signin.verify_second_factor(
            db_session,
            session_token=pending.session_token,
            code=code,
            context=CTX,
            deps=deps,
        ).session_token

    def test_idle_timeout(self, db_session, world, deps):
        token = self._signed_in(db_session, world, deps)
        deps.clock.advance(timedelta(minutes=deps.auth.session_idle_minutes + 1))
        with pytest.raises(SessionExpiredError):
            signin.authenticate_session(db_session, token, deps=deps)

    def test_absolute_timeout_despite_activity(self, db_session, world, deps):
        token = self._signed_in(db_session, world, deps)
        for _ in range(deps.auth.session_absolute_hours * 4 + 1):
            deps.clock.advance(timedelta(minutes=15))
            try:
                signin.authenticate_session(db_session, token, deps=deps)
            except SessionExpiredError:
                break
        else:
            pytest.fail("session outlived its absolute timeout")
        assert deps.clock.now() - (
            deps.clock.now() - timedelta(hours=deps.auth.session_absolute_hours)
        ) >= timedelta(hours=deps.auth.session_absolute_hours)

    def test_sign_out_everywhere(self, db_session, world, deps):
        a = self._signed_in(db_session, world, deps)
        deps.clock.advance(timedelta(seconds=31))
        b = self._signed_in(db_session, world, deps)
        actor = signin.authenticate_session(db_session, b, deps=deps).actor(CTX)
        assert signin.sign_out_everywhere(db_session, actor, deps=deps) == 2
        for token in (a, b):
            with pytest.raises(SessionExpiredError):
                signin.authenticate_session(db_session, token, deps=deps)
