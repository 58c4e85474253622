"""E-mail addresses."""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity

DETECTORS = (
    PatternDetector(
        name="email",
        entity=Entity.EMAIL,
        pattern=re.compile(
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}(?![A-Za-z0-9])"
        ),
        context=("email", "e-mail", "mail", "contact"),
        base_score=0.95,
        context_score=0.99,
        checksum=True,  # the syntax is the proof: nothing else looks like this
    ),
)
