"""The demo's events as plain values: absences and lateness on the school's half-days.

Most students have few events or none; a handful of chronic absentees miss whole half-days
without a valid reason (one of them always above 4 in the busiest month when the window holds
one); illnesses run over several days. States follow the reason: legitimate reasons are mostly
accepted and settled, unknown ones stay undecided, and the last few days are not settled yet.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.rules.calendar import Half, HalfDayKey, Interval, SchoolCalendar
from core.rules.counting import EventKind

UNKNOWN = "INCONNU"
RECENT_DAYS = 3  # events this recent are not settled yet
CHRONIC_SHARE = 0.025


@dataclass(frozen=True)
class ReasonInfo:
    """What the planner needs to know about one of the school's reasons."""

    legitimate: bool | None
    counts: bool


@dataclass(frozen=True)
class EventPlan:
    """One event to write; ``recorded_by`` is a role (cpe, vie_scolaire)."""

    student: str  # SIECLE ELEVE_ID
    kind: EventKind
    start: datetime
    end: datetime
    reason: str
    justification: str | None
    accepted: bool | None
    settled: bool
    counts: bool
    recorded_by: str
    recorded_at: datetime
    decided_at: datetime | None
    comment: str = ""


@dataclass(frozen=True)
class _Profile:
    absences: float  # chance of an absence in a given week
    lateness: float


@dataclass(frozen=True)
class _State:
    reason: str
    justification: str | None
    accepted: bool | None
    settled: bool
    decided_at: datetime | None


_PROFILES = (_Profile(0.02, 0.02), _Profile(0.12, 0.06), _Profile(0.30, 0.25))
_PROFILE_WEIGHTS = (40, 45, 15)
_CHRONIC = _Profile(0.25, 0.6)
_EPISODES = {"slots": 25, "half": 35, "day": 25, "illness": 15}
_REASONS: dict[str, dict[str, int]] = {
    "slots": {"RDV_MEDICAL": 55, "MALADIE": 15, "CONVOCATION": 5, "INCONNU": 15,
              "AUTRE_IRRECEVABLE": 10},
    "half": {"MALADIE": 35, "RDV_MEDICAL": 20, "TRANSPORT": 7, "CONVENANCE": 10, "INCONNU": 18,
             "AUTRE_IRRECEVABLE": 5, "FAMILLE_SOLENNELLE": 5},
    "day": {"MALADIE": 50, "MALADIE_FAMILLE": 5, "FAMILLE_SOLENNELLE": 7, "TRANSPORT": 5,
            "SUIVI_RESPONSABLES": 5, "CONVENANCE": 10, "INCONNU": 15, "FETE_RELIGIEUSE": 3},
    "illness": {"MALADIE": 90, "MALADIE_FAMILLE": 10},
    "lateness": {"TRANSPORT": 35, "INCONNU": 40, "AUTRE_IRRECEVABLE": 25},
    "truancy": {"INCONNU": 35, "CONVENANCE": 30, "AUTRE_IRRECEVABLE": 25, "REFUS": 10},
}  # fmt: skip
_COMMENTS = {
    "MALADIE": ("Appel de la mère : fièvre", "Gastro-entérite", "Certificat médical remis"),
    "RDV_MEDICAL": ("Orthodontiste", "Rendez-vous chez l'ophtalmologiste", "Kinésithérapeute"),
    "TRANSPORT": ("Bus scolaire en retard", "Grève des transports", "Route coupée (neige)"),
    "CONVENANCE": ("Départ en vacances anticipé", "Garde d'un petit frère"),
    "AUTRE_IRRECEVABLE": ("Panne de réveil", "A raté le bus"),
    "FAMILLE_SOLENNELLE": ("Obsèques d'un grand-parent", "Mariage dans la famille"),
}
_JUSTIFICATIONS = {"TRANSPORT": "ATTESTATION_TRANSPORT", "CONVOCATION": "CONVOCATION_ADMIN"}


