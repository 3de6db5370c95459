"""When a staff session ends, as a pure rule: idle too long, or too long after the login.

A session lives until ``idle`` after its last use and never beyond ``absolute`` after it was
opened. Its last use is written at most once per ``touch_every``, so that a busy page does not
cost a write per request (the idle end is then known to within that much).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=120)
    absolute: timedelta = timedelta(hours=12)
    touch_every: timedelta = timedelta(minutes=1)

    @classmethod
    def of(cls, idle_minutes: int, hours: int) -> SessionPolicy:
        """The policy of the settings ``ABSENCES_SESSION_IDLE_MINUTES`` and ``…_HOURS``."""
        return cls(idle=timedelta(minutes=idle_minutes), absolute=timedelta(hours=hours))


DEFAULT_SESSION_POLICY = SessionPolicy()


def session_ends_at(
    created_at: datetime, last_seen_at: datetime, policy: SessionPolicy
) -> datetime:
    """The moment the session stops opening anything, unless it is used before."""
    return min(last_seen_at + policy.idle, created_at + policy.absolute)


def session_alive(
    created_at: datetime, last_seen_at: datetime, now: datetime, policy: SessionPolicy
) -> bool:
    return now < session_ends_at(created_at, last_seen_at, policy)


def needs_touch(last_seen_at: datetime, now: datetime, policy: SessionPolicy) -> bool:
    """Whether this use should be written as the session's last use."""
    return now - last_seen_at >= policy.touch_every


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def browser_of(user_agent: str) -> str:
    """A short name of the browser and system of a ``User-Agent`` (``Firefox · Linux``)."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if browser or system:
        return " · ".join(part for part in (browser, system) if part)
    return user_agent[:40] or "?"
