"""The process-wide tuning a long-running process applies once started."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from workers.runtime import GC_YOUNG_THRESHOLD, tune_gc


@pytest.fixture
def collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_what_is_alive_at_start_is_set_aside_and_the_young_are_collected_less_often(
    collector: None,
) -> None:
    _, middle, old = gc.get_threshold()
    alive_at_start = [["loaded at start"]]
    tune_gc()
    born_after = [["made by a batch"]]
    watched = gc.get_objects()  # what the collector still walks
    assert not any(o is alive_at_start for o in watched)
    assert any(o is born_after for o in watched)
    assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, middle, old)
    assert GC_YOUNG_THRESHOLD > 700  # Python's own
