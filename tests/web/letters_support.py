"""The letters' test world over HTTP: the whole app with its mailroom (as ``absences serve``
builds it), two schools and their staff, Monday's letters made by the real letter transport in
the app's own var folder, and an SMS and an email in its outbox."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest
from aiohttp.test_utils import TestClient

from core.models import Delivery, School, User
from core.services.schools.users import create_token
from core.settings import Settings, load_settings
from tests.core.services.letter_support import (
    Letters,
    channels,
    monday_letters,
    notify,
    pupil_with_guardian,
)
from tests.web.personas import SYSTEM, UAI_A, UAI_B, panel_client, schools_and_staff
from web.app import create_app
from workers.mailroom import build_mailroom
from workers.runtime import start_runtime
from workers.senders import Channels

Client = TestClient[Any, Any]
STAFF = {
    "cpe": ("cpe@a.example.org", UAI_A, "cpe", "Mme Dupont"),
    "vie_scolaire": ("vs@a.example.org", UAI_A, "vie_scolaire", "M. Vie"),
    "direction": ("direction@a.example.org", UAI_A, "direction", "Mme Principale"),
    "admin": ("admin@a.example.org", UAI_A, "admin", "M. Admin"),
    "teacher": ("teacher@a.example.org", UAI_A, "teacher", "M. Prof"),
    "other_cpe": ("cpe@b.example.org", UAI_B, "cpe", "M. Autre"),
}


@dataclass
class World:
    schools: dict[str, School]
    users: dict[str, User]
    letters: Letters
    email: Delivery
    their_letter: Delivery
    their_sms: Delivery
    var_dir: Path

    def email_of(self, persona: str) -> str:
        return STAFF[persona][0]


@pytest.fixture
async def settings(tmp_path: Path) -> Settings:
    return load_settings(var_dir=tmp_path / "var")


@pytest.fixture
async def letters_client(settings: Settings) -> AsyncIterator[Client]:
    """The app as ``absences serve`` assembles it: with the mailroom over the runtime's
    channels."""
    runtime = await start_runtime(settings, sweep=False)
    mailroom = build_mailroom(settings, runtime.ctx.get("channels"))
    app = create_app(settings, runtime.queue, mailroom=mailroom)
    try:
        async with panel_client(app) as client:
            yield client
    finally:
        await runtime.close()


@pytest.fixture
async def box(settings: Settings) -> AsyncIterator[Channels]:
    made = channels(settings.var_dir)
    yield made
    await made.close()


async def build_world(var_dir: Path, box: Channels) -> World:
    schools, users = await schools_and_staff(STAFF)
    school, other = schools[UAI_A], schools[UAI_B]
    letters = await monday_letters(school, SYSTEM, box)
    emailed = await pupil_with_guardian(school, "Courriel", "Ana", postal=False, email="a@ex.org")
    [email] = await notify(school, SYSTEM, emailed, box)
    theirs = await pupil_with_guardian(other, "Autre", "Jean", mobile="+33699887766")
    their_deliveries = await notify(other, SYSTEM, theirs, box)
    [their_sms] = [d for d in their_deliveries if d.channel == "sms"]
    theirs_by_post = await pupil_with_guardian(other, "Poste", "Noé")
    [their_letter] = await notify(other, SYSTEM, theirs_by_post, box)
    return World(schools, users, letters, email, their_letter, their_sms, var_dir)


async def tokens(world: World) -> dict[str, str]:
    return {persona: await create_token(STAFF[persona][0], SYSTEM) for persona in STAFF}


def pages(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def texts(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


async def states(world: World) -> list[tuple[str, bool, bool]]:
    """(status, printed, posted) of school A's three letters, in print order."""
    rows = [await Delivery.get(id=d.id) for d in world.letters.in_print_order]
    return [(str(r.status), r.printed_at is not None, r.posted_at is not None) for r in rows]


UNTOUCHED = [("sent", False, False)] * 3
