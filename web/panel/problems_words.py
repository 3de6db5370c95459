"""Words of the panel's error pages: French first, English on request."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "problem.title": "Demande impossible",
        "problem.bad_input": "Cette demande contient une valeur que l'application ne peut "
        "pas lire.",
        "problem.date": "Date attendue au format AAAA-MM-JJ, entre le {first} et le {last}.",
        "problem.number": "Nombre entier attendu, entre {low} et {high}.",
        "problem.ids": "La sélection contient un identifiant qui n'existe pas.",
        "problem.search": "Recherche impossible : une date hors des années permises, "
        "une fin avant le début, un nombre trop grand ou un texte trop long.",
        "problem.internal_title": "Erreur interne",
        "problem.internal": "Une erreur inattendue s'est produite. Elle a été consignée ; "
        "merci de réessayer plus tard ou de prévenir l'administrateur.",
        "problem.back": "Revenir à l'accueil",
    },
    "en": {
        "problem.title": "Request refused",
        "problem.bad_input": "This request holds a value the application cannot read.",
        "problem.date": "A date written YYYY-MM-DD is expected, between {first} and {last}.",
        "problem.number": "A whole number is expected, between {low} and {high}.",
        "problem.ids": "The selection names an id that does not exist.",
        "problem.search": "This search cannot be run: a date outside the years allowed, an "
        "end before the start, a number too large or a text too long.",
        "problem.internal_title": "Internal error",
        "problem.internal": "An unexpected error occurred. It has been logged; please try "
        "again later or tell the administrator.",
        "problem.back": "Back to the dashboard",
    },
}
