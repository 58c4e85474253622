"""Use cases of engagements, split by use case; import from here."""

from outguard.engagements.service import (
    agreements,
    engagements,
    gate,
    reminders,
    roster,
    training,
    workstation,
)

__all__ = [
    "agreements",
    "engagements",
    "gate",
    "reminders",
    "roster",
    "training",
    "workstation",
]
