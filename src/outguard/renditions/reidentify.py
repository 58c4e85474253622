"""The owner's way back: a recipient's worked file with real values in place of its tokens.

An agent's returned file may have its columns reordered, renamed, filtered, sorted, new columns
added, and tokens typed into notes. Nothing here relies on column names or order: each
column's values are tried against the recipient's token keys, and a value counts as a token
only when it decrypts into a value that was actually sent to this recipient (its keyed
fingerprint is in the rendition's sent set). Pseudonyms are looked up in the recipient's
vault. Canary rows are reported and left as they are; values that look like tokens but are
not this recipient's stay untouched and are counted.

The returned file may be read from memory and the result written into memory (`Source`,
`MemoryTarget`): real values then never reach the disk.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.errors import DomainValidationError, NotFoundError
from outguard.formats.readers import (
    BATCH_ROWS,
    TABLE_SUFFIXES,
    InvalidFileError,
    file_sha256,
    open_table,
)
from outguard.formats.sources import MemoryTarget, Source, as_source
from outguard.formats.writers import (
    discard,
    kind_for,
    open_table_writer,
    open_text_writer,
    overwrites,
    written,
)
from outguard.keystore.tokens import check_recipient, recipient_scope
from outguard.keystore.vault import pseudonym_map
from outguard.protect import fingerprints as fp
from outguard.protect.candidates import name_spans, token_spans
from outguard.renditions.access import require
from outguard.renditions.collector import collector_paused
from outguard.renditions.keys import VAULT_KINDS, KeyedTransforms, TokenUse
from outguard.renditions.marks import (
    SENT,
    RecipientMarks,
    fingerprint_key,
    label,
    load_marks,
)
from outguard.renditions.repository import RenditionRepository
from outguard.scanning import TEXT_SUFFIXES, read_text_file
from outguard.security.aead import KeyProvider
from outguard.security.permissions import Permission
from outguard.security.tokenizers import Tokenizer
from outguard.types import Actor, Clock

Progress = Callable[[int], None]
SAMPLE = 64  # distinct values per column and batch tried against every key


@dataclass
class ColumnResult:
    name: str
    reidentified: dict[str, int] = field(default_factory=dict)  # kind -> cells
    not_this_recipient: int = (
        0  # token-shaped values that are not this recipient's tokens
    )

    def as_dict(self) -> dict[str, Any]:
        return {
            "column": self.name,
            "reidentified": dict(sorted(self.reidentified.items())),
            "not_this_recipient": self.not_this_recipient,
        }


@dataclass
class ReidentifyReport:
    recipient: str
    source: str
    output: str
    rows: int = 0
    renditions: int = 0
    columns: list[ColumnResult] = field(default_factory=list)
    canary_rows: list[int] = field(default_factory=list)  # 1-based data rows
    notes: list[str] = field(default_factory=list)
    output_sha256: str = ""

    @property
    def reidentified(self) -> int:
        return sum(sum(c.reidentified.values()) for c in self.columns)

    def to_json(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "source": self.source,
            "output": self.output,
            "rows": self.rows,
            "renditions": self.renditions,
            "reidentified": self.reidentified,
            "columns": [c.as_dict() for c in self.columns],
            "canary_rows": self.canary_rows,
            "notes": self.notes,
            "output_sha256": self.output_sha256,
        }


class Reverser:
    """One recipient's way back: token uses, sent sets, canaries and vault, loaded once."""

    def __init__(
        self,
        keyed: KeyedTransforms,
        marks: RecipientMarks,
        key: bytes,
        vault: dict[str, dict[str, str]],
    ) -> None:
        self.keyed = keyed
        self.marks = marks
        self.key = key
        self.vault = vault  # kind -> pseudonym -> original
        self._initials: dict[str, dict[str, list[tuple[str, str]]]] = {}
        self._reversers: dict[TokenUse, Tokenizer] = {}

    def _reverser(self, use: TokenUse) -> Tokenizer:
        if use not in self._reversers:
            self._reversers[use] = self.keyed.reverser(use)
        return self._reversers[use]

    # ------------------------------------------------------------ tokens
    def detokenize(
        self, values: Sequence[str], kinds: Collection[str] | None = None
    ) -> tuple[list[tuple[str, str] | None], list[bool]]:
        """Per value: (original, kind) when it is one of this recipient's tokens.

        Also per value: whether it had the shape of some token kind at all. `kinds`:
        try only these.
        """
        out: list[tuple[str, str] | None] = [None] * len(values)
        shaped = [False] * len(values)
        for kind, uses in self.marks.uses.items():
            sent = self.marks.sent.get(kind)
            if sent is None or (kinds is not None and kind not in kinds):
                continue
            for use in uses:
                todo = [i for i in range(len(values)) if out[i] is None]
                if not todo:
                    return out, shaped
                originals = self._reverser(use).detokenize([values[i] for i in todo])
                idx = [i for i, o in zip(todo, originals, strict=True) if o is not None]
                found = [o for o in originals if o is not None]
                for i in idx:
                    shaped[i] = True
                if not found:
                    continue
                hits = fp.member_mask(self.key, label(SENT, kind), found, sent)
                for i, o, hit in zip(idx, found, hits, strict=True):
                    if hit:
                        out[i] = (o, kind)
        return out, shaped

    def is_canary(self, values: Sequence[str]) -> list[bool]:
        return fp.member_mask(self.key, "canary", values, self.marks.canary)

    # ------------------------------------------------------------ pseudonyms
    def pseudonyms(self, values: Sequence[str]) -> list[tuple[str, str] | None]:
        out: list[tuple[str, str] | None] = []
        for v in values:
            text = " ".join(v.split())
            hit = None
            for kind, table in self.vault.items():
                if text in table:
                    hit = (table[text], kind)
                    break
            out.append(hit)
        return out

    def initial_form(self, text: str) -> str | None:
        """'X. Quill' -> the original's initial and surname, when only one pseudonym fits."""
        parts = text.split()
        if len(parts) != 2 or not parts[0].endswith(".") or len(parts[0]) != 2:  # noqa: PLR2004
            return None
        table = self._initials.get("person")
        if table is None:
            table = defaultdict(list)
            for pseudo, original in self.vault.get("person", {}).items():
                words = pseudo.replace(",", " ").split()
                if len(words) >= 2:  # noqa: PLR2004
                    first, last = (
                        (words[1], words[0]) if "," in pseudo else (words[0], words[-1])
                    )
                    table[f"{first[0]}. {last}"].append((pseudo, original))
            self._initials["person"] = table
        matches = table.get(text, [])
        if len(matches) != 1:
            return None
        original = matches[0][1]
        words = original.replace(",", " ").split()
        first, last = (words[1], words[0]) if "," in original else (words[0], words[-1])
        return f"{first[0]}. {last}"

    # ------------------------------------------------------------ free text
    def texts(self, values: Sequence[str], counts: dict[str, int]) -> list[str]:
        """`text` for many texts, their token-shaped pieces detokenized as one batch."""
        spans = [list(dict.fromkeys(token_spans(v))) for v in values]
        distinct = list(
            dict.fromkeys(
                v[a:b] for v, found in zip(values, spans, strict=True) for a, b in found
            )
        )
        hits, shaped = self.detokenize(distinct)
        known = dict(zip(distinct, zip(hits, shaped, strict=True), strict=True))
        return [
            self.text(v, counts, known=known, spans=found)[0]
            for v, found in zip(values, spans, strict=True)
        ]

    def text(  # noqa: C901, PLR0912 - tokens then names
        self,
        value: str,
        counts: dict[str, int],
        *,
        known: dict[str, tuple[tuple[str, str] | None, bool]] | None = None,
        spans: list[tuple[int, int]] | None = None,
    ) -> tuple[str, int]:
        """Tokens and pseudonyms inside a text replaced; (text, token-shaped strangers).

        `known` holds the detokenized pieces when `texts` did them for a whole column.
        """
        pieces: list[tuple[int, int, str]] = []
        if spans is None:
            spans = list(dict.fromkeys(token_spans(value)))
        strangers = 0
        if spans:
            if known is None:
                found, shaped = self.detokenize([value[a:b] for a, b in spans])
            else:
                found = [known[value[a:b]][0] for a, b in spans]
                shaped = [known[value[a:b]][1] for a, b in spans]
            # Longest confirmed token first; a shorter one inside it is not a second token.
            order = sorted(range(len(spans)), key=lambda k: spans[k][0] - spans[k][1])
            for k in order:
                (a, b), hit = spans[k], found[k]
                if hit is None:
                    continue
                if any(a < y and x < b for x, y, _ in pieces):
                    continue
                pieces.append((a, b, hit[0]))
                counts[hit[1]] = counts.get(hit[1], 0) + 1
            strangers = sum(
                1
                for k, shape in enumerate(shaped)
                if shape
                and found[k] is None
                and not any(spans[k][0] < y and x < spans[k][1] for x, y, _ in pieces)
            )
        if self.vault:
            taken = [(a, b) for a, b, _ in pieces]
            for a, b in sorted(name_spans(value), key=lambda s: (s[0], -(s[1] - s[0]))):
                if any(a < y and x < b for x, y in taken):
                    continue
                piece = value[a:b]
                hit = self.pseudonyms([piece])[0]
                replacement = hit[0] if hit else self.initial_form(piece)
                if replacement is not None:
                    pieces.append((a, b, replacement))
                    taken.append((a, b))
                    kind = hit[1] if hit else "person"
                    counts[kind] = counts.get(kind, 0) + 1
        if not pieces:
            return value, strangers
        out, cursor = [], 0
        for a, b, new in sorted(pieces):
            out.append(value[cursor:a])
            out.append(new)
            cursor = b
        out.append(value[cursor:])
        return "".join(out), strangers


