"""The batcher: jobs running at the same moment share one call, and each gets its own value."""

from __future__ import annotations

import asyncio

import pytest

from workers.batching import Batcher


class Recorder:
    def __init__(self, fail_on: int | None = None, delay: float = 0.0) -> None:
        self.calls: list[list[int]] = []
        self.fail_on = fail_on
        self.delay = delay

    async def __call__(self, keys: list[int]) -> dict[int, str]:
        self.calls.append(list(keys))
        await asyncio.sleep(self.delay)
        if self.fail_on is not None and self.fail_on in keys:
            raise RuntimeError("the database went away")
        return {k: f"v{k}" for k in keys}


async def test_concurrent_keys_share_one_call() -> None:
    run = Recorder()
    batcher = Batcher(run, max_size=100, window=0.01)
    values = await asyncio.gather(*(batcher.submit(k) for k in range(30)))
    assert values == [f"v{k}" for k in range(30)]
    assert run.calls == [list(range(30))]
    assert batcher.batches == 1


async def test_a_full_batch_leaves_at_once_and_the_next_one_forms() -> None:
    run = Recorder(delay=0.01)
    batcher = Batcher(run, max_size=10, window=10.0)  # only size can flush the first ones
    first = [asyncio.ensure_future(batcher.submit(k)) for k in range(10)]
    assert await asyncio.gather(*first) == [f"v{k}" for k in range(10)]
    batcher.window = 0.001
    assert await batcher.submit(99) == "v99"
    assert run.calls == [list(range(10)), [99]]


async def test_the_same_key_twice_is_one_entry() -> None:
    run = Recorder()
    batcher = Batcher(run, window=0.005)
    a, b = await asyncio.gather(batcher.submit(7), batcher.submit(7))
    assert a == b == "v7"
    assert run.calls == [[7]]


async def test_a_failing_batch_fails_each_of_its_callers_only() -> None:
    run = Recorder(fail_on=3)
    batcher = Batcher(run, window=0.005)
    results = await asyncio.gather(*(batcher.submit(k) for k in range(5)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert await batcher.submit(10) == "v10"  # the next batch is not spoiled


async def test_a_missing_value_is_an_error_not_a_hang() -> None:
    async def forgetful(keys: list[int]) -> dict[int, str]:
        return {}

    batcher: Batcher[int, str] = Batcher(forgetful, window=0.001)
    with pytest.raises(LookupError):
        await asyncio.wait_for(batcher.submit(1), 1)


async def test_a_caller_that_gives_up_does_not_cancel_the_batch() -> None:
    run = Recorder(delay=0.05)
    batcher = Batcher(run, window=0.001)
    impatient = asyncio.ensure_future(batcher.submit(1))
    patient = asyncio.ensure_future(batcher.submit(2))
    await asyncio.sleep(0.01)
    impatient.cancel()
    assert await patient == "v2"
    assert run.calls == [[1, 2]]


def test_a_batch_holds_at_least_one() -> None:
    with pytest.raises(ValueError):
        Batcher(Recorder(), max_size=0)


async def test_keys_that_trickle_in_join_until_a_gap_or_the_longest_wait() -> None:
    run = Recorder()
    batcher = Batcher(run, max_size=1000, window=0.02, max_wait=0.15)

    async def trickle(start: int, count: int, gap: float) -> list[str]:
        waiting = []
        for k in range(start, start + count):
            waiting.append(asyncio.ensure_future(batcher.submit(k)))
            await asyncio.sleep(gap)
        return list(await asyncio.gather(*waiting))

    await trickle(0, 10, 0.002)  # an arq worker starting jobs a few ms apart: one batch
    assert run.calls == [list(range(10))]
    run.calls.clear()
    await trickle(100, 60, 0.005)  # a steady flow is cut by the longest wait
    assert len(run.calls) >= 2
    assert sorted(k for call in run.calls for k in call) == list(range(100, 160))


async def test_a_capacity_bounds_the_keys_in_hand_and_the_rest_wait_their_turn() -> None:
    in_hand = 0
    most = 0

    async def run(keys: list[int]) -> dict[int, str]:
        nonlocal in_hand, most
        in_hand += len(keys)
        most = max(most, in_hand)
        await asyncio.sleep(0.01)
        in_hand -= len(keys)
        return {k: f"v{k}" for k in keys}

    batcher = Batcher(run, max_size=100, window=0.001, capacity=4)
    values = await asyncio.gather(batcher.submit_many(range(10)), batcher.submit_many([20, 21]))
    assert values == [[f"v{k}" for k in range(10)], ["v20", "v21"]]
    assert most == 4
    assert batcher.batches >= 3


async def test_a_caller_that_gives_up_while_waiting_for_room_takes_no_room() -> None:
    run = Recorder(delay=0.02)
    batcher = Batcher(run, window=0.001, capacity=1)
    first = asyncio.ensure_future(batcher.submit(1))
    waiting = asyncio.ensure_future(batcher.submit_many([2, 3]))
    await asyncio.sleep(0.005)
    waiting.cancel()
    assert await first == "v1"
    assert await asyncio.wait_for(batcher.submit(4), 1) == "v4"  # the room came back
    assert [k for call in run.calls for k in call] == [1, 4]


def test_a_capacity_holds_at_least_one() -> None:
    with pytest.raises(ValueError):
        Batcher(Recorder(), capacity=0)


class HandBack:
    """What a batcher hands back, and when (before or after the batch's values came)."""

    def __init__(self) -> None:
        self.keys: list[list[int]] = []

    async def __call__(self, keys: list[int]) -> None:
        self.keys.append(keys)


async def test_keys_that_find_no_room_in_time_are_handed_back_at_once_in_order() -> None:
    run = Recorder(delay=0.2)
    batcher = Batcher(run, window=0.001, capacity=2)
    busy = asyncio.ensure_future(batcher.submit(1))
    await asyncio.sleep(0.01)  # key 1 holds one place of two
    back = HandBack()
    within = asyncio.ensure_future(batcher.submit_within([2, 3, 4], 0.05, back))
    await asyncio.sleep(0.1)
    assert back.keys == [[3, 4]] and not within.done()  # handed back before 2's value came
    assert await within == {2: "v2"}
    assert await busy == "v1"
    assert await batcher.submit_within([5, 6], 0.05, back) == {5: "v5", 6: "v6"}
    assert back.keys == [[3, 4]]


async def test_no_room_at_all_hands_every_key_back_and_takes_no_room() -> None:
    run = Recorder(delay=0.2)
    batcher = Batcher(run, window=0.001, capacity=1)
    busy = asyncio.ensure_future(batcher.submit(1))
    await asyncio.sleep(0.01)
    back = HandBack()
    assert await batcher.submit_within([2, 3], 0.02, back) == {}
    assert back.keys == [[2, 3]]
    assert await busy == "v1"
    assert await asyncio.wait_for(batcher.submit(4), 1) == "v4"
    assert [k for call in run.calls for k in call] == [1, 4]
