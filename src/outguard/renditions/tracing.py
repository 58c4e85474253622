"""Trace a file found outside to the recipient(s) whose rendition it came from.

The file may be any subset of a rendition's rows and columns, shuffled, partly edited,
converted between CSV and XLSX, or pasted as text (an e-mail body, a screenshot's OCR). Its
values are cut into candidates (cells; token- and name-shaped pieces of text; OCR's
letter-for-digit slips fixed) and each recipient is probed: do they decrypt, under its token
keys, into values it was sent; are its canaries there; its pseudonyms? `protect.trace` weighs
the evidence with the number of recipients tested as the multiple-testing correction.
The leaked file may be a path or bytes in memory (a `Source`, e.g. an upload decrypted).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.errors import NotFoundError
from outguard.formats.readers import (
    TABLE_SUFFIXES,
    InvalidFileError,
    file_sha256,
    open_table,
)
from outguard.formats.sources import Source, as_source
from outguard.keystore.tokens import recipient_scope
from outguard.protect import fingerprints as fp
from outguard.protect.candidates import name_spans, ocr_variants, token_spans
from outguard.protect.pseudonyms import FIRST_NAMES, LAST_NAMES
from outguard.protect.trace import TraceReport, distinct_values, trace
from outguard.renditions.access import require
from outguard.renditions.keys import KeyedTransforms, TokenUse
from outguard.renditions.marks import (
    RENDERED,
    SENT,
    RecipientMarks,
    fingerprint_key,
    label,
    load_marks,
)
from outguard.scanning import TEXT_SUFFIXES, read_text_file
from outguard.security.aead import KeyProvider
from outguard.security.permissions import Permission
from outguard.security.tokenizers import Tokenizer
from outguard.types import Actor, Clock

MAX_TOKEN_CANDIDATES = 20_000
NAME_SPACE = len(FIRST_NAMES) * len(LAST_NAMES)  # pseudonyms are drawn from these lists
NAME_SKEW = 10  # real names cluster on common ones: a tenfold margin on the hit rate
_NAME = re.compile(
    r"[A-Z][a-zA-Z'-]+(?:,? [A-Z][a-zA-Z'.-]*){1,3}"
)  # plenty of evidence; bounds the work of a huge leak
_CELL_SPLIT = re.compile(r"[\t|;,]")


def token_domain(use: TokenUse) -> float:
    """How many valid tokens a kind has (a lower bound: the hit rate stays conservative).

    A wrong recipient's key maps a leaked token to a uniformly random valid value, which
    falls in that recipient's sent set with probability |sent| / domain.
    """
    digits_free = {
        "ssn": 8.0e8,  # 9 digits, no 000/666/9xx area, no 00 group, no 0000 serial
        "itin": 1.0e7,  # 9xx-(50-65|70-88|90-92|94-99)-xxxx
        "ein": 8.0e8,  # 2-digit IRS prefix (about 80 valid) and 7 digits
        "aba": 1.0e7,  # 8 digits under Fed prefixes, the 9th is a checksum
        "bank": 1.0e6,  # 6 digits at least
        "phone": 1.0e6,  # area code kept: the line digits (exchange rules cut some)
        "email": 1.0e8,  # a local part of 5+ letters and digits
        "iban": 1.0e8,
        "ip": 1.0e6,
        "dl": 1.0e6,
        "passport": 1.0e8,
        "date": float(2 * use.window_days + 1),  # a date moves inside its window
    }
    if use.kind == "card":
        return 10.0 ** max(
            1, 15 - use.keep_first - use.keep_last
        )  # Luhn digit recomputed
    return digits_free.get(use.kind, 1.0e6)


@dataclass
class Probe:
    """One recipient's side of a trace, built from its marks and keys."""

    recipient: str
    marks: RecipientMarks
    keyed: KeyedTransforms
    key: bytes
    _reversers: dict[TokenUse, Tokenizer] = field(default_factory=dict)

    def _reverser(self, use: TokenUse) -> Tokenizer:
        if use not in self._reversers:
            self._reversers[use] = self.keyed.reverser(use)
        return self._reversers[use]

    def token_hits(self, values: Sequence[str]) -> list[tuple[str, int, int, float]]:
        groups = []
        for kind, uses in self.marks.uses.items():
            sent = self.marks.sent.get(kind)
            if sent is None or sent.size == 0:
                continue
            shaped: set[int] = set()
            hit: set[int] = set()
            rate = 0.0
            for use in uses:
                originals = self._reverser(use).detokenize(values)
                idx = [i for i, o in enumerate(originals) if o is not None]
                if not idx:
                    continue
                shaped.update(idx)
                rate = max(rate, min(1.0, sent.size / token_domain(use)))
                found = [originals[i] for i in idx]
                members = fp.member_mask(self.key, label(SENT, kind), found, sent)  # type: ignore[arg-type]
                hit.update(i for i, m in zip(idx, members, strict=True) if m)
            if shaped:
                groups.append((kind, len(shaped), len(hit), rate))
        groups.extend(self._pseudonym_groups(values))
        return groups

    def _pseudonym_groups(
        self, values: Sequence[str]
    ) -> list[tuple[str, int, int, float]]:
        """Pseudonyms as evidence, weighed like tokens.

        An innocent recipient's set holds a given name with probability |its pseudonyms| /
        the name space, times a margin for common names.
        """
        groups = []
        for kind, rendered in self.marks.rendered.items():
            if kind != "person" or rendered.size == 0:
                continue
            names = [v for v in values if _NAME.fullmatch(v)]
            if not names:
                continue
            hits = sum(fp.member_mask(self.key, label(RENDERED, kind), names, rendered))
            rate = min(1.0, NAME_SKEW * rendered.size / NAME_SPACE)
            groups.append(("person pseudonym", len(names), hits, rate))
        return groups

    def canary_hits(self, values: Sequence[str]) -> int:
        return sum(fp.member_mask(self.key, "canary", values, self.marks.canary))

    def fingerprint_hits(self, values: Sequence[str]) -> int:
        return sum(
            sum(fp.member_mask(self.key, label(RENDERED, kind), values, rendered))
            for kind, rendered in self.marks.rendered.items()
        )


