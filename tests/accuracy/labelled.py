"""Read the hand-written labelled texts (markup `[[ENTITY:value]]`) into text + gold spans."""

from __future__ import annotations

import re
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "pii"
_MARK = re.compile(r"\[\[([A-Z_]+):(.+?)\]\]", re.DOTALL)


def parse(block: str) -> tuple[str, list[tuple[int, int, str]]]:
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    at = 0
    length = 0
    for m in _MARK.finditer(block):
        plain = block[at : m.start()]
        out.append(plain)
        length += len(plain)
        spans.append((length, length + len(m.group(2)), m.group(1)))
        out.append(m.group(2))
        length += len(m.group(2))
        at = m.end()
    out.append(block[at:])
    return "".join(out), spans


def handwritten() -> list[tuple[str, list[tuple[int, int, str]]]]:
    lines = [
        line
        for line in (DATA / "handwritten.txt").read_text().splitlines()
        if not line.startswith("#")
    ]
    blocks = "\n".join(lines).split("\n---\n")
    return [parse(b.strip("\n")) for b in blocks if b.strip()]
