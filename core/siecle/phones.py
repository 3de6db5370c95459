"""Phone numbers as SIECLE holds them, normalised to E.164 — overseas France included."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

PhoneKind = Literal["mobile", "landline"]
OVERSEAS_REGIONS = ("RE", "YT", "GP", "MQ", "GF", "PM", "BL", "MF")
# National prefixes of the overseas departments (ARCEP plan): FR's metadata would wrongly
# accept some of them (0596…, 0269…) as +33 numbers, and 0692… is Réunion's +262.
OVERSEAS_PREFIXES = {
    "0262": "RE",
    "0263": "RE",
    "0692": "RE",
    "0693": "RE",
    "0269": "YT",
    "0639": "YT",
    "0590": "GP",
    "0690": "GP",
    "0691": "GP",
    "0596": "MQ",
    "0696": "MQ",
    "0697": "MQ",
    "0594": "GF",
    "0694": "GF",
}
MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_NOISE = re.compile(r"[\s.\-/_()]")
_POSSIBLE_REASONS = {
    phonenumbers.ValidationResult.TOO_SHORT: "too short",
    phonenumbers.ValidationResult.TOO_LONG: "too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "wrong length",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
}


@dataclass(frozen=True, slots=True)
class Phone:
    """A number read from a file: E.164 and its kind when valid, else why not."""

    raw: str
    e164: str | None
    kind: PhoneKind | None
    region: str | None = None
    error: str | None = None

    @property
    def valid(self) -> bool:
        """Whether phonenumbers found it a valid number (it then has an E.164 form)."""
        return self.e164 is not None

    @property
    def cleaned(self) -> str:
        """The number stripped of separators (kept for an invalid number)."""
        return clean(self.raw) or self.raw.strip()


def clean(raw: str) -> str:
    """Digits and a leading +, with 00 read as +: '0033 6.12' → '+33612'."""
    value = _NOISE.sub("", raw.strip().replace("(0)", ""))
    if value.startswith("00"):
        value = "+" + value[2:]
    return value


@lru_cache(maxsize=8192)
def normalise_phone(raw: str) -> Phone:
    """``raw`` in E.164 when phonenumbers finds it valid: FR first, then overseas regions.

    A national number whose prefix belongs to an overseas department is read in that
    region (0692… → +262 692…); '+33 6 92…' is read the same way. Mobile or landline comes
    from phonenumbers' number type (only mobiles may receive SMS).
    """
    value = clean(raw)
    if not value:
        return Phone(raw, None, None, error="empty")
    if not re.fullmatch(r"\+?[0-9]+", value):
        return Phone(raw, None, None, error="not a phone number")
    if value.startswith("+33"):
        overseas = _overseas("0" + value[3:])
        if overseas is not None:
            return _phone(raw, overseas)
    if value.startswith("+"):
        number = _parse(value, None)
        valid = number is not None and phonenumbers.is_valid_number(number)
        return _phone(raw, number) if valid and number else _invalid(raw, number)
    return _national(raw, value)


def _national(raw: str, value: str) -> Phone:
    """A number without country code: its overseas region by prefix, else FR, else the
    overseas regions in turn."""
    region = OVERSEAS_PREFIXES.get(value[:4])
    if region is not None:  # never +33: an overseas prefix is read in its region only
        number = _parse(value, region)
        valid = number is not None and phonenumbers.is_valid_number(number)
        return _phone(raw, number) if valid and number else _invalid(raw, number)
    first: phonenumbers.PhoneNumber | None = None
    for region in ("FR", *OVERSEAS_REGIONS):
        number = _parse(value, region)
        first = first or number
        if number is not None and phonenumbers.is_valid_number(number):
            return _phone(raw, number)
    return _invalid(raw, first)


def _overseas(national: str) -> phonenumbers.PhoneNumber | None:
    region = OVERSEAS_PREFIXES.get(national[:4])
    if region is None or len(national) != 10:
        return None
    number = _parse(national, region)
    return number if number is not None and phonenumbers.is_valid_number(number) else None


def _parse(value: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(value, region)
    except NumberParseException:
        return None


def _phone(raw: str, number: phonenumbers.PhoneNumber) -> Phone:
    kind: PhoneKind = "mobile" if phonenumbers.number_type(number) in MOBILE_TYPES else "landline"
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return Phone(raw, e164, kind, phonenumbers.region_code_for_number(number))


def _invalid(raw: str, number: phonenumbers.PhoneNumber | None) -> Phone:
    if number is None:
        return Phone(raw, None, None, error="not a phone number")
    reason = _POSSIBLE_REASONS.get(phonenumbers.is_possible_number_with_reason(number))
    return Phone(raw, None, None, error=reason or "not a valid number")


def printed_phone(raw: str) -> str:
    """A number as a letter prints it: a French one (mainland or overseas) in the national
    format ("01 23 45 67 89"), another in the international one; as written when it is not a
    valid number."""
    phone = normalise_phone(raw)
    if phone.e164 is None:
        return raw.strip()
    number = phonenumbers.parse(phone.e164, None)
    french = number.country_code == 33 or phonenumbers.region_code_for_number(number) in (
        "FR",
        *OVERSEAS_REGIONS,
    )
    style = PhoneNumberFormat.NATIONAL if french else PhoneNumberFormat.INTERNATIONAL
    return str(phonenumbers.format_number(number, style))
