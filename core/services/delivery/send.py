"""Sending deliveries, recording what providers report, and finding what is due.

The flow (architecture.md, "The flow of a notice"), for a batch of deliveries at once
(:func:`deliver_many`; :func:`deliver` is a batch of one):

1. **Claim** — one conditional UPDATE moves the rows still scheduled and due to "sending",
   tagged with the batch's claim, with their history rows, in one transaction. A row another
   worker claimed first is "skipped" here.
2. **Load** — the claimed rows with their notice, student, event, guardian and contact point
   in one joined query, as plain rows (``core.services.delivery.facts``); the models of a row
   are loaded only when it has to change more than its own status (cancelled, failed over).
3. **Check** — a notice its event no longer calls for is cancelled; the school's monthly SMS /
   call quota lets through what fits (the rest fails over to the next channel, and staff get
   an alert at the school's warning level and at 100 %); templates are rendered (a template
   error fails the delivery over).
4. **Send** — every sender is called concurrently, OUTSIDE any transaction.
5. **Record** — one transaction records every outcome: "sent" (or "delivered" when taking it
   is final, as for the outbox); a transient error puts the row back to scheduled with a
   backoff (rules.retry_delay); a permanent one, or too many tries, fails it, marks the contact
   point when the error names it, and falls back to the guardian's next channel.

Each status change writes a history row. A row left "sending" by a worker that died is put
back by :func:`requeue_stuck` (the sweep), so at most the deliveries in flight go out twice.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal, cast
from zoneinfo import ZoneInfo

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core.db import connection_lost
from core.i18n import supported
from core.models import Delivery, DeliveryStatus, Notice, NoticeStatus, School
from core.rules import channels as channel_rules
from core.rules import notices as rules
from core.rules import quota as quota_rules
from core.rules.calendar import month_label
from core.services.delivery.alerts import raise_alert
from core.services.delivery.facts import DeliveryFacts, NoticeFacts, claimed_facts
from core.services.delivery.reports import record_status
from core.services.delivery.rows import (
    Change,
    Due,
    Taken,
    fall_back,
    mark_unusable,
    move,
    move_many,
    relay,
    settle_notice,
    write_accepted,
    write_changes,
)
from core.services.notices.absence import cancel_notice, stands_at_a_glance, still_wanted
from core.services.ports import Accepted, Message, RenderFailed, Sender, SendFailed, SendRenderer
from core.services.templates.failures import record_failure
from core.services.templates.messages import TemplateCache, compose_checked

__all__ = [
    "Outcome",
    "deliver",
    "deliver_many",
    "due_deliveries",
    "record_status",
    "requeue_stuck",
]

logger = logging.getLogger("absences.delivery")

STUCK_AFTER = timedelta(minutes=5)  # a "sending" row older than this lost its worker
Status = Literal["skipped", "cancelled", "sent", "delivered", "retry", "failed"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one delivery; ``follow_ups`` are fallback deliveries it scheduled."""

    status: Status
    retry_at: datetime | None = None
    follow_ups: tuple[Due, ...] = ()
    error: str = ""


SKIPPED = Outcome("skipped")


@dataclass(slots=True)
class _Row:
    """A claimed delivery on its way: what to send, then what happened."""

    delivery: DeliveryFacts
    message: Message | None = None
    accepted: Accepted | None = None
    failure: SendFailed | None = None
    give_up: str = ""  # set: fail over without sending (no provider, template, quota)
    cancel: bool = False
    lead: _Row | None = None  # set: it goes in the email of ``lead`` (the same address)
    exhausted: set[str] = field(default_factory=set)  # channels over quota for this school

    @property
    def notice(self) -> NoticeFacts:
        return self.delivery.notice


async def deliver(
    delivery_id: int, senders: Mapping[str, Sender], *, now: datetime, render: SendRenderer
) -> Outcome:
    """Send one delivery at most once per claim: a batch of one (see :func:`deliver_many`)."""
    outcomes = await deliver_many([delivery_id], senders, now=now, render=render)
    return outcomes[delivery_id]


