"""Reading JSON request bodies the same way everywhere (the API, the panel's JSON forms).

A body must be UTF-8, at most :data:`MAX_JSON_BYTES` long and nested at most
:data:`MAX_JSON_DEPTH` levels deep (an object or a list in an object counts two): no request of
the application needs more, and a body of ten thousand brackets would otherwise reach the
parser's recursion limit.
"""

from __future__ import annotations

import json

from aiohttp import web

from core.bounds import storable

MAX_JSON_BYTES = 8 * 1024 * 1024  # a template's body (2 million characters) fits, escaped
MAX_JSON_DEPTH = 8


class BodyError(ValueError):
    """A JSON body refused as a whole: ``status`` 400 (unreadable) or 413 (too large)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def depth(value: object) -> int:
    """How deeply ``value`` nests lists and objects (a scalar is 0), without recursion;
    :class:`BodyError` when a text of it holds a NUL character (no column can store one)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, str) and not storable(item):
            raise BodyError("texts may not hold the NUL character")
        if isinstance(item, dict):
            stack.extend((key, level) for key in item)
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest


def parse_json(raw: bytes) -> object:
    """The JSON value of ``raw``; :class:`BodyError` when it is not one we accept."""
    if len(raw) > MAX_JSON_BYTES:
        raise BodyError(f"the body is larger than {MAX_JSON_BYTES} bytes", 413)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError("the body is not UTF-8") from None
    if not text.strip():
        raise BodyError("a JSON body is required")
    too_deep = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise BodyError(f"malformed JSON: {error}") from None
    except RecursionError:  # the parser gave up before we could count
        raise BodyError(too_deep) from None
    if depth(value) > MAX_JSON_DEPTH:
        raise BodyError(too_deep)
    return value


async def read_json_body(request: web.Request) -> object:
    """The request's JSON body (see :func:`parse_json`); a declared size too large is refused
    before anything is read."""
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise BodyError(f"the body is larger than {MAX_JSON_BYTES} bytes", 413)
    return parse_json(await request.read())
