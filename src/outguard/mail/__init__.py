"""Outgoing e-mail behind a `Mailer` port: SMTP, a development outbox, null, in-memory."""

from outguard.mail.backends import (
    InMemoryMailer,
    NullMailer,
    OutboxMailer,
    SmtpMailer,
    build_message,
    make_mailer,
)
from outguard.mail.base import Mailer, OutgoingMail

__all__ = [
    "InMemoryMailer",
    "Mailer",
    "NullMailer",
    "OutboxMailer",
    "OutgoingMail",
    "SmtpMailer",
    "build_message",
    "make_mailer",
]
