"""The day's letters: listed in print order, merged into one PDF, marked printed then posted —
all or nothing, audited, idempotent; letters made by the real letter transport."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import (
    AuditEntry,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    Notice,
    NoticeStatus,
    School,
    User,
)
from core.queries.letters import letters_of_day, oldest_day_to_print, outbox_deliveries
from core.services.audit import Actor
from core.services.delivery.letters import mark_letters, print_batch
from core.services.ports import Mailroom
from core.settings import load_settings
from tests.core.services.letter_support import (
    MONDAY,
    Letters,
    channels,
    monday_letters,
    notify,
    paris,
    pupil_with_guardian,
    roux_household,
)
from tests.core.services.notice_support import history
from workers.mailroom import build_mailroom
from workers.senders import Channels

TUESDAY = MONDAY + timedelta(days=1)
NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Channels]:
    made = channels(tmp_path)
    yield made
    await made.close()


@pytest.fixture
def mailroom(tmp_path: Path, box: Channels) -> Mailroom:
    return build_mailroom(load_settings(var_dir=tmp_path), box)


@pytest.fixture
async def letters(school_a: School, system: Actor, box: Channels) -> Letters:
    return await monday_letters(school_a, system, box)


async def fresh(delivery: Delivery) -> Delivery:
    return await Delivery.get(id=delivery.id)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def pages(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


async def test_the_days_letters_are_listed_in_print_order_and_the_sms_is_not_one(
    school_a: School, letters: Letters
) -> None:
    rows = await letters_of_day(school_a, MONDAY)

    assert [row.id for row in rows] == [d.id for d in letters.in_print_order]
    first = rows[0]
    assert (first.student, first.guardian) == ("BERNARD Léa", "Mme BERNARD Claire")
    assert first.address[0] == "Mme BERNARD Claire" and first.address[-1] == "75011 PARIS"
    assert (first.kind, first.status, first.state) == ("absence", "sent", "to_print")
    assert first.sent_at == paris(MONDAY, 9, 30)
    assert await letters_of_day(school_a, TUESDAY) == []


async def test_a_letter_made_after_midnight_in_paris_belongs_to_the_next_day(
    school_a: School, system: Actor, box: Channels
) -> None:
    late = await pupil_with_guardian(school_a, "Nuit", "Tom")
    # Monday 23:30 UTC is Tuesday 00:30 in Paris: SQLite compares the UTC text.
    [letter] = await notify(school_a, system, late, box, hours=(14, 16), sent=paris(TUESDAY, 0, 30))

    assert [row.id for row in await letters_of_day(school_a, TUESDAY)] == [letter.id]
    assert await letters_of_day(school_a, MONDAY) == []
    assert await oldest_day_to_print(school_a, TUESDAY + timedelta(days=1)) == (1, TUESDAY)


async def test_marking_printed_then_posted_delivers_the_letter_by_staff_with_an_audit(
    school_a: School, cpe: User, cpe_actor: Actor, letters: Letters
) -> None:
    printed = await mark_letters(
        school_a, cpe_actor, [letters.bernard.id, letters.dupont.id], "printed", now=NOW
    )

    assert printed.changed == (letters.bernard.id, letters.dupont.id) and not printed.unchanged
    bernard = await fresh(letters.bernard)
    assert (bernard.status, bernard.printed_at, bernard.posted_at) == ("sent", NOW, None)
    rows = [row.state for row in await letters_of_day(school_a, MONDAY)]
    assert rows == ["printed", "printed", "to_print"]

    later = NOW + timedelta(hours=1)
    posted = await mark_letters(school_a, cpe_actor, [letters.bernard.id], "posted", now=later)

    assert posted.changed == (letters.bernard.id,)
    bernard = await fresh(letters.bernard)
    assert (bernard.status, bernard.printed_at, bernard.posted_at) == (
        DeliveryStatus.DELIVERED,
        NOW,
        later,
    )
    assert bernard.final_at == later
    assert (await history(bernard))[-1] == ("sent", "delivered", "staff")
    notice = await Notice.get(id=bernard.notice_id)
    assert notice.status == NoticeStatus.DONE
    audits = await AuditEntry.filter(action__startswith="letter.").order_by("id")
    who = await AuditEntry.filter(action__startswith="letter.").values_list("actor_id", "school_id")
    assert set(who) == {(cpe.id, school_a.id)}
    assert [(a.action, a.entity, a.entity_id) for a in audits] == [
        ("letter.printed", "delivery", str(letters.bernard.id)),
        ("letter.printed", "delivery", str(letters.dupont.id)),
        ("letter.posted", "delivery", str(letters.bernard.id)),
    ]
    assert audits[2].before == {
        "status": "sent",
        "printed_at": NOW.isoformat(),
        "posted_at": None,
    }
    assert audits[2].after is not None and audits[2].after["status"] == "delivered"
    assert audits[2].actor_label == "cpe@alpha.example"


async def test_marking_again_changes_nothing_and_says_so(
    school_a: School, cpe_actor: Actor, letters: Letters
) -> None:
    ids = [letters.bernard.id, letters.martin.id]
    await mark_letters(school_a, cpe_actor, ids, "posted", now=NOW)
    audits = await AuditEntry.filter(action="letter.posted").count()

    again = await mark_letters(school_a, cpe_actor, ids, "posted", now=NOW + timedelta(hours=2))
    printed = await mark_letters(school_a, cpe_actor, ids, "printed", now=NOW + timedelta(hours=3))

    assert (again.changed, again.unchanged) == ((), tuple(ids))
    assert (printed.changed, printed.unchanged) == ((), tuple(ids))
    assert await AuditEntry.filter(action__startswith="letter.").count() == audits == 2
    martin = await fresh(letters.martin)
    assert (martin.printed_at, martin.posted_at) == (NOW, NOW)  # posting marks printed too
    assert [h for h in await history(martin) if h[2] == "staff"] == [("sent", "delivered", "staff")]
    mixed = await mark_letters(
        school_a, cpe_actor, [letters.dupont.id, letters.martin.id], "printed", now=NOW
    )
    assert (mixed.changed, mixed.unchanged) == ((letters.dupont.id,), (letters.martin.id,))


async def unchanged(letters: Letters) -> None:
    for delivery in letters.in_print_order:
        row = await fresh(delivery)
        assert (row.status, row.printed_at, row.posted_at) == ("sent", None, None)
    assert not await AuditEntry.filter(action__startswith="letter.").exists()


async def test_a_selection_with_another_schools_letter_is_refused_whole(
    school_a: School,
    school_b: School,
    system: Actor,
    cpe_actor: Actor,
    letters: Letters,
    box: Channels,
) -> None:
    theirs = await pupil_with_guardian(school_b, "Autre", "Jean")
    [their_letter] = await notify(school_b, system, theirs, box)

    for mark in ("printed", "posted"):
        with pytest.raises(NotFound, match=str(their_letter.id)):
            await mark_letters(
                school_a, cpe_actor, [letters.bernard.id, their_letter.id], mark, now=NOW
            )
        with pytest.raises(NotFound):
            await mark_letters(school_a, cpe_actor, [letters.bernard.id, 999999], mark, now=NOW)

    await unchanged(letters)
    assert (await fresh(their_letter)).printed_at is None
    assert [row.id for row in await letters_of_day(school_b, MONDAY)] == [their_letter.id]


async def test_a_selection_with_a_delivery_that_is_not_a_letter_is_refused_whole(
    school_a: School, cpe_actor: Actor, letters: Letters
) -> None:
    with pytest.raises(Invalid, match="not a letter"):
        await mark_letters(
            school_a, cpe_actor, [letters.bernard.id, letters.sms.id], "posted", now=NOW
        )
    await unchanged(letters)
    assert (await fresh(letters.sms)).status == DeliveryStatus.DELIVERED  # the outbox's own


async def test_a_letter_whose_pdf_was_never_made_cannot_be_marked(
    school_a: School, system: Actor, cpe_actor: Actor, letters: Letters, box: Channels
) -> None:
    waiting = await pupil_with_guardian(school_a, "Attente", "Zoé")
    [scheduled] = await notify(school_a, system, waiting, box, send=False)
    assert scheduled.status == DeliveryStatus.SCHEDULED

    with pytest.raises(Conflict, match="scheduled"):
        await mark_letters(
            school_a, cpe_actor, [letters.dupont.id, scheduled.id], "printed", now=NOW
        )
    await unchanged(letters)


@pytest.mark.parametrize(
    ("ids", "mark", "message"),
    [([], "printed", "at least one"), ([1], "stamped", "mark must be"), ([0], "posted", "id")],
)
async def test_bad_input_is_refused_clearly(
    school_a: School, cpe_actor: Actor, ids: list[int], mark: str, message: str
) -> None:
    with pytest.raises(Invalid, match=message):
        await mark_letters(school_a, cpe_actor, ids, mark, now=NOW)


async def test_the_merged_pdf_holds_every_letter_to_print_in_print_order(
    school_a: School, letters: Letters, mailroom: Mailroom, tmp_path: Path
) -> None:
    stored = [(tmp_path / "letters" / f"{d.uuid}.pdf").read_bytes() for d in letters.in_print_order]

    batch = await print_batch(school_a, mailroom.letters, mailroom.render, day=MONDAY)

    assert [row.id for row in batch.letters] == [d.id for d in letters.in_print_order]
    assert batch.regenerated == ()
    assert pages(batch.pdf) == sum(pages(pdf) for pdf in stored) >= 3
    texts = page_texts(batch.pdf)
    starts = [i for i, text in enumerate(texts) if "Mme" in text and "75011 PARIS" in text]
    assert [texts[i].split("Mme ")[1].split()[0] for i in starts] == [
        "BERNARD",
        "DUPONT",
        "MARTIN",
    ]


async def test_the_batch_leaves_out_what_was_printed_and_follows_a_chosen_selection(
    school_a: School, cpe_actor: Actor, letters: Letters, mailroom: Mailroom
) -> None:
    await mark_letters(school_a, cpe_actor, [letters.dupont.id], "printed", now=NOW)

    rest = await print_batch(school_a, mailroom.letters, mailroom.render, day=MONDAY)
    chosen = await print_batch(
        school_a,
        mailroom.letters,
        mailroom.render,
        delivery_ids=[letters.martin.id, letters.dupont.id],
    )

    assert [row.id for row in rest.letters] == [letters.bernard.id, letters.martin.id]
    assert [row.id for row in chosen.letters] == [letters.dupont.id, letters.martin.id]
    texts = page_texts(chosen.pdf)
    assert "DUPONT" in texts[0] and "MARTIN" in texts[-1]
    await mark_letters(
        school_a, cpe_actor, [letters.bernard.id, letters.martin.id], "printed", now=NOW
    )
    with pytest.raises(NotFound, match="no letter left to print"):
        await print_batch(school_a, mailroom.letters, mailroom.render, day=MONDAY)


async def test_a_batch_refuses_another_schools_letter_and_a_non_letter(
    school_a: School, letters: Letters, mailroom: Mailroom
) -> None:
    with pytest.raises(Invalid):
        await print_batch(
            school_a,
            mailroom.letters,
            mailroom.render,
            delivery_ids=[letters.bernard.id, letters.sms.id],
        )
    with pytest.raises(NotFound):
        await print_batch(
            school_a, mailroom.letters, mailroom.render, delivery_ids=[letters.bernard.id, 424242]
        )


async def test_a_missing_pdf_is_made_again_and_named(
    school_a: School, letters: Letters, mailroom: Mailroom, tmp_path: Path
) -> None:
    lost = tmp_path / "letters" / f"{letters.dupont.uuid}.pdf"
    lost.unlink()

    batch = await print_batch(school_a, mailroom.letters, mailroom.render, day=MONDAY)

    assert batch.regenerated == (letters.dupont.id,)
    assert lost.is_file() and pages(lost.read_bytes()) >= 1
    assert "DUPONT" in " ".join(page_texts(batch.pdf))
    assert [row.id for row in batch.letters] == [d.id for d in letters.in_print_order]


async def test_a_missing_pdf_that_cannot_be_made_again_is_reported_by_name(
    school_a: School, letters: Letters, mailroom: Mailroom, tmp_path: Path
) -> None:
    (tmp_path / "letters" / f"{letters.martin.uuid}.pdf").unlink()
    contact = await ContactPoint.get(id=letters.martin.contact_id)
    contact.address = {"lines": [f"ligne {n}" for n in range(8)], "postal_code": "75011"}
    await contact.save()

    with pytest.raises(Conflict) as refused:
        await print_batch(school_a, mailroom.letters, mailroom.render, day=MONDAY)

    message = refused.value.message
    assert "MARTIN Léa" in message and f"delivery {letters.martin.id}" in message
    assert "could not be made again" in message and "address" in message


async def test_a_damaged_pdf_is_reported_not_merged(
    school_a: School, letters: Letters, mailroom: Mailroom, tmp_path: Path
) -> None:
    (tmp_path / "letters" / f"{letters.bernard.uuid}.pdf").write_bytes(b"not a pdf")

    with pytest.raises(Conflict, match="cannot be merged"):
        await print_batch(school_a, mailroom.letters, mailroom.render, day=MONDAY)


async def test_the_outbox_shows_only_this_schools_messages_read_by_uuid(
    school_a: School,
    school_b: School,
    system: Actor,
    letters: Letters,
    box: Channels,
    mailroom: Mailroom,
) -> None:
    theirs = await pupil_with_guardian(
        school_b, "Autre", "Jean", postal=False, mobile="+33699887766"
    )
    [their_sms] = await notify(school_b, system, theirs, box)
    emailed = await pupil_with_guardian(
        school_a, "Courriel", "Ana", postal=False, email="ana@example.org"
    )
    [email] = await notify(school_a, system, emailed, box, sent=paris(MONDAY, 10, 0))

    rows, total = await outbox_deliveries(school_a, limit=10)
    entries = await mailroom.outbox.read([row.uuid for row in rows])

    assert total == 2 and [row.id for row in rows] == [email.id, letters.sms.id]  # newest first
    assert set(entries) == {str(email.uuid), str(letters.sms.uuid)}
    assert entries[str(email.uuid)].channel == "email" and entries[str(email.uuid)].subject
    assert entries[str(letters.sms.uuid)].to == "+33611223344"
    assert "Hugo" in entries[str(letters.sms.uuid)].body
    their_rows, _ = await outbox_deliveries(school_b, limit=10)
    assert [row.id for row in their_rows] == [their_sms.id]


async def test_letters_to_one_home_print_as_one_letter_naming_every_guardian(
    school_a: School, system: Actor, box: Channels, mailroom: Mailroom
) -> None:
    """Léa and Hugo ROUX live with both parents: their two absences make four letters (each
    child's notice to each parent), which print as one letter in one envelope: the address
    once, both parents named, each child's notice once in its section. Another family's letter
    stays its own."""
    other = await pupil_with_guardian(school_a, "Bernard", "Tom")  # 3 rue des Lilas
    made = [d.id for d in await roux_household(school_a, system, box)]
    made += [d.id for d in await notify(school_a, system, other, box)]
    assert len(made) == 5

    rows = await letters_of_day(school_a, MONDAY)
    assert len({row.household for row in rows}) == 2
    batch = await print_batch(school_a, mailroom.letters, mailroom.render, day=MONDAY)

    assert batch.envelopes == 2 and sorted(row.id for row in batch.letters) == sorted(made)
    text = "\n".join(page_texts(batch.pdf))
    assert "Mme ROUX Claire et M. ROUX Marc" in text
    assert text.count("75011 PARIS") == 2  # the Roux' envelope once, the Bernards' once
    assert text.count("Léa Roux") >= 1 and text.count("Hugo Roux") >= 1
    assert text.count("Objet : absence de Léa Roux") == 1  # said once, not once per parent
    assert text.count("Objet : absence de Hugo Roux") == 1
    assert "Mme BERNARD Claire" in text
