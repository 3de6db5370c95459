"""Domain errors: raised by services, translated to HTTP or CLI messages at the edge.

Each refusal carries a stable ``code`` (what went wrong) and its ``params`` (the values a
sentence names); its English ``message`` is for the API, the command line and the logs. The
panel words the code in the reader's language (``web.panel.refusals``) and never shows the
message.
"""

from __future__ import annotations

from pydantic import ValidationError


class DomainError(Exception):
    """A refusal with a stable code, its parameters and an English message for logs."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params: dict[str, object] = params
        if code is not None:
            self.code = code


class Invalid(DomainError):
    code = "invalid"


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


def first_problem(error: ValidationError, default: str = "body") -> str:
    """The first validation problem as one line ``field: message``."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or default
    return f"{where}: {first['msg']}"


def invalid_field(error: ValidationError, default: str = "body") -> Invalid:
    """The first validation problem as an :class:`Invalid` whose params are the ``field``
    (first part of its location, else ``default``), the ``kind`` of problem (pydantic's type,
    or a validator's own code) and the problem's context values."""
    first = error.errors()[0]
    context = {
        key: value
        for key, value in (first.get("ctx") or {}).items()
        if isinstance(value, int | float | str) and not isinstance(value, bool) and key != "code"
    }
    field = str(first["loc"][0]) if first["loc"] else str(context.get("field", default))
    refused = Invalid(first_problem(error, default))
    refused.params = {**context, "field": field, "kind": first["type"]}
    return refused
