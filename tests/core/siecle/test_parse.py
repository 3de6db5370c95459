"""Reading one SIECLE file: both shapes, the declared encoding, and every refusal."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from core.siecle.errors import SiecleError
from core.siecle.parse import parse_document
from core.siecle.records import SiecleExport
from tests.core.siecle.support import PRE2016, SAMPLE, SMALL, expected, needs_sample, xml

ELEVE = (
    '<ELEVES><ELEVE ELEVE_ID="1" ELENOET="01"><NOM_DE_FAMILLE>{name}</NOM_DE_FAMILLE>'
    "<PRENOM>A</PRENOM>{extra}</ELEVE></ELEVES>"
)


def parse(path_or_bytes: object, name: str = "ElevesSansAdresses.xml") -> SiecleExport:
    if isinstance(path_or_bytes, bytes):
        return parse_document(path_or_bytes, name)
    return parse_document(path_or_bytes.read_bytes(), path_or_bytes.name)  # type: ignore[attr-defined]


def refusal(data: bytes, name: str = "ElevesSansAdresses.xml", **options: int) -> str:
    with pytest.raises(SiecleError) as caught:
        parse_document(data, name, **options)
    message = caught.value.message
    assert "\n" not in message
    assert message.startswith(f"{name}: ")
    return message


@needs_sample
def test_the_sample_students_file_gives_its_students_and_their_divisions() -> None:
    students = parse(SAMPLE / "ElevesSansAdresses.xml").students
    initial = expected()["initial"]
    assert len(students) == initial["students_in_file"]
    assigned = Counter(s.division for s in students if s.division)
    assert sum(assigned.values()) == initial["students_assigned"]
    assert dict(assigned) == initial["per_division"]
    assert {g for s in students for g in s.groups} <= {
        g.code for g in parse(SAMPLE / "Structures.xml").groups
    }


@needs_sample
def test_the_sample_responsables_file_gives_persons_links_and_addresses() -> None:
    export = parse(SAMPLE / "ResponsablesAvecAdresses.xml")
    initial = expected()["initial"]
    assert len(export.persons) == initial["persons"]
    assert sum(1 for link in export.links if link.level == 1) == initial["legal_links"]
    assert export.addresses["501045"].city == "L'HAŸ-LES-ROSES"  # Ÿ: ISO-8859-15 honoured


@needs_sample
def test_structures_nomenclature_and_communs() -> None:
    structures = parse(SAMPLE / "Structures.xml")
    assert len(structures.divisions) == 16
    assert len(structures.groups) == 9
    assert structures.divisions[0].mef_code == "10010012110"
    assert len(parse(SAMPLE / "Nomenclature.xml").mefs) == 4
    communs = parse(SAMPLE / "Communs.xml")
    assert communs.uai == "0751234X"
    assert communs.school_year == 2025
    assert communs.exported_on == date(2025, 9, 22)
    assert communs.letterhead is not None
    assert communs.letterhead.name == "COLLEGE JEAN MOULIN"
    assert communs.letterhead.address.lines == ("1 RUE DU COLLÈGE",)
    assert communs.year_dates is not None
    assert communs.year_dates.ends_on == date(2026, 7, 4)


def test_iso_8859_15_characters_survive() -> None:
    raw = (SMALL / "ResponsablesAvecAdresses.xml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is ISO-8859-15
    export = parse(SMALL / "ResponsablesAvecAdresses.xml")
    assert export.persons[0].last_name == "CŒUR"
    assert export.addresses["7001"].lines == ("5 RUE DE L'ŒUVRE", "LOYER 500 €")
    assert export.addresses["7001"].city == "L'HAŸ-LES-ROSES"
    students = parse(SMALL / "ElevesSansAdresses.xml").students
    assert (students[0].last_name, students[0].first_name) == ("CŒUR", "Šarlota")


def test_the_declared_encoding_is_the_one_used() -> None:
    body = ELEVE.format(name="ŒDIPE €", extra="")
    for encoding in ("ISO-8859-15", "UTF-8", "UTF-16"):
        export = parse(xml(body=body, encoding=encoding))
        assert export.students[0].last_name == "ŒDIPE €"


def test_current_shape_fields() -> None:
    students = parse(SMALL / "ElevesSansAdresses.xml").students
    first = students[0]
    assert (first.siecle_id, first.elenoet, first.ine) == ("9001", "0101", "111111111AA")
    assert (first.sex, first.birth_date, first.regime) == ("F", date(2014, 2, 3), "2")
    assert (first.division, first.groups) == ("6A", ("6_LAT",))
    assert students[2].division is None  # no TYPE D: not yet assigned
    assert students[2].ine is None


def test_pre_2016_shape_nom_and_resp_legal() -> None:
    students = parse(PRE2016 / "ElevesSansAdresses.xml").students
    assert (students[0].last_name, students[0].first_name) == ("BŒUF", "Ÿvette")
    export = parse(PRE2016 / "ResponsablesAvecAdresses.xml")
    assert [p.last_name for p in export.persons] == ["BŒUF", "BŒUF", "ŠIMON"]
    # RESP_LEGAL 1 and 2 are legal representatives (level 1); 0 is a contact (level 3)
    assert [(link.person_id, link.level) for link in export.links] == [
        ("6001", 1),
        ("6002", 1),
        ("6003", 3),
    ]


def test_left_students_carry_their_date() -> None:
    body = ELEVE.format(name="X", extra="<DATE_SORTIE>14/10/2025</DATE_SORTIE>")
    assert parse(xml(body=body)).students[0].left_on == date(2025, 10, 14)


def test_an_xxe_file_is_refused() -> None:
    doctype = '<!DOCTYPE BEE_ELEVES [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    data = xml(body=ELEVE.format(name="&xxe;", extra=""), before_root=doctype)
    assert "DTD and entities are refused" in refusal(data)


def test_a_billion_laughs_file_is_refused() -> None:
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    doctype = f'<!DOCTYPE BEE_ELEVES [<!ENTITY lol0 "lol">{entities}]>\n'
    data = xml(body=ELEVE.format(name="&lol9;", extra=""), before_root=doctype)
    assert "DTD and entities are refused" in refusal(data)


def test_a_truncated_file_is_refused() -> None:
    data = (SMALL / "ElevesSansAdresses.xml").read_bytes()
    assert "truncated" in refusal(data[: len(data) // 2])


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", b"ELEVE_ID;NOM\n1;MARTIN\n", b"\x00\x01\x02"]
)
def test_a_file_that_is_not_xml_is_refused(data: bytes) -> None:
    assert "not well-formed XML" in refusal(data)


def test_an_empty_file_is_refused() -> None:
    assert refusal(b"  \n") == "ElevesSansAdresses.xml: the file is empty"


def test_a_file_over_the_size_limit_is_refused() -> None:
    data = (SMALL / "ElevesSansAdresses.xml").read_bytes()
    assert "over the size limit of 1.0 kB" in refusal(data, max_bytes=1024)


def test_a_file_with_the_wrong_root_is_refused() -> None:
    message = refusal(xml(root="BEE_EMPLOIS_DU_TEMPS"), name="sts_emp.xml")
    assert "root element <BEE_EMPLOIS_DU_TEMPS> is not a SIECLE export" in message


@pytest.mark.parametrize(
    ("options", "expected_text"),
    [
        ({"uai": "75X"}, "PARAMETRES/UAJ '75X' is not a UAI"),
        ({"year": "25"}, "ANNEE_SCOLAIRE '25' is not a year"),
        ({"exported": "2025-09-15"}, "DATE_EXPORT '2025-09-15' is not a date dd/mm/yyyy"),
    ],
)
def test_bad_parameters_are_refused(options: dict[str, str], expected_text: str) -> None:
    assert expected_text in refusal(xml(body="<ELEVES/>", **options))  # type: ignore[arg-type]


def test_a_bad_date_names_the_student() -> None:
    body = ELEVE.format(name="X", extra="<DATE_NAISS>31/02/2014</DATE_NAISS>")
    message = refusal(xml(body=body))
    assert message == (
        "ElevesSansAdresses.xml: ELEVE 1: DATE_NAISS '31/02/2014' is not a date dd/mm/yyyy"
    )


def test_a_student_twice_is_refused() -> None:
    one = '<ELEVE ELEVE_ID="7"><NOM_DE_FAMILLE>X</NOM_DE_FAMILLE></ELEVE>'
    assert "ELEVE_ID 7 appears twice" in refusal(xml(body=f"<ELEVES>{one}{one}</ELEVES>"))
