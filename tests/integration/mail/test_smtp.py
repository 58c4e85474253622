"""Mail through a real SMTP server on loopback (aiosmtpd), the outbox, and the fakes."""

from __future__ import annotations

import email
import email.policy
import socket
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from outguard.errors import DomainValidationError, ExternalServiceError
from outguard.mail import (
    InMemoryMailer,
    NullMailer,
    OutboxMailer,
    OutgoingMail,
    SmtpMailer,
    make_mailer,
)
from outguard.settings import Environment, MailSettings, Settings
from tests.support.postgres import free_port

RECIPIENT = "secret.person@example.test"
USER, PASSWORD = "outguard", "s3cret-smtp-password"


@dataclass
class _Handler:
    """Collects messages; optionally refuses recipients with a given reply."""

    rcpt_reply: str | None = None
    messages: list[Any] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook name
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append(envelope)
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)  # the server sends 235 or 535


@dataclass
class _Server:
    controller: Controller
    handler: _Handler

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def mailer(self, **settings: Any) -> SmtpMailer:
        return SmtpMailer(
            MailSettings(
                backend="smtp",
                smtp_host="127.0.0.1",
                smtp_port=self.port,
                from_address="outguard@test.example",
                smtp_timeout_seconds=5,
                **settings,
            )
        )


@contextmanager
def _start(handler: _Handler, **server_kwargs: Any) -> Iterator[_Server]:
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), **server_kwargs
    )
    controller.start()
    try:
        yield _Server(controller, handler)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[_Server]:
    with _start(_Handler()) as server:
        yield server


@pytest.fixture
def auth_smtp_server() -> Iterator[_Server]:
    with _start(
        _Handler(), authenticator=_authenticator, auth_require_tls=False
    ) as server:
        yield server


def _parse(envelope: Any) -> email.message.EmailMessage:
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def _invitation(**kw: Any) -> OutgoingMail:
    return OutgoingMail(
        to=kw.pop("to", RECIPIENT),
        subject=kw.pop("subject", "You are invited"),
        text=kw.pop("text", "Open https://x.test/invite/ogi_1 to join."),
        **kw,
    )


class TestSmtpDelivery:
    def test_plain_text_is_delivered(self, smtp_server):
        smtp_server.mailer().send(_invitation())
        (envelope,) = smtp_server.handler.messages
        assert envelope.mail_from == "outguard@test.example"
        assert envelope.rcpt_tos == [RECIPIENT]
        message = _parse(envelope)
        assert message["To"] == RECIPIENT
        assert message["From"] == "outguard@test.example"
        assert message["Subject"] == "You are invited"
        assert message["Message-ID"].endswith("@test.example>")
        assert message["Date"]
        assert message.get_content_type() == "text/plain"
        assert "ogi_1" in message.get_content()

    def test_html_alternative(self, smtp_server):
        smtp_server.mailer().send(_invitation(html="<p>Open <a href='x'>it</a></p>"))
        message = _parse(smtp_server.handler.messages[0])
        assert message.get_content_type() == "multipart/alternative"
        html = message.get_body(preferencelist=("html",))
        text = message.get_body(preferencelist=("plain",))
        assert html is not None
        assert text is not None
        assert "<a href='x'>" in html.get_content()
        assert "ogi_1" in text.get_content()

    def test_unicode_subject_and_body(self, smtp_server):
        smtp_server.mailer().send(
            _invitation(subject="Einladung für Müller", text="Grüße — 日本")
        )
        message = _parse(smtp_server.handler.messages[0])
        assert message["Subject"] == "Einladung für Müller"
        assert message.get_content().strip() == "Grüße — 日本"

    def test_several_messages_one_connection_each(self, smtp_server):
        mailer = smtp_server.mailer()
        for n in range(3):
            mailer.send(_invitation(to=f"user{n}@example.test"))
        assert [e.rcpt_tos for e in smtp_server.handler.messages] == [
            ["user0@example.test"],
            ["user1@example.test"],
            ["user2@example.test"],
        ]


class TestSmtpLogin:
    def test_login_then_deliver(self, auth_smtp_server):
        auth_smtp_server.mailer(smtp_username=USER, smtp_password=PASSWORD).send(
            _invitation()
        )
        assert len(auth_smtp_server.handler.messages) == 1

    def test_wrong_password(self, auth_smtp_server):
        mailer = auth_smtp_server.mailer(smtp_username=USER, smtp_password="wrong")
        with pytest.raises(ExternalServiceError) as info:
            mailer.send(_invitation())
        assert "535" in info.value.message
        assert "wrong" not in info.value.message
        assert RECIPIENT not in info.value.message
        assert info.value.retriable
        assert auth_smtp_server.handler.messages == []

    def test_no_clear_text_password_to_a_remote_server(self):
        mailer = SmtpMailer(
            MailSettings(
                backend="smtp",
                smtp_host="mail.example.test",  # never contacted
                smtp_port=25,
                smtp_username=USER,
                smtp_password=PASSWORD,
                smtp_starttls=False,
            )
        )
        with pytest.raises(ExternalServiceError) as info:
            mailer.send(_invitation())
        assert "STARTTLS" in info.value.message
        assert "mail.example.test:25" in info.value.message
        assert not info.value.retriable

    def test_starttls_required_but_not_offered(self, smtp_server):
        with pytest.raises(ExternalServiceError) as info:
            smtp_server.mailer(smtp_starttls=True).send(_invitation())
        assert f"127.0.0.1:{smtp_server.port}" in info.value.message
        assert smtp_server.handler.messages == []


