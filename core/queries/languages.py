"""The languages a school writes to families in: French and English (every template ships in
both), and each language the school has written at least one template of."""

from __future__ import annotations

from core.models import LetterTemplate, MessageTemplate
from core.rules.languages import SHIPPED, ordered


async def school_languages(school_id: int) -> list[str]:
    """The school's languages in the list's order (French first)."""
    own = (
        await MessageTemplate.filter(school_id=school_id)
        .distinct()
        .values_list("language", flat=True)
    )
    letters = (
        await LetterTemplate.filter(school_id=school_id)
        .distinct()
        .values_list("language", flat=True)
    )
    return ordered([*SHIPPED, *(str(code) for code in (*own, *letters))])
