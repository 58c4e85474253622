"""Text out of documents: PDF (pypdf) and DOCX (python-docx, tables included), bounded.

Encrypted PDFs are refused (their text cannot be checked); DOCX archives get the same
zip-bomb checks as workbooks before they are opened. Both read a path or a `Source`.
"""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING

from outguard.formats.errors import InvalidFileError
from outguard.formats.sources import Source, as_source

if TYPE_CHECKING:
    from pathlib import Path

MAX_PAGES = 2000
MAX_EXPANDED = 512 * 1024 * 1024
MAX_RATIO = 200


def pdf_text(path: Path | str | Source) -> str:
    from pypdf import PdfReader  # noqa: PLC0415 - only for PDFs
    from pypdf.errors import PdfReadError  # noqa: PLC0415

    source = as_source(path)
    # pypdf reads pages lazily from the handle: extract the text before it closes.
    try:
        with source.open() as fh:
            reader = PdfReader(fh)
            if reader.is_encrypted:
                raise InvalidFileError(
                    f"{source.name} is an encrypted PDF: decrypt it first, then scan it."
                )
            if len(reader.pages) > MAX_PAGES:
                raise InvalidFileError(
                    f"{source.name} has more than {MAX_PAGES} pages."
                )
            return "\n".join(page.extract_text() or "" for page in reader.pages)
    except PdfReadError as exc:
        raise InvalidFileError(
            f"{source.name} is not a readable PDF: {str(exc)[:120]}"
        ) from None


def docx_text(path: Path | str | Source) -> str:
    source = as_source(path)
    try:
        with source.open() as fh, zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > MAX_EXPANDED or any(
                i.file_size / max(i.compress_size, 1) > MAX_RATIO
                and i.file_size > 10 * 1024 * 1024
                for i in infos
            ):
                raise InvalidFileError(f"{source.name} looks like a zip bomb.")
            if "word/document.xml" not in zf.namelist():
                raise InvalidFileError(f"{source.name} is not a Word document.")
    except zipfile.BadZipFile:
        raise InvalidFileError(
            f"{source.name} is not a .docx file (not a zip)."
        ) from None
    from docx import Document  # noqa: PLC0415 - only for Word documents

    with source.open() as fh:  # python-docx reads every part while opening
        document = Document(fh)
    parts = [p.text for p in document.paragraphs]
    parts.extend(
        "\t".join(cell.text for cell in row.cells)
        for table in document.tables
        for row in table.rows
    )
    return "\n".join(parts)
