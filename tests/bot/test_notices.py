"""A notice reaches a guardian's linked chat through the gateway (chat is first in the default
channel order); when the family blocked the bot, the chat's links end and the notice falls back
to the guardian's next channel."""

from __future__ import annotations

import asyncio

from core.models import ChatLink, Delivery, DeliveryStatus, Student
from core.services.access.chat_links import issue_code, redeem_code
from core.services.notices.absence import scheduled_deliveries
from core.services.schools.school import create_school
from tests.bot.conftest import SYSTEM
from tests.bot.support import BotService, Family
from tests.core.services.notice_support import MONDAY, absence, at, make_family
from workers.queue import enqueue_deliveries

RECORDED = at(MONDAY, 8, 30)  # long past: the deliveries are due now
CHAT = "4242"
WAITING = (DeliveryStatus.SCHEDULED, DeliveryStatus.SENDING)


async def _absence_sent(service: BotService) -> tuple[Student, int]:
    """Léa's mother linked her chat; Léa is absent; the deliveries run."""
    school = await create_school("0750002B", "Collège Bêta", SYSTEM, today=MONDAY)
    pupil = await Student.create(school=school, last_name="Martin", first_name="Léa")
    family = await make_family(school, pupil)
    issued = await issue_code(school, SYSTEM, family.mother.id, now=RECORDED)
    await redeem_code(CHAT, issued.code, now=RECORDED)
    event = await absence(school, SYSTEM, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    due = await scheduled_deliveries(event.id)
    await enqueue_deliveries(service.queue, [(d.delivery_id, d.not_before) for d in due])
    for _ in range(200):  # not drain(): a fallback SMS may wait for the quiet hours
        if not await Delivery.filter(channel="chat", status__in=WAITING).exists() and (
            await Delivery.filter(status=DeliveryStatus.FAILED).count()
            <= await Delivery.filter(channel="sms", person_id=family.mother.id).count()
        ):
            break
        await asyncio.sleep(0.05)
    return pupil, family.mother.id


async def test_a_notice_reaches_the_linked_chat(service: BotService) -> None:
    _, mother = await _absence_sent(service)
    [sent] = [p for p in service.telegram.sent if str(p["chat_id"]) == CHAT]
    assert "Léa" in sent["text"]
    delivery = await Delivery.get(person_id=mother, channel="chat")
    assert delivery.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
    assert delivery.provider_ref == f"{CHAT}:1"
    [history] = await service.say(Family(int(CHAT)), "/historique")
    assert history.startswith("Derniers messages de l'établissement")
    assert "Léa : Absence, par Telegram" in history


async def test_a_blocked_bot_ends_the_chat_link_and_the_notice_falls_back(
    service: BotService,
) -> None:
    service.telegram.blocked.add(CHAT)
    _, mother = await _absence_sent(service)
    chat = await Delivery.get(person_id=mother, channel="chat")
    assert chat.status == DeliveryStatus.FAILED
    link = await ChatLink.get(chat_id=CHAT)
    assert (link.active, link.ended_reason) == (False, "blocked")
    after = await Delivery.filter(person_id=mother).exclude(channel="chat").order_by("id")
    assert after and after[0].channel == "sms"  # her next channel (sent now or after 8:00)
