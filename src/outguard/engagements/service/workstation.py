"""Workstation attestation (VE-01): measured by a downloadable script, or self-attested.

The script is issued per agent with a key derived from the application secret; it prints a
JSON result signed with HMAC-SHA256 under that key. The signature binds the result to the
agent it was issued to and to the moment it ran (results older than a day are refused). It
cannot prove the machine did not lie: an agent who reads the key can forge a result. The
method (`script` or `self`) is recorded so the client sees which is which.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from outguard.accounts.service import AccountsDeps
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.engagements.models import Attestation, AttestationKind, AttestationMethod
from outguard.engagements.policy import can_act_for_self
from outguard.engagements.repository import EngagementRepository
from outguard.engagements.schemas import WORKSTATION_CHECKS, WorkstationAnswers
from outguard.engagements.service.common import require
from outguard.engagements.workstation_script import render_script
from outguard.errors import DomainValidationError
from outguard.security.tokens import digests_match, keyed_digest
from outguard.types import Actor, Clock

RESULT_MAX_AGE = timedelta(days=1)
_CLOCK_SKEW = timedelta(minutes=10)
_RECORD_FOR = timedelta(days=366)  # the engagement's own validity decides freshness
_MAX_RESULT_BYTES = 20_000


def _key(deps: AccountsDeps, user_id: str) -> bytes:
    return bytes.fromhex(deps.hasher.digest(user_id, purpose="workstation-check"))


def canonical(payload: dict[str, object]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def script_for(actor: Actor, *, deps: AccountsDeps) -> str:
    """The check script, personalised for the signed-in agent."""
    require(can_act_for_self(actor))
    user_id = str(actor.user_id)
    return render_script(user_id=user_id, key_hex=_key(deps, user_id).hex())


def _parse(text: str) -> tuple[dict[str, object], str]:
    if len(text.encode()) > _MAX_RESULT_BYTES:
        raise DomainValidationError("That result is too large to be a check result.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DomainValidationError(
            "That is not the check script's output: paste the whole JSON it printed."
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("signature"), str):
        raise DomainValidationError(
            "That is not the check script's output: the signature is missing."
        )
    signature = data.pop("signature")
    return data, signature


def _checks_of(data: dict[str, object]) -> dict[str, bool]:
    checks = data.get("checks")
    if not isinstance(checks, dict) or set(checks) != set(WORKSTATION_CHECKS):
        raise DomainValidationError("The result does not list the expected checks.")
    if not all(isinstance(v, bool) for v in checks.values()):
        raise DomainValidationError("Each check result must be true or false.")
    return {k: bool(checks[k]) for k in WORKSTATION_CHECKS}


def submit_script_result(
    session: Session, actor: Actor, text: str, *, deps: AccountsDeps
) -> Attestation:
    require(can_act_for_self(actor))
    data, signature = _parse(text)
    user_id = str(actor.user_id)
    if data.get("user") != user_id:
        raise DomainValidationError(
            "This result was produced by a script issued to someone else."
        )
    if not digests_match(keyed_digest(_key(deps, user_id), canonical(data)), signature):
        raise DomainValidationError(
            "The result's signature does not match: it was changed after the script ran."
        )
    try:
        ran_at = datetime.fromisoformat(str(data.get("checked_at")))
    except ValueError as exc:
        raise DomainValidationError("The result has no valid time.") from exc
    now = deps.clock.now()
    if ran_at.tzinfo is None or ran_at > now + _CLOCK_SKEW:
        raise DomainValidationError("The result's time is in the future.")
    if now - ran_at > RESULT_MAX_AGE:
        raise DomainValidationError(
            "The result is more than a day old: run the check again."
        )
    checks = _checks_of(data)
    facts = {"os": str(data.get("os", ""))[:80], **checks}
    return _save(
        session, actor, AttestationMethod.SCRIPT, facts, checks, clock=deps.clock
    )


def self_attest(
    session: Session, actor: Actor, answers: WorkstationAnswers, *, clock: Clock
) -> Attestation:
    require(can_act_for_self(actor))
    checks = answers.model_dump()
    return _save(
        session, actor, AttestationMethod.SELF, dict(checks), checks, clock=clock
    )


def _save(
    session: Session,
    actor: Actor,
    method: AttestationMethod,
    facts: dict[str, object],
    checks: dict[str, bool],
    *,
    clock: Clock,
) -> Attestation:
    assert actor.user_id is not None  # noqa: S101 - can_act_for_self needs a person
    now = clock.now()
    attestation = EngagementRepository(session).add(
        Attestation(
            kind=AttestationKind.WORKSTATION,
            user_id=actor.user_id,
            attested_by_id=actor.user_id,
            method=method,
            checks=facts,
            passed=all(checks.values()),
            attested_at=now,
            expires_at=now + _RECORD_FOR,
        )
    )
    record(
        session,
        actor,
        AuditTag.WORKSTATION_ATTESTED,
        clock=clock,
        subject_type="user",
        subject_id=actor.user_id,
        details={"method": method.value, "passed": attestation.passed, **checks},
    )
    return attestation


def latest(session: Session, actor: Actor) -> Attestation | None:
    if actor.user_id is None:
        return None
    return EngagementRepository(session).latest_attestation(
        actor.user_id, AttestationKind.WORKSTATION
    )