def _column_mode(reverser: Reverser, values: Sequence[str | None]) -> str:
    """'token', 'pseudonym', 'text' or 'other', from a sample of the column's distinct values."""
    distinct = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))[
        :SAMPLE
    ]
    if not distinct:
        return "other"
    found, _ = reverser.detokenize([v.removeprefix("'") for v in distinct])
    if any(found):
        return "token"
    if any(reverser.pseudonyms(distinct)):
        return "pseudonym"
    words = sum(len(v.split()) for v in distinct) / len(distinct)
    return "text" if words >= 2 else "other"  # noqa: PLR2004 - a note, not a value


def _prefer_the_columns_kind(
    reverser: Reverser, values: list[str], found: list[tuple[str, str] | None]
) -> None:
    """A value read as another kind than its column's is read again as the column's.

    Kinds are tried in turn and the first whose sent set holds the result wins, so a
    phone token can, about once in a million, also land in the bank-account set. Where
    the column's own kind reads it too, that reading is the right one; a value only
    another kind reads (a mixed column) keeps it.
    """
    kinds = Counter(hit[1] for hit in found if hit is not None)
    if len(kinds) < 2:  # noqa: PLR2004 - one kind: nothing to prefer
        return
    main = kinds.most_common(1)[0][0]
    odd = [j for j, hit in enumerate(found) if hit is not None and hit[1] != main]
    again, _ = reverser.detokenize([values[j] for j in odd], kinds=(main,))
    for j, hit in zip(odd, again, strict=True):
        if hit is not None:
            found[j] = hit