class EventPlanner:
    """Plans events from ``first`` to ``last`` (inclusive) on the calendar's school half-days."""

    def __init__(
        self,
        rng: random.Random,
        calendar: SchoolCalendar,
        *,
        first: date,
        last: date,
        today: date,
        reasons: Mapping[str, ReasonInfo],
    ) -> None:
        if UNKNOWN not in reasons:
            raise ValueError(f"the reasons must include {UNKNOWN}")
        self.rng = rng
        self.calendar = calendar
        self.today = today
        self.reasons = reasons
        self.now = calendar.to_utc(today, time(7, 30))
        keys = calendar.school_half_days(first, last) if first <= last else []
        self.slots = {key: slots for key in keys if (slots := self._slots(key))}
        self.keys = list(self.slots)
        self.mornings = [key for key in self.keys if key.half == Half.MORNING]
        self.by_day: dict[date, list[HalfDayKey]] = {}
        self.by_month: dict[tuple[int, int], list[HalfDayKey]] = {}
        for key in self.keys:
            self.by_day.setdefault(key.day, []).append(key)
            self.by_month.setdefault((key.day.year, key.day.month), []).append(key)
        self.days = list(self.by_day)
        self.weeks = math.ceil(len(self.days) / 5)

    def _slots(self, key: HalfDayKey) -> list[Interval]:
        """The lesson slots of a half-day (by their start) as UTC intervals, in order."""
        cal = self.calendar
        morning = key.half == Half.MORNING
        return sorted(
            (cal.to_utc(key.day, s.start), cal.to_utc(key.day, s.end))
            for s in cal.slots
            if s.weekday == key.day.weekday() and (s.start < cal.midday) == morning
        )

    def plan(self, students: Sequence[str]) -> list[EventPlan]:
        """Events for the students (SIECLE ids), student by student, each in time order."""
        if not self.keys or not students:
            return []
        count = max(1, round(len(students) * CHRONIC_SHARE))
        chronic = self.rng.sample(range(len(students)), count)
        chronic_set = set(chronic)
        events: list[EventPlan] = []
        for index, student in enumerate(students):
            used: set[HalfDayKey] = set()
            if index in chronic_set:
                profile = _CHRONIC
                events += self._truancy(student, used, strong=index == chronic[0])
            else:
                profile = self.rng.choices(_PROFILES, _PROFILE_WEIGHTS)[0]
            mine = self._absences(student, profile, used) + self._lateness(student, profile, used)
            events += sorted(mine, key=lambda e: e.start)
        return events

    def _count(self, weekly: float) -> int:
        return sum(self.rng.random() < weekly for _ in range(self.weeks))

    def _pick(self, table: str) -> str:
        weights = _REASONS[table]
        code = self.rng.choices(list(weights), list(weights.values()))[0]
        return code if code in self.reasons else UNKNOWN

    def _truancy(self, student: str, used: set[HalfDayKey], *, strong: bool) -> list[EventPlan]:
        """Whole half-days missed without a valid reason, month by month."""
        share = 0.35 if strong else self.rng.uniform(0.08, 0.25)
        busiest = max(self.by_month, key=lambda month: len(self.by_month[month]))
        events: list[EventPlan] = []
        for month, keys in self.by_month.items():
            wanted = round(share * len(keys))
            if strong and month == busiest:
                wanted = max(wanted, min(len(keys), 6))
            for key in sorted(self.rng.sample(keys, wanted)):
                used.add(key)
                slots = self.slots[key]
                reason = self._pick("truancy")
                events.append(self._event(student, slots[0][0], slots[-1][1], reason, [key]))
        return events

    def _absences(self, student: str, profile: _Profile, used: set[HalfDayKey]) -> list[EventPlan]:
        events: list[EventPlan] = []
        for _ in range(self._count(profile.absences)):
            episode = self.rng.choices(list(_EPISODES), list(_EPISODES.values()))[0]
            span = self._span(episode)
            if span is None or any(key in used for key in span[2]):
                continue
            start, end, keys = span
            used.update(keys)
            events.append(self._event(student, start, end, self._pick(episode), keys))
        return events

    def _span(self, episode: str) -> tuple[datetime, datetime, list[HalfDayKey]] | None:
        """A slot or two, a half-day, a day or a few days, on slot boundaries."""
        rng = self.rng
        if episode in ("slots", "half"):
            key = rng.choice(self.keys)
            slots = self.slots[key]
            if episode == "half":
                return slots[0][0], slots[-1][1], [key]
            length = min(len(slots), rng.choice((1, 1, 2)))
            first = rng.randrange(len(slots) - length + 1)
            return slots[first][0], slots[first + length - 1][1], [key]
        start = rng.randrange(len(self.days))
        days = self.days[start : start + (1 if episode == "day" else rng.randint(2, 5))]
        keys = [key for day in days for key in self.by_day[day]]
        return self.slots[keys[0]][0][0], self.slots[keys[-1]][-1][1], keys

    def _lateness(self, student: str, profile: _Profile, used: set[HalfDayKey]) -> list[EventPlan]:
        """5 to 25 minutes late at the start of a morning slot (mostly the first)."""
        events: list[EventPlan] = []
        for _ in range(self._count(profile.lateness)):
            key = self.rng.choice(self.mornings) if self.mornings else None
            if key is None or key in used:
                continue
            used.add(key)
            slots = self.slots[key]
            start = slots[0][0] if self.rng.random() < 0.6 else self.rng.choice(slots)[0]
            end = start + timedelta(minutes=self.rng.randint(5, 25))
            reason = self._pick("lateness")
            events.append(self._event(student, start, end, reason, [key], EventKind.LATENESS))
        return events

    def _event(
        self,
        student: str,
        start: datetime,
        end: datetime,
        reason: str,
        keys: list[HalfDayKey],
        kind: EventKind = EventKind.ABSENCE,
    ) -> EventPlan:
        rng = self.rng
        state = self._state(reason, keys, end)
        lateness = kind == EventKind.LATENESS
        desk = rng.random() < (0.8 if lateness else 0.6)
        recorded_at = end if lateness else start + timedelta(minutes=rng.randint(5, 20))
        comments = _COMMENTS.get(state.reason, ())
        comment = rng.choice(comments) if comments and rng.random() < 0.25 else ""
        return EventPlan(
            student=student,
            kind=kind,
            start=start,
            end=end,
            reason=state.reason,
            justification=state.justification,
            accepted=state.accepted,
            settled=state.settled,
            counts=self.reasons[state.reason].counts,
            recorded_by="vie_scolaire" if desk else "cpe",
            recorded_at=min(recorded_at, self.now),
            decided_at=state.decided_at,
            comment=comment,
        )

    def _state(self, reason: str, keys: list[HalfDayKey], end: datetime) -> _State:
        """Accepted, settled and justified as the reason and the event's age make likely."""
        rng = self.rng
        recent = (self.today - keys[-1].day).days <= RECENT_DAYS
        if recent and rng.random() < 0.5:
            reason = UNKNOWN  # the family has not answered yet
        if reason == UNKNOWN:
            return _State(UNKNOWN, None, None, False, None)
        decided = min(end + timedelta(hours=rng.randint(2, 60)), self.now)
        if recent:
            phoned = "APPEL_TELEPHONIQUE" if rng.random() < 0.6 else None
            return _State(reason, phoned, None, False, decided)
        legitimate = self.reasons[reason].legitimate
        accepted: bool | None = False
        if legitimate is not False:
            draw = rng.random()
            if draw < (0.95 if legitimate else 0.85):
                accepted = True
            elif legitimate or draw < 0.95:
                accepted = None
        settled = accepted is not None and rng.random() < 0.9
        justification = self._justification(reason, len(keys)) if settled else None
        return _State(reason, justification, accepted, settled, decided)

    def _justification(self, reason: str, half_days: int) -> str:
        if reason in _JUSTIFICATIONS:
            return _JUSTIFICATIONS[reason]
        medical = (reason == "MALADIE" and half_days >= 5) or (
            reason == "RDV_MEDICAL" and self.rng.random() < 0.5
        )
        return "CERTIFICAT_MEDICAL" if medical else "MOT_PARENTS"
