"""Names and addresses a file already lists in its own columns, found again in its free text.

Built from the values of a table's PERSON and ADDRESS columns; matched word by word in one
pass (a dict keyed by the first word), case-insensitive, so cost is linear in the text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from outguard.pii.entities import Entity

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'.-]*")
MIN_CHARS = 4  # "Li" or "Ann" alone would match every other sentence
MAX_WORDS = 12


class Dictionary:
    def __init__(self) -> None:
        # first word -> {word count -> {words: entity}}: a lookup per length, not per entry
        self._index: dict[str, dict[int, dict[tuple[str, ...], Entity]]] = defaultdict(
            dict
        )
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def _put(self, words: tuple[str, ...], entity: Entity) -> bool:
        by_len = self._index[words[0]].setdefault(len(words), {})
        if words in by_len:
            return False
        by_len[words] = entity
        return True

    def add(self, value: str, entity: Entity) -> None:
        words = tuple(w.lower().rstrip(".") for w in _WORD.findall(value))
        if not words or len(words) > MAX_WORDS or len(" ".join(words)) < MIN_CHARS:
            return
        if self._put(words, entity):
            self._size += 1
        if entity is Entity.PERSON and len(words) > 1:  # "Roe, Jane" also as "Jane Roe"
            self._put((*words[1:], words[0]), entity)

    @classmethod
    def from_values(cls, values: Iterable[tuple[str, Entity]]) -> Dictionary:
        d = cls()
        for value, entity in values:
            if value:
                d.add(value, entity)
        return d

    def find(self, text: str) -> Iterator[tuple[int, int, Entity]]:
        if not self._index:
            return
        # Most texts hold no listed first word: tell so from the words alone, no offsets.
        # (ASCII only: lower-casing keeps every offset, and the pattern reads both cases.)
        if text.isascii() and self._index.keys().isdisjoint(
            [w.rstrip(".") for w in _WORD.findall(text.lower())]
        ):
            return
        tokens = [
            (m.start(), m.end(), m.group().lower().rstrip("."))
            for m in _WORD.finditer(text)
        ]
        words = [t[2] for t in tokens]
        i = 0
        while i < len(tokens):
            step = 1
            lengths = self._index.get(words[i])
            if lengths:
                for n in sorted(lengths, reverse=True):  # longest match first
                    entity = lengths[n].get(tuple(words[i : i + n]))
                    if entity is not None:
                        yield tokens[i][0], tokens[i + n - 1][1], entity
                        step = n
                        break
            i += step