def _reverse_column(
    reverser: Reverser,
    values: list[str | None],
    canary: list[bool],
    result: ColumnResult,
) -> list[str | None]:
    mode = _column_mode(reverser, values)
    if mode == "other":
        return values
    out = list(values)
    if mode == "text":
        # In prose every date and amount has some token's shape: strangers aren't counted.
        rows = [i for i, v in enumerate(values) if v and not canary[i]]
        texts = reverser.texts([values[i] or "" for i in rows], result.reidentified)
        for i, new in zip(rows, texts, strict=True):
            out[i] = new
        return out
    distinct = list(
        dict.fromkeys(
            v for i, v in enumerate(values) if v and v.strip() and not canary[i]
        )
    )
    cleaned = [v.strip().removeprefix("'") for v in distinct]
    if mode == "token":
        found, shaped = reverser.detokenize(cleaned)
        _prefer_the_columns_kind(reverser, cleaned, found)
        mapping = {}
        for v, hit, shape in zip(distinct, found, shaped, strict=True):
            if hit is not None:
                mapping[v] = hit
            elif shape:
                result.not_this_recipient += 1
    else:
        mapping = {
            v: hit
            for v, hit in zip(distinct, reverser.pseudonyms(cleaned), strict=True)
            if hit is not None
        }
    for i, cell in enumerate(values):
        if cell is not None and not canary[i] and cell in mapping:
            original, kind = mapping[cell]
            out[i] = original
            result.reidentified[kind] = result.reidentified.get(kind, 0) + 1
    return out


def _canary_rows(reverser: Reverser, batch: list[list[str | None]]) -> list[bool]:
    rows = len(batch[0]) if batch else 0
    flags = [False] * rows
    if reverser.marks.canary.size == 0:
        return flags
    for column in batch:
        cells = [(v or "").strip() for v in column]
        for i, hit in enumerate(reverser.is_canary(cells)):
            flags[i] = flags[i] or hit
    return flags


