"""The words of the account page and of the login throttling, French first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "login.throttled": (
            "Trop de tentatives de connexion échouées. Par sécurité, réessayez dans "
            "{minutes} minute(s)."
        ),
        "account.title": "Mon compte",
        "account.back": "Retour au tableau de bord",
        "account.password": "Changer le mot de passe",
        "account.current": "Mot de passe actuel",
        "account.new": "Nouveau mot de passe",
        "account.confirm": "Nouveau mot de passe (encore)",
        "account.hint": "Au moins {min} caractères. Vos autres sessions seront fermées.",
        "account.save_password": "Changer le mot de passe",
        "account.language": "Langue de l'interface",
        "account.save_language": "Enregistrer la langue",
        "account.too_short": "Le nouveau mot de passe doit contenir au moins {min} caractères.",
        "account.mismatch": "Les deux saisies du nouveau mot de passe diffèrent.",
        "account.wrong_current": "Le mot de passe actuel est incorrect.",
        "account.bad_language": "Langue inconnue.",
        "account.password_changed": "Mot de passe changé. Vos autres sessions sont fermées.",
        "account.language_changed": "Langue enregistrée.",
        "account.sessions": "Sessions ouvertes",
        "account.sessions_hint": (
            "Chaque navigateur où vous êtes connecté. Une session se ferme après {idle} min sans "
            "activité, et au plus tard {hours} h après la connexion."
        ),
        "account.session_created": "Ouverte le",
        "account.session_last": "Dernière activité",
        "account.session_address": "Adresse",
        "account.session_browser": "Navigateur",
        "account.session_this": "Cette session",
        "account.session_end": "Fermer",
        "account.session_end_label": "Fermer la session ouverte le {created}",
        "account.end_others": "Fermer toutes les autres sessions",
        "account.session_ended": "Session fermée.",
        "account.others_ended": "Les autres sessions sont fermées.",
        "account.revoke_tokens": "Révoquer aussi mes jetons d'API",
        "account.tokens": "Jetons d'API",
        "account.tokens_hint": (
            "Pour les scripts qui utilisent l'API, avec les mêmes droits que vous. Le secret "
            "n'est affiché qu'une fois, à la création."
        ),
        "account.token_made": (
            "Voici le jeton : copiez-le maintenant, il ne sera plus jamais affiché."
        ),
        "account.token_name": "Nom",
        "account.token_prefix": "Début",
        "account.token_created": "Créé le",
        "account.token_last_used": "Dernière utilisation",
        "account.token_expires": "Expire le",
        "account.token_state": "État",
        "account.token_never_used": "jamais",
        "account.token_no_expiry": "Sans expiration",
        "account.token_revoke": "Révoquer",
        "account.token_revoke_label": "Révoquer le jeton {prefix}…",
        "account.token_revoked": "Jeton révoqué.",
        "account.token_state_revoked": "Révoqué",
        "account.token_state_expired": "Expiré",
        "account.token_lifetime": "Durée de validité",
        "account.token_days": "{days} jours",
        "account.token_create": "Créer un jeton",
        "account.bad_days": "Durée de validité inconnue.",
        "account.lang.fr": "Français",
        "account.lang.en": "English",
    },
    "en": {
        "login.throttled": (
            "Too many failed sign-in attempts. For safety, try again in {minutes} minute(s)."
        ),
        "account.title": "My account",
        "account.back": "Back to the dashboard",
        "account.password": "Change the password",
        "account.current": "Current password",
        "account.new": "New password",
        "account.confirm": "New password (again)",
        "account.hint": "At least {min} characters. Your other sessions will be closed.",
        "account.save_password": "Change the password",
        "account.language": "Interface language",
        "account.save_language": "Save the language",
        "account.too_short": "The new password needs at least {min} characters.",
        "account.mismatch": "The two new passwords differ.",
        "account.wrong_current": "The current password is wrong.",
        "account.bad_language": "Unknown language.",
        "account.password_changed": "Password changed. Your other sessions are closed.",
        "account.language_changed": "Language saved.",
        "account.sessions": "Open sessions",
        "account.sessions_hint": (
            "Each browser where you are signed in. A session closes after {idle} min without "
            "activity, and at the latest {hours} h after signing in."
        ),
        "account.session_created": "Opened",
        "account.session_last": "Last activity",
        "account.session_address": "Address",
        "account.session_browser": "Browser",
        "account.session_this": "This session",
        "account.session_end": "Close",
        "account.session_end_label": "Close the session opened {created}",
        "account.end_others": "Close all other sessions",
        "account.session_ended": "Session closed.",
        "account.others_ended": "The other sessions are closed.",
        "account.revoke_tokens": "Also revoke my API tokens",
        "account.tokens": "API tokens",
        "account.tokens_hint": (
            "For scripts that use the API, with the same rights as you. The secret is shown "
            "once, when it is made."
        ),
        "account.token_made": "Here is the token: copy it now, it will never be shown again.",
        "account.token_name": "Name",
        "account.token_prefix": "Starts with",
        "account.token_created": "Created",
        "account.token_last_used": "Last used",
        "account.token_expires": "Expires",
        "account.token_state": "State",
        "account.token_never_used": "never",
        "account.token_no_expiry": "No expiry",
        "account.token_revoke": "Revoke",
        "account.token_revoke_label": "Revoke the token {prefix}…",
        "account.token_revoked": "Token revoked.",
        "account.token_state_revoked": "Revoked",
        "account.token_state_expired": "Expired",
        "account.token_lifetime": "Valid for",
        "account.token_days": "{days} days",
        "account.token_create": "Make a token",
        "account.bad_days": "Unknown validity.",
        "account.lang.fr": "Français",
        "account.lang.en": "English",
    },
}
