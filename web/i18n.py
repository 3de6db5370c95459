"""The panel's words in French (first) and English."""

from __future__ import annotations

from aiohttp import web

LANGUAGES = ("fr", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "app": "Absences",
        "login.title": "Connexion",
        "login.email": "Adresse électronique",
        "login.password": "Mot de passe",
        "login.submit": "Se connecter",
        "login.failed": "Adresse ou mot de passe incorrect.",
        "login.csrf": "Le formulaire a expiré : merci de réessayer.",
        "logout": "Se déconnecter",
        "home.title": "Tableau de bord",
        "home.today": "Aujourd'hui",
        "home.absent_now": "Absents aujourd'hui",
        "home.late_today": "Retards aujourd'hui",
        "home.students": "Élèves inscrits",
        "home.to_settle": "Absences à régulariser",
        "home.none": "Aucune absence saisie aujourd'hui.",
        "home.no_school": "Votre compte n'est rattaché à aucun établissement.",
        "col.student": "Élève",
        "col.division": "Classe",
        "col.kind": "Type",
        "col.from": "Début",
        "col.to": "Fin",
        "col.reason": "Motif",
        "kind.absence": "Absence",
        "kind.lateness": "Retard",
        "role": "Rôle",
        "school": "Établissement",
        "forbidden": "Vous n'avez pas accès à cet établissement.",
        "forbidden.role": "Votre rôle dans cet établissement ne donne pas accès à cette page.",
        "refused.title": "Accès refusé",
        "refused.back": "Revenir au tableau de bord",
        "nav.dashboard": "Tableau de bord",
        "nav.grid": "Saisie",
        "nav.roll_call": "Appel",
        "nav.follow_up": "Suivi",
        "nav.deliveries": "Envois",
        "nav.imports": "Imports SIECLE",
        "nav.settings": "Paramètres",
        "nav.account": "Mon compte",
    },
    "en": {
        "app": "Absences",
        "login.title": "Sign in",
        "login.email": "Email address",
        "login.password": "Password",
        "login.submit": "Sign in",
        "login.failed": "Wrong email or password.",
        "login.csrf": "The form expired: please try again.",
        "logout": "Sign out",
        "home.title": "Dashboard",
        "home.today": "Today",
        "home.absent_now": "Absent today",
        "home.late_today": "Late today",
        "home.students": "Students enrolled",
        "home.to_settle": "Absences to settle",
        "home.none": "No absence recorded today.",
        "home.no_school": "Your account belongs to no school.",
        "col.student": "Student",
        "col.division": "Class",
        "col.kind": "Kind",
        "col.from": "From",
        "col.to": "To",
        "col.reason": "Reason",
        "kind.absence": "Absence",
        "kind.lateness": "Lateness",
        "role": "Role",
        "school": "School",
        "forbidden": "You have no access to this school.",
        "forbidden.role": "Your role in this school does not give access to this page.",
        "refused.title": "Access refused",
        "refused.back": "Back to the dashboard",
        "nav.dashboard": "Dashboard",
        "nav.grid": "Entry grid",
        "nav.roll_call": "Roll call",
        "nav.follow_up": "Follow-up",
        "nav.deliveries": "Deliveries",
        "nav.imports": "SIECLE imports",
        "nav.settings": "Settings",
        "nav.account": "My account",
    },
}


def language(request: web.Request) -> str:
    """``?lang=`` first, then the ``lang`` cookie, then the browser's preference, then French."""
    for candidate in (request.query.get("lang"), request.cookies.get("lang")):
        if candidate in LANGUAGES:
            return candidate
    accept = request.headers.get("Accept-Language", "")
    if accept.lower().startswith("en"):
        return "en"
    return "fr"


def register(catalog: dict[str, dict[str, str]]) -> None:
    """Add a panel module's words (called from its ``setup``; a key may not be redefined)."""
    for lang, words in catalog.items():
        target = MESSAGES.setdefault(lang, {})
        clash = [k for k, v in words.items() if k in target and target[k] != v]
        if clash:
            raise ValueError(f"message keys defined twice: {', '.join(sorted(clash))}")
        target.update(words)


def translator(lang: str) -> dict[str, str]:
    return MESSAGES.get(lang, MESSAGES["fr"])
