"""A guardian's name and postal address as letters and envelopes show them (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


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
