"""The event dialog's history reads as sentences: the reason by its label, a state as the state
it now is ("Justifiée", "Régularisée"), a moved start with the time it replaced, who and when —
never a field name, an id or True."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.web import test_grid_api as grid_api
from tests.web.grid_support import World, log_in
from tests.web.personas import MONDAY, at

world, client = grid_api.world, grid_api.client  # the grid's fixtures


async def test_the_history_says_each_change_in_words_with_who_and_when(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "cpe")
    _, body = await grid_api.post(
        client, grid_api.RECORD, grid_api.absence(world, "Inès", 8, 10), token
    )
    url = f"{grid_api.RECORD}/{body['event']['id']}"
    first = {"reason": "MALADIE", "accepted": True, "settled": True, "version": 1}
    assert (await grid_api.post(client, url, first, token))[0] == 200
    moved = {"start": at(MONDAY, 9).isoformat(), "comment": "bus", "version": 2}
    assert (await grid_api.post(client, url, moved, token))[0] == 200
    undone = {"accepted": False, "version": 3}
    assert (await grid_api.post(client, url, undone, token))[0] == 200
    history = (await (await client.get(url)).json())["event"]["history"]
    assert [h["action"] for h in history] == ["Saisie", "Correction", "Correction", "Correction"]
    assert history[1]["changes"] == ["Motif : Maladie de l'élève", "Justifiée", "Régularisée"]
    assert history[2]["changes"] == [
        "Début : lundi 2 mars 09:00 (avant : lundi 2 mars 08:00)",
        "Commentaire : « bus »",
    ]
    assert history[3]["changes"] == ["Non justifiée"]
    assert all(h["actor"] and h["at"] for h in history)  # who and when
    said = " ".join(c for h in history for c in h["changes"])
    for raw in ("reason_id", "accepted", "True", "→", "MALADIE"):
        assert raw not in said
