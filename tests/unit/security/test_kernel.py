from datetime import UTC, datetime, timedelta

import pytest

from outguard.errors import TamperDetectedError
from outguard.security import totp
from outguard.security.decisions import Allow, Deny, first_deny
from outguard.security.passwords import (
    PasswordPolicyError,
    Passwords,
    check_password_policy,
)
from outguard.security.permissions import Permission, mfa_required, permissions_for
from outguard.security.secretbox import SecretBox
from outguard.security.tokens import (
    API_TOKEN_PREFIX,
    TokenHasher,
    digests_match,
    keyed_digest,
    new_app_secret,
    new_token,
    token_hint,
)
from outguard.types import Role

CHEAP = {"time_cost": 1, "memory_kib": 8, "parallelism": 1}
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class TestPasswords:
    def test_hash_and_verify(self):
        pw = Passwords(**CHEAP)
        stored = pw.hash("correct horse battery")
        assert stored.startswith("$argon2id$")
        assert pw.verify(stored, "correct horse battery").ok
        assert not pw.verify(stored, "wrong horse battery").ok

    def test_rehash_on_verify_when_parameters_change(self):
        old = Passwords(**CHEAP).hash("correct horse battery")
        stronger = Passwords(time_cost=2, memory_kib=16, parallelism=1)
        result = stronger.verify(old, "correct horse battery")
        assert result.ok
        assert result.new_hash is not None
        assert "t=2" in result.new_hash

    def test_unknown_user_runs_dummy_verification(self):
        assert not Passwords(**CHEAP).verify(None, "anything at all").ok

    def test_garbage_hash_is_a_mismatch_not_a_crash(self):
        assert not Passwords(**CHEAP).verify("not-a-hash", "correct horse battery").ok

    @pytest.mark.parametrize("bad", ["short", "a" * 20, "x" * 300])
    def test_policy_refuses(self, bad):
        with pytest.raises(PasswordPolicyError):
            check_password_policy(bad)


class TestTotp:
    def test_code_verifies_once(self):
        secret = totp.new_totp_secret()
        code = totp.current_code(secret, NOW)
        counter = totp.verify_code(secret, code, at=NOW, last_used_counter=None)
        assert counter is not None
        assert totp.verify_code(secret, code, at=NOW, last_used_counter=counter) is None

    def test_drift_of_one_step_is_tolerated_two_is_not(self):
        secret = totp.new_totp_secret()
        code = totp.current_code(secret, NOW)
        assert totp.verify_code(
            secret, code, at=NOW + timedelta(seconds=30), last_used_counter=None
        )
        assert (
            totp.verify_code(
                secret, code, at=NOW + timedelta(seconds=90), last_used_counter=None
            )
            is None
        )

    @pytest.mark.parametrize("bad", ["", "12345", "1234567", "abcdef", "12 34 5x"])
    def test_malformed_codes(self, bad):
        assert (
            totp.verify_code(
                totp.new_totp_secret(), bad, at=NOW, last_used_counter=None
            )
            is None
        )

    def test_recovery_codes_are_unique_and_normalise(self):
        codes = totp.new_recovery_codes()
        assert len(set(codes)) == 10
        assert (
            totp.normalise_recovery_code(codes[0].upper().replace("-", " ")) == codes[0]
        )

    def test_provisioning_uri(self):
        uri = totp.provisioning_uri(
            "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", account="a@b.example", issuer="outguard"
        )
        assert uri.startswith("otpauth://totp/outguard:a%40b.example?")


class TestTokens:
    def test_token_shape_and_hint(self):
        raw = new_token(API_TOKEN_PREFIX)
        assert raw.startswith("og_")
        assert len(raw) > 40
        assert token_hint(raw).endswith(raw[-4:])
        assert raw[5:-4] not in token_hint(raw)

    def test_hmac_is_purpose_bound(self):
        hasher = TokenHasher(b"k" * 32)
        digest = hasher.digest("og_x", purpose="api-token")
        assert hasher.matches("og_x", digest, purpose="api-token")
        assert not hasher.matches("og_x", digest, purpose="session")
        assert "k" * 8 not in repr(hasher)

    def test_short_secret_refused(self):
        with pytest.raises(ValueError, match="32 bytes"):
            TokenHasher(b"short")

    def test_new_app_secret_is_random_and_long_enough(self):
        a, b = new_app_secret(), new_app_secret()
        assert len(a) == 32 and a != b
        TokenHasher(a)  # the hasher accepts what it makes

    def test_keyed_digest_is_hmac_sha256_and_compared_in_full(self):
        # RFC 4231 test case 2
        digest = keyed_digest(b"Jefe", b"what do ya want for nothing?")
        assert digest == (
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        )
        assert digests_match(digest, digest)
        assert not digests_match(digest, keyed_digest(b"Jeff", b"what do ya want"))
        assert not digests_match(digest, digest[:-1])


class TestSecretBox:
    def test_round_trip_bound_to_context(self):
        box = SecretBox(b"s" * 32)
        sealed = box.seal("JBSWY3DPEHPK3PXP", context="totp:1")
        assert "JBSWY3DP" not in sealed
        assert box.open(sealed, context="totp:1") == "JBSWY3DPEHPK3PXP"
        with pytest.raises(TamperDetectedError):
            box.open(sealed, context="totp:2")

    def test_tampering_detected(self):
        box = SecretBox(b"s" * 32)
        sealed = box.seal("secret", context="c")
        mid = len(sealed) // 2
        flipped = (
            sealed[:mid] + ("A" if sealed[mid] != "A" else "B") + sealed[mid + 1 :]
        )
        with pytest.raises(TamperDetectedError):
            box.open(flipped, context="c")
        with pytest.raises(TamperDetectedError):
            box.open("v9." + sealed[4:], context="c")
        with pytest.raises(TamperDetectedError):
            SecretBox(b"t" * 32).open(sealed, context="c")


class TestDecisionsAndPermissions:
    def test_first_deny_wins(self):
        assert isinstance(first_deny(Allow(), Deny("x"), Deny("y")), Deny)
        assert first_deny(Allow(), Deny("x")) == Deny("x")
        assert first_deny(Allow(), Allow()) == Allow()
        assert not Deny("no")
        assert Allow()

    def test_agent_cannot_invite_owner_can(self):
        assert Permission.USERS_INVITE not in permissions_for(frozenset({Role.AGENT}))
        assert Permission.USERS_INVITE in permissions_for(frozenset({Role.OWNER}))

    def test_mfa_required_roles(self):
        assert mfa_required(frozenset({Role.AGENT}))
        assert mfa_required(frozenset({Role.OWNER}))
        assert not mfa_required(frozenset({Role.STAFF}))


def test_secret_carrying_types_redact_their_repr():
    assert "s" * 8 not in repr(SecretBox(b"s" * 32))
    assert repr(SecretBox(b"s" * 32)) == "SecretBox(key=<redacted>)"


def test_malformed_recovery_code_is_left_unformatted():
    assert totp.normalise_recovery_code("abc") == "abc"
