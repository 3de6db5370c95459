"""Text for spreadsheets: what a cell must not start with, lest Excel or Calc run it.

A comment typed by anyone (a family's reply, a teacher's note) ends up in the CPE's CSV export:
text that a spreadsheet would read as a formula — ``=``, ``+``, ``-``, ``@`` first, even after
spaces, tabs or line breaks, or a tab or carriage return first — is written with a leading
apostrophe, which spreadsheets show as plain text. Phone numbers in E.164 (``+33…``) are ours
and stay as they are.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@")
CONTROL_START = ("\t", "\r")
_PHONE = re.compile(r"^\+[0-9]{6,15}$")


def formula_safe(text: str) -> str:
    """``text`` as a spreadsheet will show it, never as a formula it would run."""
    if _PHONE.match(text):
        return text
    if text.startswith(CONTROL_START) or text.lstrip().startswith(FORMULA_START):
        return "'" + text
    return text