class TestSmtpFailures:
    def _assert_no_recipient(self, error: ExternalServiceError) -> None:
        assert RECIPIENT not in error.message
        assert "secret.person" not in str(error.details)
        cause = error.__cause__
        while cause is not None:
            assert "secret.person" not in str(cause)
            cause = cause.__cause__

    def test_unreachable_server(self):
        port = free_port()
        mailer = SmtpMailer(
            MailSettings(
                backend="smtp",
                smtp_host="127.0.0.1",
                smtp_port=port,
                smtp_timeout_seconds=2,
            )
        )
        with pytest.raises(ExternalServiceError) as info:
            mailer.send(_invitation())
        assert f"127.0.0.1:{port}" in info.value.message
        assert info.value.retriable
        self._assert_no_recipient(info.value)

    def test_server_that_never_answers_times_out(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(1)  # accepts the TCP handshake, never greets
            port = silent.getsockname()[1]
            mailer = SmtpMailer(
                MailSettings(
                    backend="smtp",
                    smtp_host="127.0.0.1",
                    smtp_port=port,
                    smtp_timeout_seconds=0.3,
                )
            )
            with pytest.raises(ExternalServiceError) as info:
                mailer.send(_invitation())
        assert info.value.retriable
        assert f"127.0.0.1:{port}" in info.value.message

    def test_permanently_refused_recipient_is_not_retriable(self):
        handler = _Handler(rcpt_reply=f"550 5.1.1 <{RECIPIENT}>: no such user")
        with _start(handler) as server:
            with pytest.raises(ExternalServiceError) as info:
                server.mailer().send(_invitation())
            assert not info.value.retriable
            assert "550" in info.value.message
            self._assert_no_recipient(info.value)

    def test_temporarily_refused_recipient_is_retriable(self):
        handler = _Handler(rcpt_reply=f"450 4.2.0 <{RECIPIENT}>: greylisted")
        with _start(handler) as server:
            with pytest.raises(ExternalServiceError) as info:
                server.mailer().send(_invitation())
            assert info.value.retriable
            assert "450" in info.value.message
            self._assert_no_recipient(info.value)


class TestOutgoingMail:
    @pytest.mark.parametrize(
        "to",
        [
            "",
            "no-at-sign",
            "a@b@c",
            "a@b.test, c@d.test",
            "a@b.test;c@d.test",
            "Ann <a@b.test>",
            "a@b.test\r\nBcc: eve@evil.test",
            "a@b.test\nBcc: eve@evil.test",
            "a b@c.test",
            "a@b.test\x00",
        ],
    )
    def test_refuses_anything_but_one_address(self, to):
        with pytest.raises(DomainValidationError):
            OutgoingMail(to=to, subject="s", text="t")

    @pytest.mark.parametrize(
        "subject", ["a\r\nBcc: eve@evil.test", "line\nbreak", "tab\there", "x" * 999]
    )
    def test_refuses_header_injection_in_the_subject(self, subject):
        with pytest.raises(DomainValidationError):
            OutgoingMail(to="a@b.test", subject=subject, text="t")

    def test_repr_hides_recipient_and_body(self):
        text = repr(_invitation())
        assert "secret.person" not in text
        assert "ogi_1" not in text
        assert "You are invited" in text


class TestOutbox:
    def test_each_message_is_a_private_eml_file(self, tmp_path):
        outbox = OutboxMailer(tmp_path / "home" / "outbox", "o@x.test")
        outbox.send(_invitation(subject="First"))
        outbox.send(_invitation(subject="Second", html="<b>hi</b>"))
        folder = tmp_path / "home" / "outbox"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        paths = sorted(folder.glob("*.eml"))
        assert len(paths) == 2
        subjects = set()
        for path in paths:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            message = email.message_from_bytes(
                path.read_bytes(), policy=email.policy.default
            )
            assert message["To"] == RECIPIENT
            assert message["From"] == "o@x.test"
            subjects.add(message["Subject"])
        assert subjects == {"First", "Second"}

    def test_unwritable_outbox_is_an_external_error(self, tmp_path):
        (tmp_path / "outbox").write_text("a file where the folder should be")
        with pytest.raises(ExternalServiceError):
            OutboxMailer(tmp_path / "outbox" / "inner").send(_invitation())


class TestFakesAndFactory:
    def test_in_memory_keeps_messages_in_order(self):
        mailer = InMemoryMailer()
        first, second = _invitation(subject="1"), _invitation(subject="2")
        mailer.send(first)
        mailer.send(second)
        assert mailer.sent == [first, second]

    def test_null_drops(self):
        NullMailer().send(_invitation())

    @pytest.mark.parametrize(
        ("backend", "kind"),
        [("smtp", SmtpMailer), ("outbox", OutboxMailer), ("null", NullMailer)],
    )
    def test_make_mailer(self, tmp_path, backend, kind):
        settings = Settings(
            environment=Environment.TEST,
            home=tmp_path / "home",
            mail=MailSettings(backend=backend),
        )
        mailer = make_mailer(settings)
        assert isinstance(mailer, kind)
        if isinstance(mailer, OutboxMailer):
            assert mailer.folder == Path(tmp_path / "home" / "outbox")
