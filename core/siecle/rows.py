"""The rows the files call for, as plain field values ready to compare with the stored ones."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from core.siecle.diff import Row
from core.siecle.phones import Phone, normalise_phone
from core.siecle.records import AddressRecord, LinkRecord, PersonRecord, SiecleExport, StudentRecord
from core.siecle.summary import Note

IdMap = Mapping[str, int]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# (SIECLE field, PersonRecord attribute, kind when the number is invalid, label, priority)
PHONE_SLOTS = (
    ("TEL_PORTABLE", "mobile", "mobile", "personal", 1),
    ("TEL_PERSONNEL", "home_phone", "landline", "home", 2),
    ("TEL_PROFESSIONNEL", "work_phone", "landline", "work", 3),
)
# Fields set only when a contact point is created or its value changes: the states the
# delivery layer sets (wrong number, opted out, bounced…) must survive a re-import.
OPERATIONAL = ("usability", "usability_note")


def mef_rows(export: SiecleExport) -> dict[str, Row]:
    """MEFs of the Nomenclature, and those only named by divisions or students (code only)."""
    rows: dict[str, Row] = {
        m.code[:20]: {"label": m.label[:120], "short_label": m.short_label[:60]}
        for m in export.mefs
    }
    named = [d.mef_code for d in export.divisions] + [s.mef_code for s in export.students]
    for code in named:
        if code:
            rows.setdefault(code[:20], {})
    return rows


def division_rows(export: SiecleExport, mef_ids: IdMap) -> dict[str, Row]:
    """Divisions of Structures, and those only named by students (kept active)."""
    rows: dict[str, Row] = {
        d.code[:30]: {
            "label": d.label[:120],
            "mef_id": mef_ids.get(d.mef_code) if d.mef_code else None,
            "active": True,
        }
        for d in export.divisions
    }
    for code in {s.division for s in export.students} | {
        c for g in export.groups for c in g.divisions
    }:
        if code:
            rows.setdefault(code[:30], {"active": True})
    return rows


def group_rows(export: SiecleExport) -> dict[str, Row]:
    """Teaching groups with their divisions (the pseudo-field ``divisions``: sorted codes)."""
    rows: dict[str, Row] = {
        g.code[:30]: {
            "label": g.label[:120],
            "active": True,
            "divisions": tuple(sorted({c[:30] for c in g.divisions if c})),
        }
        for g in export.groups
    }
    for code in {c for s in export.students for c in s.groups}:
        rows.setdefault(code[:30], {"active": True})
    return rows


def student_row(record: StudentRecord, mef_ids: IdMap, division_ids: IdMap) -> Row:
    """A student's fields; ``groups`` is a pseudo-field (sorted group codes)."""
    mobile = normalise_phone(record.mobile) if record.mobile else None
    return {
        "elenoet": _cut(record.elenoet, 20),
        "ine": _cut(record.ine, 20),
        "last_name": record.last_name[:100],
        "usual_name": _cut(record.usual_name, 100),
        "first_name": record.first_name[:100],
        "birth_date": record.birth_date,
        "sex": record.sex,
        "mef_id": mef_ids.get(record.mef_code) if record.mef_code else None,
        "regime": _cut(record.regime, 10),
        "division_id": division_ids.get(record.division) if record.division else None,
        "email": _cut(record.email.lower(), 254) if record.email else None,
        "mobile": mobile.e164 if mobile else None,
        "entered_on": record.entered_on,
        "left_on": record.left_on,
        "active": record.left_on is None,
        "groups": tuple(sorted({g[:30] for g in record.groups})),
    }


def student_phone_notes(students: Iterable[StudentRecord]) -> list[Note]:
    """Students' own mobiles that are not valid numbers (reported; stored as no number)."""
    notes: list[Note] = []
    for record in students:
        if record.mobile:
            phone = normalise_phone(record.mobile)
            if not phone.valid:
                name = f"{record.last_name} {record.first_name}"
                note = _phone_note("student", record.siecle_id, name, "TEL_PORTABLE", phone)
                notes.append(note)
    return notes


def person_row(record: PersonRecord) -> Row:
    """A person's own fields (their contact points are rows of their own)."""
    return {
        "civility": record.civility[:10],
        "last_name": record.last_name[:100],
        "first_name": record.first_name[:100],
    }


