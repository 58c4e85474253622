"""Mail through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from outguard.errors import ExternalServiceError
from outguard.mail import OutboxMailer, OutgoingMail, SmtpMailer
from outguard.settings import MailSettings
from tests.support.postgres import free_port


class _Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_smtp_delivers(smtp_server):
    controller, handler = smtp_server
    mailer = SmtpMailer(
        MailSettings(
            backend="smtp",
            smtp_host="127.0.0.1",
            smtp_port=controller.port,
            from_address="outguard@test.example",
        )
    )
    mailer.send(
        OutgoingMail(
            to="ann@example.test",
            subject="Invitation",
            text="Open https://x/invite/ogi_1",
        )
    )
    assert len(handler.messages) == 1
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["ann@example.test"]
    assert b"ogi_1" in envelope.content


def test_unreachable_server_is_an_external_error_without_the_recipient():
    mailer = SmtpMailer(
        MailSettings(
            backend="smtp",
            smtp_host="127.0.0.1",
            smtp_port=free_port(),
            smtp_timeout_seconds=2,
        )
    )
    with pytest.raises(ExternalServiceError) as info:
        mailer.send(
            OutgoingMail(to="secret.person@example.test", subject="x", text="y")
        )
    assert "secret.person" not in info.value.message
    assert info.value.retriable


def test_outbox_writes_private_eml(tmp_path):
    OutboxMailer(tmp_path / "outbox", "o@x.test").send(
        OutgoingMail(to="a@b.test", subject="Hi", text="Body")
    )
    (path,) = (tmp_path / "outbox").glob("*.eml")
    assert b"Subject: Hi" in path.read_bytes()
    assert path.stat().st_mode & 0o077 == 0
