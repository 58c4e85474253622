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
        self._by_first: dict[str, list[tuple[tuple[str, ...], Entity]]] = defaultdict(
            list
        )
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, value: str, entity: Entity) -> None:
        words = tuple(w.lower().rstrip(".") for w in _WORD.findall(value))
        if not words or len(words) > MAX_WORDS or len(" ".join(words)) < MIN_CHARS:
            return
        entry = (words, entity)
        bucket = self._by_first[words[0]]
        if entry not in bucket:
            bucket.append(entry)
            bucket.sort(key=lambda e: -len(e[0]))  # longest first
            self._size += 1
        if entity is Entity.PERSON and len(words) > 1:  # "Roe, Jane" also as "Jane Roe"
            flipped = (*words[1:], words[0])
            if (flipped, entity) not in self._by_first[flipped[0]]:
                self._by_first[flipped[0]].append((flipped, entity))
                self._by_first[flipped[0]].sort(key=lambda e: -len(e[0]))

    @classmethod
    def from_values(cls, values: Iterable[tuple[str, Entity]]) -> Dictionary:
        d = cls()
        for value, entity in values:
            if value:
                d.add(value, entity)
        return d

    def find(self, text: str) -> Iterator[tuple[int, int, Entity]]:
        tokens = [
            (m.start(), m.end(), m.group().lower().rstrip("."))
            for m in _WORD.finditer(text)
        ]
        i = 0
        while i < len(tokens):
            matched = 0
            for words, entity in self._by_first.get(tokens[i][2], ()):
                n = len(words)
                if i + n <= len(tokens) and all(
                    tokens[i + k][2] == words[k] for k in range(n)
                ):
                    yield tokens[i][0], tokens[i + n - 1][1], entity
                    matched = n
                    break
            i += matched or 1
