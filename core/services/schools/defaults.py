"""What a new school starts with: national reasons, local reasons, justification and action types.

All of it is editable by the school afterwards; these are only the starting values.
"""

from __future__ import annotations

from typing import NamedTuple


class GenericReasonSpec(NamedTuple):
    code: str
    label: str
    legitimate: bool | None  # None: judged case by case
    counts: bool


GENERIC_REASONS: tuple[GenericReasonSpec, ...] = (
    GenericReasonSpec("MALADIE", "Maladie de l'élève", True, True),
    GenericReasonSpec("RDV_MEDICAL", "Rendez-vous médical", None, True),
    GenericReasonSpec(
        "MALADIE_FAMILLE", "Maladie contagieuse d'un membre de la famille", True, True
    ),
    GenericReasonSpec("FAMILLE_SOLENNELLE", "Réunion solennelle de famille", True, True),
    GenericReasonSpec("TRANSPORT", "Difficulté accidentelle de transport", True, True),
    GenericReasonSpec("SUIVI_RESPONSABLES", "Absence temporaire des responsables", True, True),
    GenericReasonSpec("CONVOCATION", "Convocation officielle", None, True),
    GenericReasonSpec("FETE_RELIGIEUSE", "Fête religieuse", None, True),
    GenericReasonSpec("ACTIVITE_ETAB", "Activité de l'établissement", None, False),
    GenericReasonSpec("INTERNE", "Infirmerie, exclusion de cours, retenue", None, False),
    GenericReasonSpec("CONVENANCE", "Convenance personnelle", False, True),
    GenericReasonSpec("AUTRE_IRRECEVABLE", "Autre motif non recevable", False, True),
    GenericReasonSpec("INCONNU", "Motif inconnu", False, True),
    GenericReasonSpec("REFUS", "Refus de motif ou motif inexact", False, True),
)


class LocalReasonSpec(NamedTuple):
    code: str
    generic: str
    label: str
    colour: str
    parents_may_choose: bool
    for_absence: bool
    for_lateness: bool


_ABSENCE_COLOURS = {
    "MALADIE": "#4e79a7",
    "RDV_MEDICAL": "#76b7b2",
    "MALADIE_FAMILLE": "#59a14f",
    "FAMILLE_SOLENNELLE": "#b07aa1",
    "TRANSPORT": "#edc948",
    "SUIVI_RESPONSABLES": "#9c755f",
    "CONVOCATION": "#bab0ac",
    "FETE_RELIGIEUSE": "#ff9da7",
    "ACTIVITE_ETAB": "#8cd17d",
    "INTERNE": "#86bcb6",
    "CONVENANCE": "#f28e2b",
    "AUTRE_IRRECEVABLE": "#e15759",
    "INCONNU": "#d9534f",
    "REFUS": "#7f0000",
}
_PARENTS_MAY_CHOOSE = {
    "MALADIE",
    "RDV_MEDICAL",
    "MALADIE_FAMILLE",
    "FAMILLE_SOLENNELLE",
    "TRANSPORT",
    "SUIVI_RESPONSABLES",
    "CONVOCATION",
    "FETE_RELIGIEUSE",
}

LOCAL_REASONS: tuple[LocalReasonSpec, ...] = tuple(
    LocalReasonSpec(
        g.code,
        g.code,
        g.label,
        _ABSENCE_COLOURS[g.code],
        g.code in _PARENTS_MAY_CHOOSE,
        True,
        g.code in {"TRANSPORT", "INCONNU", "AUTRE_IRRECEVABLE", "CONVOCATION"},
    )
    for g in GENERIC_REASONS
)

JUSTIFICATION_TYPES: tuple[tuple[str, str, bool], ...] = (
    ("MOT_PARENTS", "Mot des responsables (papier ou en ligne)", False),
    ("CERTIFICAT_MEDICAL", "Certificat médical", False),
    ("CONVOCATION_ADMIN", "Convocation ou attestation de l'administration", False),
    ("ATTESTATION_TRANSPORT", "Attestation du transporteur", False),
    ("APPEL_TELEPHONIQUE", "Appel téléphonique (provisoire)", True),
    ("PAROLE_FAMILLE", "Parole de la famille", True),
    ("DECISION_CHEF", "Décision du chef d'établissement", False),
)

ACTION_TYPES: tuple[tuple[str, str], ...] = (
    ("APPEL", "Appel téléphonique à la famille"),
    ("ENTRETIEN", "Entretien avec la famille"),
    ("COURRIER", "Courrier à la famille"),
    ("CONVOCATION", "Convocation de la famille"),
    ("COMMISSION_EDUCATIVE", "Commission éducative"),
    ("DOCUMENT_SIGNE", "Document signé avec la famille"),
    ("SIGNALEMENT_DASEN", "Signalement au DASEN"),
)

LEGAL_ACTION_TYPES: tuple[str, ...] = (
    "ENTRETIEN",
    "COMMISSION_EDUCATIVE",
    "DOCUMENT_SIGNE",
    "SIGNALEMENT_DASEN",
)
"""The actions the legal follow-up of absenteeism records (L131-8, R131-7): the meeting with
the family, the commission éducative, the documents signed with the family (a contract, an
undertaking), the report to the DASEN."""
DASEN_REPORT = "SIGNALEMENT_DASEN"
