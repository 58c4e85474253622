"""Mailer implementations, chosen by `settings.mail.backend` in the composition roots.

Error messages name the server (`host:port`) and the SMTP reply code, never the
recipient: they end up in job records and logs.
"""

from __future__ import annotations

import ipaddress
import os
import smtplib
import ssl
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import assert_never

from outguard.errors import ExternalServiceError
from outguard.mail.base import Mailer, OutgoingMail
from outguard.settings import MailSettings, Settings

DEFAULT_SENDER = "outguard@localhost"
SMTP_PERMANENT_FAILURE = range(500, 600)


def build_message(message: OutgoingMail, sender: str) -> EmailMessage:
    """The RFC 5322 message: plain text, plus an HTML alternative when given."""
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
    """Sends through an SMTP server: STARTTLS and login as configured, with a timeout.

    Every failure becomes `ExternalServiceError`; it is retriable except when the server
    permanently (5xx) refuses the recipient, or the configuration would send the password
    in clear text to another machine.
    """

    def __init__(self, settings: MailSettings) -> None:
        self._s = settings

    @property
    def where(self) -> str:
        return f"{self._s.smtp_host}:{self._s.smtp_port}"

    def send(self, message: OutgoingMail) -> None:
        s = self._s
        if s.smtp_username and not s.smtp_starttls and not _is_loopback(s.smtp_host):
            raise ExternalServiceError(
                f"Refusing to send the SMTP password to {self.where} without STARTTLS.",
                retriable=False,
            )
        email = build_message(message, s.from_address)
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
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            # The exception (and its reply text) quotes the address: not chained.
            codes = sorted({code for code, _reply in exc.recipients.values()})
            raise ExternalServiceError(
                f"The mail server at {self.where} refused the recipient "
                f"(SMTP {', '.join(map(str, codes))}).",
                retriable=not all(c in SMTP_PERMANENT_FAILURE for c in codes),
                details={"server": self.where, "smtp_codes": codes},
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise ExternalServiceError(
                f"The mail server at {self.where} answered {exc.smtp_code} "
                f"({type(exc).__name__}).",
                details={"server": self.where, "smtp_codes": [exc.smtp_code]},
            ) from None
        except smtplib.SMTPException as exc:
            raise ExternalServiceError(
                f"Could not send e-mail through {self.where} ({type(exc).__name__}).",
                details={"server": self.where},
            ) from None
        except OSError as exc:  # refused, unreachable, timed out, TLS failure
            raise ExternalServiceError(
                f"Could not reach the mail server at {self.where} ({type(exc).__name__}).",
                details={"server": self.where},
            ) from exc


class OutboxMailer:
    """Development: each message becomes an .eml file in `folder` that people can open."""

    def __init__(self, folder: Path, sender: str = DEFAULT_SENDER) -> None:
        self._folder = folder
        self._sender = sender

    @property
    def folder(self) -> Path:
        return self._folder

    def send(self, message: OutgoingMail) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self._folder / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
        data = bytes(build_message(message, self._sender))
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            if not self._folder.is_dir():
                self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._folder.chmod(0o700)  # invitations carry sign-up links
            fd = os.open(path, flags, 0o600)  # private from the first byte
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise ExternalServiceError(
                f"Could not write to the mail outbox ({type(exc).__name__}).",
                details={"folder": str(self._folder)},
            ) from exc


class NullMailer:
    """Drops every message."""

    def send(self, message: OutgoingMail) -> None:
        _ = message


class InMemoryMailer:
    """Test fake: keeps what was sent, in order."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []

    def send(self, message: OutgoingMail) -> None:
        self.sent.append(message)


def make_mailer(settings: Settings) -> Mailer:
    """The mailer `settings.mail.backend` names (composition roots only)."""
    backend = settings.mail.backend
    if backend == "smtp":
        return SmtpMailer(settings.mail)
    if backend == "outbox":
        return OutboxMailer(settings.home / "outbox", settings.mail.from_address)
    if backend == "null":
        return NullMailer()
    assert_never(backend)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
