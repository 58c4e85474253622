"""outguard: share business data with outsourcing vendors without handing over the
personal data in it, and prove later who received what.

Importing this package has no side effects; the library API grows here (scan, protect,
trace) as the pure packages land.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
