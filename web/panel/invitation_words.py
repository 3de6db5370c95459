"""The words of the invitation pages (``/invitations/{link}``), French first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "invitation.title": "Invitation",
        "invitation.intro": "Vous êtes invité(e) à rejoindre {school} avec le rôle {role}.",
        "invitation.email": "Adresse invitée : {email}",
        "invitation.account": "J'ai déjà un compte",
        "invitation.account_hint": "Connectez-vous avec le mot de passe de votre compte.",
        "invitation.password": "Mot de passe",
        "invitation.accept": "Accepter l'invitation",
        "invitation.new": "Je crée mon compte",
        "invitation.name": "Nom affiché",
        "invitation.new_password": "Mot de passe (au moins {min} caractères)",
        "invitation.create": "Créer mon compte et accepter",
        "invitation.wrong": "Mot de passe incorrect.",
        "invitation.exists": "Un compte existe déjà pour cette adresse : connectez-vous plutôt.",
        "invitation.short": "Le mot de passe doit contenir au moins {min} caractères.",
        "invitation.csrf": "Le formulaire a expiré : merci de réessayer.",
        "invitation.done": "C'est fait : vous avez rejoint {school}.",
        "invitation.log_in": "Se connecter",
        "invitation.unknown_title": "Invitation introuvable",
        "invitation.unknown": (
            "Ce lien ne correspond à aucune invitation. Vérifiez qu'il est complet, ou demandez "
            "une nouvelle invitation à l'administrateur de l'établissement."
        ),
        "invitation.gone_title": "Invitation plus valable",
        "invitation.gone": (
            "Cette invitation a déjà servi, a été annulée, ou a expiré. Demandez-en une nouvelle "
            "à l'administrateur de l'établissement si besoin."
        ),
    },
    "en": {
        "invitation.title": "Invitation",
        "invitation.intro": "You are invited to join {school} as {role}.",
        "invitation.email": "Invited address: {email}",
        "invitation.account": "I already have an account",
        "invitation.account_hint": "Sign in with the password of your account.",
        "invitation.password": "Password",
        "invitation.accept": "Accept the invitation",
        "invitation.new": "I create my account",
        "invitation.name": "Display name",
        "invitation.new_password": "Password (at least {min} characters)",
        "invitation.create": "Create my account and accept",
        "invitation.wrong": "Wrong password.",
        "invitation.exists": "An account already exists for this address: sign in instead.",
        "invitation.short": "The password needs at least {min} characters.",
        "invitation.csrf": "The form has expired: please try again.",
        "invitation.done": "Done: you have joined {school}.",
        "invitation.log_in": "Sign in",
        "invitation.unknown_title": "Invitation not found",
        "invitation.unknown": (
            "This link matches no invitation. Check that it is whole, or ask the school's "
            "administrator for a new invitation."
        ),
        "invitation.gone_title": "Invitation no longer valid",
        "invitation.gone": (
            "This invitation was already used, was cancelled, or has expired. Ask the school's "
            "administrator for a new one if needed."
        ),
    },
}
