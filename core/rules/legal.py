"""The legal follow-up of absenteeism (L131-8, R131-7): the day a month crossed a threshold,
and the families who did not answer the school's requests (L131-8 1°).

Pure functions over plain values: ``core/queries/legal.py`` hands in the half-days, the
requests' and the replies' times.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from core.rules.calendar import HalfDayKey

REPLY_WAIT = timedelta(days=3)
"""How long a family has to answer a request before it counts as "not answered": a notice sent
this morning is not yet a family that does not answer."""

UNKNOWN_REASONS = frozenset({"INCONNU", "REFUS"})
"""The national reasons that say the family gave no reason or an inexact one (L131-8 1°: « n'ont
pas fait connaître les motifs d'absence […] ou ont donné des motifs d'absence inexacts »)."""


def crossing_day(
    half_days: Sequence[HalfDayKey], weights: Sequence[float], threshold: float
) -> date | None:
    """The day of the half-day that made the month's count reach ``threshold``: the half-days
    taken in order (morning first), each with its weight in the school's counting mode (1, or
    its share in proportional mode, summed to two decimals as the letters count); None when
    the month does not reach it."""
    if threshold <= 0:
        return None
    total: list[float] = []
    for key, weight in zip(half_days, weights, strict=True):
        total.append(weight)
        if round(math.fsum(total), 2) >= threshold:
            return key.day
    return None


def unanswered(requests: Iterable[datetime], replies: Iterable[datetime], now: datetime) -> bool:
    """Whether a family was asked about an absence (``requests``: when each notice, reminder or
    letter left) and never answered: no reply since the first request, which left at least
    :data:`REPLY_WAIT` ago."""
    asked = sorted(requests)
    if not asked or now - asked[0] < REPLY_WAIT:
        return False
    return not any(reply >= asked[0] for reply in replies)


def reason_refused(generic_code: str | None) -> bool:
    """Whether an absence's reason says the family gave none, or an inexact one."""
    return generic_code in UNKNOWN_REASONS