async def deliver_many(
    delivery_ids: Collection[int],
    senders: Mapping[str, Sender],
    *,
    now: datetime,
    render: SendRenderer,
) -> dict[int, Outcome]:
    """Send a batch of deliveries; see the module's docstring for the flow.

    ``senders`` maps channels to senders (a channel without one fails over to the next);
    ``render`` is the sandboxed template renderer. Every id gets an outcome: "skipped" when
    the row is not scheduled and due (another worker has it, it was cancelled, or it is not
    time yet).
    """
    now = now.astimezone(UTC)
    outcomes: dict[int, Outcome] = dict.fromkeys(delivery_ids, SKIPPED)
    claim = uuid.uuid4().hex
    async with in_transaction():
        claimed = await _claim(outcomes, claim, now)
        if claimed:
            for companion in await _claim_companions(claim, now):
                outcomes.setdefault(companion, SKIPPED)
    if not claimed:
        return outcomes
    rows = [_Row(facts) for facts in await claimed_facts(claim)]
    await _check(rows, senders, now)
    await _compose(rows, render, now)
    _put_together(rows)
    await asyncio.gather(*(_send(row, senders) for row in rows if _leads(row)))
    _share(rows)

    async def record() -> dict[int, Outcome]:
        recorded: dict[int, Outcome] = {}
        async with in_transaction():
            taken = [row for row in rows if row.accepted is not None]
            recorded.update(await _accepted_all(taken, claim, now))
            others = [row for row in rows if row.accepted is None]
            models = await _models(others)
            for row in others:
                delivery = models.get(row.delivery.id)
                if delivery is None:  # deleted meanwhile (its notice or student went): skipped
                    continue
                recorded[delivery.id] = await _record(row, delivery, senders, now)
        return recorded

    outcomes.update(await _recorded(record, len(rows)))
    return outcomes


RECORD_PATIENCE = 60.0  # seconds a batch the providers took waits for the database to record it


async def _recorded(
    record: Callable[[], Awaitable[dict[int, Outcome]]], size: int
) -> dict[int, Outcome]:
    """``record()`` (one transaction), tried again while the database is away, for
    :data:`RECORD_PATIENCE` seconds: the messages have left; recorded late, they are not sent
    again (left "sending", the sweep would send them once more after :data:`STUCK_AFTER`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RECORD_PATIENCE
    pause = 0.25
    while True:
        try:
            return await record()
        except Exception as error:
            if not connection_lost(error) or loop.time() + pause > deadline:
                raise
            logger.warning(
                "recording %d deliveries: the database is away (%s), trying again in %.2g s",
                size,
                type(error).__name__,
                pause,
            )
            await asyncio.sleep(pause)
            pause = min(pause * 2, 5.0)


async def _claim(ids: Collection[int], claim: str, now: datetime) -> list[int]:
    """Move the rows of ``ids`` still scheduled and due to "sending", tagged ``claim``, this
    try counted; returns those moved."""
    return await move_many(
        ids,
        DeliveryStatus.SCHEDULED,
        DeliveryStatus.SENDING,
        at=now,
        source="worker",
        due_by=now,
        claim=claim,
        attempts=F("attempts") + 1,
    )


async def _models(rows: list[_Row]) -> dict[int, Delivery]:
    """The models of the rows that change more than their own status, with their notice (and
    its school): two queries for all of them."""
    if not rows:
        return {}
    deliveries = await Delivery.filter(id__in=[row.delivery.id for row in rows])
    notices = await _notices([row.notice for row in rows])
    found = [delivery for delivery in deliveries if delivery.notice_id in notices]
    for delivery in found:
        delivery.notice = notices[delivery.notice_id]
    return {delivery.id: delivery for delivery in found}


async def _notices(facts: Iterable[NoticeFacts]) -> dict[int, Notice]:
    """The notices' models, with their event and their school (already read)."""
    schools = {notice.id: notice.school for notice in facts}
    found = await Notice.filter(id__in=sorted(schools)).select_related("event")
    for notice in found:
        notice.school = schools[notice.id]
    return {notice.id: notice for notice in found}


def _sendable(row: _Row) -> bool:
    return not row.cancel and not row.give_up and row.message is not None


def _leads(row: _Row) -> bool:
    return _sendable(row) and row.lead is None


# --- emails to one address, due together: one email --------------------------------------------

TOGETHER = ("email",)  # channels whose messages to one address go as one
MAX_TOGETHER = 20  # messages put in one email at most
SECTION = "\n\n— — —\n\n"


