"""The free-text engine: validators first, context both sides, NER for names, overlaps resolved.

`scan_text(text)` runs every pattern detector over a normalised copy of the text (look-alike
digits and invisible characters handled, offsets mapped back), adds the file's own dictionary
of names and addresses and, if asked, NER names; then keeps a deterministic set of
non-overlapping findings: higher tier first (checksum-valid > pattern with context >
dictionary > NER), then the longer span, then the higher score, then the earlier start.
Every step is a regex scan or a single pass, so time is linear in the length of the text.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any, Final, Protocol

import numpy as np

from outguard.pii import prefilter
from outguard.pii.detectors import ALL
from outguard.pii.detectors.base import (
    TIER_DICTIONARY,
    TIER_NER,
    Candidate,
    PatternDetector,
)
from outguard.pii.detectors.person import trim_ner_name
from outguard.pii.dictionary import Dictionary
from outguard.pii.entities import Entity
from outguard.pii.findings import Finding
from outguard.pii.normalize import normalise

MIN_SCORE = 0.5
_JOIN_CHARS = (
    64 * 1024 * 1024
)  # a batch's texts joined for the pattern pre-pass, at most


# What the automaton is built from: every joinable pattern, every list of context words.
_JOINABLE: Final = tuple(d.pattern for d in ALL if d.joinable)
_WORD_LISTS: Final = tuple(
    {d.context for d in ALL if d.joinable and d.requires_context}
)


class NameRecogniser(Protocol):
    """The NER port: character spans of person names in each text (spaCy behind it)."""

    def names(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]: ...


def resolve(candidates: list[Candidate]) -> list[Candidate]:
    """Greedy, deterministic: the best candidate wins its characters; the rest must fit around."""
    ordered = sorted(
        candidates,
        key=lambda c: (-c.tier, -(c.end - c.start), -c.score, c.start, c.entity),
    )
    # One byte per character: checking and claiming a span costs its length, not the number
    # of findings so far (a long document has thousands).
    taken = bytearray(max((c.end for c in candidates), default=0))
    kept: list[Candidate] = []
    for c in ordered:
        if c.score < MIN_SCORE or taken.find(1, c.start, c.end) != -1:
            continue
        taken[c.start : c.end] = b"\x01" * (c.end - c.start)
        kept.append(c)
    return sorted(kept, key=lambda c: (c.start, c.end))


def _detectors_per_text(
    texts: Sequence[str], detectors: Sequence[PatternDetector]
) -> list[list[PatternDetector]]:
    """Per text, the detectors (in their order) whose pattern matches somewhere in it.

    Each pattern runs once over the texts joined by newlines (`PatternDetector.joinable`
    says that finds every text the pattern matches alone), so the Python work per text is
    for the few detectors that match there. Detectors that cannot be joined run everywhere.
    A detector that reports only beside a context word is run only over the texts that
    hold one of its words at all (as plain text: a word inside its context window is one).
    """
    fast = prefilter.shared(_JOINABLE, _WORD_LISTS, len(texts))
    if fast is None:
        return _python_per_text(texts, detectors)
    plain = [i for i, t in enumerate(texts) if t.isascii()]
    if len(plain) == len(texts):
        return _prefiltered(fast, texts, detectors)
    others = [i for i, t in enumerate(texts) if not t.isascii()]
    per: list[list[PatternDetector]] = [[] for _ in texts]
    for part, found in (
        (plain, _prefiltered(fast, [texts[i] for i in plain], detectors)),
        (others, _python_per_text([texts[i] for i in others], detectors)),
    ):
        for i, ds in zip(part, found, strict=True):
            per[i] = ds
    return per


def _prefiltered(
    fast: prefilter.Prefilter,
    texts: Sequence[str],
    detectors: Sequence[PatternDetector],
) -> list[list[PatternDetector]]:
    """`_detectors_per_text` for ASCII texts, by the automaton (`pii.prefilter`).

    Where prefilter mode loosened a pattern (its look-arounds), the automaton's answer is a
    superset, so each such detector it names is confirmed with one search of its own
    pattern (and its words): the detectors are exactly those that can match the text alone.
    """
    table = [
        (
            d,
            fast.needs(_key(d)) if d.joinable else frozenset(),
            None if fast.is_exact(_key(d)) else _confirm(d),
        )
        for d in detectors
    ]
    memo: dict[frozenset[int], list[tuple[PatternDetector, Any]]] = {}
    out: list[list[PatternDetector]] = []
    for text, found in zip(texts, fast.scan(texts), strict=True):
        maybe = memo.get(found)
        if maybe is None:
            # a detector the automaton lacks (None) is confirmed on every text
            maybe = memo[found] = [
                (d, confirm)
                for d, needs, confirm in table
                if needs is None or needs <= found
            ]
        out.append([d for d, confirm in maybe if confirm is None or confirm(text)])
    return out


@functools.cache
def _confirm_for(
    pattern: re.Pattern[str], words: tuple[str, ...]
) -> Callable[[str], bool]:
    search, word = (
        pattern.search,
        _any_word(words, lowered=False).search if words else None,
    )
    if word is None:
        return lambda text: search(text) is not None
    return lambda text: word(text) is not None and search(text) is not None


def _confirm(detector: PatternDetector) -> Callable[[str], bool] | None:
    """None: the detector runs on every text anyway (it cannot be joined)."""
    if not detector.joinable:
        return None
    return _confirm_for(detector.pattern, _key(detector)[2])


def _key(detector: PatternDetector) -> tuple[str, int, tuple[str, ...]]:
    words = detector.context if detector.requires_context else ()
    return (detector.pattern.pattern, detector.pattern.flags, words)


def _python_per_text(
    texts: Sequence[str], detectors: Sequence[PatternDetector]
) -> list[list[PatternDetector]]:
    """`_detectors_per_text` by Python's `re`, a pattern at a time over the joined texts."""
    joined_all = _Joined(texts)
    per: list[list[PatternDetector]] = [[] for _ in texts]
    # equal patterns (SSN, EIN, ABA) scan once; equal word lists too
    hits: dict[tuple[str, int, tuple[str, ...]], list[int]] = {}
    worded: dict[tuple[str, ...], list[int]] = {}
    for detector in detectors:
        if not detector.joinable:
            for found in per:
                found.append(detector)
            continue
        key = _key(detector)
        words = key[2]
        if key not in hits:
            if not words:
                hits[key] = joined_all.flagged(detector.pattern)
            else:
                if words not in worded:
                    worded[words] = joined_all.flagged_words(words)
                within = worded[words]
                part = _Joined([texts[i] for i in within])
                hits[key] = (
                    [within[k] for k in part.flagged(detector.pattern)]
                    if within
                    else []
                )
        for i in hits[key]:
            per[i].append(detector)
    return per


