"""Text out of documents: PDF (pypdf) and DOCX (python-docx, tables included), bounded.

Encrypted PDFs are refused (their text cannot be checked); DOCX archives get the same
zip-bomb checks as workbooks before they are opened.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from outguard.formats.readers import InvalidFileError

MAX_PAGES = 2000
MAX_EXPANDED = 512 * 1024 * 1024
MAX_RATIO = 200


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader  # noqa: PLC0415 - only for PDFs
    from pypdf.errors import PdfReadError  # noqa: PLC0415

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise InvalidFileError(
                f"{path.name} is an encrypted PDF: decrypt it first, then scan it."
            )
        if len(reader.pages) > MAX_PAGES:
            raise InvalidFileError(f"{path.name} has more than {MAX_PAGES} pages.")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except PdfReadError as exc:
        raise InvalidFileError(
            f"{path.name} is not a readable PDF: {str(exc)[:120]}"
        ) from None


def docx_text(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > MAX_EXPANDED or any(
                i.file_size / max(i.compress_size, 1) > MAX_RATIO
                and i.file_size > 10 * 1024 * 1024
                for i in infos
            ):
                raise InvalidFileError(f"{path.name} looks like a zip bomb.")
            if "word/document.xml" not in zf.namelist():
                raise InvalidFileError(f"{path.name} is not a Word document.")
    except zipfile.BadZipFile:
        raise InvalidFileError(
            f"{path.name} is not a .docx file (not a zip)."
        ) from None
    from docx import Document  # noqa: PLC0415 - only for Word documents

    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts.extend(
        "\t".join(cell.text for cell in row.cells)
        for table in document.tables
        for row in table.rows
    )
    return "\n".join(parts)
