"""The letters and outbox pages over real HTTP: groups, the merged PDF, the marks, who may do
what, and another school's staff kept out."""

from __future__ import annotations

import html
import re

import pytest
from aiohttp import ClientResponse

from core.models import AuditEntry, Delivery, DeliveryStatus
from core.settings import Settings
from tests.core.services.letter_support import MONDAY, roux_household
from tests.web.letters_support import (
    UNTOUCHED,
    Client,
    World,
    box,
    build_world,
    letters_client,
    pages,
    settings,
    states,
    texts,
)
from tests.web.personas import SYSTEM, UAI_A, UAI_B, log_in_as, panel_client
from web.app import create_app
from workers.queue import create_queue
from workers.senders import Channels

__all__ = ["box", "letters_client", "settings"]  # fixtures used by name

PAGE = f"/s/{UAI_A}/letters"
PDF = f"/s/{UAI_A}/letters.pdf"
DAY = MONDAY.isoformat()


@pytest.fixture
async def world(db: str, letters_client: Client, settings: Settings, box: Channels) -> World:
    return await build_world(settings.var_dir, box)


def ids_in(page: str, state: str) -> list[int]:
    """The delivery ids of a group of the page, in their order."""
    found = re.search(rf'data-state="{state}"(.*?)</section>', page, re.S)
    assert found is not None, state
    return [int(i) for i in re.findall(r'name="id" value="(\d+)"', found.group(1))]


