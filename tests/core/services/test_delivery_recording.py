"""What a batch the providers took does when the database goes away before it is recorded: it is
recorded once the database is back (tried again for a while), never left "sending" for the sweep
to send again; a statement that is wrong fails at once."""

from __future__ import annotations

import asyncpg
import pytest
from tortoise.exceptions import IntegrityError, OperationalError

from core.db import connection_lost
from core.services.delivery import send
from core.services.delivery.send import Outcome


def wrapped(error: BaseException) -> OperationalError:
    """As the ORM raises a driver's error: its own, caused by the driver's."""
    try:
        raise OperationalError(str(error)) from error
    except OperationalError as raised:
        return raised


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        ConnectionResetError(104, "Connection reset by peer"),
        wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")),
        wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")),
        wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up")),
    ],
)
def test_a_database_gone_away_is_told_apart(error: BaseException) -> None:
    assert connection_lost(error)


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("duplicate key"),
        wrapped(asyncpg.exceptions.PostgresSyntaxError("syntax")),
        ValueError("x"),
    ],
)
def test_a_wrong_statement_is_not_a_lost_connection(error: BaseException) -> None:
    assert not connection_lost(error)


async def test_the_recording_is_tried_again_while_the_database_is_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(send, "RECORD_PATIENCE", 5.0)
    tries = []

    async def record() -> dict[int, Outcome]:
        tries.append(1)
        if len(tries) < 3:
            raise ConnectionRefusedError(111, "Connect call failed")
        return {7: Outcome("sent")}

    assert await send._recorded(record, 1) == {7: Outcome("sent")}
    assert len(tries) == 3


async def test_a_wrong_statement_or_a_long_outage_is_not_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def wrong() -> dict[int, Outcome]:
        raise IntegrityError("duplicate key")

    with pytest.raises(IntegrityError):
        await send._recorded(wrong, 1)
    monkeypatch.setattr(send, "RECORD_PATIENCE", 0.6)

    async def away() -> dict[int, Outcome]:
        raise ConnectionRefusedError(111, "Connect call failed")

    with pytest.raises(ConnectionRefusedError):
        await send._recorded(away, 1)
