"""A guardian's name and postal address as letters and envelopes show them (pure)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")

# What the window of a French envelope shows of an address: 6 lines of 38 characters.
WINDOW_LINES = 6
WINDOW_CHARS = 38


def display_name(civility: str, last_name: str, first_name: str) -> str:
    """A guardian as letters and envelopes name them: "Mme DURAND Anne"."""
    return " ".join(p for p in (civility, last_name.upper(), first_name) if p)


def address_lines(
    name: str | None, address: Mapping[str, object] | None, fallback: str | None = None
) -> tuple[str, ...]:
    """The name, the street lines, then postcode and town in capitals, and the country when it
    is not France. ``fallback`` (the contact point's value) stands in for an address without
    street nor town."""
    lines = [name] if name else []
    address = address or {}
    street = address.get("lines")
    lines += [str(line) for line in street] if isinstance(street, list) else []
    town = f"{address.get('postal_code', '')} {str(address.get('city', '')).upper()}".strip()
    if town:
        lines.append(town)
    elif fallback and not street:
        lines.append(fallback)
    country = str(address.get("country", "") or "").strip()
    if country and country.upper() != "FRANCE":
        lines.append(country.upper())
    return tuple(lines)


class Addressee(Protocol):
    """A contact point: its value (an address's first line for a letter) and its address."""

    @property
    def value(self) -> str: ...
    @property
    def address(self) -> Mapping[str, object] | None: ...


class Named(Protocol):
    @property
    def display_name(self) -> str: ...


def envelope(contact: Addressee | None, person: Named | None) -> tuple[str, ...]:
    """The lines of the envelope of a guardian's contact point (:func:`address_lines`)."""
    return address_lines(
        person.display_name if person is not None else None,
        contact.address if contact is not None else None,
        contact.value if contact is not None else None,
    )


def household_key(contact: Addressee | None) -> str:
    """What two letters to the same home share: the address without the name, in capitals,
    without accents, punctuation or repeated spaces ("12, rue des Lilas" = "12 RUE DES LILAS");
    empty when there is no address (such letters are never put together)."""
    if contact is None:
        return ""
    lines = address_lines(None, contact.address, contact.value)
    text = unicodedata.normalize("NFKD", " ".join(lines))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return " ".join(re.sub(r"[^0-9A-Z]+", " ", text).split())


def households(items: Iterable[T], key: Callable[[T], str]) -> list[list[T]]:
    """``items`` in envelopes: those with the same non-empty ``key`` together, where the first
    of them stood; the order is kept otherwise."""
    groups: dict[str, list[T]] = {}
    alone: list[list[T]] = []
    order: list[list[T]] = []
    for item in items:
        found = key(item)
        if not found:
            alone.append([item])
            order.append(alone[-1])
        elif found in groups:
            groups[found].append(item)
        else:
            groups[found] = [item]
            order.append(groups[found])
    return order


def household_envelope(
    names: Sequence[str],
    address: Sequence[str],
    *,
    max_lines: int = WINDOW_LINES,
    max_chars: int = WINDOW_CHARS,
) -> tuple[str, ...]:
    """The envelope of letters to several people at one address: every name, once, on one
    line joined by "et" when it fits, else one line each as far as the window allows (the
    rest on the last name line), then the address lines."""
    unique = list(dict.fromkeys(n for n in names if n))
    if not unique:
        return tuple(address)
    joined = " et ".join(unique)
    room = max(max_lines - len(address), 1)
    if len(joined) <= max_chars or room == 1:
        return (joined, *address)
    if len(unique) <= room:
        return (*unique, *address)
    return (*unique[: room - 1], " et ".join(unique[room - 1 :]), *address)