def flash(page: str) -> str:
    found = re.search(r'<p class="flash" role="status">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


async def mark(
    client: Client, token: str, mark: str, ids: list[int], **extra: str
) -> ClientResponse:
    data = [("csrf", token), ("day", DAY), ("action", mark), *(("id", str(i)) for i in ids)]
    data += list(extra.items())
    return await client.post(PAGE, data=data, allow_redirects=False)


async def test_the_cpe_downloads_then_marks_printed_then_posted(
    world: World, letters_client: Client
) -> None:
    client = letters_client
    token = await log_in_as(client, world.email_of("cpe"))
    letters = world.letters
    order = [d.id for d in letters.in_print_order]

    response = await client.get(PAGE, params={"day": DAY})
    page = await response.text()
    assert response.status == 200 and "Courriers aux familles" in page
    assert ids_in(page, "to_print") == order and ids_in(page, "printed") == []
    assert "Mme BERNARD Claire" in page and "75011 PARIS" in page and "PDF prêt" in page
    assert str(world.their_letter.id) not in re.findall(r'value="(\d+)"', page)
    assert f'href="/s/{UAI_A}/letters"' in page and f'href="/s/{UAI_A}/outbox"' in page

    whole = await client.get(PDF, params={"day": DAY})
    assert whole.status == 200 and whole.content_type == "application/pdf"
    assert "attachment" in whole.headers["Content-Disposition"]
    assert whole.headers["X-Letters"] == ",".join(map(str, order))
    body = await whole.read()
    assert pages(body) >= 3 and texts(body).index("BERNARD") < texts(body).index("MARTIN")

    chosen = [letters.martin.id, letters.bernard.id]
    download = await mark(client, token, "pdf", chosen)
    assert download.status == 200 and download.content_type == "application/pdf"
    assert download.headers["X-Letters"] == f"{letters.bernard.id},{letters.martin.id}"

    refused = await client.post(
        PAGE, data={"day": DAY, "action": "printed", "id": str(letters.bernard.id)}
    )
    assert refused.status == 403 and await states(world) == UNTOUCHED

    done = await mark(client, token, "printed", chosen)
    assert done.status == 303
    assert done.headers["Location"] == f"{PAGE}?day={DAY}"
    page = await (await client.get(PAGE, params={"day": DAY})).text()
    assert flash(page) == "2 courriers marqués imprimés."
    assert ids_in(page, "printed") == [letters.bernard.id, letters.martin.id]
    assert ids_in(page, "to_print") == [letters.dupont.id]
    rest = await client.get(PDF, params={"day": DAY})  # what is left to print
    assert rest.headers["X-Letters"] == str(letters.dupont.id)

    await mark(client, token, "posted", [letters.bernard.id])
    page = await (await client.get(PAGE, params={"day": DAY})).text()
    assert flash(page).startswith("1 courrier marqué posté")
    assert ids_in(page, "posted") == [letters.bernard.id] and "remis à la Poste" in page
    bernard = await Delivery.get(id=letters.bernard.id)
    assert bernard.status == DeliveryStatus.DELIVERED

    await mark(client, token, "posted", [letters.bernard.id])
    page = await (await client.get(PAGE, params={"day": DAY})).text()
    assert flash(page) == "Rien n'a changé : ces courriers étaient déjà marqués."
    audits = await AuditEntry.filter(action__startswith="letter.").count()
    assert audits == 3 and await AuditEntry.filter(actor_id=world.users["cpe"].id).count() >= 3


async def test_a_selection_with_a_message_that_is_not_a_letter_changes_nothing(
    world: World, letters_client: Client
) -> None:
    token = await log_in_as(letters_client, world.email_of("vie_scolaire"))
    response = await mark(
        letters_client, token, "posted", [world.letters.bernard.id, world.letters.sms.id]
    )
    assert response.status == 422
    page = await response.text()
    assert "n'est pas un courrier" in html.unescape(page) and 'role="alert"' in page
    assert await states(world) == UNTOUCHED
    nothing = await mark(letters_client, token, "printed", [])
    assert nothing.status == 422 and "Choisissez au moins" in await nothing.text()
    bad = await mark(letters_client, token, "printed", [], id="abc")
    assert bad.status == 400
    stamped = await mark(letters_client, token, "stamped", [world.letters.bernard.id])
    assert stamped.status == 400
    assert (await letters_client.get(PAGE, params={"day": "2026-13-01"})).status == 400
    assert await states(world) == UNTOUCHED


async def test_the_vie_scolaire_marks_and_the_direction_only_reads(
    world: World, letters_client: Client
) -> None:
    token = await log_in_as(letters_client, world.email_of("direction"))
    page = await (await letters_client.get(PAGE, params={"day": DAY})).text()
    assert "Lecture seule" in page and 'value="printed"' not in page
    assert (await letters_client.get(PDF, params={"day": DAY})).status == 200
    download = await mark(letters_client, token, "pdf", [world.letters.dupont.id])
    assert download.status == 200
    for action in ("printed", "posted"):
        refused = await mark(letters_client, token, action, [world.letters.dupont.id])
        assert refused.status == 403
    assert await states(world) == UNTOUCHED
    assert f'href="/s/{UAI_A}/outbox"' not in page
    assert (await letters_client.get(f"/s/{UAI_A}/outbox")).status == 403

    token = await log_in_as(letters_client, world.email_of("vie_scolaire"))
    done = await mark(letters_client, token, "printed", [world.letters.dupont.id])
    assert done.status == 303
    assert (await states(world))[1] == ("sent", True, False)


async def test_a_teacher_may_not_see_the_letters(world: World, letters_client: Client) -> None:
    token = await log_in_as(letters_client, world.email_of("teacher"))
    home = await (await letters_client.get(f"/s/{UAI_A}/follow-up")).text()
    assert "/letters" not in home and "/outbox" not in home
    assert (await letters_client.get(PAGE)).status == 403
    assert (await letters_client.get(PDF, params={"day": DAY})).status == 403
    refused = await mark(letters_client, token, "printed", [world.letters.bernard.id])
    assert refused.status == 403
    assert (await letters_client.get(f"/s/{UAI_A}/outbox")).status == 403
    assert await states(world) == UNTOUCHED


async def test_another_schools_cpe_is_kept_out(world: World, letters_client: Client) -> None:
    token = await log_in_as(letters_client, world.email_of("other_cpe"))
    ours = [world.letters.bernard.id]
    assert (await letters_client.get(PAGE)).status == 403
    assert (await letters_client.get(PDF, params={"day": DAY})).status == 403
    assert (await mark(letters_client, token, "printed", ours)).status == 403

    own = f"/s/{UAI_B}/letters"
    page = await (await letters_client.get(own, params={"day": DAY})).text()
    assert ids_in(page, "to_print") == [world.their_letter.id]
    data = [("csrf", token), ("day", DAY), ("action", "posted")]
    mixed = [*data, ("id", str(world.their_letter.id)), ("id", str(ours[0]))]
    response = await letters_client.post(own, data=mixed, allow_redirects=False)
    assert response.status == 404 and "n'existe pas" in html.unescape(await response.text())
    pdf = await letters_client.get(f"{own}.pdf", params={"day": DAY, "id": str(ours[0])})
    assert pdf.status == 404
    assert await states(world) == UNTOUCHED
    assert (await Delivery.get(id=world.their_letter.id)).posted_at is None

    outbox = await (await letters_client.get(f"/s/{UAI_B}/outbox")).text()
    assert "+33699887766" in outbox and "+33611223344" not in outbox
    assert (await letters_client.get(f"/s/{UAI_A}/outbox")).status == 403


async def test_the_outbox_page_shows_this_schools_messages_newest_first(
    world: World, letters_client: Client
) -> None:
    await log_in_as(letters_client, world.email_of("cpe"))
    response = await letters_client.get(f"/s/{UAI_A}/outbox")
    page = await response.text()
    assert response.status == 200 and "Boîte d&#39;envoi" in page
    rows = [int(i) for i in re.findall(r'<tr data-delivery="(\d+)"', page)]
    assert rows == [world.email.id, world.letters.sms.id]
    assert "+33611223344" in page and "a@ex.org" in page and "Hugo" in page
    assert "+33699887766" not in page  # school B's SMS, in the same folder
    assert "<td>Courriel</td>" in page and "<td>email</td>" not in page  # the channel's word
    (world.var_dir / "outbox" / f"{world.letters.sms.uuid}.json").unlink()
    page = await (await letters_client.get(f"/s/{UAI_A}/outbox")).text()
    assert "fichier du message introuvable" in page and "+33611223344" in page
    await log_in_as(letters_client, world.email_of("admin"))
    assert (await letters_client.get(f"/s/{UAI_A}/outbox")).status == 200
    await log_in_as(letters_client, world.email_of("vie_scolaire"))
    assert (await letters_client.get(f"/s/{UAI_A}/outbox")).status == 403


async def test_without_a_mailroom_the_list_works_and_the_files_are_said_unreachable(
    world: World, settings: Settings
) -> None:
    queue = create_queue(None, {}, {})
    await queue.start()
    app = create_app(settings, queue)  # as a bare test app: no mailroom given
    try:
        async with panel_client(app) as client:
            token = await log_in_as(client, world.email_of("cpe"))
            page = await (await client.get(PAGE, params={"day": DAY})).text()
            assert "ne sont pas accessibles" in page and len(ids_in(page, "to_print")) == 3
            response = await client.get(PDF, params={"day": DAY})
            assert response.status == 503
            response = await mark(client, token, "printed", [world.letters.bernard.id])
            assert response.status == 303  # marks need no file
            outbox = await (await client.get(f"/s/{UAI_A}/outbox")).text()
            assert "ne sont pas accessibles" in outbox
    finally:
        await queue.close()


async def test_letters_to_one_home_show_as_one_envelope_and_print_as_one_letter(
    world: World, letters_client: Client, box: Channels
) -> None:
    client = letters_client
    roux = [d.id for d in await roux_household(world.schools[UAI_A], SYSTEM, box)]
    await log_in_as(client, world.email_of("cpe"))

    page = await (await client.get(PAGE, params={"day": DAY})).text()
    listed = ids_in(page, "to_print")
    assert set(roux) <= set(listed)
    places = sorted(listed.index(i) for i in roux)
    assert places == list(range(places[0], places[0] + 4))  # together, one envelope
    assert page.count("Même enveloppe : un seul courrier pour ce foyer") == 3
    assert "7 courriers, 4 enveloppes" in html.unescape(page)

    whole = await client.get(PDF, params={"day": DAY})
    assert whole.status == 200 and whole.headers["X-Letters-Envelopes"] == "4"
    text = texts(await whole.read())
    assert "Mme ROUX Claire et M. ROUX Marc" in text
