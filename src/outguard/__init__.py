"""outguard: share business data with vendors without handing over its personal data.

It also proves, later, who received what.

Importing this package has no side effects; the library API grows here (scan, protect,
trace) as the pure packages land.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
