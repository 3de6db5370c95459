"""Data of the extra columns that need more than the event row: notices, a guardian's phone."""

from __future__ import annotations

from collections import Counter
from typing import Any

from core.models import ContactKind, Event, GuardianLink, Notice
from core.queries.common import chunks


async def notice_counts(event_ids: list[int]) -> dict[int, int]:
    """How many notices each event caused."""
    counted: Counter[int] = Counter()
    for part in chunks(event_ids):
        rows: list[Any] = await Notice.filter(event_id__in=part).values_list("event_id", flat=True)
        counted.update(int(i) for i in rows if i is not None)
    return dict(counted)


async def first_phones(student_ids: list[int]) -> dict[int, str]:
    """Each student's first usable mobile, in the order guardians are contacted."""
    phones: dict[int, str] = {}
    for part in chunks(student_ids):
        links = (
            await GuardianLink.filter(student_id__in=part, receives_notices=True)
            .order_by("priority", "id")
            .prefetch_related("person__contacts")
        )
        for link in links:
            if link.student_id in phones:
                continue
            mobiles = sorted(
                (c for c in link.person.contacts if c.kind == ContactKind.MOBILE and c.usable),
                key=lambda c: (c.priority, c.id),
            )
            if mobiles:
                phones[link.student_id] = mobiles[0].value
    return phones


async def event_extras(events: list[Event]) -> tuple[dict[int, int], dict[int, str]]:
    """(notices per event id, first usable mobile per student id)."""
    notices = await notice_counts([e.id for e in events])
    phones = await first_phones(sorted({e.student_id for e in events}))
    return notices, phones
