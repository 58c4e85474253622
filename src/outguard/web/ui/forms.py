"""Small helpers shared by the page routers: form errors and re-rendering."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError

from outguard.errors import OutguardError
from outguard.web.errors import FormError, rule_for
from outguard.web.rendering import render


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Field name → message. Never the submitted value (it may be personal data)."""
    errors: dict[str, str] = {}
    for err in exc.errors(include_input=False, include_url=False):
        loc = err.get("loc") or ("form",)
        errors.setdefault(str(loc[0]), str(err.get("msg", "Not valid.")))
    return errors


def form_error(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 422,
    error: str | None = None,
    errors: dict[str, str] | None = None,
) -> FormError:
    """Re-render a form with its errors. Raise the result: the transaction rolls back."""
    response = render(
        request,
        template,
        {**context, "error": error, "errors": errors or {}},
        status_code=status_code,
    )
    return FormError(response)


def domain_form_error(
    request: Request, template: str, context: dict[str, Any], exc: OutguardError
) -> FormError:
    return form_error(
        request,
        template,
        context,
        status_code=rule_for(exc).status,
        error=exc.message,
    )
