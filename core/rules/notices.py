"""Notice policies as pure rules: when a notice may leave, to whom, by which channels.

No database here: the service hands in plain values and writes what these functions decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.rules import channels
from core.rules.calendar import HalfDayKey, require_aware

LEGAL = 1
IN_CHARGE = 2


@dataclass(frozen=True, slots=True)
class QuietHours:
    """No SMS or call from ``start`` to ``end`` (local time, may span midnight), nor on Sundays.

    The school's setting (``schools.QuietHoursSetting``, its stored JSON) gives one.
    """

    start: time
    end: time
    sundays: bool = True


def in_quiet_hours(moment: datetime, tz: ZoneInfo, quiet: QuietHours | None) -> bool:
    """Whether ``moment`` falls in the quiet hours, read in the school's time zone."""
    require_aware(moment, "moment")
    if quiet is None:
        return False
    local = moment.astimezone(tz)
    if quiet.sundays and local.weekday() == 6:
        return True
    now = local.time()
    if quiet.start == quiet.end:
        return False
    if quiet.start < quiet.end:
        return quiet.start <= now < quiet.end
    return now >= quiet.start or now < quiet.end


def next_allowed(moment: datetime, tz: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """The first instant at or after ``moment`` outside the quiet hours."""
    require_aware(moment, "moment")
    if not in_quiet_hours(moment, tz, quiet) or quiet is None:
        return moment
    # Quiet time ends either at the end of the quiet hours or at a midnight (end of a Sunday).
    first = moment.astimezone(tz).date()
    candidates = sorted(
        datetime.combine(first + timedelta(days=n), wall, tzinfo=tz)
        for n in range(9)
        for wall in (quiet.end, time(0))
    )
    for candidate in candidates:
        if candidate >= moment and not in_quiet_hours(candidate, tz, quiet):
            return candidate.astimezone(moment.tzinfo)
    raise ValueError("the quiet hours leave no time to send")


def not_before(
    recorded_at: datetime,
    *,
    delay_minutes: int,
    channel: str,
    tz: ZoneInfo,
    quiet: QuietHours | None,
    urgent: bool = False,
) -> datetime:
    """When a delivery may leave: after the send-after delay, and for SMS and calls not in
    the quiet hours (unless urgent). The delay lets a correction cancel the notice first."""
    require_aware(recorded_at, "recorded_at")
    due = recorded_at + timedelta(minutes=max(delay_minutes, 0))
    if urgent or not channels.intrusive(channel):
        return due
    return next_allowed(due, tz, quiet)


def dedupe_key(kind: str, student_id: int, key: HalfDayKey) -> str:
    """One notice per (student, half-day, kind), whatever the number of clicks."""
    return f"{kind}:{student_id}:{key.day.isoformat()}:{key.half.value}"


@dataclass(frozen=True, slots=True)
class ContactOption:
    contact_id: int
    kind: str  # mobile, landline, email, postal, chat
    value: str
    usable: bool  # consent given and not marked unusable


@dataclass(frozen=True, slots=True)
class GuardianOption:
    person_id: int
    level: int  # 1 legal representative, 2 in charge, 3 contact
    priority: int
    receives_notices: bool
    preferred_channel: str | None
    contacts: tuple[ContactOption, ...]


@dataclass(frozen=True, slots=True)
class PlannedDelivery:
    person_id: int | None  # None: a copy of a delivery whose person was removed since
    contact_id: int
    channel: str
    to: str


def recipients(guardians: Iterable[GuardianOption]) -> list[GuardianOption]:
    """Who is told: the legal representatives by priority; failing those, persons in charge.

    Contacts (level 3) are never sent notices; a guardian may be switched off by staff.
    """
    willing = [g for g in guardians if g.receives_notices]
    for level in (LEGAL, IN_CHARGE):
        chosen = sorted((g for g in willing if g.level == level), key=lambda g: g.priority)
        if chosen:
            return chosen
    return []


def relay_recipients(guardians: Iterable[GuardianOption]) -> list[GuardianOption]:
    """Who a notice may go to when its recipient could not be reached on any channel: the
    legal representatives by priority, then the persons in charge (never a contact, nor a
    guardian staff switched off)."""
    willing = [g for g in guardians if g.receives_notices and g.level in (LEGAL, IN_CHARGE)]
    return sorted(willing, key=lambda g: (g.level, g.priority, g.person_id))


def guardian_order(preferred: str | None, channel_order: Sequence[str]) -> list[str]:
    """A guardian's channel order: their preferred channel first (set by staff in the student's
    file, or by the family from the bot), then the others in ``channel_order`` (the school's, or
    the kind's); a preference outside that order changes nothing."""
    order = list(channel_order)
    if preferred in order:
        order.remove(preferred)
        order.insert(0, preferred)
    return order


def channel_plan(guardian: GuardianOption, channel_order: Sequence[str]) -> list[PlannedDelivery]:
    """The guardian's channels in fallback order (their preference first), usable ones only."""
    plan: list[PlannedDelivery] = []
    for channel in guardian_order(guardian.preferred_channel, channel_order):
        for kind in channels.contact_kinds(channel):
            found = next((c for c in guardian.contacts if c.kind == kind and c.usable), None)
            if found is not None:
                plan.append(
                    PlannedDelivery(guardian.person_id, found.contact_id, channel, found.value)
                )
                break
    return plan


KIND_CHANNEL_ORDER: dict[str, tuple[str, ...]] = {
    "threshold": ("letter", "email"),
    "persistent": ("letter", "email"),
    "weekly_summary": ("email", "letter"),
    "answer": ("sms",),  # a staff member's answer to a family's SMS: by SMS only
    "thanks": ("sms",),  # the acknowledgement of a family's SMS: by SMS only
    "chat_code": ("sms", "email", "letter"),  # a guardian's Telegram code: as staff choose
}
# The kinds that go by the channels of their order alone: their templates are those channels'.
OWN_CHANNELS_ONLY = frozenset({"answer", "thanks", "chat_code"})


def channel_order_for(kind: str, school_order: Sequence[str]) -> list[str]:
    """The fallback order of a notice kind: the monthly letters (L131-8) go by letter, then
    email; the weekly summary by email, then letter; every other kind follows the school's
    ``channel_order``."""
    return list(KIND_CHANNEL_ORDER.get(kind, school_order))


def kind_channels(kind: str, channels: Sequence[str]) -> list[str]:
    """The channels a notice of ``kind`` may go by, of ``channels`` (all the table's): an
    answer or a thanks to a family by SMS alone; every other kind by any."""
    if kind in OWN_CHANNELS_ONLY:
        return [c for c in channels if c in KIND_CHANNEL_ORDER[kind]]
    return list(channels)


# --- which events call for a notice ------------------------------------------------------------

TOLD_BY_FAMILY = frozenset({"family_notice", "family_reply"})


def notice_kind_for(
    event_kind: str,
    *,
    accepted: bool | None,
    counts: bool,
    deleted: bool,
    source: str,
    notify_lateness: bool,
) -> str | None:
    """The notice an event calls for: ``"absence"`` for an absence not justified (undecided
    counts as unjustified) that counts, ``"lateness"`` likewise when the school asks for it;
    None otherwise — and None when the family itself told the school."""
    if deleted or accepted is True or not counts or source in TOLD_BY_FAMILY:
        return None
    if event_kind == "absence":
        return "absence"
    if event_kind == "lateness" and notify_lateness:
        return "lateness"
    return None


def catch_up(day: date, today: date, late_notice_days: int) -> str:
    """How an absence of ``day`` entered on ``today`` is notified: ``"today"`` (the day itself
    or later), ``"catch_up"`` (a past day, at most ``late_notice_days`` ago: the notice names the
    day), ``"too_late"`` (older: no notice, the event says why)."""
    if day >= today:
        return "today"
    return "catch_up" if (today - day).days <= late_notice_days else "too_late"


# --- retries, status order ----------------------------------------------------------------------

RETRY_BACKOFF_SECONDS = (30, 120, 600, 3600)
MAX_ATTEMPTS = len(RETRY_BACKOFF_SECONDS) + 1


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta | None:
    """The wait after the ``attempts``-th try failed for a transient reason; None: give up.

    A provider's ``Retry-After`` lengthens the wait (up to the longest step), never shortens it.
    """
    if not 1 <= attempts < MAX_ATTEMPTS:
        return None
    seconds = float(RETRY_BACKOFF_SECONDS[attempts - 1])
    if retry_after is not None:
        seconds = max(seconds, min(retry_after, float(RETRY_BACKOFF_SECONDS[-1])))
    return timedelta(seconds=seconds)


FINAL = frozenset({"delivered", "undelivered", "failed", "expired", "cancelled"})
STATUS_RANK = {"scheduled": 0, "sending": 1, "sent": 2} | dict.fromkeys(FINAL, 3)


def moves_forward(current: str, new: str) -> bool:
    """Whether a provider's report may move a delivery from ``current`` to ``new``: only
    forward (scheduled < sending < sent < a final status); a final status is never left."""
    return STATUS_RANK[new] > STATUS_RANK[current]
