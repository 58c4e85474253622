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
# The rest of USPS Publication 28's street suffixes ("Mountains", "Stream", "Turnpike"): words
# that are also ordinary nouns, so a street ending in one needs its city/state/ZIP to count.
_RARE_SUFFIX = (
    r"(?:Alley|Anex|Arcade|Bayou|Beach|Bend|Bluffs?|Bottom|Branch|Bridge|Brooks?|Burgs?|Bypass"
    r"|Camp|Canyon|Cape|Causeway|Centers?|Circles|Cliffs?|Club|Commons?|Corners?|Course|Courts"
    r"|Coves|Creek|Crest|Crossing|Crossroads?|Curve|Dale|Dam|Divide|Drives|Estates?|Expressway"
    r"|Extensions?|Falls?|Ferry|Fields?|Flats?|Fords?|Forest|Forges?|Forks?|Fort|Freeway"
    r"|Gardens?|Gateway|Glens?|Greens?|Groves?|Harbors?|Haven|Heights|Hills?|Hollow|Inlet"
    r"|Islands?|Isle|Junctions?|Keys?|Knolls?|Lakes?|Land|Landing|Lights?|Loaf|Locks?|Lodge"
    r"|Mall|Manors?|Meadows?|Mews|Mills?|Mission|Motorway|Mount|Mountains?|Neck|Orchard|Oval"
    r"|Overpass|Parks?|Parkways|Passage|Pines?|Plains?|Points|Ports?|Prairie|Radial|Ramp|Ranch"
    r"|Rapids?|Rest|Ridges|River|Roads|Rue|Shoals?|Shores?|Skyway|Springs?|Spurs?|Squares|Station"
    r"|Stravenue|Stream|Streets|Summit|Throughway|Trace|Track|Trafficway|Trailer|Tunnel"
    r"|Turnpike|Underpass|Unions?|Valleys?|Viaduct|Views?|Villages?|Ville|Vista|Walks|Wall"
    r"|Ways|Wells?)\.?"
)
_STATES = (
    r"(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|PR|RI"
    r"|S[CD]|T[NX]|UT|V[AIT]|W[AIVY]|AS|GU|MP|PW|MH|FM|A[AEP])"
)
_WORD = r"[A-Z0-9][A-Za-z0-9.'-]*"
_UNIT = r"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Bldg|Building|Room|Rm|#)\.?\s*#?\s*[A-Za-z0-9-]{1,6})?"


def _street(suffix: str) -> str:
    return (
        rf"\d{{1,6}}(?:-\d{{1,4}})?[A-Za-z]?\s+(?:[NSEW]{{1,2}}\.?\s+)?(?:{_WORD}\s+){{0,4}}{suffix}"
        rf"(?:\s+[NSEW]{{1,2}}\b\.?)?{_UNIT}"
    )


_STREET = _street(_SUFFIX)
_PO_BOX = r"P\.?\s?O\.?\s+Box\s+\d{1,7}"
_CITY_STATE_ZIP = rf"(?:,\s*|\s*\n\s*|\s+)[A-Z][A-Za-z.'-]+(?:\s[A-Z][A-Za-z.'-]+){{0,3}},?\s+{_STATES}\.?(?:\s+\d{{5}}(?:-\d{{4}})?)?"

_CONTEXT = (
    "address",
    "addr",
    "street",
    "mail to",
    "ship to",
    "bill to",
    "remit to",
    "lives at",
    "residing",
)

DETECTORS = (
    PatternDetector(
        name="us_address",
        entity=Entity.ADDRESS,
        pattern=re.compile(
            rf"(?<![\w-])(?:{_STREET}|{_PO_BOX})(?:{_CITY_STATE_ZIP})?(?![\w-])"
        ),
        context=_CONTEXT,
        base_score=0.8,
        context_score=0.95,
    ),
    PatternDetector(
        name="us_address_full",
        entity=Entity.ADDRESS,
        pattern=re.compile(
            rf"(?<![\w-]){_street(_RARE_SUFFIX)}{_CITY_STATE_ZIP}(?![\w-])"
        ),
        context=_CONTEXT,
        base_score=0.8,
        context_score=0.95,
    ),
    PatternDetector(  # typed in lower case: only with the whole city, state and ZIP tail
        name="us_address_lower",
        entity=Entity.ADDRESS,
        pattern=re.compile(
            rf"(?<![\w-]){_street(f'(?:{_SUFFIX}|{_RARE_SUFFIX})')}"
            rf",\s*[a-z][a-z.'-]+(?:\s[a-z][a-z.'-]+){{0,3}},?\s+{_STATES}\.?\s+\d{{5}}(?:-\d{{4}})?"
            r"(?![\w-])",
            re.IGNORECASE,
        ),
        context=_CONTEXT,
        base_score=0.75,
        context_score=0.95,
    ),
)
