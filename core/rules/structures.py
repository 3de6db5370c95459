"""How a class or a group reads for people: SIECLE writes labels in capitals ("ALLEMAND LV2
3E"); a person reads "Allemand LV2 3E"."""

from __future__ import annotations


def readable_label(label: str) -> str:
    """``label`` with its first word capitalised and the rest of its words in lower case when
    it is all capitals (a word with a digit, like LV2 or 3E, keeps its capitals); a label
    already in mixed case is kept as it is. Empty: empty."""
    text = " ".join(label.split())
    if not text or text != text.upper():
        return text
    words = [word if any(c.isdigit() for c in word) else word.lower() for word in text.split(" ")]
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)
