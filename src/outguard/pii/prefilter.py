"""Which pattern detectors can match each text: one Hyperscan pass per text, all patterns.

The free-text engine runs a detector's Python pattern only over the texts where it can
match (`text._detectors_per_text`). Finding those texts with Python's `re`, one pattern at a
time over the joined column, cost about 40 µs a note: a quarter of `protect`. Hyperscan
compiles every joinable pattern of `detectors.ALL`, and each list of context words, into one
automaton in prefilter mode, which reports every text a pattern can match (perhaps more,
never fewer); the Python pattern then decides, so findings are the same either way.

Only ASCII texts go through it: there Python's and Hyperscan's digit, word and boundary
classes and case rules agree (in Python they reach beyond ASCII). Other texts, machines
without the wheel (it is built for x86-64 only) and small jobs keep the Python pass: the
automaton takes about two seconds to build, so a process builds it once it has sent
`WARM_UP` texts the slow way.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any, Final

try:
    import hyperscan

    AVAILABLE = True
except ImportError:  # pragma: no cover - no wheel for this machine: the Python pass
    AVAILABLE = False

WARM_UP: Final = 20_000  # texts the Python pass takes before the automaton is built
_lock = threading.Lock()
_seen = 0
_built: Prefilter | None = None
_failed = False

Key = tuple[
    str, int, tuple[str, ...]
]  # pattern, flags, context words (as `text` keys them)


class Prefilter:
    """One automaton over many patterns and word lists; `scan` says which can match."""

    def __init__(
        self, patterns: Sequence[re.Pattern[str]], words: Sequence[tuple[str, ...]]
    ) -> None:
        expressions: list[bytes] = []
        flags: list[int] = []
        self.pattern_ids: dict[tuple[str, int], int] = {}
        self.word_ids: dict[tuple[str, ...], int] = {}
        self.exact: set[int] = (
            set()
        )  # patterns Hyperscan takes as they are: no loosening
        base = (
            hyperscan.HS_FLAG_PREFILTER
            | hyperscan.HS_FLAG_UTF8
            | hyperscan.HS_FLAG_SINGLEMATCH
        )
        for pattern in patterns:
            key = (pattern.pattern, pattern.flags)
            if key in self.pattern_ids:
                continue
            self.pattern_ids[key] = len(expressions)
            expressions.append(pattern.pattern.encode())
            flags.append(
                base
                | hyperscan.HS_FLAG_ALLOWEMPTY
                | (hyperscan.HS_FLAG_CASELESS if pattern.flags & re.IGNORECASE else 0)
                | (hyperscan.HS_FLAG_MULTILINE if pattern.flags & re.MULTILINE else 0)
            )
            if _exact(expressions[-1], flags[-1]):
                self.exact.add(self.pattern_ids[key])
        for items in words:
            if items in self.word_ids or not items:
                continue
            self.word_ids[items] = len(expressions)
            alternatives = "|".join(
                re.escape(w) for w in sorted(items, key=len, reverse=True)
            )
            expressions.append(alternatives.encode())
            flags.append(base | hyperscan.HS_FLAG_CASELESS)
        self._database = hyperscan.Database()
        self._database.compile(
            expressions=expressions, ids=list(range(len(expressions))), flags=flags
        )
        self._scratch = hyperscan.Scratch(self._database)
        self._local = threading.local()  # a scratch space per thread

    def scan(self, texts: Sequence[str]) -> list[frozenset[int]]:
        """Per text (ASCII), the ids of the expressions that may match in it."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._scratch.clone()
        found: list[int] = []
        add = found.append

        def on_match(expression: int, *_: Any) -> None:
            add(expression)

        out: list[frozenset[int]] = []
        database = self._database
        for text in texts:
            database.scan(text.encode(), match_event_handler=on_match, scratch=scratch)
            out.append(frozenset(found))
            found.clear()
        return out

    def is_exact(self, key: Key) -> bool:
        """Whether a match of the automaton is a match of the pattern (words are exact)."""
        return self.pattern_ids.get((key[0], key[1])) in self.exact

    def needs(self, key: Key) -> frozenset[int] | None:
        """The ids a text must match for a detector keyed `key`; None if not compiled."""
        pattern = self.pattern_ids.get((key[0], key[1]))
        if pattern is None:
            return None
        if not key[2]:
            return frozenset({pattern})
        words = self.word_ids.get(key[2])
        return None if words is None else frozenset({pattern, words})


def _exact(expression: bytes, flags: int) -> bool:
    """Whether Hyperscan compiles the pattern without prefilter mode (no look-arounds)."""
    try:
        hyperscan.Database().compile(
            expressions=[expression],
            ids=[0],
            flags=[flags & ~hyperscan.HS_FLAG_PREFILTER],
        )
    except hyperscan.error:
        return False
    return True


def shared(
    patterns: Sequence[re.Pattern[str]], words: Sequence[tuple[str, ...]], texts: int
) -> Prefilter | None:
    """The process's automaton, once `WARM_UP` texts went the slow way; else None.

    `texts`: how many the caller is about to scan (counted towards the warm-up).
    """
    global _seen, _built, _failed  # noqa: PLW0603 - one automaton per process
    if not AVAILABLE or _failed:
        return None
    with _lock:
        if _built is not None:
            return _built
        _seen += texts
        if _seen < WARM_UP:
            return None
        try:
            _built = Prefilter(patterns, words)
        except (
            hyperscan.error
        ):  # pragma: no cover - a pattern it cannot take: stay in Python
            _failed = True
            return None
        return _built
