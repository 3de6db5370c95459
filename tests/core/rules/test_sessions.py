"""When a staff session ends: idle, absolute, and how often its last use is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.rules.sessions import (
    SessionPolicy,
    browser_of,
    needs_touch,
    session_alive,
    session_ends_at,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
POLICY = SessionPolicy.of(idle_minutes=120, hours=12)


def test_an_unused_session_ends_after_the_idle_time() -> None:
    assert session_ends_at(T0, T0, POLICY) == T0 + timedelta(hours=2)
    assert session_alive(T0, T0, T0 + timedelta(minutes=119, seconds=59), POLICY)
    assert not session_alive(T0, T0, T0 + timedelta(hours=2), POLICY)


def test_a_used_session_still_ends_twelve_hours_after_the_login() -> None:
    last = T0 + timedelta(hours=11, minutes=50)
    assert session_ends_at(T0, last, POLICY) == T0 + timedelta(hours=12)
    assert session_alive(T0, last, T0 + timedelta(hours=11, minutes=59), POLICY)
    assert not session_alive(T0, last, T0 + timedelta(hours=12), POLICY)


def test_the_settings_shape_the_policy() -> None:
    short = SessionPolicy.of(idle_minutes=5, hours=1)
    assert session_ends_at(T0, T0, short) == T0 + timedelta(minutes=5)
    assert session_ends_at(T0, T0 + timedelta(minutes=58), short) == T0 + timedelta(hours=1)


def test_the_last_use_is_written_at_most_once_a_minute() -> None:
    assert not needs_touch(T0, T0 + timedelta(seconds=59), POLICY)
    assert needs_touch(T0, T0 + timedelta(minutes=1), POLICY)


def test_a_browser_is_named_briefly() -> None:
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    chrome = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    )
    edge = chrome + " Edg/131.0.0.0"
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    )
    assert browser_of(firefox) == "Firefox · Linux"
    assert browser_of(chrome) == "Chrome · Windows"
    assert browser_of(edge) == "Edge · Windows"
    assert browser_of(iphone) == "Safari · iOS"
    assert browser_of("curl/8.5") == "curl/8.5"
    assert browser_of("") == "?"