async def _claim_companions(claim: str, now: datetime) -> list[int]:
    """Inside the claim's transaction: the other emails of the same school due now to an
    address a claimed email goes to, claimed with it (they go in the same email; their own
    jobs then find them taken). Returns their ids."""
    claimed = await Delivery.filter(claim=claim, channel__in=TOGETHER).values_list(
        "to", "notice__school_id"
    )
    if not claimed:
        return []
    wanted = {(int(school), str(to).casefold()) for to, school in claimed}
    addresses = sorted({str(to) for to, _ in claimed} | {to for _, to in wanted})
    found = await (
        Delivery.filter(
            status=DeliveryStatus.SCHEDULED,
            channel__in=TOGETHER,
            not_before__lte=now,
            to__in=addresses,
            notice__school_id__in=sorted({school for school, _ in wanted}),
        )
        .order_by("id")
        .limit(MAX_TOGETHER * len(wanted))
        .values_list("id", "to", "notice__school_id")
    )
    ids = [int(i) for i, to, school in found if (int(school), str(to).casefold()) in wanted]
    if not ids:
        return []
    second = uuid.uuid4().hex
    moved = await _claim(ids, second, now)
    await Delivery.filter(claim=second).update(claim=claim)
    return moved


def _put_together(rows: list[_Row]) -> None:
    """The emails of the batch to one address of one school become one: the first row's
    message holds each notice once (its subject and text), every guardian named; the others
    follow it (``lead``)."""
    groups: dict[tuple[int, str], list[_Row]] = defaultdict(list)
    for row in rows:
        if _sendable(row) and str(row.delivery.channel) in TOGETHER:
            groups[row.notice.school.id, row.delivery.to.casefold()].append(row)
    for members in groups.values():
        for start in range(0, len(members), MAX_TOGETHER):
            part = members[start : start + MAX_TOGETHER]
            if len(part) > 1:
                _one_message(part)


def _one_message(members: list[_Row]) -> None:
    lead = members[0]
    assert lead.message is not None
    names = list(
        dict.fromkeys(r.delivery.person.display_name for r in members if r.delivery.person)
    )
    by_notice: dict[int, Message] = {}
    for row in members:
        assert row.message is not None
        by_notice.setdefault(row.notice.id, row.message)
        if row is not lead:
            row.lead = lead
    person = lead.delivery.person
    together = " et " if supported(lead.delivery.language) == "fr" else " and "  # es: French
    bodies = []
    for message in by_notice.values():
        body = message.body
        if person is not None and len(names) > 1:
            body = body.replace(person.display_name, together.join(names), 1)
        bodies.append(body)
    subjects = list(dict.fromkeys(m.subject for m in by_notice.values() if m.subject))
    lead.message = replace(
        lead.message, subject=" · ".join(subjects)[:250], body=SECTION.join(bodies)
    )


def _share(rows: list[_Row]) -> None:
    """What became of each email sent for several rows is what became of the others: taken
    (each with its own reference, naming the delivery it went with) or failed alike."""
    for row in rows:
        lead = row.lead
        if lead is None:
            continue
        if lead.accepted is not None:
            taken = lead.accepted
            row.accepted = replace(
                taken,
                provider_ref=f"{taken.provider_ref}+{row.delivery.id}"[-100:],
                raw={**(taken.raw or {}), "together_with": lead.delivery.id},
            )
        else:
            row.failure = lead.failure or SendFailed("not sent", permanent=False)


async def _check(rows: list[_Row], senders: Mapping[str, Sender], now: datetime) -> None:
    """Cancel what is no longer wanted, fail over what has no provider, apply the quota."""
    wanted: dict[int, bool | None] = {}
    for row in rows:
        notice = row.notice
        if notice.id not in wanted:
            school = notice.school
            wanted[notice.id] = stands_at_a_glance(notice.status, notice.kind, notice.event, school)
    unsure = {row.notice.id: row.notice for row in rows if wanted[row.notice.id] is None}
    if unsure:
        for model in (await _notices(unsure.values())).values():
            wanted[model.id] = await still_wanted(model, model.school)
    for row in rows:
        if not wanted[row.notice.id]:
            row.cancel = True
        elif str(row.delivery.channel) not in senders:
            row.give_up = f"no provider for {row.delivery.channel}"
    await _apply_quota([r for r in rows if not r.cancel and not r.give_up], now)


