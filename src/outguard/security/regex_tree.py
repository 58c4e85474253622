"""Python's own parse tree of a regular expression, for questions a pattern can answer itself.

`re` compiles through a parser whose modules (`sre_parse`, `sre_constants`) are deprecated
aliases but still shipped and typed; this is the one place that imports them. `parse` gives
the tree (a list of (opcode, argument) pairs), `OP` the opcodes; both are None on a Python
without them, and callers then keep their general path.
"""

from __future__ import annotations

import importlib
import re
import warnings
from typing import Any


def _load() -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return (
                importlib.import_module("sre_parse"),
                importlib.import_module("sre_constants"),
            )
        except ImportError:  # pragma: no cover
            return None, None


_PARSER, OP = _load()
_ZERO = ord("0")


def parse(pattern: str, flags: int = 0) -> list[Any] | None:
    """The parse tree of `pattern`; None where it cannot be had."""
    if _PARSER is None:  # pragma: no cover
        return None
    try:
        items: list[Any] = list(_PARSER.parse(pattern, flags))
    except re.error:  # pragma: no cover
        return None
    return items


def in_class(items: Any, ch: int) -> bool | None:
    """Whether character `ch` is in an IN class; None where the class is not understood."""
    negate = False
    hit = False
    for op, av in items:
        if op is OP.NEGATE:
            negate = True
        elif op is OP.LITERAL:
            hit = hit or av == ch
        elif op is OP.RANGE:
            hit = hit or av[0] <= ch <= av[1]
        elif op is OP.CATEGORY and av is OP.CATEGORY_DIGIT:
            hit = hit or chr(ch).isdigit()
        elif op is OP.CATEGORY and av is OP.CATEGORY_WORD:
            hit = hit or chr(ch).isalnum() or ch == ord("_")
        elif op is OP.CATEGORY and av is OP.CATEGORY_SPACE:
            hit = hit or chr(ch).isspace()
        else:
            return None
    return hit != negate


def any_digit(op: Any, av: Any) -> bool:
    """Whether an item matches exactly one character and every ASCII digit does."""
    if op is OP.IN:
        return all(in_class(av, _ZERO + k) for k in range(10))
    if op in (OP.MAX_REPEAT, OP.MIN_REPEAT):
        return all(any_digit(o, a) for o, a in av[2])
    if op is OP.SUBPATTERN:
        return all(any_digit(o, a) for o, a in av[-1])
    return False
