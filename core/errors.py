"""Domain errors: raised by services, translated to HTTP or CLI messages at the edge."""

from __future__ import annotations

from pydantic import ValidationError


class DomainError(Exception):
    """A refusal with a stable code and a message fit for the user."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
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
