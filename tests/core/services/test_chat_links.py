"""A guardian's chat linked with a one-time code: single use, expiring, not guessable by trying,
ended by the family, by staff, or when the bot is blocked; audited."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import AuditEntry, ChatLink, LinkCode, Person, School, Student
from core.services.access.chat_links import (
    ALPHABET,
    ATTEMPTS,
    CODE_LENGTH,
    chat_gone,
    chat_guardians,
    issue_code,
    redeem_code,
    unlink_chat,
    unlink_guardian_chat,
)
from core.services.audit import Actor
from tests.core.services.notice_support import MONDAY, at, make_family

NOW = at(MONDAY, 18)
CHAT = "4242"


async def test_a_code_links_the_chat_once_and_greets_with_the_children(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    issued = await issue_code(school_a, cpe_actor, family.mother.id, now=NOW)
    assert len(issued.code) == CODE_LENGTH and set(issued.code) <= set(ALPHABET)
    assert issued.expires_at == NOW + timedelta(hours=48) and issued.expires_at.tzinfo == UTC
    stored = await LinkCode.get(person_id=family.mother.id)
    assert issued.code not in stored.code_hash  # only its hash is kept

    typed = f" {issued.code[:5].lower()}-{issued.code[5:]} "  # as a parent may type it
    linked = await redeem_code(CHAT, typed, now=NOW + timedelta(minutes=5))
    assert linked.person.id == family.mother.id and linked.school.id == school_a.id
    assert [s.id for s in linked.children] == [pupil.id]
    assert [p.id for p in await chat_guardians(CHAT)] == [family.mother.id]
    assert await AuditEntry.exists(action="chat_link.create", school_id=school_a.id)

    with pytest.raises(Invalid) as refused:  # single use
        await redeem_code("other-chat", issued.code, now=NOW + timedelta(minutes=6))
    assert refused.value.code == "unknown_code"
    assert await chat_guardians("other-chat") == []


async def test_an_expired_or_guessed_code_links_nothing_and_tries_are_limited(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    issued = await issue_code(school_a, cpe_actor, family.father.id, now=NOW)
    with pytest.raises(Invalid) as refused:
        await redeem_code(CHAT, issued.code, now=NOW + timedelta(hours=49))
    assert refused.value.code == "unknown_code"  # expired: told as an unknown code
    for n in range(ATTEMPTS - 1):
        with pytest.raises(Invalid):
            await redeem_code(CHAT, f"ABCDEFGH{n}2", now=NOW + timedelta(hours=49))
    fresh = await issue_code(school_a, cpe_actor, family.father.id, now=NOW + timedelta(hours=49))
    with pytest.raises(Invalid) as refused:  # the right code, but after too many tries
        await redeem_code(CHAT, fresh.code, now=NOW + timedelta(hours=49, minutes=1))
    assert refused.value.code == "too_many"
    assert await chat_guardians(CHAT) == []
    linked = await redeem_code(CHAT, fresh.code, now=NOW + timedelta(hours=49, minutes=20))
    assert linked.person.id == family.father.id  # the window passed: it may try again


async def test_two_guardians_link_their_own_chats_and_each_ends_their_own(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    mother = await issue_code(school_a, cpe_actor, family.mother.id, now=NOW)
    father = await issue_code(school_a, cpe_actor, family.father.id, now=NOW)
    await redeem_code("mother-chat", mother.code, now=NOW)
    await redeem_code("father-chat", father.code, now=NOW)
    assert await unlink_chat("mother-chat", now=NOW) == 1
    assert await chat_guardians("mother-chat") == []
    assert [p.id for p in await chat_guardians("father-chat")] == [family.father.id]
    link = await ChatLink.get(chat_id="father-chat")
    await unlink_guardian_chat(school_a, cpe_actor, family.father.id, link.id, now=NOW)
    assert (await ChatLink.get(id=link.id)).ended_reason == "staff"
    with pytest.raises(Conflict):
        await unlink_guardian_chat(school_a, cpe_actor, family.father.id, link.id, now=NOW)
    entries = await AuditEntry.filter(action="chat_link.end").count()
    assert entries == 2


async def test_a_blocked_bot_ends_the_links_and_staff_of_another_school_cannot(
    school_a: School, school_b: School, cpe_actor: Actor, pupil: Student, pupil_b: Student
) -> None:
    family = await make_family(school_a, pupil)
    issued = await issue_code(school_a, cpe_actor, family.mother.id, now=NOW)
    await redeem_code(CHAT, issued.code, now=NOW)
    link = await ChatLink.get(chat_id=CHAT)
    with pytest.raises(NotFound):
        await unlink_guardian_chat(school_b, cpe_actor, family.mother.id, link.id, now=NOW)
    with pytest.raises(NotFound):  # a guardian of another school gets no code here
        other = await Person.create(school=school_b, last_name="Petit")
        await issue_code(school_a, cpe_actor, other.id, now=NOW)
    assert await chat_gone(CHAT, now=NOW) == 1
    assert (await ChatLink.get(id=link.id)).ended_reason == "blocked"
    assert pupil_b.school_id == school_b.id
