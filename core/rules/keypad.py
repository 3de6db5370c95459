"""The keys of an automated call's menu, and what a reply by keypad says.

1: the family knows ("acknowledged"); 2: the family asks to be called back ("callback"); 3: the
message again; any other key: the menu again. A key that is a reply is stored as the reply's
text (channel ``call``).
"""

from __future__ import annotations

ACKNOWLEDGE, CALL_BACK, REPEAT = "1", "2", "3"
MEANINGS = {ACKNOWLEDGE: "acknowledged", CALL_BACK: "callback"}  # the keys that are a reply


def keypad_meaning(channel: str, text: str) -> str | None:
    """``acknowledged`` or ``callback`` for a reply by keypad; None for any other reply."""
    return MEANINGS.get(text.strip()) if channel == "call" else None
