"""An operator of the install creates a school from the panel: by its first SIECLE export (the
import then waits for a look) or by its UAI and name; the imports page tells what to do with
another school's files; the school switcher lists schools apart, the current one marked."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient

from core.models import AuditEntry, ClosedDay, Membership, Role, School, User
from core.services.schools.users import hash_password

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "siecle" / "college-jean-moulin"
EMAIL, PASSWORD = "exploitation@academie.test", "a long enough password"
Client = TestClient[Any, Any]


async def operator(client: Client) -> User:
    user = await User.create(email=EMAIL, password_hash=hash_password(PASSWORD), operator=True)
    page = await (await client.get("/login")).text()
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    form = {"csrf": token.group(1), "email": EMAIL, "password": PASSWORD}
    assert (await client.post("/login", data=form, allow_redirects=False)).status == 303
    return user


async def csrf(client: Client, path: str = "/schools/new") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', await (await client.get(path)).text())
    assert found is not None
    return found.group(1)


def form(token: str, files: bool = False, **fields: str) -> FormData:
    data = FormData()
    data.add_field("csrf", token)
    for name, value in fields.items():
        data.add_field(name, value)
    for path in sorted(SAMPLE.glob("*.xml")) if files else []:
        data.add_field("files", path.read_bytes(), filename=path.name, content_type="text/xml")
    return data


async def test_an_operator_creates_a_school_from_its_first_siecle_export(
    db: str, app_client: Client
) -> None:
    user = await operator(app_client)
    home = await (await app_client.get("/")).text()
    assert 'href="/schools/new"' in home and "aucun établissement" in home

    token = await csrf(app_client)
    other_year = await app_client.post("/schools/new", data=form(token, files=True))
    assert other_year.status == 422 and "autre année scolaire" in await other_year.text()
    assert not await School.exists(uai="0751234X")  # nothing made of a refused export
    response = await app_client.post(
        "/schools/new",
        data=form(token, files=True, zone="C", force_year="1"),
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    location = response.headers["Location"]
    assert re.fullmatch(r"/s/0751234X/imports/[0-9a-f]{16}", location)
    school = await School.get(uai="0751234X")
    assert "JEAN MOULIN" in school.name.upper()
    assert school.holiday_zone == "C"
    role = await Membership.get(user=user, school=school)
    assert role.role == Role.ADMIN
    preview = await (await app_client.get(location)).text()
    assert "Changements à appliquer" in preview and re.search(r"<td>418</td>", preview)
    assert await AuditEntry.filter(action="school.create", school_id=school.id).exists()

    again = await app_client.post("/schools/new", data=form(token, files=True, force_year="1"))
    assert again.status == 409 and "Cet établissement existe déjà." in await again.text()


async def test_an_operator_creates_a_school_by_hand_and_is_told_what_is_wrong(
    db: str, app_client: Client
) -> None:
    await operator(app_client)
    token = await csrf(app_client)
    bad = await app_client.post("/schools/new", data=form(token, uai="75", name="Collège"))
    text = await bad.text()
    assert bad.status == 422 and "7 chiffres et une lettre" in text
    assert 'value="Collège"' in text  # what was typed stays
    nameless = await app_client.post("/schools/new", data=form(token, uai="0999002A", name=" "))
    said = await nameless.text()
    assert nameless.status == 422 and "Donnez le nom de l&#39;établissement" in said

    made = await app_client.post(
        "/schools/new",
        data=form(token, uai="0999002a", name="Lycée Nouveau", zone="B"),
        allow_redirects=False,
    )
    assert made.status == 303 and made.headers["Location"] == "/s/0999002A/imports"
    school = await School.get(uai="0999002A")
    assert (school.name, school.holiday_zone) == ("Lycée Nouveau", "B")

    # Another school's files on its imports page: whose they are, and the next step
    token = await csrf(app_client, "/s/0999002A/imports")
    wrong = await app_client.post("/s/0999002A/imports", data=form(token, files=True))
    text = await wrong.text()
    assert wrong.status == 422
    assert "Ces fichiers sont ceux de l&#39;établissement 0751234X, pas de 0999002A." in text
    assert 'id="import-next-step"><a href="/schools/new">' in text

    await app_client.post("/schools/new", data=form(token, uai="0999003B", name="Collège Second"))
    assert (await School.get(uai="0999003B")).holiday_zone is None  # 099: no département
    home = await (await app_client.get("/?school=0999002A")).text()
    entries = re.findall(r'<li><a href="/\?school=(\w+)"( aria-current="page")?', home)
    assert entries == [("0999002A", ' aria-current="page"'), ("0999003B", "")]

    # No zone chosen: the UAI's (Rhône, académie de Lyon: zone A), its holidays closed
    lyon = await app_client.post(
        "/schools/new", data=form(token, uai="0690123k", name="Collège Lyon"), allow_redirects=False
    )
    assert lyon.status == 303
    school = await School.get(uai="0690123K")
    assert school.holiday_zone == "A"
    assert await ClosedDay.filter(school=school, national=True, label="Armistice").exists()
