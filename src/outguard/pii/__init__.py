"""Find the personal data: detectors, validators and the text and table engines.

Pure code: no web, database or file access. Files are read by `outguard.formats`; the
`outguard.scanning` use case joins the two.
"""

from outguard.pii.entities import CHECKSUM_BEARING, Entity
from outguard.pii.findings import Finding
from outguard.pii.text import scan_text, scan_texts

__all__ = ["CHECKSUM_BEARING", "Entity", "Finding", "scan_text", "scan_texts"]
