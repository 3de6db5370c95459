"""Text on a colour: the WCAG 2 contrast ratio, and the ink that reads on a background.

Pure functions: the reasons' colours are the school's data, so the text painted on them is
chosen by contrast (WCAG AA asks 4.5:1 for normal text).
"""

from __future__ import annotations

import re

AA = 4.5
WHITE, DARK, BLACK = "#ffffff", "#1d2433", "#000000"
_HEX = re.compile(r"^#([0-9a-fA-F]{6})$")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """The relative luminance of ``#rrggbb`` (0 black … 1 white); ValueError otherwise."""
    found = _HEX.match(colour)
    if found is None:
        raise ValueError(f"expected #rrggbb, got {colour!r}")
    n = int(found.group(1), 16)
    r, g, b = (_channel((n >> shift) & 255) for shift in (16, 8, 0))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The contrast ratio of two colours, 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ink_for(background: str) -> str:
    """White or the dark ink, whichever reads better on ``background``; black when neither
    reaches AA (some mid tones). Unreadable colours get the dark ink."""
    if _HEX.match(background) is None:
        return DARK
    best = max((WHITE, DARK), key=lambda ink: contrast(ink, background))
    return best if contrast(best, background) >= AA else BLACK
