"""The mail port."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str | None = None

    def __repr__(self) -> str:  # recipients and bodies stay out of logs
        return f"OutgoingMail(subject={self.subject!r})"


class Mailer(Protocol):
    def send(self, message: OutgoingMail) -> None:
        """Deliver one message or raise `ExternalServiceError`."""
        ...
