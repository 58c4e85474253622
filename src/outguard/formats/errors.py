"""The one error the format readers raise: the file cannot be read (safely) as what it claims."""

from __future__ import annotations

from outguard.errors import DomainValidationError


class InvalidFileError(DomainValidationError):
    code = "invalid_file"
    default_message = "The file cannot be read as a table."
