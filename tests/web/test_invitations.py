"""Staff invitations over real HTTP: the admin invites from the staff page, the email leaves
through SMTP (a local aiosmtpd server) from the in-process queue, and the person follows the
link to sign in or to create their account."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.models import AuditEntry, Invitation, Membership, Role, User
from core.settings import load_settings
from tests.gateway.fakes.smtp import SmtpServer
from tests.web.personas import panel_client
from tests.web.settings_support import (
    PASSWORD,
    Client,
    csrf_of,
    log_in,
    post,
    settings,
    two_schools,
)
from web.app import create_app
from workers.queue import InlineQueue
from workers.runtime import start_runtime

PUBLIC = "http://absences.example.org"  # not https: the test client speaks plain HTTP
LINK = re.compile(re.escape(PUBLIC) + r"(/invitations/[A-Za-z0-9_-]+)")
INVITED = "Invitation envoyée : la personne a 7 jours pour suivre le lien reçu par courriel."


@dataclass
class Site:
    client: Client
    queue: InlineQueue
    smtp: SmtpServer

    async def links(self) -> dict[str, str]:
        """The invitation link last mailed to each address (after the queue has run)."""
        await self.queue.drain(timeout=10)
        found = {}
        for received in self.smtp.handler.received:
            body = received.message.get_body(("plain",))
            assert body is not None
            link = LINK.search(body.get_content())
            assert link is not None
            found[received.rcpt_tos[0]] = link.group(1)
        return found


@pytest.fixture
async def site(db: str, tmp_path: Path, smtp: SmtpServer) -> AsyncIterator[Site]:
    await two_schools()
    config = load_settings(
        var_dir=tmp_path / "var",
        public_url=PUBLIC,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_from="Absences <absences@example.org>",
        smtp_starttls=False,
    )
    runtime = await start_runtime(config, sweep=False)
    assert isinstance(runtime.queue, InlineQueue)
    try:
        async with panel_client(create_app(config, runtime.queue)) as client:
            assert (await log_in(client)).status == 303
            yield Site(client, runtime.queue, smtp)
    finally:
        await runtime.close()


async def invite(site: Site, email: str, role: str = "teacher") -> str:
    response = await post(site.client, settings("/staff"), {"email": email, "role": role})
    assert response.status == 303
    page = await (await site.client.get(settings("/staff"))).text()
    found = re.search(r'class="flash[^"]*"[^>]*>([^<]+)<', page) or re.search(
        r'role="status"[^>]*>([^<]+)<', page
    )
    assert found is not None, page
    return found.group(1).strip()


async def test_the_admin_hears_the_same_sentence_and_both_get_an_email(site: Site) -> None:
    assert await invite(site, "new@a.example.org") == INVITED
    assert await invite(site, "admin@b.example.org") == INVITED  # an account of school B
    links = await site.links()
    assert set(links) == {"new@a.example.org", "admin@b.example.org"}
    [first, *_] = site.smtp.handler.received
    assert first.message["Subject"] == "Invitation : Collège A — Absences"
    b_admin = await User.get(email="admin@b.example.org")
    assert await Membership.filter(user=b_admin).count() == 1  # nothing attached yet

    page = await (await site.client.get(settings("/staff"))).text()
    assert "new@a.example.org" in page and "/staff/invitations/" in page
    assert "Annuler" in page and "Renvoyer" in page


async def test_a_new_person_creates_their_account_through_the_link(site: Site) -> None:
    await invite(site, "new@a.example.org", "vie_scolaire")
    path = (await site.links())["new@a.example.org"]
    page = await site.client.get(path)
    text = await page.text()
    assert page.status == 200 and "Collège A" in text and "new@a.example.org" in text
    assert "avec le rôle Vie scolaire" in text and "vie_scolaire" not in text
    token = await csrf_of(site.client, path)
    short = await site.client.post(
        path + "/new", data={"csrf": token, "display_name": "Mme Neuve", "password": "short"}
    )
    assert short.status == 400 and "au moins 10 caractères" in await short.text()
    done = await site.client.post(
        path + "/new", data={"csrf": token, "display_name": "Mme Neuve", "password": PASSWORD}
    )
    assert done.status == 200 and "vous avez rejoint Collège A" in await done.text()
    user = await User.get(email="new@a.example.org")
    assert user.display_name == "Mme Neuve"
    assert (await Membership.get(user=user)).role == Role.VIE_SCOLAIRE
    assert await AuditEntry.exists(action="invitation.accept", actor_id=user.id)
    again = await site.client.get(path)
    assert again.status == 410 and "Invitation plus valable" in await again.text()


async def test_an_existing_account_signs_in_and_is_told_no_more(site: Site) -> None:
    await invite(site, "admin@b.example.org")
    path = (await site.links())["admin@b.example.org"]
    token = await csrf_of(site.client, path)
    new = await site.client.post(
        path + "/new", data={"csrf": token, "display_name": "X", "password": PASSWORD}
    )
    assert new.status == 409
    assert "Un compte existe déjà pour cette adresse : connectez-vous plutôt." in await new.text()
    wrong = await site.client.post(path + "/account", data={"csrf": token, "password": "nope"})
    assert wrong.status == 401 and "Mot de passe incorrect." in await wrong.text()
    right = await site.client.post(path + "/account", data={"csrf": token, "password": PASSWORD})
    assert right.status == 200 and "vous avez rejoint Collège A" in await right.text()
    b_admin = await User.get(email="admin@b.example.org")
    assert await Membership.filter(user=b_admin).count() == 2
    used = await site.client.post(path + "/account", data={"csrf": token, "password": PASSWORD})
    assert used.status == 410


async def test_cancel_resend_and_unknown_links(site: Site) -> None:
    await invite(site, "one@a.example.org")
    await invite(site, "two@a.example.org")
    links = await site.links()
    one = await Invitation.get(email="one@a.example.org")
    two = await Invitation.get(email="two@a.example.org")
    cancelled = await post(site.client, settings(f"/staff/invitations/{one.id}/cancel"), {})
    assert cancelled.status == 303
    assert (await site.client.get(links["one@a.example.org"])).status == 410
    resent = await post(site.client, settings(f"/staff/invitations/{two.id}/resend"), {})
    assert resent.status == 303
    fresh = (await site.links())["two@a.example.org"]
    assert fresh != links["two@a.example.org"]
    assert (await site.client.get(links["two@a.example.org"])).status == 404  # replaced
    assert (await site.client.get(fresh)).status == 200
    unknown = await site.client.get("/invitations/" + "x" * 43)
    assert unknown.status == 404 and "Invitation introuvable" in await unknown.text()
    missing = await post(site.client, settings(f"/staff/invitations/{one.id}/resend"), {})
    assert missing.status == 404  # cancelled: nothing to send again
