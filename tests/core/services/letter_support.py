"""Letters to families for the tests: pupils whose only guardian has a postal address, their
absences recorded with the real services, and their deliveries sent through the real letter
transport into a temporary folder (and an SMS through the real outbox, for contrast)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from core.models import (
    ContactKind,
    ContactPoint,
    Delivery,
    GuardianLink,
    Notice,
    Person,
    School,
    Student,
)
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.delivery.send import deliver
from core.services.events.record import record_event
from gateway.letter.transport import LetterTransport
from gateway.outbox.transport import OutboxTransport
from workers.senders import Channels, render, wrap

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 3, 2)  # winter time: Paris is UTC+1


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def channels(var_dir: Path) -> Channels:
    """The real letter transport and the real outbox (SMS and email) writing into ``var_dir``."""
    return wrap(
        {
            "letter": LetterTransport(var_dir),
            "sms": OutboxTransport(var_dir, channel="sms"),
            "email": OutboxTransport(var_dir, channel="email"),
        }
    )


async def pupil_with_guardian(
    school: School,
    last_name: str,
    first_name: str,
    *,
    postal: bool = True,
    mobile: str | None = None,
    email: str | None = None,
) -> Student:
    """A pupil whose one legal representative has a postal address (and maybe a mobile)."""
    count = await Student.filter(school=school).count()
    student = await Student.create(
        school=school, siecle_id=f"L{count + 1}", last_name=last_name, first_name=first_name
    )
    parent = await Person.create(
        school=school, civility="Mme", last_name=last_name, first_name="Claire"
    )
    await GuardianLink.create(student=student, person=parent, priority=1)
    if postal:
        await ContactPoint.create(
            person=parent,
            kind=ContactKind.POSTAL,
            value=f"{count + 3} rue des Lilas",
            address={
                "lines": [f"{count + 3} rue des Lilas"],
                "postal_code": "75011",
                "city": "Paris",
                "country": "FRANCE",
            },
        )
    if mobile:
        await ContactPoint.create(person=parent, kind=ContactKind.MOBILE, value=mobile)
    if email:
        await ContactPoint.create(person=parent, kind=ContactKind.EMAIL, value=email)
    return student


async def notify(
    school: School,
    actor: Actor,
    student: Student,
    box: Channels,
    *,
    day: date = MONDAY,
    hours: tuple[int, int] = (8, 10),
    recorded: datetime | None = None,
    sent: datetime | None = None,
    send: bool = True,
) -> list[Delivery]:
    """Record an absence of ``student`` (8:00 to 10:00 by default) and send its deliveries
    at ``sent`` (9:30 by default) unless not ``send``; returns them, fresh."""
    recorded = recorded or paris(day, hours[0], 30)
    sent = sent or paris(day, hours[0] + 1, 30)
    await record_event(
        school,
        actor,
        student_id=student.id,
        kind=EventKind.ABSENCE,
        start=paris(day, hours[0]),
        end=paris(day, hours[1]),
        now=recorded,
    )
    notice = await Notice.filter(student_id=student.id).order_by("-id").first()
    assert notice is not None
    found = await Delivery.filter(notice_id=notice.id).order_by("id")
    for delivery in found if send else []:
        outcome = await deliver(delivery.id, box.senders, now=sent, render=render)
        assert outcome.status in ("sent", "delivered"), outcome
    return list(await Delivery.filter(notice_id=notice.id).order_by("id"))


async def roux_household(school: School, actor: Actor, box: Channels) -> list[Delivery]:
    """Léa and Hugo ROUX live with both parents at "12, rue des Roses" (the father's card says
    "12 RUE DES ROSES"), letters only: their absence of Monday makes four letters (each child's
    notice to each parent), returned."""
    roux = [
        await Student.create(school=school, siecle_id=f"R{n}", last_name="Roux", first_name=name)
        for n, name in enumerate(("Léa", "Hugo"))
    ]
    parents = [
        await Person.create(school=school, civility=civility, last_name="Roux", first_name=first)
        for civility, first in (("Mme", "Claire"), ("M.", "Marc"))
    ]
    for parent, street in zip(parents, ("12, rue des Roses", "12 RUE DES ROSES"), strict=True):
        await ContactPoint.create(
            person=parent,
            kind=ContactKind.POSTAL,
            value=street,
            address={"lines": [street], "postal_code": "75011", "city": "Paris"},
        )
        for priority, child in enumerate(roux, start=1):
            await GuardianLink.create(student=child, person=parent, priority=priority)
    return [d for child in roux for d in await notify(school, actor, child, box)]


@dataclass
class Letters:
    """Three letters of Monday (Bernard, Dupont, Martin in print order) and an SMS."""

    bernard: Delivery
    dupont: Delivery
    martin: Delivery
    sms: Delivery

    @property
    def in_print_order(self) -> list[Delivery]:
        return [self.bernard, self.dupont, self.martin]


async def monday_letters(school: School, actor: Actor, box: Channels) -> Letters:
    """Martin, Bernard and Dupont get a letter (created in that order); Petit an SMS."""
    made = {}
    for name in ("Martin", "Bernard", "Dupont"):
        student = await pupil_with_guardian(school, name, "Léa")
        [made[name]] = await notify(school, actor, student, box)
    texted = await pupil_with_guardian(school, "Petit", "Hugo", postal=False, mobile="+33611223344")
    [sms] = await notify(school, actor, texted, box)
    return Letters(made["Bernard"], made["Dupont"], made["Martin"], sms)