@functools.cache
def _any_word(words: tuple[str, ...], *, lowered: bool) -> re.Pattern[str]:
    """Any of `words` anywhere, case-insensitive: every text a context look-up can hit.

    `lowered`: for a lower-cased ASCII text, where plain matching is that and much faster.
    """
    alternatives = sorted(words, key=len, reverse=True)
    if lowered:
        return re.compile("|".join(re.escape(w.lower()) for w in alternatives))
    return re.compile("|".join(re.escape(w) for w in alternatives), re.IGNORECASE)


class _Joined:
    """Texts joined by newlines, with where each one starts."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.starts = np.fromiter(
            itertools.accumulate((len(t) + 1 for t in texts), initial=0),
            dtype=np.int64,
            count=len(texts) + 1,
        )
        self.text = "\n".join(texts)
        self._lower: str | None = None

    def flagged(self, pattern: re.Pattern[str]) -> list[int]:
        return _flagged(pattern, self.text, self.starts)

    def flagged_words(self, words: tuple[str, ...]) -> list[int]:
        if self.text.isascii():  # lower-casing ASCII keeps every offset
            if self._lower is None:
                self._lower = self.text.lower()
            return _flagged(_any_word(words, lowered=True), self._lower, self.starts)
        return _flagged(_any_word(words, lowered=False), self.text, self.starts)


def _flagged(pattern: re.Pattern[str], joined: str, starts: np.ndarray) -> list[int]:
    """The texts (sorted, distinct) that some match of `pattern` in `joined` touches.

    Positions are mapped to texts in bulk (a Python bisect per match dominated a column of
    short values); a match over a newline flags every text from its first to its last.
    """
    spans = np.array(
        [m.span() for m in pattern.finditer(joined)], dtype=np.int64
    ).reshape(-1, 2)
    if spans.shape[0] == 0:
        return []
    first = np.searchsorted(starts, spans[:, 0], side="right") - 1
    last = np.searchsorted(starts, spans[:, 1], side="right") - 1
    wide = np.flatnonzero(last > first)
    if wide.size:
        extra = [np.arange(first[k], last[k] + 1) for k in wide.tolist()]
        first = np.concatenate([first, *extra])
    flagged: list[int] = np.unique(first).tolist()
    return flagged


def _candidates(
    text: str,
    entities: Collection[Entity] | None,
    dictionary: Dictionary | None,
    names: list[tuple[int, int]] | None,
    detectors: Sequence[PatternDetector] | None = None,
) -> list[Candidate]:
    found: list[Candidate] = []
    for detector in ALL if detectors is None else detectors:
        if entities is None or detector.entity in entities:
            found.extend(detector.find(text))
    if dictionary is not None:
        for start, end, entity in dictionary.find(text):
            if entities is None or entity in entities:
                found.append(
                    Candidate(
                        start,
                        end,
                        entity,
                        0.9,
                        "dictionary",
                        "a value from this file's own columns",
                        TIER_DICTIONARY,
                    )
                )
    if names is not None and (entities is None or Entity.PERSON in entities):
        for s, e in names:
            span = trim_ner_name(text, s, e)
            if span is not None:
                found.append(
                    Candidate(
                        *span,
                        Entity.PERSON,
                        0.7,
                        "ner",
                        "recognised as a person's name",
                        TIER_NER,
                    )
                )
    return found


def scan_texts(
    texts: Sequence[str],
    *,
    entities: Collection[Entity] | None = None,
    dictionary: Dictionary | None = None,
    ner: NameRecogniser | None = None,
) -> list[list[Finding]]:
    """Findings per text (offsets into each original text); NER, if given, runs batched.

    Equal texts are scanned once: a column repeats its notes ("ok", "Approved by ...").
    """
    distinct = list(dict.fromkeys(texts))
    if len(distinct) < len(texts):
        found = dict(
            zip(
                distinct,
                scan_texts(distinct, entities=entities, dictionary=dictionary, ner=ner),
                strict=True,
            )
        )
        return [list(found[t]) for t in texts]
    normalised = [normalise(t) for t in texts]
    names = ner.names([n.text for n in normalised]) if ner is not None else None
    wanted = [d for d in ALL if entities is None or d.entity in entities]
    per: list[list[PatternDetector]] | None = None
    if len(texts) > 1 and sum(map(len, texts)) < _JOIN_CHARS:
        per = _detectors_per_text([n.text for n in normalised], wanted)
    results = []
    for i, norm in enumerate(normalised):
        kept = resolve(
            _candidates(
                norm.text,
                entities,
                dictionary,
                names[i] if names else None,
                per[i] if per is not None else wanted,
            )
        )
        out = []
        for c in kept:
            start, end = norm.span(c.start, c.end)
            out.append(
                Finding(start, end, c.entity, c.score, c.detector, c.explanation)
            )
        results.append(out)
    return results


def scan_text(
    text: str,
    *,
    entities: Collection[Entity] | None = None,
    dictionary: Dictionary | None = None,
    ner: NameRecogniser | None = None,
) -> list[Finding]:
    return scan_texts([text], entities=entities, dictionary=dictionary, ner=ner)[0]
