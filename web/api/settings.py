"""Per-school settings: read by anyone of the school, changed with the settings right."""

from __future__ import annotations

from core.rules.permissions import Permission
from core.services.schools.school import (
    SchoolSettings,
    SchoolSettingsPatch,
    parse_settings_patch,
    read_settings,
    update_settings,
)
from web.api.registry import Call, Route

SETTINGS = "/schools/{uai}/settings"


async def get_settings(call: Call) -> SchoolSettings:
    """The school's settings."""
    return read_settings(call.school)


async def patch_settings(call: Call) -> SchoolSettings:
    """Change the settings given (``quiet_hours: null`` turns quiet hours off)."""
    school = await update_settings(call.school, call.body_as(SchoolSettingsPatch), call.actor)
    return read_settings(school)


ROUTES = [
    Route(
        "GET",
        SETTINGS,
        get_settings,
        summary="Read the school's settings",
        permission=Permission.READ,
        response=SchoolSettings,
        tag="settings",
    ),
    Route(
        "PATCH",
        SETTINGS,
        patch_settings,
        summary="Change some of the school's settings",
        permission=Permission.SETTINGS,
        response=SchoolSettings,
        body=SchoolSettingsPatch,
        parse_body=parse_settings_patch,
        tag="settings",
        description="Only the keys given change; `quiet_hours: null` turns quiet hours off.",
    ),
]
