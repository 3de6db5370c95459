"""Message templates: jinja2 in a sandbox, and what an SMS will cost (GSM-7 or UCS-2 segments).

Schools edit these templates in the panel, so a template is untrusted input: it renders in an
immutable sandbox (no attribute starting with ``_``, no method that changes a value) and every
variable must exist (a typo is an error, not an empty string in a family's SMS).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

# GSM 03.38: the basic table (one septet each) and its extension table (escape + one septet).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM7 = GSM7_BASIC | GSM7_EXTENSION
SINGLE = {"GSM-7": 160, "UCS-2": 70}
PART = {"GSM-7": 153, "UCS-2": 67}  # the rest of each part carries the concatenation header


class TemplateError(Exception):
    """A template cannot be rendered; the message says why and where, for the editor."""


class TemplateSyntaxError(TemplateError):
    """The template is not valid jinja2."""


class UndefinedVariableError(TemplateError):
    """The template names a variable or attribute the context does not have."""


class UnsafeTemplateError(TemplateError):
    """The template tried something the sandbox forbids."""


@lru_cache(maxsize=2)
def _environment(html: bool) -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
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


@dataclass(frozen=True, slots=True)
class SmsInfo:
    """What an SMS text costs: its encoding, its length in that encoding, its segments."""

    encoding: Literal["GSM-7", "UCS-2"]
    length: int  # septets for GSM-7 (extension characters count 2), UTF-16 units for UCS-2
    segments: int
    unsupported: tuple[str, ...] = ()  # the characters that forced UCS-2, in order of appearance

    @property
    def per_segment(self) -> int:
        """Characters a segment holds at this length (160/70 for one, 153/67 when split)."""
        return SINGLE[self.encoding] if self.segments <= 1 else PART[self.encoding]


def _units(text: str) -> tuple[Literal["GSM-7", "UCS-2"], list[int], tuple[str, ...]]:
    outside = tuple(dict.fromkeys(c for c in text if c not in GSM7))
    if not outside:
        return "GSM-7", [2 if c in GSM7_EXTENSION else 1 for c in text], ()
    return "UCS-2", [2 if ord(c) > 0xFFFF else 1 for c in text], outside


def _parts(units: list[int], size: int) -> int:
    # An escape sequence or a surrogate pair is never split between two parts.
    parts, used = 1, 0
    for unit in units:
        if used + unit > size:
            parts, used = parts + 1, 0
        used += unit
    return parts


def sms_segments(text: str) -> SmsInfo:
    """Encoding, length and segment count of ``text`` (160/153 in GSM-7, 70/67 in UCS-2)."""
    encoding, units, outside = _units(text)
    length = sum(units)
    if length == 0:
        segments = 0
    elif length <= SINGLE[encoding]:
        segments = 1
    else:
        segments = _parts(units, PART[encoding])
    return SmsInfo(encoding, length, segments, outside)
