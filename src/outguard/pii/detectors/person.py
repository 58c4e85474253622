"""Person names from patterns and name lists: "Last, First M.", titles, "First Last".

A name needs evidence: a first name from a list of real given names (Faker's en_US lists:
690 first names, 1,000 surnames), a title, or a name word nearby ("employee", "payee", "attn").
The NER path (spaCy, in `pii/ner.py`) adds names this misses; it never overrides a checksum hit.
"""

import re

from faker.providers.person.en_US import Provider as _Names

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity

FIRST_NAMES = frozenset(n.lower() for n in _Names.first_names)
LAST_NAMES = frozenset(n.lower() for n in _Names.last_names)
# Capitalised words that follow a first name without being a surname.
_NOT_SURNAMES = frozenset(
    [
        "street",
        "st",
        "avenue",
        "ave",
        "road",
        "rd",
        "lane",
        "drive",
        "court",
        "way",
        "place",
        "the",
        "and",
        "or",
        "of",
        "for",
        "to",
        "from",
        "inc",
        "llc",
        "corp",
        "co",
        "company",
        "bank",
        "payroll",
        "invoice",
        "account",
        "total",
        "amount",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
# A capitalised name word: Lopez, O'Brien, McDonald, Smith-Jones (never across a line break).
_CAP = r"(?:[A-Z]['’])?[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?"
_CONTEXT = (
    "name",
    "employee",
    "payee",
    "vendor",
    "customer",
    "client",
    "attn",
    "attention",
    "dear",
    "mr",
    "mrs",
    "ms",
    "dr",
    "signed",
    "contact",
    "paid",
    "pay to",
    "spouse",
    "dependent",
    "beneficiary",
    "tenant",
    "owner",
    "manager",
    "agent",
    "from",
    "cc",
)


def _last_first(value: str) -> bool:
    last, _, rest = value.partition(",")
    first = rest.split()[0].rstrip(".").lower() if rest.split() else ""
    return first in FIRST_NAMES and last.strip().lower() not in _NOT_SURNAMES


def _first_last(value: str) -> bool:
    words = value.split()
    first, last = words[0].lower(), words[-1].lower()
    if last in _NOT_SURNAMES or first in _NOT_SURNAMES:
        return False
    return first in FIRST_NAMES and (
        last in LAST_NAMES
        or len(words) > 2  # noqa: PLR2004 - a middle name is evidence too
        or last.isalpha()
    )


DETECTORS = (
    PatternDetector(
        name="person_last_first",
        entity=Entity.PERSON,
        pattern=re.compile(
            rf"(?<![\w-])(?:(?:Van|Von|De|Del|Della|Da|Di|Du|Le|La|St\.?) )?{_CAP}(?:-{_CAP})?"
            rf", ?{_CAP}(?: [A-Z]\.?)?(?![\w-])(?! (?:and|&) )"
        ),
        validate=_last_first,
        context=_CONTEXT,
        base_score=0.75,
        context_score=0.9,
    ),
    PatternDetector(
        name="person_titled",
        entity=Entity.PERSON,
        pattern=re.compile(
            rf"(?<![\w-])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.? ({_CAP}(?: (?:[A-Z]\. )?{_CAP})?)(?![\w-])",
            re.IGNORECASE,
        ),
        validate=lambda v: v[:1].isupper() or v.islower(),
        base_score=0.85,
        context_score=0.9,
        group=1,  # the name, not the title
    ),
    PatternDetector(
        name="person_first_last",
        entity=Entity.PERSON,
        # A lookahead, so "Hi Jessica Lamb" is also tried at "Jessica".
        pattern=re.compile(
            rf"(?<![\w-])(?=({_CAP}(?: [A-Z]\.)?(?: {_CAP}){{1,2}})(?![\w-]))"
        ),
        validate=_first_last,
        context=_CONTEXT,
        base_score=0.6,
        context_score=0.85,
        group=1,
    ),
    PatternDetector(
        name="person_mail_header",
        entity=Entity.PERSON,
        # "Beatriz Santos <bsantos@example.com>": the display name of an address.
        pattern=re.compile(
            rf"(?<![\w-])({_CAP}(?: [A-Z]\.)?(?: {_CAP}){{1,2}}) <[^<>\s@]+@"
        ),
        base_score=0.85,
        group=1,
    ),
)

COMPANY_WORDS = frozenset(
    [
        "llc",
        "inc",
        "inc.",
        "ltd",
        "ltd.",
        "corp",
        "corp.",
        "co",
        "co.",
        "company",
        "group",
        "partners",
        "lp",
        "llp",
        "plc",
        "bank",
        "services",
        "solutions",
        "associates",
        "holdings",
        "sons",
        "and",
        "&",
        "pllc",
        "pc",
    ]
)
_POSSESSIVE = re.compile(r"['’]s$")


def trim_ner_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    r"""A statistical PERSON span made safe to report, or None if it is not a name.

    spaCy's small model runs names across line breaks ("Rosa Alvarez\nAR Manager"), keeps
    possessives, and calls dates and companies people; the span is cut at the first line break,
    the possessive dropped, and spans with digits, company suffixes or a lone unknown word
    refused.
    """
    span = text[start:end]
    cut = span.find("\n")
    if cut != -1:
        span = span[:cut]
    span = _POSSESSIVE.sub("", span.rstrip(" ,.;:")).rstrip(" ,")
    words = span.split()
    if not words or any(c.isdigit() for c in span):
        return None
    if words[-1].lower() in COMPANY_WORDS:
        return None
    if len(words) == 1 and words[0].lower() not in FIRST_NAMES | LAST_NAMES:
        return None
    return start, start + len(span)
