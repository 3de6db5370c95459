"""The providers' local peers, one per test, on 127.0.0.1 only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.gateway.fakes.ovh import FakeOvh
from tests.gateway.fakes.telegram import FakeTelegram
from tests.gateway.fakes.twilio import FakeTwilio


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    server = FakeTwilio()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def ovh() -> AsyncIterator[FakeOvh]:
    server = FakeOvh(clock_offset=-3600)  # an hour away: the adapter must sync its clock
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()