def build_reverser(
    session: Session,
    provider: KeyProvider,
    actor: Actor,
    *,
    tenant: str,
    recipient: str,
    clock: Clock,
) -> Reverser:
    check_recipient(recipient)
    marks = load_marks(session, tenant, recipient).get(recipient)
    if marks is None or marks.empty:
        known = ", ".join(
            r.name for r in RenditionRepository(session).recipients(tenant)[:20]
        )
        raise NotFoundError(
            f"No rendition was made for recipient {recipient!r}: nothing of theirs to re-identify."
            + (f" Recipients: {known}." if known else "")
        )
    key = fingerprint_key(session, provider, tenant=tenant, clock=clock, create=False)
    if key is None:
        raise NotFoundError(
            "This instance has no fingerprint key: no rendition was registered here."
        )
    keyed = KeyedTransforms(session, provider, actor, tenant, recipient, clock)
    vault = {
        kind: table
        for entity, kind in VAULT_KINDS.items()
        if (
            table := pseudonym_map(
                session,
                provider,
                actor,
                tenant=tenant,
                recipient=recipient,
                kind=kind,
                clock=clock,
            )
        )
    }
    return Reverser(keyed, marks, key, vault)


def reidentify_file(
    session: Session,
    provider: KeyProvider,
    actor: Actor,
    *,
    tenant: str,
    recipient: str,
    source: Path | Source,
    out: Path | MemoryTarget,
    clock: Clock,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
    overwrite: bool = False,
) -> ReidentifyReport:
    """Write `source` with `recipient`'s tokens and pseudonyms turned back into real values."""
    require(actor, Permission.DATA_REIDENTIFY)
    source = as_source(source)  # a missing path is refused here
    if overwrites(out, source):
        raise DomainValidationError(
            "The output would overwrite the returned file: choose another path."
        )
    suffix = source.suffix.lower()
    if suffix not in TABLE_SUFFIXES and suffix not in TEXT_SUFFIXES:
        raise InvalidFileError(
            f"{source.name}: outguard re-identifies CSV, TSV, XLSX, Parquet, JSON lines and text files."
        )
    with collector_paused():  # the vault's pairs: see collector
        reverser = build_reverser(
            session, provider, actor, tenant=tenant, recipient=recipient, clock=clock
        )
    report = ReidentifyReport(
        recipient, source.name, out.name, renditions=len(reverser.marks.renditions)
    )
    if suffix in TEXT_SUFFIXES:
        if out.suffix.lower() not in {".txt", ".md", ".text"}:
            raise DomainValidationError(
                f"A re-identified text is written as .txt, not {out.suffix or '(none)'}."
            )
        result = ColumnResult("text")
        text, strangers = reverser.text(read_text_file(source), result.reidentified)
        result.not_this_recipient = strangers
        with open_text_writer(out, overwrite=overwrite) as handle:
            handle.write(text)
        report.columns = [result]
        report.rows = text.count("\n") + 1
    else:
        kind_for(out)
        _reidentify_table(
            reverser,
            source,
            out,
            report,
            progress=progress,
            batch_rows=batch_rows,
            overwrite=overwrite,
        )
    report.output_sha256 = file_sha256(written(out))
    try:
        record(
            session,
            actor,
            AuditTag.RETURN_REIDENTIFIED,
            clock=clock,
            subject_type="recipient",
            subject_id=recipient_scope(tenant, recipient),
            details={
                "renditions": report.renditions,
                "reidentified": report.reidentified,
                "canary_rows": len(report.canary_rows),
                "output_sha256": report.output_sha256,
            },
        )
    except BaseException:
        discard(out)  # no re-identified copy without its audit event
        raise
    return report


def _reidentify_table(
    reverser: Reverser,
    source: Source,
    out: Path | MemoryTarget,
    report: ReidentifyReport,
    *,
    progress: Progress | None,
    batch_rows: int,
    overwrite: bool,
) -> None:
    stream = open_table(source, batch_rows=batch_rows)
    report.notes.extend(
        n for n in stream.notes if n.startswith(("encoding", "sheet")) or "skipped" in n
    )
    results = [ColumnResult(n) for n in stream.names]
    out_kind = kind_for(out)
    with open_table_writer(
        out,
        stream.names,
        dialect=stream.dialect if out_kind == stream.kind else None,
        sheet=stream.sheet or "Sheet1",
        overwrite=overwrite,
    ) as writer:
        batches = iter(stream.batches)
        while True:
            with collector_paused():  # a batch's many small objects: see collector
                batch = next(batches, None)
                if batch is None:
                    break
                canary = _canary_rows(reverser, batch)
                report.canary_rows.extend(
                    report.rows + i + 1 for i, c in enumerate(canary) if c
                )
                columns = [
                    _reverse_column(reverser, column, canary, result)
                    for column, result in zip(batch, results, strict=True)
                ]
                writer.write(columns)
            report.rows += len(batch[0]) if batch else 0
            if progress is not None:
                progress(report.rows)
    report.columns = results
