"""Errors of the JSON API: one middleware turns every failure into ``{"error": {code, message}}``.

Domain errors (:mod:`core.errors`) are translated here and only here: ``Invalid`` → 422,
``NotFound`` → 404, ``Forbidden`` → 403, ``Conflict`` → 409. The API's own refusals — a request
that is not well formed (400) or not authenticated (401) — are :class:`ApiError`. aiohttp's
``HTTPException`` (unknown path, wrong method, body too large) keeps its status. Anything else is
a bug: it is logged with its traceback and answered 500, never shown to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web
from aiohttp.typedefs import Handler

from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound

logger = logging.getLogger("absences.api")

DOMAIN_STATUS: dict[type[DomainError], int] = {
    Invalid: 422,
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
}

HTTP_CODES: dict[int, str] = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    500: "internal",
}


class ApiError(Exception):
    """A refusal of the API layer itself, with its HTTP status and a stable code."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})


class BadRequest(ApiError):
    """The request is not well formed: malformed JSON, a bad query or path parameter (400)."""

    status = 400
    code = "invalid"


class Unauthorized(ApiError):
    """No bearer token, or one that is unknown, revoked (``token_revoked``) or expired
    (``token_expired``) (401)."""

    status = 401
    code = "unauthorized"

    def __init__(self, message: str, *, code: str = "unauthorized") -> None:
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer realm="absences"'})
        self.code = code


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> web.Response:
    """The JSON error body every failure of the API answers with."""
    body = {"error": {"code": code, "message": message}}
    return web.json_response(body, status=status, headers=headers)


def _domain_status(error: DomainError) -> int:
    for kind, status in DOMAIN_STATUS.items():
        if isinstance(error, kind):
            return status
    return 422


def _from_http(error: web.HTTPException) -> web.Response:
    headers = {}
    if "Allow" in error.headers:
        headers["Allow"] = error.headers["Allow"]
    code = HTTP_CODES.get(error.status, "http_error")
    return error_response(error.status, code, error.reason.lower(), headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every failure under /api/ with the JSON error body (the one translation point)."""
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error.status, error.code, error.message, error.headers)
    except DomainError as error:
        return error_response(_domain_status(error), error.code, error.message)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return _from_http(error)
    except Exception:  # a bug: keep the traceback in the log, not in the answer
        logger.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal", "internal error; it has been logged")
