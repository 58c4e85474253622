"""Dates of birth: a date is one only with birth-date context ("DOB", "born", "birthday")."""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    r"(?<![\d/.-])(?:"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}"  # 03/14/1985, 14.03.1985, 3-14-85
    r"|(?:19|20)\d{2}-\d{1,2}-\d{1,2}"  # 1985-03-14
    rf"|{_MONTHS} \d{{1,2}},? (?:19|20)\d{{2}}"  # March 14, 1985
    rf"|\d{{1,2}} {_MONTHS},? (?:19|20)\d{{2}}"  # 14 March 1985
    r")(?![\d/-])(?!\.\d)",
    re.IGNORECASE,
)

DETECTORS = (
    PatternDetector(
        name="date_of_birth",
        entity=Entity.DATE_OF_BIRTH,
        pattern=_DATE,
        context=(
            "dob",
            "d.o.b",
            "d.o.b.",
            "date of birth",
            "birth date",
            "birthdate",
            "birthday",
            "born",
            "born on",
            "b.",
            "age",
        ),
        # A birthday lunch is an event, not a birth date.
        veto=tuple(
            f"birthday {w}"
            for w in ("lunch", "party", "celebration", "cake", "card", "gift")
        ),
        requires_context=True,
        context_score=0.92,
    ),
)
