"""Agreements, training, the workstation script and reminders, through the services.

Reminders go through a real SMTP server on loopback (aiosmtpd).
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from outguard.engagements.models import AgreementKind
from outguard.engagements.schemas import (
    ModulePublish,
    Question,
    SignRequest,
    TemplatePublish,
)
from outguard.engagements.service import (
    agreements,
    gate,
    reminders,
    training,
    workstation,
)
from outguard.engagements.service.workstation import canonical
from outguard.errors import (
    AlreadyExistsError,
    AuthenticationError,
    ConflictError,
    DomainValidationError,
    NotFoundError,
    PermissionDeniedError,
)
from outguard.mail import SmtpMailer
from outguard.security.tokens import keyed_digest
from outguard.settings import MailSettings
from outguard.types import Actor
from tests.factories.accounts import TEST_PASSWORD
from tests.support.postgres import free_port


class _Collect:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp():
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def _sign_request(s, kind, **kw):
    return SignRequest(
        template_id=kw.pop("template_id", s.templates[kind]),
        typed_name="Agent Name",
        agree=True,
        password=kw.pop("password", TEST_PASSWORD),
        **kw,
    )


class TestAgreements:
    def test_signature_records_hash_version_ip_and_browser(self, setup):
        s = setup
        sig = agreements.my_signatures(s.world_session, s.actor("agent"))[0]
        template = agreements.get_template(
            s.world_session, s.actor("agent"), sig.template_id
        )
        assert (
            sig.sha256 == template.sha256 == agreements.document_sha256(template.body)
        )
        assert (sig.ip, sig.user_agent, sig.version) == ("203.0.113.7", "pytest", 1)
        receipt = agreements.receipt(s.world_session, s.actor("owner"), sig.id)
        assert receipt.signer_name == "Agent"
        with pytest.raises(NotFoundError):  # another client sees nothing
            agreements.receipt(s.world_session, s.actor("other_owner"), sig.id)

    def test_wrong_password_repeat_and_superseded_versions_are_refused(self, setup):
        s = setup
        with pytest.raises(AuthenticationError):
            agreements.sign(
                s.world_session,
                s.actor("agent"),
                _sign_request(s, AgreementKind.AGENT_NDA, password="not the password"),
                deps=s.deps,
            )
        with pytest.raises(AlreadyExistsError):
            agreements.sign(
                s.world_session,
                s.actor("agent"),
                _sign_request(s, AgreementKind.AGENT_NDA),
                deps=s.deps,
            )
        agreements.publish_template(
            s.world_session,
            s.actor("owner"),
            TemplatePublish(
                kind=AgreementKind.AGENT_NDA,
                title="NDA v2",
                body="A revised undertaking text.",
            ),
            clock=s.deps.clock,
        )
        with pytest.raises(ConflictError, match="newer version"):
            agreements.sign(
                s.world_session,
                s.actor("agent"),
                _sign_request(s, AgreementKind.AGENT_NDA),
                deps=s.deps,
            )

    def test_vendor_texts_are_signed_by_the_vendor_admin_for_an_engagement(self, setup):
        s = setup
        with pytest.raises(ConflictError, match="engagement"):
            agreements.sign(
                s.world_session,
                s.actor("vadmin"),
                _sign_request(s, AgreementKind.DPA),
                deps=s.deps,
            )
        with pytest.raises(PermissionDeniedError):
            agreements.sign(
                s.world_session,
                s.actor("agent"),
                _sign_request(s, AgreementKind.DPA, engagement_id=s.engagement.id),
                deps=s.deps,
            )


class TestTraining:
    def test_quiz_scores_and_refuses_incomplete_answers(self, setup):
        s = setup
        with pytest.raises(DomainValidationError, match="Answer"):
            training.take_quiz(
                s.world_session,
                s.actor("agent"),
                s.module_id,
                [1, None],
                clock=s.deps.clock,
            )
        result = training.take_quiz(
            s.world_session, s.actor("agent"), s.module_id, [1, 1], clock=s.deps.clock
        )
        assert (result.score, result.passed) == (50, False)

    def test_a_new_module_blocks_until_passed(self, setup):
        s = setup
        module = training.publish_module(
            s.world_session,
            s.actor("owner"),
            ModulePublish(
                title="Phishing 2027",
                content="Spot the signs of phishing before you click.",
                questions=[
                    Question(
                        question="Click unknown links?", options=["Yes", "No"], answer=1
                    )
                ],
            ),
            clock=s.deps.clock,
        )
        result = gate.enforce(
            s.world_session, s.actor("agent"), s.engagement.id, clock=s.deps.clock
        )
        assert f"training:{module.id}" in result.reasons()


class TestWorkstationScript:
    def test_the_real_script_runs_here_and_its_signed_result_is_accepted(
        self, setup, tmp_path
    ):
        s = setup
        script = tmp_path / "check.py"
        script.write_text(workstation.script_for(s.actor("agent"), deps=s.deps))
        out = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        result = json.loads(out.stdout)
        # The script ran moments ago in real time; the test clock is fixed: align it.
        s.deps.clock.current = __import__("datetime").datetime.fromisoformat(
            result["checked_at"]
        )
        attestation = workstation.submit_script_result(
            s.world_session, s.actor("agent"), out.stdout, deps=s.deps
        )
        assert attestation.method == "script"
        assert set(attestation.checks) >= {"disk_encryption", "firewall", "antivirus"}

    def _signed(self, s, name="agent", **changes):
        user = str(s.world.people[name].id)
        payload = {
            "version": 1,
            "user": user,
            "checked_at": s.deps.clock.now().isoformat(),
            "os": "Linux 6",
            "checks": dict.fromkeys(
                (
                    "disk_encryption",
                    "firewall",
                    "antivirus",
                    "os_updates",
                    "removable_storage_blocked",
                ),
                True,
            ),
        }
        key = bytes.fromhex(s.deps.hasher.digest(user, purpose="workstation-check"))
        payload["signature"] = keyed_digest(key, canonical(payload))
        payload.update(changes)
        return json.dumps(payload)

    def test_valid_result(self, setup):
        a = workstation.submit_script_result(
            setup.world_session,
            setup.actor("agent"),
            self._signed(setup),
            deps=setup.deps,
        )
        assert a.passed

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"checks": {"disk_encryption": True}}, "signature"),
            ({"signature": "00" * 32}, "signature"),
            ({}, "someone else"),
        ],
    )
    def test_tampered_or_foreign_results_are_refused(self, setup, change, message):
        s = setup
        text = self._signed(s, "subagent") if not change else self._signed(s, **change)
        with pytest.raises(DomainValidationError, match=message):
            workstation.submit_script_result(
                s.world_session, s.actor("agent"), text, deps=s.deps
            )

    def test_old_or_garbled_results_are_refused(self, setup):
        s = setup
        text = self._signed(s)
        s.deps.clock.advance(timedelta(days=2))
        with pytest.raises(DomainValidationError, match="day old"):
            workstation.submit_script_result(
                s.world_session, s.actor("agent"), text, deps=s.deps
            )
        for junk in ("", "not json", "[]", "{" * 30_000):
            with pytest.raises(DomainValidationError):
                workstation.submit_script_result(
                    s.world_session, s.actor("agent"), junk, deps=s.deps
                )


class TestReminders:
    def test_reminders_go_out_over_smtp_once_per_stage(self, setup, smtp):
        controller, handler = smtp
        s = setup
        mailer = SmtpMailer(
            MailSettings(
                backend="smtp",
                smtp_host="127.0.0.1",
                smtp_port=int(controller.port),
                from_address="outguard@test.example",
                smtp_timeout_seconds=5,
            )
        )
        deps = dataclasses.replace(s.deps, mailer=mailer)
        s.deps.clock.advance(
            timedelta(days=35)
        )  # training (60 days) now expires within 30
        sent = reminders.send_reminders(
            s.world_session, Actor.system("test"), deps=deps
        )
        assert sent == 1
        (envelope,) = handler.messages
        assert envelope.rcpt_tos == [s.world.people["agent"].email]
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "Handling data" in body
        assert "/checklist" in body
        assert (
            reminders.send_reminders(s.world_session, Actor.system("test"), deps=deps)
            == 0
        )
        s.deps.clock.advance(timedelta(days=20))  # the last week: a second reminder
        assert (
            reminders.send_reminders(s.world_session, Actor.system("test"), deps=deps)
            == 1
        )
