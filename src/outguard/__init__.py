"""outguard: share business data with vendors without handing over its personal data.

It also proves, later, who received what.

The library API is imported lazily, so `import outguard` stays cheap and side-effect free:

    >>> import outguard
    >>> report = outguard.scan("payroll.csv")            # doctest: +SKIP
    >>> outguard.scan_text("SSN 123-45-6789")[0].entity  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from outguard.pii.findings import Finding
    from outguard.pii.text import scan_text
    from outguard.scanning import ScanReport, scan, scan_table

_LAZY = {
    "scan": ("outguard.scanning", "scan"),
    "scan_table": ("outguard.scanning", "scan_table"),
    "ScanReport": ("outguard.scanning", "ScanReport"),
    "scan_text": ("outguard.pii.text", "scan_text"),
    "Finding": ("outguard.pii.findings", "Finding"),
}

__all__ = ["Finding", "ScanReport", "__version__", "scan", "scan_table", "scan_text"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib  # noqa: PLC0415

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    msg = f"module 'outguard' has no attribute {name!r}"
    raise AttributeError(msg)