def contact_rows(
    person: PersonRecord, address: AddressRecord | None
) -> tuple[dict[str, Row], list[Note]]:
    """A person's contact points by SIECLE field, and the phones that are not valid numbers.

    Mobiles carry ACCEPTE_SMS as consent; landlines are kept for calls (their kind keeps them
    from SMS); an invalid number is kept, marked invalid, so that it is seen and not used.
    One number given in two fields is kept once, in the first.
    """
    notes: list[Note] = []
    candidates: list[tuple[str, Row]] = []
    for slot, attribute, fallback, label, priority in PHONE_SLOTS:
        raw = getattr(person, attribute)
        if raw:
            phone = normalise_phone(raw)
            candidates.append((slot, _phone_row(person, slot, phone, fallback, label, priority)))
            if not phone.valid:
                name = f"{person.last_name} {person.first_name}"
                notes.append(_phone_note("person", person.siecle_id, name, slot, phone))
    if person.email:
        candidates.append(("MEL", _email_row(person.email)))
    if address is not None and (address.lines or address.city):
        candidates.append(("ADRESSE", _postal_row(address)))
    rows: dict[str, Row] = {}
    for slot, row in candidates:
        if all((row["kind"], row["value"]) != (r["kind"], r["value"]) for r in rows.values()):
            rows[slot] = row
    return rows, notes


def _phone_row(
    person: PersonRecord, slot: str, phone: Phone, fallback: str, label: str, priority: int
) -> Row:
    kind = phone.kind or fallback
    return {
        "kind": kind,
        "value": phone.e164 or phone.cleaned[:254],
        "raw_value": phone.raw[:254],
        "label": label,
        "consent": person.accepts_sms if kind == "mobile" else True,
        "priority": priority,
        "usability": "ok" if phone.valid else "invalid",
        "usability_note": "" if phone.valid else f"{slot}: {phone.error}"[:200],
    }


def _email_row(raw: str) -> Row:
    email = raw.strip().lower()[:254]
    valid = bool(_EMAIL.match(email))
    return {
        "kind": "email",
        "value": email,
        "raw_value": raw[:254],
        "label": "personal",
        "consent": True,
        "priority": 1,
        "usability": "ok" if valid else "invalid",
        "usability_note": "" if valid else "MEL: not an email address",
    }


def _postal_row(address: AddressRecord) -> Row:
    return {
        "kind": "postal",
        "value": (address.lines[0] if address.lines else address.city)[:254],
        "address": address.as_json(),
        "label": "home",
        "consent": True,
        "priority": 1,
        "usability": "ok",
        "usability_note": "",
    }


def keep_operational_state(stored: Mapping[str, object], wanted: Row) -> Row:
    """``wanted`` without usability unless the value changes (see OPERATIONAL)."""
    if stored.get("value") == wanted.get("value"):
        return {name: value for name, value in wanted.items() if name not in OPERATIONAL}
    return wanted


def link_rows(links: Iterable[LinkRecord]) -> dict[tuple[str, str], Row]:
    """Links keyed on (ELEVE_ID, PERSONNE_ID), with each student's order as ``priority``.

    Order (domain.md §5): the one who pays school fees first, then the legal
    representatives, then the others, each in file order.
    """
    per_student: dict[str, list[LinkRecord]] = defaultdict(list)
    for link in links:
        per_student[link.student_id].append(link)
    rows: dict[tuple[str, str], Row] = {}
    for student_links in per_student.values():
        ordered = sorted(student_links, key=lambda x: (not x.pays_fees, x.level != 1, x.order))
        for priority, link in enumerate(ordered, start=1):
            rows[(link.student_id, link.person_id)] = {
                "level": link.level,
                "relationship": link.relationship[:4],
                "pays_fees": link.pays_fees,
                "priority": priority,
            }
    return rows


def _phone_note(owner: str, siecle_id: str, name: str, field: str, phone: Phone) -> Note:
    reason = phone.error or "invalid"
    return {owner: siecle_id, "name": name, "field": field, "raw": phone.raw, "reason": reason}


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if value else None
