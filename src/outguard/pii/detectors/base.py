"""The shape every pattern detector has: a pattern, context words, a validator, a score.

Presidio made this shape familiar; the differences are what the accuracy needs: validators
come first (a checksum-valid hit is trusted, a look-alike that fails its checksum is dropped),
context is read on both sides of the match, negative context ("invoice", "PO", "order #")
vetoes or lowers a hit, and some entities are only reported *with* context (a bare 9-digit
number is not an ABA routing number just because its checksum happens to pass).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from outguard.pii.entities import Entity
from outguard.security import regex_tree

WINDOW_BEFORE = 48  # characters of context read before a match
WINDOW_AFTER = 24  # ... and after it

# Tiers order overlapping findings: a checksum-valid hit beats a contextual one, which beats
# a dictionary hit, which beats NER.
TIER_CHECKSUM = 3
TIER_PATTERN = 2
TIER_DICTIONARY = 1
TIER_NER = 0


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    entity: Entity
    score: float
    detector: str
    explanation: str
    tier: int


_NEWLINE = ord("\n")


def _reads_newline(op: Any, av: Any) -> bool:
    """Whether a one-character item could match a newline (not understood: yes)."""
    c = regex_tree.OP
    if op is c.LITERAL:
        return bool(av == _NEWLINE)
    if op is c.NOT_LITERAL:
        return bool(av != _NEWLINE)
    if op is c.IN:
        return regex_tree.in_class(av, _NEWLINE) is not False
    return True  # ANY (with DOTALL) and the rest


def _edges_kept(items: list[Any], *, multiline: bool, negated: bool) -> bool:  # noqa: C901, PLR0912 - one opcode each
    """Whether `items` decide the same at a text's edges when the text sits between newlines.

    Outside negative look-arounds a newline where the text ended can only allow more; inside
    one it must not match what the text's end did not (so no newline can be read there).
    """
    c = regex_tree.OP
    for op, av in items:
        if op in (c.LITERAL, c.NOT_LITERAL, c.IN, c.ANY):
            if negated and _reads_newline(op, av):
                return False
        elif op is c.AT:
            if av in (c.AT_BOUNDARY, c.AT_NON_BOUNDARY):
                continue  # a newline is a non-word character, as the text's edge is
            if not (multiline and av in (c.AT_BEGINNING, c.AT_END)):
                return False
        elif op is c.SUBPATTERN:
            _, add_flags, del_flags, body = av
            if (add_flags | del_flags) & re.MULTILINE:
                return False
            if not _edges_kept(list(body), multiline=multiline, negated=negated):
                return False
        elif op is c.BRANCH:
            if not all(
                _edges_kept(list(alt), multiline=multiline, negated=negated)
                for alt in av[1]
            ):
                return False
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            if not _edges_kept(list(av[2]), multiline=multiline, negated=negated):
                return False
        elif op is c.ASSERT:
            if not _edges_kept(list(av[1]), multiline=multiline, negated=negated):
                return False
        elif op is c.ASSERT_NOT:
            if not _edges_kept(list(av[1]), multiline=multiline, negated=not negated):
                return False
        elif op is c.GROUPREF and not negated:
            continue
        else:  # atomic groups, possessive repeats, conditionals: not analysed
            return False
    return True


def joinable(pattern: re.Pattern[str]) -> bool:
    """Whether scanning texts joined by newlines finds every text a pattern matches alone.

    True when no assertion of the pattern can read a newline at a text's edge differently
    from the edge itself: then each match a text has on its own is a match (or lies under
    one) in the joined string, so `pattern.finditer` over the whole column tells which texts
    need the detector at all.
    """
    if regex_tree.OP is None or pattern.flags & re.DOTALL:
        return False
    items = regex_tree.parse(pattern.pattern, pattern.flags)
    return items is not None and _edges_kept(
        items, multiline=bool(pattern.flags & re.MULTILINE), negated=False
    )


def _words(items: tuple[str, ...]) -> re.Pattern[str] | None:
    if not items:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])", re.IGNORECASE)


@dataclass
class PatternDetector:
    """One entity's pattern detector; `group` selects the identifier inside the match."""

    name: str
    entity: Entity
    pattern: re.Pattern[str]
    validate: Callable[[str], bool] | None = None
    context: tuple[str, ...] = ()
    negative: tuple[
        str, ...
    ] = ()  # lowers a hit: drops it unless context words say otherwise
    veto: tuple[str, ...] = ()  # drops a hit whatever the context
    base_score: float = 0.5  # a valid match without context
    context_score: float = 0.9  # a valid match with context
    requires_context: bool = False
    checksum: bool = False  # a validator that proves structure: tier 3
    group: int = 0
    _context_re: re.Pattern[str] | None = field(init=False, default=None, repr=False)
    _negative_re: re.Pattern[str] | None = field(init=False, default=None, repr=False)
    _veto_re: re.Pattern[str] | None = field(init=False, default=None, repr=False)
    joinable: bool = field(init=False, default=False, repr=False)

    def __post_init__(self) -> None:
        self.joinable = joinable(self.pattern)
        self._context_re = _words(self.context)
        self._negative_re = _words(self.negative)
        self._veto_re = _words(self.veto)

    def _near(
        self,
        regex: re.Pattern[str] | None,
        text: str,
        start: int,
        end: int,
        *,
        same_line: bool = False,
    ) -> bool:
        if regex is None:
            return False
        before = text[max(0, start - WINDOW_BEFORE) : start]
        after = text[end : end + WINDOW_AFTER]
        if same_line:  # "Invoice 123" on one line says nothing of the phone on the next
            before = before[before.rfind("\n") + 1 :]
            cut = after.find("\n")
            after = after if cut == -1 else after[:cut]
        return regex.search(before) is not None or regex.search(after) is not None

    def find(self, text: str) -> Iterator[Candidate]:
        size = len(text)
        for match in self.pattern.finditer(text):
            start, end = match.span(self.group)
            value = match.group(self.group)
            if self.validate is not None and not self.validate(value):
                continue
            # A value that is the whole text has no context either side: skip the look-ups.
            alone = start == 0 and end == size
            has_context = not alone and self._near(self._context_re, text, start, end)
            if self.requires_context and not has_context:
                continue
            if not alone:
                if not has_context and self._near(
                    self._negative_re, text, start, end, same_line=True
                ):
                    continue
                if self._near(self._veto_re, text, start, end, same_line=True):
                    continue
            score = self.context_score if has_context else self.base_score
            why = "checksum/format valid" if self.validate is not None else "pattern"
            if has_context:
                why += ", context words nearby"
            tier = TIER_CHECKSUM if self.checksum else TIER_PATTERN
            yield Candidate(start, end, self.entity, score, self.name, why, tier)