def leak_values(cells: Sequence[str | None]) -> list[str]:
    """Candidates from cells or lines: each value, its token- and name-shaped pieces."""
    out: dict[str, None] = {}
    for value in distinct_values(cells):
        pieces = [value]
        if " " in value or "\t" in value or "," in value:
            pieces += [value[a:b] for a, b in token_spans(value)]
            pieces += [value[a:b] for a, b in name_spans(value)]
            pieces += [p.strip() for p in _CELL_SPLIT.split(value) if p.strip()]
        for piece in pieces:
            for variant in ocr_variants(piece.strip()):
                out[variant] = None
    values = list(out)
    if (
        len(values) > MAX_TOKEN_CANDIDATES
    ):  # a deterministic sample, not the first rows only
        values = sorted(values, key=lambda v: hashlib.sha256(v.encode()).digest())[
            :MAX_TOKEN_CANDIDATES
        ]
    return values


def read_leak(path: Path | Source) -> tuple[list[str], list[str]]:
    """(candidate values, notes) of a leaked table or text."""
    source = as_source(path)  # a missing path is refused here
    suffix = source.suffix
    if suffix in TABLE_SUFFIXES:
        stream = open_table(source)
        cells: list[str | None] = list(stream.names)
        for batch in stream.batches:
            for column in batch:
                cells.extend(column)
        return leak_values(cells), stream.notes
    if suffix in TEXT_SUFFIXES:
        text = read_text_file(source)
        if not text.strip():
            raise InvalidFileError(f"{source.name} has no text to trace.")
        return leak_values(text.splitlines()), []
    raise InvalidFileError(
        f"{source.name}: outguard traces CSV, TSV, XLSX, Parquet, JSON lines and text (TXT, PDF, DOCX, e-mail)."
    )


@dataclass
class TraceResult:
    source: str
    report: TraceReport
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "verdict": self.report.verdict(),
            "values_examined": self.report.values_examined,
            "recipients_tested": self.report.recipients_tested,
            "attributions": [
                {
                    "recipient": a.recipient,
                    "attributed": a.attributed,
                    "false_attribution": a.false_attribution,
                    "tokens_tested": a.evidence.tokens_tested,
                    "token_hits": a.evidence.token_hits,
                    "by_kind": [
                        {"kind": k, "tested": t, "hits": h, "innocent_hit_rate": p}
                        for k, t, h, p in a.evidence.groups
                    ],
                    "canaries_found": a.evidence.canaries_found,
                    "pseudonyms_matched": a.evidence.fingerprint_hits,
                }
                for a in self.report.attributions
            ],
            "notes": self.notes,
        }


def trace_values(
    session: Session,
    provider: KeyProvider,
    actor: Actor,
    *,
    tenant: str,
    values: Sequence[str],
    clock: Clock,
) -> TraceReport:
    """Probe every recipient of the tenant with these candidate values."""
    require(actor, Permission.LEAKS_TRACE)
    marks = load_marks(session, tenant)
    if not marks:
        raise NotFoundError(
            "No rendition was ever made here: there is no recipient to trace to."
        )
    key = fingerprint_key(session, provider, tenant=tenant, clock=clock, create=False)
    if key is None:
        raise NotFoundError(
            "This instance has no fingerprint key: no rendition was registered here."
        )
    probes = [
        Probe(
            name, m, KeyedTransforms(session, provider, actor, tenant, name, clock), key
        )
        for name, m in sorted(marks.items())
    ]
    return trace(list(values), probes)


def trace_file(
    session: Session,
    provider: KeyProvider,
    actor: Actor,
    *,
    tenant: str,
    source: Path | Source,
    clock: Clock,
) -> TraceResult:
    source = as_source(source)
    values, notes = read_leak(source)
    report = trace_values(
        session, provider, actor, tenant=tenant, values=values, clock=clock
    )
    record(
        session,
        actor,
        AuditTag.LEAK_TRACED,
        clock=clock,
        subject_type="tenant",
        subject_id=tenant,
        details={
            "recipients_tested": report.recipients_tested,
            "values_examined": report.values_examined,
            "attributed": [
                recipient_scope(tenant, a.recipient) for a in report.attributed
            ],
            "false_attribution": max(
                (a.false_attribution for a in report.attributed), default=1.0
            ),
            "source_sha256": file_sha256(source),
        },
    )
    return TraceResult(source.name, report, notes)
