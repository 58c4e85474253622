"""Street addresses as whole spans: number, street, unit, and city/state/ZIP when they follow.

A street line needs a number and a street suffix ("12 Main St", "1600 Pennsylvania Avenue NW");
the city, state and ZIP that follow (on the same line or the next) join the span, so the whole
address is redacted, never just its first line. PO boxes count too.
"""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity

_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl"
    r"|Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Loop|Plaza|Plz"
    r"|Pike|Route|Rte|Alley|Aly|Crescent|Cres|Run|Row|Walk|Pass|Point|Pt|Ridge|Cove|Path)\.?"
)
_STATES = (
    r"(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|PR|RI"
    r"|S[CD]|T[NX]|UT|V[AIT]|W[AIVY])"
)
_WORD = r"[A-Z0-9][A-Za-z0-9.'-]*"
_STREET = (
    rf"\d{{1,6}}(?:-\d{{1,4}})?[A-Za-z]?\s+(?:[NSEW]{{1,2}}\.?\s+)?(?:{_WORD}\s+){{0,4}}{_SUFFIX}"
    r"(?:\s+[NSEW]{1,2}\b\.?)?"
    r"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Bldg|Building|Room|Rm|#)\.?\s*#?\s*[A-Za-z0-9-]{1,6})?"
)
_PO_BOX = r"P\.?\s?O\.?\s+Box\s+\d{1,7}"
_CITY_STATE_ZIP = rf"(?:,\s*|\s*\n\s*|\s+)[A-Z][A-Za-z.'-]+(?:\s[A-Z][A-Za-z.'-]+){{0,3}},?\s+{_STATES}\.?(?:\s+\d{{5}}(?:-\d{{4}})?)?"

DETECTORS = (
    PatternDetector(
        name="us_address",
        entity=Entity.ADDRESS,
        pattern=re.compile(
            rf"(?<![\w-])(?:{_STREET}|{_PO_BOX})(?:{_CITY_STATE_ZIP})?(?![\w-])"
        ),
        context=(
            "address",
            "addr",
            "street",
            "mail to",
            "ship to",
            "bill to",
            "remit to",
            "lives at",
            "residing",
        ),
        base_score=0.8,
        context_score=0.95,
    ),
)