async def _apply_quota(rows: list[_Row], now: datetime) -> None:
    """Let through what fits in each school's monthly quota of a channel that has one (SMS,
    calls: ``core.rules.channels``); the rest fails over."""
    groups: dict[tuple[int, str], list[_Row]] = defaultdict(list)
    limits: dict[tuple[int, str], int] = {}
    for row in rows:
        school = row.notice.school
        channel = str(row.delivery.channel)
        quota = channel_rules.quota_field(channel)
        limit = getattr(school, quota) if quota is not None else None
        if limit is not None:
            groups[school.id, channel].append(row)
            limits[school.id, channel] = limit
    for (school_id, channel), members in groups.items():
        school = members[0].notice.school
        limit = limits[school_id, channel]
        start = quota_rules.month_start(now, ZoneInfo(school.timezone))
        used = await Delivery.filter(
            notice__school_id=school.id, channel=channel, sent_at__gte=start
        ).count()
        check = quota_rules.check_quota(limit, used, len(members), school.quota_alert_percent)
        for row in members[check.allowed :]:
            row.give_up = f"monthly {channel} quota reached ({limit})"
            row.exhausted.add(channel)
        if check.alerts:
            for level in check.alerts:
                await _quota_alert(school, channel, level, limit, used + check.allowed, now)


async def _quota_alert(
    school: School, channel: str, level: int, limit: int, used: int, now: datetime
) -> None:
    """One alert per school, channel, month and level (idempotent on its key)."""
    month = month_label(now, ZoneInfo(school.timezone))
    key = f"quota:{school.id}:{channel}:{month}:{level}"
    try:
        created = await raise_alert(
            school.id,
            kind="quota",
            key=key,
            level="error" if level >= quota_rules.FULL else "warning",
            message=f"{channel}: {used} / {limit} ({month})",
            data={"channel": channel, "month": month, "level": level, "limit": limit, "used": used},
        )
    except Exception:  # an alert must never stop deliveries
        logger.exception("could not raise the quota alert %s", key)
        return
    if created:
        logger.warning("school %s reached %d%% of its %s quota", school.uai, level, channel)


async def _compose(rows: list[_Row], render: SendRenderer, now: datetime) -> None:
    """Each row's message; a school's template that fails leaves the default one's and a row
    in the delivery's history (``core.services.templates.failures``)."""
    templates = TemplateCache()  # each school's templates read once for the batch
    for row in rows:
        if row.cancel or row.give_up:
            continue
        try:
            composed = await compose_checked(row.delivery, row.notice, render, templates=templates)
        except (RenderFailed, LookupError) as error:
            row.give_up = f"template: {error}"
            continue
        row.message = composed.message
        if composed.failure is not None:
            await record_failure(row.delivery.id, DeliveryStatus.SENDING, composed.failure, now)


async def _send(row: _Row, senders: Mapping[str, Sender]) -> None:
    assert row.message is not None
    try:
        row.accepted = await senders[str(row.delivery.channel)].send(row.message)
    except SendFailed as error:
        row.failure = error
    except Exception as error:  # a bug in an adapter: retried like a transient failure
        logger.exception("sending delivery %s raised", row.delivery.id)
        row.failure = SendFailed(f"unexpected error: {error!r}", permanent=False)


async def _record(
    row: _Row, delivery: Delivery, senders: Mapping[str, Sender], now: datetime
) -> Outcome:
    """The outcome of a row that was not sent (``delivery``: its model), inside the batch's
    transaction."""
    notice = delivery.notice
    if row.cancel:
        return await _cancel(delivery, notice, now)
    if row.give_up:
        channels = set(senders) - row.exhausted
        return await _give_up(delivery, notice, now, row.give_up, channels)
    assert row.failure is not None
    return await _send_failed(delivery, notice, row.failure, now, set(senders))


async def _end(delivery: Delivery, status: str, now: datetime, error: str) -> None:
    """The worker ends a delivery it holds (cancelled, failed), saying why."""
    await move(
        delivery.id,
        DeliveryStatus.SENDING,
        status,
        at=now,
        source="worker",
        final_at=now,
        error=error,
    )


async def _cancel(delivery: Delivery, notice: Notice, now: datetime) -> Outcome:
    reason = "the event no longer calls for this notice"
    await _end(delivery, DeliveryStatus.CANCELLED, now, reason)
    await cancel_notice(notice, now=now, reason=reason)
    return Outcome("cancelled")


