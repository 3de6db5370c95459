"""The student's guardians as the notice rules see them: links, contact points, linked chats."""

from __future__ import annotations

from collections import defaultdict

from core.models import ChatLink, ContactPoint, GuardianLink, Person
from core.rules.notices import ContactOption, GuardianOption

NO_CONTACT_ROW = 0
"""``contact_id`` of a chat known only by its :class:`ChatLink` (no contact point row)."""


def _options(points: list[ContactPoint], chats: list[ChatLink]) -> tuple[ContactOption, ...]:
    options = [
        ContactOption(point.id, str(point.kind), point.value, point.usable)
        for point in sorted(points, key=lambda p: (p.priority, p.id))
    ]
    known_chats = {o.value for o in options if o.kind == "chat"}
    options.extend(
        ContactOption(NO_CONTACT_ROW, "chat", chat.chat_id, True)
        for chat in chats
        if chat.chat_id not in known_chats
    )
    return tuple(options)


async def guardian_options(
    student_id: int, person_id: int | None = None
) -> tuple[list[GuardianOption], dict[int, Person]]:
    """Every person linked to the student (or only ``person_id``) with their contact options,
    and the persons by id (for their language and name)."""
    links_query = GuardianLink.filter(student_id=student_id).prefetch_related("person")
    if person_id is not None:
        links_query = links_query.filter(person_id=person_id)
    links = await links_query
    ids = [link.person_id for link in links]
    points: dict[int, list[ContactPoint]] = defaultdict(list)
    for point in await ContactPoint.filter(person_id__in=ids):
        points[point.person_id].append(point)
    chats: dict[int, list[ChatLink]] = defaultdict(list)
    for chat in await ChatLink.filter(person_id__in=ids, active=True).order_by("id"):
        chats[chat.person_id].append(chat)
    options = [
        GuardianOption(
            person_id=link.person_id,
            level=int(link.level),
            priority=link.priority,
            receives_notices=link.receives_notices,
            preferred_channel=link.person.preferred_channel,
            contacts=_options(points[link.person_id], chats[link.person_id]),
        )
        for link in links
    ]
    return options, {link.person_id: link.person for link in links}
