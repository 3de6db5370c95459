"""Message templates: jinja2 in a sandbox, and what an SMS will cost (GSM-7 or UCS-2 segments,
counted by the pure rule :mod:`core.rules.sms`, re-exported here).

Schools edit these templates in the panel, so a template is untrusted input: it renders in an
immutable sandbox (no attribute starting with ``_``, no method that changes a value) and every
variable must exist (a typo is an error, not an empty string in a family's SMS).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from core.rules.sms import GSM7, GSM7_BASIC, GSM7_EXTENSION, PART, SINGLE, SmsInfo, sms_segments

__all__ = [
    "GSM7",
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "PART",
    "SINGLE",
    "SmsInfo",
    "TemplateError",
    "TemplateSyntaxError",
    "UndefinedVariableError",
    "UnsafeTemplateError",
    "render_message",
    "sms_segments",
]

MAX_REPEAT = 10_000  # the longest string or list ``*`` may build
MAX_EXPONENT = 64  # ``**`` beyond this is refused: 9 ** 999999999 would hold a worker for hours


class TemplateError(Exception):
    """A template cannot be rendered; the message says why and where, for the editor."""


class TemplateSyntaxError(TemplateError):
    """The template is not valid jinja2."""


class UndefinedVariableError(TemplateError):
    """The template names a variable or attribute the context does not have."""


class UnsafeTemplateError(TemplateError):
    """The template tried something the sandbox forbids."""


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, which also refuses the arithmetic that would exhaust a worker."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"an exponent above {MAX_EXPONENT} is not allowed")
        if operator == "*":
            for sized, times in ((left, right), (right, left)):
                big = isinstance(sized, str | list | tuple) and isinstance(times, int)
                if big and len(sized) * times > MAX_REPEAT:
                    raise SecurityError(f"a repetition beyond {MAX_REPEAT} is not allowed")
        return super().call_binop(context, operator, left, right)


@lru_cache(maxsize=2)
def _environment(html: bool) -> ImmutableSandboxedEnvironment:
    return _Sandbox(
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=512)
def _compile(source: str, html: bool) -> jinja2.Template:
    return _environment(html).from_string(source)


def render_message(source: str, context: Mapping[str, object], *, html: bool = False) -> str:
    """Render ``source`` with ``context``; HTML-escapes values when ``html`` (emails, letters).

    Raises a :class:`TemplateError` subclass for a syntax error, an unknown variable or an
    operation the sandbox refuses.
    """
    try:
        return _compile(source, html).render(dict(context))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateSyntaxError(f"line {exc.lineno}: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise UnsafeTemplateError(str(exc)) from None
    except jinja2.UndefinedError as exc:
        raise UndefinedVariableError(str(exc.message)) from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateError(f"{type(exc).__name__}: {exc}") from None
