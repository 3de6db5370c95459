"""What each channel is, in one table: every list of channels elsewhere is read from it.

A channel is a way of reaching a guardian (an SMS, a call, an email, a letter, a chat message);
a provider (``gateway/<provider>/``) carries one or more channels. Adding a channel is one row
here, one provider folder that sends it, its templates and its tests: the quiet hours, the
contact points it reaches, the monthly quota, the default fallback order, the settings' check,
the delivery's column and the panel's filters all follow from the row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    """The names of the shipped channels, for code that names one (``Channel.LETTER``); which
    channels exist is :data:`CHANNELS`'s to say."""

    CHAT = "chat"
    SMS = "sms"
    CALL = "call"
    EMAIL = "email"
    LETTER = "letter"


@dataclass(frozen=True, slots=True)
class ChannelKind:
    """One channel: ``contacts``, the contact-point kinds it reaches (the first usable one is
    taken); ``intrusive``, held back by the quiet hours; ``quota``, the ``School`` field of its
    monthly quota (None: no quota); ``rank``, its place in the default fallback order (None: not
    in it); ``staff_corrects``, a failed delivery's address may be corrected by staff and the
    delivery sent again (a number or an address one can type)."""

    name: str
    contacts: tuple[str, ...]
    intrusive: bool = False
    quota: str | None = None
    rank: int | None = None
    staff_corrects: bool = False


NAME_LENGTH = 10  # the longest channel name a delivery row holds

CHANNELS: dict[str, ChannelKind] = {
    row.name: row
    for row in (
        ChannelKind(Channel.CHAT, ("chat",), rank=0),
        ChannelKind(
            Channel.SMS,
            ("mobile",),
            intrusive=True,
            quota="sms_monthly_quota",
            rank=1,
            staff_corrects=True,
        ),
        ChannelKind(
            Channel.CALL,
            ("mobile", "landline"),
            intrusive=True,
            quota="call_monthly_quota",
            rank=2,
            staff_corrects=True,
        ),
        ChannelKind(Channel.EMAIL, ("email",), rank=3, staff_corrects=True),
        ChannelKind(Channel.LETTER, ("postal",), rank=4),
    )
}


def channel_names() -> list[str]:
    """Every channel, in the table's order."""
    return list(CHANNELS)


def is_channel(name: object) -> bool:
    """Whether ``name`` names a channel of the table."""
    return isinstance(name, str) and name in CHANNELS


def check_channel(name: str) -> str:
    """``name`` when it is a channel of the table; ValueError otherwise."""
    if not is_channel(name):
        raise ValueError(f"unknown channel {name!r}")
    return str(name)


def default_order() -> list[str]:
    """The fallback order a new school starts with: the ranked channels by rank."""
    ranked = [row for row in CHANNELS.values() if row.rank is not None]
    return [row.name for row in sorted(ranked, key=lambda row: row.rank or 0)]


def contact_kinds(channel: str) -> tuple[str, ...]:
    """The contact-point kinds ``channel`` reaches, preferred first (none for an unknown one)."""
    row = CHANNELS.get(channel)
    return row.contacts if row is not None else ()


def intrusive(channel: str) -> bool:
    """Whether the quiet hours hold ``channel`` back."""
    row = CHANNELS.get(channel)
    return row is not None and row.intrusive


def quota_field(channel: str) -> str | None:
    """The ``School`` field of ``channel``'s monthly quota, or None."""
    row = CHANNELS.get(channel)
    return row.quota if row is not None else None


def staff_corrects(channel: str) -> bool:
    """Whether staff may correct a failed delivery's address on ``channel`` and send it again."""
    row = CHANNELS.get(channel)
    return row is not None and row.staff_corrects


def unknown(names: Iterable[str]) -> list[str]:
    """The names that are no channel of the table, in order."""
    return [name for name in names if not is_channel(name)]
