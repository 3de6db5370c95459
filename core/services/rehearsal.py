"""One transaction, committed or — for a dry run — rolled back once the work has said what it
did: the same code computes what a change would do and does it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar, cast

from tortoise.transactions import in_transaction

T = TypeVar("T")


class _RolledBack(Exception):
    def __init__(self, result: object) -> None:
        super().__init__("dry run")
        self.result = result


async def in_one_transaction(work: Callable[[], Awaitable[T]], *, dry_run: bool = False) -> T:
    """``work()`` in one transaction, committed; with ``dry_run`` rolled back after it
    returned, its result returned all the same."""
    try:
        async with in_transaction():
            result = await work()
            if dry_run:
                raise _RolledBack(result)
    except _RolledBack as rolled_back:
        return cast("T", rolled_back.result)
    return result
