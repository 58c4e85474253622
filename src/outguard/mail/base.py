"""The mail port and the message it carries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from outguard.errors import DomainValidationError

MAX_SUBJECT_LENGTH = 998  # RFC 5322 line limit
# One bare address, `local@domain`: no display name, no list, no control characters, so a
# caller cannot turn `to` into several recipients or extra headers.
_ADDRESS = re.compile(
    r"[^@\s<>,;:\"()\[\]\\\x00-\x1f\x7f]{1,64}@[^@\s<>,;:\"()\[\]\\\x00-\x1f\x7f]{1,255}"
)


@dataclass(frozen=True)
class OutgoingMail:
    """One message to one recipient. Invalid headers are refused on construction."""

    to: str
    subject: str
    text: str
    html: str | None = None

    def __post_init__(self) -> None:
        if not _ADDRESS.fullmatch(self.to):
            raise DomainValidationError("That is not a single e-mail address.")
        if len(self.subject) > MAX_SUBJECT_LENGTH or not self.subject.isprintable():
            raise DomainValidationError("A mail subject is one line of printable text.")

    def __repr__(self) -> str:  # recipients and bodies stay out of logs
        return f"OutgoingMail(subject={self.subject!r})"


class Mailer(Protocol):
    def send(self, message: OutgoingMail) -> None:
        """Deliver one message or raise `ExternalServiceError`."""
        ...
