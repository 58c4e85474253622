"""Mailer implementations, chosen by `settings.mail.backend` in the composition roots."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from outguard.errors import ExternalServiceError
from outguard.mail.base import Mailer, OutgoingMail
from outguard.settings import MailSettings, Settings


def _build(message: OutgoingMail, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    email.set_content(message.text)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    return email


class SmtpMailer:
    def __init__(self, settings: MailSettings) -> None:
        self._s = settings

    def send(self, message: OutgoingMail) -> None:
        s = self._s
        where = f"{s.smtp_host}:{s.smtp_port}"
        try:
            with smtplib.SMTP(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds
            ) as smtp:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_username:
                    password = (
                        s.smtp_password.get_secret_value() if s.smtp_password else ""
                    )
                    smtp.login(s.smtp_username, password)
                smtp.send_message(_build(message, s.from_address))
        except smtplib.SMTPRecipientsRefused as exc:
            raise ExternalServiceError(
                f"The mail server at {where} refused the recipient.", retriable=False
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ExternalServiceError(
                f"Could not send e-mail through {where} ({type(exc).__name__})."
            ) from exc


class OutboxMailer:
    """Development: each message becomes an .eml file people can open."""

    def __init__(self, folder: Path, sender: str) -> None:
        self._folder = folder
        self._sender = sender

    def send(self, message: OutgoingMail) -> None:
        self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self._folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(_build(message, self._sender)))
        path.chmod(0o600)


class NullMailer:
    def send(self, message: OutgoingMail) -> None:
        _ = message


class InMemoryMailer:
    """Test fake: keeps what was sent."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []

    def send(self, message: OutgoingMail) -> None:
        self.sent.append(message)


def make_mailer(settings: Settings) -> Mailer:
    backend = settings.mail.backend
    if backend == "smtp":
        return SmtpMailer(settings.mail)
    if backend == "outbox":
        return OutboxMailer(settings.home / "outbox", settings.mail.from_address)
    return NullMailer()
