"""The five SIECLE files, read into plain records: current (3.0) and pre-2016 (1.7) shapes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from xml.etree.ElementTree import Element

from core.siecle.errors import SiecleError
from core.siecle.records import (
    AddressRecord,
    DivisionRecord,
    GroupRecord,
    Letterhead,
    LinkRecord,
    MefRecord,
    PersonRecord,
    SiecleExport,
    StudentRecord,
    YearDates,
)
from core.siecle.xmlsafe import DEFAULT_MAX_BYTES, optional, parse_date, read_parameters, read_root
from core.siecle.xmlsafe import text as _text

SEXES = {"1": "M", "2": "F"}
# Pre-2016 RESP_LEGAL: 1 and 2 are the legal representatives, 0 anyone else (a contact).
RESP_LEGAL_LEVELS = {"1": 1, "2": 1, "0": 3}
LEVELS = {"1": 1, "2": 2, "3": 3}
CIVILITIES = {"MME": "Mme", "M.": "M.", "M": "M.", "MLLE": "Mlle", "MR": "M."}


def parse_document(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SiecleExport:
    """One file's content as a partial export (only the parts that file holds).

    Raises SiecleError with one line naming the file when the file is refused.
    """
    root = read_root(data, name, max_bytes=max_bytes)
    parameters = read_parameters(root, name)
    export = SiecleExport(
        parameters.uai,
        parameters.school_year,
        parameters.exported_on,
        files={root.tag: name},
    )
    donnees = root.find("DONNEES")
    if donnees is None:
        raise SiecleError(f"{name}: no DONNEES element")
    return PARSERS[root.tag](donnees, name, export)


def _students(donnees: Element, name: str, export: SiecleExport) -> SiecleExport:
    structures = _student_structures(donnees)
    students: dict[str, StudentRecord] = {}
    for element in donnees.iterfind("ELEVES/ELEVE"):
        record = _student(element, name)
        if record.siecle_id in students:
            raise SiecleError(f"{name}: ELEVE_ID {record.siecle_id} appears twice")
        division, groups = structures.get(record.siecle_id, (None, ()))
        students[record.siecle_id] = replace(record, division=division, groups=groups)
    return replace(export, students=tuple(students.values()))


def _student(element: Element, name: str) -> StudentRecord:
    siecle_id = (element.get("ELEVE_ID") or "").strip()
    if not siecle_id:
        raise SiecleError(f"{name}: an ELEVE has no ELEVE_ID")
    where = f"{name}: ELEVE {siecle_id}:"
    elenoet = (element.get("ELENOET") or "").strip() or optional(element, "ELENOET")
    return StudentRecord(
        siecle_id=siecle_id,
        elenoet=elenoet,
        ine=optional(element, "ID_NATIONAL"),
        last_name=_text(element, "NOM_DE_FAMILLE") or _text(element, "NOM"),
        usual_name=optional(element, "NOM_USAGE"),
        first_name=_text(element, "PRENOM") or _text(element, "PRENOM1"),
        birth_date=parse_date(_text(element, "DATE_NAISS"), f"{where} DATE_NAISS"),
        sex=SEXES.get(_text(element, "CODE_SEXE")),
        mef_code=optional(element, "CODE_MEF"),
        regime=optional(element, "CODE_REGIME"),
        entered_on=parse_date(_text(element, "DATE_ENTREE"), f"{where} DATE_ENTREE"),
        left_on=parse_date(_text(element, "DATE_SORTIE"), f"{where} DATE_SORTIE"),
        email=optional(element, "MEL"),
        mobile=optional(element, "TEL_PORTABLE"),
    )


def _student_structures(donnees: Element) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """ELEVE_ID → (its division, its groups); no TYPE D means not yet assigned."""
    result: dict[str, tuple[str | None, tuple[str, ...]]] = {}
    for element in donnees.iterfind("STRUCTURES/STRUCTURES_ELEVE"):
        division: str | None = None
        groups: list[str] = []
        for structure in element.iterfind("STRUCTURE"):
            code = _text(structure, "CODE_STRUCTURE")
            kind = _text(structure, "TYPE_STRUCTURE")
            if code and kind == "D" and division is None:
                division = code
            elif code and kind == "G" and code not in groups:
                groups.append(code)
        result[(element.get("ELEVE_ID") or "").strip()] = (division, tuple(groups))
    return result


def _responsables(donnees: Element, name: str, export: SiecleExport) -> SiecleExport:
    persons: dict[str, PersonRecord] = {}
    for element in donnees.iterfind("PERSONNES/PERSONNE"):
        person = _person(element, name)
        if person.siecle_id in persons:
            raise SiecleError(f"{name}: PERSONNE_ID {person.siecle_id} appears twice")
        persons[person.siecle_id] = person
    links: dict[tuple[str, str], LinkRecord] = {}
    for order, element in enumerate(donnees.iterfind("RESPONSABLES/RESPONSABLE_ELEVE")):
        link = _link(element, name, order)
        links.setdefault((link.student_id, link.person_id), link)
    addresses = {
        (element.get("ADRESSE_ID") or "").strip(): _address(element)
        for element in donnees.iterfind("ADRESSES/ADRESSE")
    }
    return replace(
        export,
        persons=tuple(persons.values()),
        links=tuple(links.values()),
        addresses=addresses,
    )


def _person(element: Element, name: str) -> PersonRecord:
    siecle_id = (element.get("PERSONNE_ID") or "").strip()
    if not siecle_id:
        raise SiecleError(f"{name}: a PERSONNE has no PERSONNE_ID")
    civility = _text(element, "LC_CIVILITE")
    consent = element.findtext("ACCEPTE_SMS")  # absent from old files: no refusal stated
    return PersonRecord(
        siecle_id=siecle_id,
        civility=CIVILITIES.get(civility.upper(), civility),
        last_name=_text(element, "NOM_DE_FAMILLE") or _text(element, "NOM"),
        first_name=_text(element, "PRENOM"),
        mobile=optional(element, "TEL_PORTABLE"),
        home_phone=optional(element, "TEL_PERSONNEL"),
        work_phone=optional(element, "TEL_PROFESSIONNEL"),
        accepts_sms=consent is None or consent.strip() == "1",
        email=optional(element, "MEL"),
        address_id=optional(element, "ADRESSE_ID") or element.get("ADRESSE_ID"),
    )


def _link(element: Element, name: str, order: int) -> LinkRecord:
    student_id = _text(element, "ELEVE_ID")
    person_id = _text(element, "PERSONNE_ID")
    if not (student_id and person_id):
        raise SiecleError(f"{name}: a RESPONSABLE_ELEVE lacks its ELEVE_ID or PERSONNE_ID")
    level_text = _text(element, "NIVEAU_RESPONSABILITE")
    legal_text = _text(element, "RESP_LEGAL")
    level = LEVELS.get(level_text) if level_text else RESP_LEGAL_LEVELS.get(legal_text)
    if level is None:
        raise SiecleError(
            f"{name}: RESPONSABLE_ELEVE {student_id}/{person_id} has no valid "
            f"NIVEAU_RESPONSABILITE or RESP_LEGAL ({level_text or legal_text!r})"
        )
    return LinkRecord(
        student_id=student_id,
        person_id=person_id,
        level=level,
        relationship=_text(element, "CODE_PARENTE") or "90",
        pays_fees=_text(element, "PAIE_FRAIS_SCOLAIRES") == "1",
        order=order,
    )


def _address(element: Element) -> AddressRecord:
    lines = (_text(element, f"LIGNE{n}_ADRESSE") for n in range(1, 5))
    return AddressRecord(
        lines=tuple(line for line in lines if line),
        postal_code=_text(element, "CODE_POSTAL"),
        city=_text(element, "LIBELLE_POSTAL") or _text(element, "COMMUNE_ETRANGERE"),
        country=_text(element, "LL_PAYS"),
    )


def _structures(donnees: Element, name: str, export: SiecleExport) -> SiecleExport:
    divisions = tuple(
        DivisionRecord(
            code=(element.get("CODE_STRUCTURE") or "").strip(),
            label=_text(element, "LIBELLE_LONG"),
            mef_code=optional(element, "MEFS_APPARTENANCE/MEF_APPARTENANCE/CODE_MEF"),
        )
        for element in donnees.iterfind("DIVISIONS/DIVISION")
    )
    groups = tuple(
        GroupRecord(
            code=(element.get("CODE_STRUCTURE") or "").strip(),
            label=_text(element, "LIBELLE_LONG"),
            divisions=tuple(
                _text(member, "CODE_STRUCTURE")
                for member in element.iterfind("DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE")
            ),
        )
        for element in donnees.iterfind("GROUPES/GROUPE")
    )
    if not all(d.code for d in divisions) or not all(g.code for g in groups):
        raise SiecleError(f"{name}: a DIVISION or GROUPE has no CODE_STRUCTURE")
    return replace(export, divisions=divisions, groups=groups)


def _nomenclatures(donnees: Element, name: str, export: SiecleExport) -> SiecleExport:
    mefs = tuple(
        MefRecord(
            code=(element.get("CODE_MEF") or "").strip(),
            label=_text(element, "LIBELLE_LONG"),
            short_label=_text(element, "LIBELLE_EDITION") or _text(element, "LIBELLE_COURT"),
        )
        for element in donnees.iterfind("MEFS/MEF")
    )
    if any(not mef.code for mef in mefs):
        raise SiecleError(f"{name}: a MEF has no CODE_MEF")
    return replace(export, mefs=mefs)


def _commun(donnees: Element, name: str, export: SiecleExport) -> SiecleExport:
    uaj = donnees.find("UAJ")
    letterhead = None
    if uaj is not None:
        name_parts = (_text(uaj, "DENOM_PRINC"), _text(uaj, "DENOM_COMPL"))
        letterhead = Letterhead(
            name=" ".join(part for part in name_parts if part),
            address=_address(uaj),
            phone=_text(uaj, "TELEPHONE"),
            email=_text(uaj, "MEL_1") or _text(uaj, "MEL"),
            head_name=_text(uaj, "NOM_RESP"),
            head_title=_text(uaj, "QUAL_RESP"),
        )
    starts = parse_date(_text(donnees, "ANNEE_SCOLAIRE/DATE_DEBUT_ELEVE"), f"{name}: DATE_DEBUT")
    ends = parse_date(_text(donnees, "ANNEE_SCOLAIRE/DATE_FIN_ELEVE"), f"{name}: DATE_FIN")
    dates = YearDates(starts, ends) if starts and ends and starts < ends else None
    return replace(export, letterhead=letterhead, year_dates=dates)


PARSERS: dict[str, Callable[[Element, str, SiecleExport], SiecleExport]] = {
    "BEE_ELEVES": _students,
    "BEE_RESPONSABLES": _responsables,
    "BEE_STRUCTURES": _structures,
    "BEE_NOMENCLATURES": _nomenclatures,
    "BEE_COMMUN": _commun,
}
