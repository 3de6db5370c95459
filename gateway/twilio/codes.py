"""What Twilio's error codes say of the number they name (a send refused, a report of failure).

21211 invalid number, 21614 / 30006 not a mobile, 30005 unknown number, 21610 STOP, 30004 /
30007 blocked or filtered. 21408 (region not enabled) and 30003 / 30008 (unreachable, unknown)
say nothing sure about the number: no mark, only the fallback.
"""

from __future__ import annotations

from core.models.person import Usability

PHONE_ERRORS: dict[str, Usability] = {
    "21211": Usability.INVALID,
    "21614": Usability.INVALID,
    "30005": Usability.INVALID,
    "30006": Usability.INVALID,
    "21610": Usability.OPTED_OUT,
    "30004": Usability.BLOCKED,
    "30007": Usability.BLOCKED,
}


def usability_of(code: str | None) -> Usability | None:
    """The number's new usability after Twilio's error ``code``, or None when it says nothing."""
    return PHONE_ERRORS.get(code or "")