async def _accepted_all(rows: list[_Row], claim: str, now: datetime) -> dict[int, Outcome]:
    """Record the rows providers took, in a few statements for the whole batch: "sent", or
    "delivered" where taking it is final (the outbox), with both steps in the history. A row a
    provider's report already moved on keeps its status and only gains its reference."""
    if not rows:
        return {}
    still = set(  # of the batch's claim, still "sending": no list of ids to build
        cast(
            "list[int]",
            await Delivery.filter(claim=claim, status=DeliveryStatus.SENDING)
            .select_for_update()
            .values_list("id", flat=True),
        )
    )
    moved: list[Taken] = []
    history: list[Change] = []
    done_notices: set[int] = set()
    outcomes: dict[int, Outcome] = {}
    for row in rows:
        delivery, accepted = row.delivery, row.accepted
        assert accepted is not None
        final = accepted.delivered
        outcomes[delivery.id] = Outcome("delivered" if final else "sent")
        provider, ref = accepted.provider[:20], accepted.provider_ref[:100]
        if delivery.id not in still:  # a provider's report got here first
            await Delivery.filter(id=delivery.id).update(
                sent_at=now, provider=provider, provider_ref=ref
            )
            continue
        status = DeliveryStatus.DELIVERED if final else DeliveryStatus.SENT
        moved.append(Taken(delivery.id, status, provider, ref))
        history.append(_change(delivery.id, DeliveryStatus.SENT, now, accepted.raw or None))
        if final:
            history.append(_change(delivery.id, DeliveryStatus.DELIVERED, now, None))
            done_notices.add(delivery.notice_id)
    if moved:
        await write_accepted(moved, now)
        await write_changes(history)
    if done_notices:
        await (
            Notice.filter(id__in=sorted(done_notices))
            .exclude(status=NoticeStatus.DONE)
            .update(status=NoticeStatus.DONE, updated_at=now)
        )
    return outcomes


def _change(
    delivery_id: int, to_status: str, now: datetime, raw: dict[str, object] | None
) -> Change:
    """A history row of the worker's steps after sending (from the step before ``to_status``)."""
    before = DeliveryStatus.SENDING if to_status == DeliveryStatus.SENT else DeliveryStatus.SENT
    return Change(delivery_id, before, to_status, now, "worker", raw)


async def _send_failed(
    delivery: Delivery,
    notice: Notice,
    error: SendFailed,
    now: datetime,
    channels: set[str],
) -> Outcome:
    attempts = delivery.attempts  # loaded after the claim: this try included
    delay = None if error.permanent else rules.retry_delay(attempts, error.retry_after)
    if delay is None:
        usability = error.usability if error.permanent else None
        return await _give_up(delivery, notice, now, error.message, channels, usability=usability)
    when = now + delay
    await move(
        delivery.id,
        DeliveryStatus.SENDING,
        DeliveryStatus.SCHEDULED,
        at=now,
        source="worker",
        raw={"code": error.code, "error": error.message},
        not_before=when,
        error=error.message,
    )
    return Outcome("retry", retry_at=when, error=error.message)


async def _give_up(
    delivery: Delivery,
    notice: Notice,
    now: datetime,
    error: str,
    channels: set[str],
    *,
    usability: str | None = None,
) -> Outcome:
    await _end(delivery, DeliveryStatus.FAILED, now, error)
    await mark_unusable(delivery, usability, error, now)
    follow_up = None
    if channels:  # empty: every channel with a provider is out (quota): nothing to fall to
        school = notice.school
        follow_up = await fall_back(delivery, notice, school, now=now, channels=channels)
        if follow_up is None:  # every channel of this guardian failed: the other one
            follow_up = await relay(delivery, notice, school, now=now, channels=channels)
    if follow_up is None:
        await settle_notice(notice)
    return Outcome("failed", follow_ups=(follow_up,) if follow_up else (), error=error)


async def requeue_stuck(now: datetime, stuck_after: timedelta = STUCK_AFTER) -> int:
    """Put back to scheduled the rows left "sending" by a worker that died (the provider may
    have taken the message: at most the jobs in flight are sent twice). Returns how many."""
    now = now.astimezone(UTC)
    stuck = cast(
        "list[int]",
        await Delivery.filter(
            status=DeliveryStatus.SENDING, updated_at__lt=now - stuck_after
        ).values_list("id", flat=True),
    )
    if not stuck:
        return 0
    async with in_transaction():
        moved = await move_many(
            stuck,
            DeliveryStatus.SENDING,
            DeliveryStatus.SCHEDULED,
            at=now,
            source="sweep",
            not_before=now,
            error="its worker stopped while sending",
        )
    return len(moved)


async def due_deliveries(now: datetime, limit: int = 500) -> list[int]:
    """Ids of the deliveries scheduled and due, oldest first, after putting back the stuck ones
    (the sweep enqueues each as ``deliver:<id>``; a job already queued is not doubled)."""
    now = now.astimezone(UTC)
    await requeue_stuck(now)
    ids = (
        await Delivery.filter(status=DeliveryStatus.SCHEDULED, not_before__lte=now)
        .order_by("not_before", "id")
        .limit(limit)
        .values_list("id", flat=True)
    )
    return list(cast("list[int]", ids))
