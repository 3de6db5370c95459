"""The legal follow-up's pure rules: the day a month reached a threshold, and a family that did
not answer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.rules.calendar import Half, HalfDayKey
from core.rules.legal import REPLY_WAIT, crossing_day, reason_refused, unanswered

MON, TUE, WED = date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7)
KEYS = (
    HalfDayKey(MON, Half.MORNING),
    HalfDayKey(MON, Half.AFTERNOON),
    HalfDayKey(TUE, Half.MORNING),
    HalfDayKey(TUE, Half.AFTERNOON),
    HalfDayKey(WED, Half.MORNING),
)


def test_the_half_day_that_reaches_the_threshold_gives_the_day() -> None:
    assert crossing_day(KEYS, [1.0] * 5, 4) == TUE
    assert crossing_day(KEYS, [1.0] * 5, 5) == WED
    assert crossing_day(KEYS, [1.0] * 5, 6) is None
    assert crossing_day((), (), 4) is None


def test_in_proportional_mode_the_shares_add_up_to_two_decimals() -> None:
    shares = [0.7, 1.0, 0.65, 0.66, 1.0]  # 1.7, 2.35, 3.01: still not 4 on Tuesday evening
    assert crossing_day(KEYS, shares, 3) == TUE
    assert crossing_day(KEYS, shares, 4) == WED
    thirds = [1 / 3] * 3  # 0.99999…: the letters' count, rounded to 0.01, is 1
    assert crossing_day(KEYS[:3], thirds, 1) == TUE


def test_a_family_asked_long_enough_ago_without_a_reply_did_not_answer() -> None:
    asked = datetime(2026, 10, 5, 16, tzinfo=UTC)
    later = asked + REPLY_WAIT
    assert unanswered([asked, asked + timedelta(days=7)], [], later + timedelta(days=7))
    assert unanswered([asked], [], later)
    assert not unanswered([asked], [], later - timedelta(minutes=1))  # still has time
    assert not unanswered([asked], [asked + timedelta(hours=2)], later)  # answered
    assert unanswered([asked], [asked - timedelta(hours=2)], later)  # before being asked
    assert not unanswered([], [], later)  # never asked


def test_the_reasons_that_say_no_reason_or_an_inexact_one() -> None:
    assert reason_refused("INCONNU") and reason_refused("REFUS")
    assert not reason_refused("CONVENANCE") and not reason_refused(None)
