"""Staff alerts: raised once per key (even at the same moment), seen by staff, audited."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from tortoise.transactions import in_transaction

from core.errors import Invalid, NotFound
from core.models import AuditEntry, School, StaffAlert, Student
from core.queries.alerts import open_alerts
from core.services.audit import Actor
from core.services.delivery.alerts import may_resolve, raise_alert, resolve_alert

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


async def _quota(school: School, key: str = "quota:1:sms:2026-11:80", **extra: object) -> bool:
    values: dict[str, object] = {
        "kind": "quota",
        "key": key,
        "level": "warning",
        "message": "sms: 80 / 100 (2026-11)",
        "data": {"channel": "sms", "used": 80, "limit": 100},
    }
    values.update(extra)
    return await raise_alert(school.id, **values)  # type: ignore[arg-type]


async def test_an_alert_is_raised_once_per_key_and_audited(school_a: School) -> None:
    assert await _quota(school_a) is True
    assert await _quota(school_a, message="another text") is False
    [alert] = await StaffAlert.all()
    assert (alert.school_id, alert.kind, alert.level) == (school_a.id, "quota", "warning")
    assert alert.message == "sms: 80 / 100 (2026-11)" and alert.data["used"] == 80
    [entry] = await AuditEntry.filter(action="staff_alert.raise")
    assert entry.actor_label == "alerts" and entry.after is not None
    assert entry.after["key"] == "quota:1:sms:2026-11:80"


async def test_the_same_key_raised_at_the_same_moment_is_created_once(school_a: School) -> None:
    results = await asyncio.gather(*(_quota(school_a) for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]
    assert await StaffAlert.filter(key="quota:1:sms:2026-11:80").count() == 1
    assert await AuditEntry.filter(action="staff_alert.raise").count() == 1


async def test_a_duplicate_inside_the_callers_transaction_spoils_nothing(
    school_a: School, pupil: Student
) -> None:
    assert await _quota(school_a)
    async with in_transaction():
        assert await _quota(school_a) is False  # on PostgreSQL: rolled back to its savepoint
        pupil.first_name = "Léana"
        await pupil.save(update_fields=["first_name"])
        assert await _quota(school_a, key="quota:1:sms:2026-11:100", level="error")
    assert (await Student.get(id=pupil.id)).first_name == "Léana"
    assert await StaffAlert.all().count() == 2


async def test_bad_levels_and_keys_are_refused(school_a: School) -> None:
    with pytest.raises(Invalid, match="level"):
        await _quota(school_a, level="panic")
    with pytest.raises(Invalid, match="key"):
        await _quota(school_a, key="")
    with pytest.raises(Invalid, match="key"):
        await _quota(school_a, key="k" * 121)
    assert await StaffAlert.all().count() == 0


async def test_staff_mark_an_alert_seen_once_and_it_leaves_the_open_list(
    school_a: School, school_b: School, cpe_actor: Actor
) -> None:
    await _quota(school_a)
    await _quota(school_a, key="quota:1:call:2026-11:100", level="error", message="call: full")
    await _quota(school_b, key="quota:2:sms:2026-11:80")
    opened = await open_alerts(school_a)
    assert [a.level for a in opened] == ["error", "warning"]  # the most serious first
    assert all(a.created_at.utcoffset() is not None for a in opened)
    warning = opened[1]

    assert await resolve_alert(school_a, cpe_actor, warning.id, now=NOW) is True
    assert await resolve_alert(school_a, cpe_actor, warning.id, now=NOW) is False
    assert (await StaffAlert.get(id=warning.id)).resolved_at == NOW
    assert [a.message for a in await open_alerts(school_a)] == ["call: full"]
    [entry] = await AuditEntry.filter(action="staff_alert.resolve")
    assert entry.actor_label == "cpe@alpha.example" and entry.school_id == school_a.id
    assert entry.before is not None and entry.before["resolved_at"] is None
    assert entry.after is not None and entry.after["resolved_at"] == NOW.isoformat()
    # A resolved key is not raised again: the next occurrence has another key.
    assert await _quota(school_a) is False


async def test_another_schools_alert_is_not_found(
    school_a: School, school_b: School, cpe_actor: Actor
) -> None:
    await _quota(school_b, key="quota:2:sms:2026-11:80")
    [alert] = await StaffAlert.all()
    with pytest.raises(NotFound):
        await resolve_alert(school_a, cpe_actor, alert.id, now=NOW)
    assert (await StaffAlert.get(id=alert.id)).resolved_at is None
    assert await open_alerts(school_a) == []


def test_only_the_cpe_and_admins_mark_alerts_seen() -> None:
    roles = ("admin", "direction", "cpe", "vie_scolaire", "teacher")
    assert [role for role in roles if may_resolve(role)] == ["admin", "cpe"]
