"""Find the personal data: detectors, validators and the text and table engines.

Pure code: no web, database or file access. Files are read by `outguard.formats`; the
`outguard.scanning` use case joins the two.
"""

from outguard.pii.entities import CHECKSUM_BEARING, Entity

__all__ = ["CHECKSUM_BEARING", "Entity"]
