"""A person invited by email follows the link in a real browser, creates their account, and
logs in to the school they were invited to."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.models import Membership, Role, User
from core.services.audit import Actor
from core.services.schools import invitations
from core.services.schools.school import create_school
from gateway.outbox.transport import OutboxTransport
from tests.web.browser.conftest import screenshot
from workers.senders import wrap

PASSWORD = "a long enough password"


async def test_an_invited_teacher_creates_their_account_and_logs_in(
    live_server: str, page: Any, tmp_path: Path
) -> None:
    school = await create_school("0750001A", "Collège Alpha", Actor.system("tests"))
    now = datetime.now(UTC)
    invitation = await invitations.invite_staff(
        school, "prof@alpha.example", "teacher", Actor.system("tests"), now=now
    )
    mail = tmp_path / "mail"
    channels = wrap({"email": OutboxTransport(mail, channel="email")})
    await invitations.send_invitation(
        invitation.id, channels.senders["email"], live_server, now=now
    )
    [sent] = (mail / "outbox").glob("*.json")
    found = re.search(r"http://\S+/invitations/\S+", json.loads(sent.read_text())["body"])
    assert found is not None
    link = found.group(0).replace("http://127.0.0.1:8080", live_server)

    await page.goto(link)
    assert "Collège Alpha" in await page.locator("main").inner_text()
    await page.get_by_label("Nom affiché").fill("M. Prof")
    await page.get_by_label("Mot de passe (au moins 10 caractères)").fill(PASSWORD)
    await page.get_by_role("button", name="Créer mon compte et accepter").click()
    done = page.locator("#invitation-done")
    assert "vous avez rejoint Collège Alpha" in await done.inner_text()
    await screenshot(page, "invitation-accepted")
    user = await User.get(email="prof@alpha.example")
    assert (await Membership.get(user=user, school=school)).role == Role.TEACHER

    await page.get_by_role("link", name="Se connecter").click()
    await page.get_by_label("Adresse électronique").fill("prof@alpha.example")
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(live_server + "/")
    assert "Collège Alpha" in await page.locator("main").inner_text()
