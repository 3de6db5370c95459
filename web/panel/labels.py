"""Words chosen by a value: an event's kind, a delivery's status, a service's error code…

Each family maps the values a page shows to their words, written in French (the source) and
looked up in the reader's catalog, so a template says ``label("fu.kind", row.kind)`` and the
code ``label(words, "fu.kind", kind)``. The grid's script gets the family ``grid``.
"""

from __future__ import annotations

from functools import cache

from core.i18n import Words, words


def _families(w: Words) -> dict[str, dict[str, str]]:
    return {
        "account.token_state": {
            "revoked": w.gettext("Révoqué"),
            "expired": w.gettext("Expiré"),
        },
        "account.lang": {
            "fr": w.gettext("Français"),
            "en": w.gettext("English"),
        },
        "alert.kind": {
            "quota": w.gettext("Quota d'envois"),
            "template": w.gettext("Modèle de l'établissement"),
        },
        "alert.level": {
            "info": w.gettext("Information"),
            "warning": w.gettext("Attention"),
            "error": w.gettext("Urgent"),
        },
        "alert.reason": {
            "too_costly": w.gettext("trop de temps ou de mémoire"),
            "too_long": w.gettext("texte trop long"),
            "error": w.gettext("erreur du modèle"),
        },
        "dash.level": {  # the monthly letter undecided absences would call for
            "threshold": w.gettext("seuil mensuel"),
            "persistent": w.gettext("absentéisme persistant"),
        },
        "dl.col": {
            "student": w.gettext("Élève"),
            "kind": w.gettext("Avis"),
            "day": w.gettext("Jour"),
            "channel": w.gettext("Canal"),
            "to": w.pgettext("deliveries", "Destinataire"),
            "language": w.gettext("Langue"),
            "status": w.gettext("État"),
            "attempts": w.gettext("Tentatives"),
            "provider_ref": w.gettext("Référence"),
            "error": w.gettext("Erreur"),
            "updated_at": w.gettext("Mis à jour"),
        },
        "dl.fix.error": {
            "empty": w.gettext("Saisissez le bon numéro ou la bonne adresse."),
            "not_a_number": w.gettext("Ce n'est pas un numéro de téléphone valide."),
            "not_mobile": w.gettext("Ce numéro est un fixe : il ne peut pas recevoir de SMS."),
            "email": w.gettext("Ce n'est pas une adresse électronique valide."),
            "same": w.gettext("C'est déjà ce numéro, et il est utilisable."),
            "other_family": w.gettext(
                "Ce numéro ou cette adresse est déjà celui d'une autre famille de l'établissement."
            ),
            "duplicate": w.gettext("Ce responsable a déjà ce numéro ou cette adresse."),
            "refused": w.gettext(
                "La famille a refusé ce canal : elle seule peut revenir sur ce choix."
            ),
            "not_failed": w.gettext("Seul un envoi en échec peut être corrigé."),
            "no_contact": w.gettext("Cet envoi ne désigne aucune coordonnée à corriger."),
            "conflict": w.gettext("Cet avis a déjà été renvoyé."),
        },
        "dl.status": {
            "all": w.gettext("Tous"),
            "failed": w.gettext("En échec"),
            "waiting": w.gettext("En attente"),
        },
        "dl.usability": {
            "invalid": w.gettext("numéro invalide"),
            "wrong_number": w.gettext("mauvais numéro"),
            "bounced": w.gettext("adresse refusée"),
        },
        "error": {
            # a domain refusal by its code (core raises them; web.panel.refusals words them)
            "invalid": w.gettext("Cette valeur est refusée."),
            "not_found": w.gettext("Ce que vous demandez n'existe pas, ou plus."),
            "forbidden": w.gettext("Vous n'avez pas le droit de faire cela."),
            "conflict": w.gettext("Cela a changé entre-temps : rechargez la page et réessayez."),
            "unauthorized": w.gettext("Connectez-vous d'abord."),
            "token_revoked": w.gettext("Ce jeton a été révoqué."),
            "token_expired": w.gettext("Ce jeton a expiré."),
            "throttled": w.gettext("Trop d'essais de connexion : réessayez plus tard."),
            "account_exists": w.gettext(
                "Un compte existe avec cette adresse : connectez-vous plutôt."
            ),
            "action_event": w.gettext("Cet événement n'est pas un de ceux de l'élève."),
            "action_unknown": w.gettext("Type de suivi inconnu dans l'établissement."),
            "alert_key": w.gettext("Cette alerte est incomplète."),
            "alert_level": w.gettext("Niveau d'alerte inconnu."),
            "already_resent": w.gettext("Cet avis a déjà été renvoyé."),
            "assigned": w.gettext("Cette réponse est déjà rattachée à un établissement."),
            "bad_document": w.gettext("Seuls une photo (JPEG, PNG) ou un PDF sont acceptés."),
            "bad_id": w.gettext("La sélection contient un identifiant qui n'existe pas."),
            "channel": w.gettext("Un code s'envoie par SMS, par courriel ou par courrier."),
            "closed_exists": w.gettext("Ce jour (ou cette demi-journée) est déjà fermé."),
            "code_format": w.gettext(
                "Code : lettres majuscules, chiffres et _ seulement (30 au plus)."
            ),
            "code_taken": w.gettext("Ce code est déjà utilisé dans l'établissement."),
            "colour": w.gettext("Couleur attendue au format #rrggbb."),
            "comment_too_long": w.gettext("Le commentaire compte au plus {most} caractères."),
            "convoked": w.gettext("La famille est déjà convoquée à cette heure-là."),
            "counts_boolean": w.gettext("« Compte » vaut oui ou non."),
            "credentials": w.gettext("Adresse ou mot de passe incorrect."),
            "days": w.gettext("Un jeton dure de 1 à 365 jours."),
            "decided": w.gettext("Cette réponse a déjà été traitée."),
            "display_name": w.gettext("Le nom compte au plus {most} caractères."),
            "division_set_divisions": w.gettext(
                "Choisissez parmi les classes actives de l'établissement."
            ),
            "division_set_empty": w.gettext("Choisissez au moins une classe."),
            "division_set_exists": w.gettext("Un groupe de classes porte déjà ce nom."),
            "division_set_name": w.gettext(
                "Donnez un nom au groupe de classes (120 caractères au plus)."
            ),
            "duplicate": w.gettext("Ce responsable a déjà ce numéro ou cette adresse."),
            "email": w.gettext("Adresse électronique invalide."),
            "empty": w.gettext("Ce champ ne peut pas être vide."),
            "end_before_start": w.gettext("La fin doit venir après le début."),
            "ended": w.gettext("Cette liaison est déjà arrêtée."),
            "event_already_cancelled": w.gettext(
                "Cet événement est déjà marqué comme saisi par erreur."
            ),
            "event_cancelled": w.gettext("Cet événement a été marqué comme saisi par erreur."),
            "event_changed": w.gettext(
                "Cet événement a été modifié entre-temps : rechargez la page et réessayez."
            ),
            "generic_unknown": w.gettext("Choisissez un motif national."),
            "guardian_required": w.gettext("Choisissez le responsable qui a écrit."),
            "half": w.gettext("Période inconnue : journée, matin ou après-midi."),
            "holiday_zone": w.gettext(
                "Choisissez la zone A, B, C, Corse ou une académie d'outre-mer."
            ),
            "holidays_year": w.gettext(
                "Le calendrier des vacances de cette année n'est pas connu."
            ),
            "invitation_gone": w.gettext("Cette invitation a déjà servi, été annulée ou expiré."),
            "invitation_pending": w.gettext(
                "Une invitation attend déjà cette adresse : renvoyez-la ou annulez-la."
            ),
            "justification_unknown": w.gettext(
                "Type de justificatif inconnu dans l'établissement."
            ),
            "kind_required": w.gettext("Indiquez s'il s'agit d'une absence ou d'un retard."),
            "label": w.gettext("Le libellé doit compter de 1 à 120 caractères."),
            "landline": w.gettext("Ce numéro est un fixe : il ne peut pas recevoir de SMS."),
            "language": w.gettext("Langue inconnue."),
            "last_admin": w.gettext("L'établissement doit garder au moins un administrateur."),
            "lesson_not_started": w.gettext(
                "Le cours n'a pas encore commencé : l'appel se fait à partir de son début."
            ),
            "lesson_not_that_day": w.gettext("Ce cours n'a pas lieu ce jour-là."),
            "lesson_times": w.gettext(
                "Les horaires ne conviennent pas : un cours finit après avoir commencé, le même "
                "jour."
            ),
            "lesson_teacher": w.gettext(
                "Cet enseignant ne fait pas partie du personnel de l'établissement."
            ),
            "lesson_overlap": w.gettext(
                "L'enseignant a déjà un cours à {start} ce jour-là ({day}) : choisissez un autre "
                "horaire ou un autre enseignant."
            ),
            "lesson_has_roll_calls": w.gettext(
                "L'appel de ce cours a déjà été fait le {day} ou après : ce qui est passé reste "
                "tel quel. Choisissez un jour après le dernier appel."
            ),
            "lesson_subject": w.gettext("Indiquez la matière du cours."),
            "lesson_students": w.gettext("Un cours est celui d'une classe ou d'un groupe."),
            "letter_mark": w.gettext("Action inconnue pour un courrier."),
            "letter_missing": w.gettext("Un courrier manque et n'a pas pu être refait."),
            "letter_not_ready": w.gettext("Un courrier n'est pas encore mis en page."),
            "letter_unreadable": w.gettext("Un courrier ne peut pas être lu."),
            "letters_choose": w.gettext("Choisissez un jour ou des courriers."),
            "letters_merge": w.gettext("Les courriers n'ont pas pu être assemblés."),
            "letters_none": w.gettext("Choisissez au moins un courrier."),
            "letters_too_many": w.gettext("Au plus {most} courriers à la fois."),
            "logo": w.gettext("Logo refusé : une image PNG ou JPEG de 200 Ko au plus."),
            "meeting_far": w.gettext("Le rendez-vous doit avoir lieu dans l'année qui vient."),
            "meeting_past": w.gettext("Le rendez-vous doit être dans le futur."),
            "meeting_time": w.gettext("Date et heure du rendez-vous invalides."),
            "member_exists": w.gettext("Cette personne a déjà un rôle dans l'établissement."),
            "no_bot": w.gettext("Le bot Telegram n'est pas configuré."),
            "no_contact": w.gettext("Aucune coordonnée utilisable pour cet envoi."),
            "no_family": w.gettext("Cette réponse n'est rattachée à aucune famille."),
            "no_lesson": w.gettext("L'absence ne couvre aucun cours de l'emploi du temps."),
            "not_a_letter": w.gettext("Un des envois choisis n'est pas un courrier."),
            "not_a_number": w.gettext("Ce n'est pas un numéro de téléphone valide."),
            "not_failed": w.gettext("Seul un envoi en échec peut être corrigé."),
            "not_linked": w.gettext("Cette discussion ne suit pas ce responsable."),
            "not_mobile": w.gettext("Ce numéro est un fixe : il ne peut pas recevoir de SMS."),
            "not_resendable": w.gettext("Seul un envoi en échec ou non remis peut être renvoyé."),
            "not_the_teacher": w.gettext("Seul le professeur du cours fait son appel."),
            "not_their_child": w.gettext("Cet élève n'est pas un enfant de ce responsable."),
            "opted_out": w.gettext("Ce numéro ne reçoit plus de SMS (STOP ou inutilisable)."),
            "other_family": w.gettext(
                "Ce numéro ou cette adresse est déjà celui d'une autre famille de l'établissement."
            ),
            "overlap": w.gettext(
                "Cet événement en chevauche un autre du même élève : modifiez plutôt celui-ci."
            ),
            "password_short": w.gettext(
                "Le mot de passe doit contenir au moins {least} caractères."
            ),
            "password_wrong": w.gettext("Le mot de passe actuel est incorrect."),
            "persistent_below_monthly": w.gettext(
                "Le seuil persistant ne peut être inférieur au seuil mensuel."
            ),
            "reason_kind": w.gettext("Un motif sert aux absences, aux retards, ou aux deux."),
            "reason_not_for_lateness": w.gettext("Ce motif ne s'applique pas aux retards."),
            "reason_only_for_lateness": w.gettext("Ce motif ne s'applique qu'aux retards."),
            "reason_required": w.gettext("Choisissez le motif donné par la famille."),
            "reason_unknown": w.gettext("Motif inconnu dans l'établissement."),
            "refused": w.gettext(
                "La famille a refusé ce canal : elle seule peut revenir sur ce choix."
            ),
            "reply_to": w.gettext("L'adresse de réponse n'est pas une adresse électronique."),
            "required": w.gettext("Indiquez le lieu et avec qui a lieu le rendez-vous."),
            "role": w.gettext("Rôle inconnu."),
            "roll_marks": w.gettext(
                "L'appel doit nommer chaque élève du cours une fois : rechargez la page."
            ),
            "roll_mark": w.gettext("Choisissez présent, absent, en retard ou parti."),
            "roll_time_for": w.gettext("Indiquez l'heure pour {name}."),
            "roll_time_needed": w.gettext("Indiquez l'heure d'arrivée de chaque élève en retard."),
            "roll_time_outside": w.gettext("Une heure d'arrivée tombe en dehors du cours."),
            "same": w.gettext("C'est déjà ce numéro, et il est utilisable."),
            "sandbox": w.gettext("Le modèle a échoué à l'essai avec les valeurs d'exemple."),
            "school_closed": w.gettext("L'établissement est fermé ce jour-là."),
            "school_exists": w.gettext("Cet établissement existe déjà."),
            "search_columns": w.gettext("Une colonne choisie n'existe pas."),
            "search_name": w.gettext("Donnez un nom à la recherche."),
            "search_name_long": w.gettext(
                "Le nom d'une recherche compte au plus {most} caractères."
            ),
            "search_staff": w.gettext("Seul le personnel enregistre des recherches."),
            "siecle": w.gettext(
                "Ces fichiers ne forment pas un export SIECLE lisible et complet : envoyez "
                "ElevesSansAdresses.xml (et les autres fichiers de l'export) ou le zip de "
                "l'export, tels que SIECLE les donne."
            ),
            "siecle_communs": w.gettext(
                "Pour créer l'établissement {uai}, joignez Communs.xml à l'export."
            ),
            "siecle_other_school": w.gettext(
                "Cet export est celui de l'établissement {uai}, pas de {school}."
            ),
            "siecle_next_year": w.gettext(
                "Cet export est de l'année {year} : commencez d'abord la nouvelle année "
                "(Paramètres › Année scolaire)."
            ),
            "siecle_year": w.gettext(
                "Cet export est de l'année {year}, pas de l'année en cours ({current}) : "
                "cochez « Accepter une autre année scolaire » pour l'importer quand même."
            ),
            "slot_order": w.gettext("Le début du créneau doit précéder sa fin."),
            "slot_overlap": w.gettext("Ce créneau chevauche un autre créneau du même jour."),
            "slots_refused": w.gettext("Rien n'a été enregistré : corrigez les créneaux signalés."),
            "sms_sender": w.gettext(
                "Expéditeur SMS : un numéro, ou un nom de 3 à 11 lettres et chiffres."
            ),
            "start_required": w.gettext("Le début est obligatoire."),
            "arrival_outside_lesson": w.gettext(
                "L'heure d'arrivée doit tomber pendant le cours de ce créneau."
            ),
            "arrival_outside_absence": w.gettext(
                "L'heure d'arrivée doit tomber pendant l'absence, après son début."
            ),
            "not_an_absence": w.gettext("Seule une absence peut devenir un retard."),
            "timetable": w.gettext(
                "Ces fichiers ne forment pas un emploi du temps lisible : il faut les exports de "
                "STS-Web (sts_emp) et du logiciel d'emploi du temps (emp_sts) de l'établissement."
            ),
            "timetable_other_school": w.gettext(
                "Cet emploi du temps est celui de l'établissement {uai}, pas de {school}."
            ),
            "timetable_next_year": w.gettext(
                "Cet emploi du temps est de l'année {year} : commencez d'abord la nouvelle année "
                "(Paramètres › Année scolaire), puis importez son export SIECLE."
            ),
            "timetable_year": w.gettext(
                "Cet emploi du temps est de l'année {year}, pas de l'année en cours ({current}) : "
                "cochez « Accepter une autre année scolaire » pour l'importer quand même."
            ),
            "timetable_no_school": w.gettext(
                "L'établissement {uai} n'existe pas encore : importez d'abord son export SIECLE "
                "(élèves et structures), puis son emploi du temps."
            ),
            "import_internal": w.gettext(
                "L'import s'est arrêté sur une erreur de l'application, consignée pour l'équipe "
                "technique : rien n'a été modifié."
            ),
            "household_failed": w.gettext(
                "Les courriers d'un même foyer n'ont pas pu être réunis en un seul : vérifiez "
                "l'adresse de la famille."
            ),
            "letterhead_field": w.gettext("Ce champ des courriers n'existe pas."),
            "letterhead_long": w.gettext(
                "Chaque champ des courriers tient en 80 caractères au plus."
            ),
            "letterhead_phone": w.gettext(
                "Téléphone : un numéro de téléphone est attendu, par exemple 01 23 45 67 89."
            ),
            "no_user": w.gettext("Aucun compte ne porte cette adresse."),
            "not_operator": w.gettext(
                "Seuls les exploitants de l'installation créent des établissements."
            ),
            "period_count": w.gettext("Une année compte au plus {most} périodes."),
            "period_dates": w.gettext("La période « {name} » finit avant de commencer."),
            "period_name": w.gettext("Donnez un nom à chaque période ({most} caractères au plus)."),
            "period_name_repeated": w.gettext("Deux périodes s'appellent « {name} »."),
            "period_order": w.gettext(
                "La période « {name} » commence avant « {previous} » : donnez-les dans l'ordre."
            ),
            "period_outside": w.gettext(
                "La période « {name} » doit tenir dans l'année scolaire, du {first} au {last}."
            ),
            "period_overlap": w.gettext("La période « {name} » chevauche « {previous} »."),
            "period_unknown": w.gettext("Cette période n'existe pas dans l'établissement."),
            "stats_range_missing": w.gettext(
                "Pour une période libre, indiquez la date de début et la date de fin."
            ),
            "stats_range_reversed": w.gettext(
                "La date de fin de la période est antérieure à sa date de début."
            ),
            "stats_range_long": w.gettext(
                "La période demandée est trop longue : {most} jours au plus."
            ),
            "stats_date": w.gettext("Date invalide : indiquez-la sous la forme AAAA-MM-JJ."),
            "stats_period": w.gettext("Cette période n'est pas proposée."),
            "stats_scope": w.gettext(
                "Choisissez l'établissement, une classe, un groupe de classes, un groupe "
                "d'élèves, un niveau ou un élève."
            ),
            "stats_division": w.gettext("Cette classe n'existe pas dans l'établissement."),
            "stats_division_set": w.gettext(
                "Ce groupe de classes n'existe pas dans l'établissement."
            ),
            "stats_group": w.gettext("Ce groupe d'élèves n'existe pas dans l'établissement."),
            "stats_level": w.gettext("Ce niveau n'existe pas dans l'établissement."),
            "stats_student": w.gettext("Cet élève n'est pas de l'établissement."),
            "stats_kind": w.gettext("Choisissez les absences ou les retards."),
            "stats_report_division": w.gettext(
                "Le rapport pour le conseil de classe porte sur une classe : choisissez-la."
            ),
            "school_name": w.gettext("Donnez le nom de l'établissement (200 caractères au plus)."),
            "subject": w.gettext(
                "Seul un courriel a un objet, sur une ligne de 200 caractères au plus."
            ),
            "syntax": w.gettext("Erreur de syntaxe dans un champ de fusion."),
            "template_changed": w.gettext("Le modèle a été modifié entre-temps : réessayez."),
            "time_zone_offset": w.gettext("L'heure doit indiquer son fuseau horaire."),
            "too_large": w.gettext("Le document est trop lourd."),
            "too_long": w.gettext("Le texte est trop long."),
            "too_many": w.gettext("Trop d'essais ou d'éléments à la fois."),
            "uai": w.gettext("UAI attendu : 7 chiffres et une lettre, par exemple 0751234X."),
            "unknown_channel": w.gettext("Canal inconnu."),
            "unknown_code": w.gettext("Ce code a déjà servi, a expiré ou n'existe pas."),
            "unknown_event": w.gettext("Cette absence n'est pas une de celles de la famille."),
            "unknown_field": w.gettext("Ce champ de fusion n'existe pas pour cet avis."),
            "unknown_guardian": w.gettext("Ce responsable n'existe pas, ou plus."),
            "unknown_language": w.gettext("Langue inconnue."),
            "unknown_reason": w.gettext("Ce motif ne peut pas être donné par une famille."),
            "unknown_variable": w.gettext("Ce champ de fusion n'existe pas pour cet avis."),
            "unreachable": w.gettext(
                "Aucun responsable de l'élève ne peut être joint : vérifiez ses coordonnées."
            ),
            "unsafe": w.gettext("Construction interdite dans un modèle."),
            "month_invalid": w.gettext("Mois invalide : indiquez-le sous la forme AAAA-MM."),
            "as_of_invalid": w.gettext(
                "Date de situation invalide : indiquez-la sous la forme AAAA-MM-JJ."
            ),
            "unusable": w.gettext(
                "Ce numéro ou cette adresse est marqué inutilisable : corrigez-le d'abord."
            ),
            "watch_folder": w.gettext("Le dossier surveillé des exports SIECLE n'existe pas."),
            "weekday": w.gettext("Jour inconnu."),
            "year_closed": w.gettext(
                "L'année scolaire {year} est close : ses absences, avis, courriers et réponses "
                "se consultent toujours, mais ne se modifient plus."
            ),
            "year_not_next": w.gettext(
                "Seule l'année qui suit l'année en cours ({current}) peut commencer, pas {year}."
            ),
            "year_running": w.gettext(
                "L'année {year} n'est pas finie : la suivante peut commencer après son dernier "
                "jour de cours, le {last}."
            ),
        },
        "error.field": {
            # the fields a form or a script may send, by the name a validation problem gives
            "body": w.gettext("La demande"),
            "settings": w.gettext("Les réglages"),
            "criteria": w.gettext("La recherche"),
            "student_id": w.gettext("Élève"),
            "student": w.gettext("Élève"),
            "kind": w.gettext("Type"),
            "start": w.gettext("Début"),
            "end": w.gettext("Fin"),
            "reason": w.gettext("Motif"),
            "justification": w.gettext("Justificatif"),
            "accepted": w.gettext("Justifiée"),
            "settled": w.gettext("Régularisée"),
            "counts": w.gettext("Compte"),
            "comment": w.gettext("Commentaire"),
            "version": w.gettext("Version"),
            "division": w.gettext("Classe"),
            "group": w.gettext("Groupe"),
            "division_set": w.gettext("Classes"),
            "date_from": w.gettext("Du"),
            "date_to": w.gettext("Au"),
            "kinds": w.gettext("Types"),
            "reasons": w.gettext("Motifs"),
            "states": w.gettext("États"),
            "sort": w.gettext("Tri"),
            "limit": w.gettext("Nombre de lignes"),
            "offset": w.gettext("Position dans la liste"),
            "name": w.gettext("Nom"),
            "timezone": w.gettext("Fuseau horaire"),
            "midday": w.gettext("Milieu de journée"),
            "midday_tolerance_minutes": w.gettext("Dépassement de midi toléré (minutes)"),
            "counting_mode": w.gettext("Décompte"),
            "lateness_threshold_minutes": w.gettext("Seuil de retard (minutes)"),
            "notice_delay_minutes": w.gettext("Délai avant l'avis (minutes)"),
            "notify_lateness": w.gettext("Avis des retards"),
            "late_notice_days": w.gettext("Absences saisies après coup"),
            "arrival": w.gettext("Heure d'arrivée"),
            "quiet_hours": w.gettext("Heures de silence"),
            "sundays": w.gettext("Silence le dimanche"),
            "channel_order": w.gettext("Ordre des canaux"),
            "absence_threshold_half_days": w.gettext("Seuil mensuel (demi-journées)"),
            "persistent_threshold_half_days": w.gettext("Seuil persistant (demi-journées)"),
            "sms_monthly_quota": w.gettext("Quota mensuel de SMS"),
            "call_monthly_quota": w.gettext("Quota mensuel d'appels"),
            "quota_alert_percent": w.gettext("Alerte de quota (%)"),
            "reminder_after_days": w.gettext("Relance après (jours)"),
            "weekly_summary": w.gettext("Récapitulatif hebdomadaire"),
            "holiday_zone": w.gettext("Zone de vacances"),
            "language": w.gettext("Langue"),
            "teachers_see_reasons": w.gettext("Motifs visibles des professeurs"),
            "reply_to": w.gettext("Adresse de réponse"),
            "sms_sender": w.gettext("Expéditeur SMS"),
            "retention_years": w.gettext("Années gardées"),
        },
        "error.kind": {
            # a validation problem's kind, with the field's words as {field}
            "missing": w.gettext("{field} : ce champ est obligatoire."),
            "extra_forbidden": w.gettext("{field} : ce champ n'est pas attendu ici."),
            "null": w.gettext("{field} : ce champ est obligatoire."),
            "string_too_long": w.gettext("{field} : au plus {max_length} caractères."),
            "string_too_short": w.gettext("{field} : au moins {min_length} caractère(s)."),
            "too_long": w.gettext("{field} : au plus {max_length} éléments."),
            "too_short": w.gettext("{field} : au moins {min_length} élément(s)."),
            "greater_than_equal": w.gettext("{field} : nombre attendu, au moins {ge}."),
            "less_than_equal": w.gettext("{field} : nombre attendu, au plus {le}."),
            "greater_than": w.gettext("{field} : nombre attendu, plus grand que {gt}."),
            "less_than": w.gettext("{field} : nombre attendu, plus petit que {lt}."),
            "int_parsing": w.gettext("{field} : nombre entier attendu."),
            "int_type": w.gettext("{field} : nombre entier attendu."),
            "int_from_float": w.gettext("{field} : nombre entier attendu."),
            "bool_parsing": w.gettext("{field} : oui ou non attendu."),
            "bool_type": w.gettext("{field} : oui ou non attendu."),
            "date_from_datetime_parsing": w.gettext("{field} : date attendue (AAAA-MM-JJ)."),
            "date_parsing": w.gettext("{field} : date attendue (AAAA-MM-JJ)."),
            "date_type": w.gettext("{field} : date attendue (AAAA-MM-JJ)."),
            "datetime_parsing": w.gettext("{field} : date et heure attendues."),
            "datetime_from_date_parsing": w.gettext("{field} : date et heure attendues."),
            "datetime_type": w.gettext("{field} : date et heure attendues."),
            "timezone_aware": w.gettext("{field} : l'heure doit indiquer son fuseau horaire."),
            "enum": w.gettext("{field} : choisissez une des valeurs proposées."),
            "literal_error": w.gettext("{field} : choisissez une des valeurs proposées."),
            "string_type": w.gettext("{field} : texte attendu."),
            "list_type": w.gettext("{field} : liste attendue."),
            "dict_type": w.gettext("{field} : valeurs attendues."),
            "model_type": w.gettext("{field} : valeurs attendues."),
            "model_attributes_type": w.gettext("{field} : valeurs attendues."),
            "string_pattern_mismatch": w.gettext("{field} : valeur mal formée."),
            "end_before_start": w.gettext("La fin de la période vient avant son début."),
            "time_zone": w.gettext("{field} : fuseau horaire inconnu (par exemple Europe/Paris)."),
            "time_hhmm": w.gettext("{field} : heure attendue au format HH:MM."),
            "channels_repeat": w.gettext("{field} : un canal ne peut avoir qu'un rang."),
            "quiet_equal": w.gettext(
                "{field} : le début et la fin doivent différer (sinon, aucune heure de silence)."
            ),
            "reply_to": w.gettext("{field} : adresse électronique attendue."),
            "sms_sender": w.gettext(
                "{field} : un numéro, ou un nom de 3 à 11 lettres et chiffres."
            ),
            "holiday_zone": w.gettext(
                "{field} : choisissez la zone A, B, C, Corse ou une académie d'outre-mer."
            ),
            "value_error": w.gettext("{field} : valeur refusée."),
        },
        "file.alert": {
            "none": "",
            "threshold": w.gettext("Seuil atteint"),
            "persistent": w.gettext("Absentéisme persistant"),
        },
        "file.channel": {
            "chat": w.gettext("Messagerie"),
            "sms": w.gettext("SMS"),
            "call": w.gettext("Appel automatisé"),
            "email": w.gettext("Courriel"),
            "letter": w.gettext("Courrier"),
        },
        "file.contact": {
            "mobile": w.gettext("Portable"),
            "landline": w.gettext("Fixe"),
            "email": w.gettext("Courriel"),
            "postal": w.gettext("Adresse"),
            "chat": w.gettext("Messagerie"),
        },
        "file.convoke.error": {
            "meeting_time": w.gettext("Date et heure du rendez-vous invalides."),
            "meeting_past": w.gettext("Le rendez-vous doit être dans le futur."),
            "meeting_far": w.gettext("Le rendez-vous doit avoir lieu dans l'année qui vient."),
            "required": w.gettext("Indiquez le lieu et avec qui a lieu le rendez-vous."),
            "too_long": w.gettext("Un des champs est trop long."),
            "unreachable": w.gettext(
                "Aucun responsable de l'élève ne peut être joint : vérifiez ses coordonnées."
            ),
            "convoked": w.gettext("La famille est déjà convoquée à cette heure-là."),
        },
        "file.chat.error": {
            "unknown_code": w.gettext(
                "Ce code a déjà servi ou a expiré : demandez un nouveau code Telegram."
            ),
            "no_contact": w.gettext(
                "Ce responsable n'a pas de coordonnée utilisable pour cet envoi."
            ),
            "no_bot": w.gettext("Le bot Telegram n'est pas configuré."),
            "channel": w.gettext("Un code s'envoie par SMS, par courriel ou par courrier."),
            "ended": w.gettext("Cette liaison est déjà arrêtée."),
        },
        "file.chat.ended": {
            "stop": w.gettext("arrêtée par la famille"),
            "staff": w.gettext("arrêtée par l'établissement"),
            "blocked": w.gettext("bot bloqué par la famille"),
            "relinked": w.gettext("remplacée"),
        },
        "file.regime": {  # SIECLE's CODE_REGIME (the national list of school régimes)
            "0": w.gettext("Externe libre"),
            "1": w.gettext("Externe surveillé"),
            "2": w.gettext("Demi-pensionnaire"),
            "3": w.gettext("Interne"),
            "4": w.gettext("Interne externé"),
            "5": w.gettext("Interne hébergé"),
            "6": w.gettext("Demi-pensionnaire hors de l'établissement"),
        },
        "file.level": {
            "1": w.gettext("Représentant légal"),
            "2": w.gettext("Personne en charge"),
            "3": w.gettext("Contact"),
        },
        "file.mode": {
            "raw": w.gettext("brutes"),
            "complete": w.gettext("complètes"),
            "proportional": w.gettext("au prorata"),
        },
        "file.notice": {
            "absence": w.gettext("Absence"),
            "lateness": w.gettext("Retard"),
            "reminder": w.gettext("Relance"),
            "threshold": w.gettext("Seuil de demi-journées atteint"),
            "persistent": w.gettext("Absentéisme persistant"),
            "weekly_summary": w.gettext("Récapitulatif de la semaine"),
            "convocation": w.pgettext("student file", "Convocation"),
            "answer": w.gettext("Réponse à une famille"),
            "thanks": w.gettext("Accusé de réception d'une réponse"),
            "chat_code": w.gettext("Code Telegram d'un responsable"),
        },
        "file.reply": {
            "pending": w.gettext("à valider"),
            "accepted": w.gettext("acceptée"),
            "rejected": w.gettext("refusée"),
            "unmatched": w.gettext("non rattachée"),
            "opt_out": w.gettext("désinscription"),
            "acknowledged": w.gettext("prise en compte"),
            "received": w.gettext("en cours de lecture"),
        },
        "file.status": {
            "pending": w.pgettext("student file", "en cours"),
            "done": w.gettext("remis"),
            "scheduled": w.gettext("programmé"),
            "sending": w.gettext("en cours d'envoi"),
            "sent": w.gettext("envoyé"),
            "delivered": w.gettext("remis"),
            "undelivered": w.gettext("non remis"),
            "failed": w.gettext("échec"),
            "expired": w.gettext("expiré"),
            "cancelled": w.gettext("annulé"),
        },
        "file.usability": {
            "ok": w.gettext("utilisable"),
            "invalid": w.gettext("invalide"),
            "wrong_number": w.gettext("mauvais numéro"),
            "opted_out": w.gettext("désinscrit (STOP)"),
            "bounced": w.gettext("rejeté"),
            "blocked": w.gettext("bloqué"),
        },
        "fu.col": {
            "student": w.gettext("Élève"),
            "division": w.gettext("Classe"),
            "kind": w.gettext("Type"),
            "from": w.gettext("Début"),
            "to": w.gettext("Fin"),
            "reason": w.gettext("Motif"),
            "justification": w.gettext("Justificatif"),
            "recorded_by": w.gettext("Saisi par"),
            "source": w.gettext("Origine"),
            "comment": w.gettext("Commentaire"),
            "accepted": w.gettext("Justifiée"),
            "settled": w.gettext("Régularisée"),
            "counts": w.gettext("Comptée"),
            "notices": w.pgettext("follow-up", "Avis"),
            "guardian_phone": w.gettext("Téléphone du responsable"),
        },
        "fu.kind": {
            "absence": w.gettext("Absence"),
            "lateness": w.gettext("Retard"),
            "early_departure": w.gettext("Départ anticipé"),
            "left_class": w.gettext("Sortie de cours"),
            "infirmary": w.gettext("Infirmerie"),
            "exemption": w.gettext("Dispense"),
            "exclusion": w.gettext("Exclusion de cours"),
        },
        "fu.sort": {
            "-start": w.gettext("Plus récentes d'abord"),
            "start": w.gettext("Plus anciennes d'abord"),
            "student": w.gettext("Élève"),
            "division": w.gettext("Classe"),
        },
        "fu.source": {
            "desk": w.gettext("Vie scolaire"),
            "roll_call": w.gettext("Appel"),
            "api": w.gettext("API"),
            "family_notice": w.gettext("Prévenu par la famille"),
            "family_reply": w.gettext("Réponse de la famille"),
            "import": w.gettext("Import"),
            "demo": w.gettext("Démo"),
        },
        "fu.state": {
            "to_settle": w.gettext("À régulariser"),
            "not_justified": w.gettext("Non justifiées"),
            "justified": w.gettext("Justifiées"),
        },
        "grid": {
            "title": w.gettext("Saisie des absences"),
            "target": w.gettext("Classe, groupe ou groupe de classes"),
            "divisions": w.gettext("Classes"),
            "groups": w.gettext("Groupes"),
            "sets": w.gettext("Groupes de classes"),
            "date": w.gettext("Date"),
            "view": w.gettext("Affichage"),
            "view.day": w.gettext("Jour"),
            "view.week": w.gettext("Semaine"),
            "show": w.gettext("Afficher"),
            "prev.day": w.gettext("← Jour précédent"),
            "next.day": w.gettext("Jour suivant →"),
            "prev.week": w.gettext("← Semaine précédente"),
            "next.week": w.gettext("Semaine suivante →"),
            "today": w.gettext("Aujourd'hui"),
            "help": w.gettext(
                "En mode retard, un clic sur une demi-période enregistre un "
                "retard, arrivée à l'heure indiquée ou, sans heure, maintenant "
                "pendant la demi-période, sinon à son début. En mode absence, "
                "un clic sélectionne le début (case entourée) ; cliquez la même "
                "case pour une absence sur cette demi-période, ou une autre "
                "case de la même ligne, même d'un autre créneau ou d'un autre "
                "jour, pour une absence jusqu'à la fin de celle-ci. Échap "
                "annule la sélection. Un clic sur une saisie existante ouvre "
                "son détail. Au clavier : les flèches déplacent, Entrée ou "
                "Espace agit comme un clic."
            ),
            "readonly": w.gettext("Lecture seule : votre rôle ne permet pas de saisir."),
            "no_students": w.gettext("Aucun élève à afficher."),
            "no_slots": w.gettext("Pas de créneau dans l'emploi du temps pour cette période."),
            "student": w.gettext("Élève"),
            "week_of": w.gettext("semaine du"),
            "armed": w.gettext(
                "Début sélectionné : {cell}. Même case : absence sur cette "
                "demi-période ; autre case de la ligne : fin de l'absence ; "
                "Échap : annuler."
            ),
            "cancelled": w.gettext("Sélection annulée."),
            "saved.lateness": w.gettext("Retard enregistré : {cell}, arrivée à {time}."),
            "saved.arrival": w.gettext("Arrivée enregistrée : {label}."),
            "saved.absence": w.gettext("Absence enregistrée."),
            "saved": w.gettext("Modifications enregistrées."),
            "deleted": w.gettext("Saisie marquée comme erronée."),
            "closed": w.gettext("L'établissement est fermé sur cette demi-journée."),
            "conflict": w.gettext(
                "Cette saisie a été modifiée entre-temps : le détail a été "
                "rechargé, vérifiez puis enregistrez à nouveau."
            ),
            "failed": w.gettext("Échec de l'enregistrement :"),
            "mark.absence": w.gettext("A"),
            "mark.lateness": w.gettext("R"),
            "mark.other": w.gettext("•"),
            "kind.absence": w.gettext("Absence"),
            "kind.lateness": w.gettext("Retard"),
            "kind.early_departure": w.gettext("Départ anticipé"),
            "kind.left_class": w.gettext("Sortie de cours"),
            "kind.infirmary": w.gettext("Infirmerie"),
            "kind.exemption": w.gettext("Dispense"),
            "kind.exclusion": w.pgettext("entry grid", "Exclusion de cours"),
            "dialog.reason": w.gettext("Motif"),
            "dialog.none": w.gettext("— aucun —"),
            "dialog.justification": w.gettext("Justificatif"),
            "dialog.classification": w.gettext("Classement"),
            "dialog.accepted": w.gettext("Justifiée"),
            "dialog.rejected": w.gettext("Non justifiée"),
            "dialog.undecided": w.gettext("À décider"),
            "dialog.settled": w.gettext("Régularisée (justificatif écrit reçu)"),
            "dialog.counts": w.gettext("Compte dans les absences"),
            "dialog.comment": w.gettext("Commentaire"),
            "dialog.save": w.gettext("Enregistrer"),
            "dialog.delete": w.gettext("Saisie erronée"),
            "dialog.confirm_delete": w.gettext("Confirmer : saisie erronée"),
            "dialog.close": w.gettext("Fermer"),
            "dialog.history": w.gettext("Historique"),
            "dialog.notices": w.gettext("Avis aux familles"),
            "dialog.no_notice": w.gettext("Aucun avis pour l'instant."),
            "dialog.recorded": w.gettext("Saisi par {who} le {when} ({source})."),
            "dialog.until": w.gettext("jusqu'à"),
            "audit.event.record": w.pgettext("history", "Saisie"),
            "audit.event.correct": w.gettext("Correction"),
            "audit.event.delete": w.gettext("Saisie erronée"),
            "source.desk": w.gettext("vie scolaire"),
            "source.roll_call": w.gettext("appel"),
            "source.api": w.gettext("API"),
            "source.family_notice": w.gettext("prévenu par la famille"),
            "source.family_reply": w.gettext("réponse de la famille"),
            "source.import": w.gettext("import"),
            "source.demo": w.gettext("démo"),
        },
        "grid.audit": {
            "event.record": w.pgettext("history", "Saisie"),
            "event.correct": w.gettext("Correction"),
            "event.delete": w.gettext("Saisie erronée"),
        },
        "grid.field": {
            "kind": w.gettext("Type"),
            "starts_at": w.gettext("Début"),
            "ends_at": w.gettext("Fin"),
            "reason_id": w.gettext("Motif"),
            "justification_id": w.gettext("Justificatif"),
            "accepted": w.gettext("Justifiée"),
            "settled": w.gettext("Régularisée"),
            "counts": w.gettext("Comptée"),
            "comment": w.gettext("Commentaire"),
            "deleted": w.gettext("Saisie erronée"),
        },
        "grid.state": {  # a state an event's change sets, said as the state it is now in
            "accepted.True": w.gettext("Justifiée"),
            "accepted.False": w.gettext("Non justifiée"),
            "settled.True": w.gettext("Régularisée"),
            "settled.False": w.gettext("Non régularisée"),
            "counts.True": w.gettext("Comptée"),
            "counts.False": w.gettext("Ne compte pas"),
            "deleted.True": w.gettext("Saisie erronée"),
            "deleted.False": w.gettext("Saisie rétablie"),
        },
        "grid.kind": {
            "absence": w.gettext("Absence"),
            "lateness": w.gettext("Retard"),
            "early_departure": w.gettext("Départ anticipé"),
            "left_class": w.gettext("Sortie de cours"),
            "infirmary": w.gettext("Infirmerie"),
            "exemption": w.gettext("Dispense"),
            "exclusion": w.pgettext("entry grid", "Exclusion de cours"),
        },
        "grid.decision": {  # the state a cell shows by its symbol
            "accepted": w.gettext("justifiée"),
            "rejected": w.gettext("non justifiée"),
            "undecided": w.gettext("à décider"),
        },
        "grid.next": {
            "day": w.gettext("Jour suivant →"),
            "week": w.gettext("Semaine suivante →"),
        },
        "grid.prev": {
            "day": w.gettext("← Jour précédent"),
            "week": w.gettext("← Semaine précédente"),
        },
        "grid.source": {
            "desk": w.gettext("vie scolaire"),
            "roll_call": w.gettext("appel"),
            "api": w.gettext("API"),
            "family_notice": w.gettext("prévenu par la famille"),
            "family_reply": w.gettext("réponse de la famille"),
            "import": w.gettext("import"),
            "demo": w.gettext("démo"),
        },
        "imports.col": {
            "kind": w.gettext("Type"),
            "created": w.gettext("Créés"),
            "updated": w.gettext("Modifiés"),
            "unchanged": w.gettext("Inchangés"),
            "removed": w.gettext("Retirés / partis"),
        },
        "imports.kind": {
            "mefs": w.gettext("MEF"),
            "divisions": w.gettext("Classes"),
            "groups": w.gettext("Groupes"),
            "students": w.gettext("Élèves"),
            "persons": w.gettext("Responsables"),
            "contacts": w.gettext("Coordonnées"),
            "links": w.gettext("Liens élève-responsable"),
        },
        "imports.tt.kind": {
            "patterns": w.gettext("Alternances de semaines"),
            "staff": w.gettext("Personnel"),
            "lessons": w.gettext("Cours"),
        },
        "imports.tt.list": {
            "teachers_created": w.gettext("Enseignants ajoutés, sans compte de connexion"),
            "teachers_matched": w.gettext("Enseignants reconnus à leur nom"),
            "to_place": w.gettext("Autres personnels, à qui donner un rôle"),
            "unknown": w.gettext("Inconnus de l'import SIECLE (cours ignorés)"),
            "overlaps": w.gettext("Cours d'un même enseignant qui se chevauchent"),
            "moved": w.gettext("Cours déplacés"),
            "added": w.gettext("Cours ajoutés"),
            "removed": w.gettext("Cours retirés"),
        },
        "imports.tt.unknown": {
            "division": w.gettext("Classe {code}"),
            "group": w.gettext("Groupe {code}"),
            "teacher": w.gettext("Enseignant n° {code}"),
        },
        "imports.tt.function": {
            "ENS": w.gettext("enseignant"),
            "DIR": w.gettext("direction"),
            "EDU": w.gettext("vie scolaire"),
            "DOC": w.gettext("documentation"),
            "ADM": w.gettext("administration"),
            "SUR": w.gettext("surveillance"),
            "other": w.gettext("autre fonction"),
        },
        "imports.list": {
            "moved": w.gettext("Changements de classe"),
            "left": w.gettext("Élèves partis"),
            "arrived": w.gettext("Nouveaux élèves"),
            "unassigned": w.gettext("Élèves sans classe"),
            "invalid_phones": w.gettext("Numéros de téléphone invalides"),
            "contact_changes": w.gettext("Coordonnées modifiées"),
            "links_removed": w.gettext("Liens supprimés"),
        },
        "imports.step": {
            "reading": w.gettext("Lecture des fichiers"),
            "school": w.gettext("Établissement"),
            "structures": w.gettext("Classes et groupes"),
            "students": w.gettext("Élèves"),
            "guardians": w.gettext("Responsables et coordonnées"),
            "links": w.gettext("Liens élève-responsable"),
            "audit": w.gettext("Journal"),
            "done": w.gettext("Terminé"),
            "failed": w.gettext("Échec"),
            "preview": w.gettext("En attente"),
        },
        "legal.error": {  # the legal follow-up's forms: an action's date and time
            "meeting_time": w.gettext("Date et heure invalides."),
        },
        "lt.col": {
            "choose": w.gettext("Choisir"),
            "student": w.gettext("Élève"),
            "guardian": w.gettext("Destinataire"),
            "kind": w.gettext("Avis"),
            "address": w.gettext("Adresse"),
            "status": w.gettext("État de l'envoi"),
            "sent_at": w.gettext("PDF produit"),
            "printed_at": w.gettext("Imprimé"),
            "posted_at": w.gettext("Posté"),
        },
        "lt.group": {
            "to_print": w.gettext("À imprimer"),
            "printed": w.gettext("Imprimés, à poster"),
            "posted": w.gettext("Postés"),
        },
        "lt.kind": {
            "absence": w.gettext("Absence"),
            "lateness": w.gettext("Retard"),
            "reminder": w.gettext("Relance"),
            "threshold": w.gettext("Seuil de demi-journées atteint"),
            "persistent": w.gettext("Absentéisme persistant"),
            "weekly_summary": w.gettext("Récapitulatif de la semaine"),
            "convocation": w.gettext("Convocation"),
            "answer": w.gettext("Réponse à une famille"),
            "thanks": w.gettext("Accusé de réception d'une réponse"),
            "chat_code": w.gettext("Code Telegram d'un responsable"),
        },
        "lt.status": {
            "sent": w.gettext("PDF prêt"),
            "delivered": w.gettext("remis à la Poste"),
        },
        "ob.col": {
            "time": w.gettext("Heure"),
            "channel": w.gettext("Canal"),
            "to": w.gettext("Destinataire"),
            "student": w.gettext("Élève"),
            "message": w.gettext("Message"),
        },
        "roll": {
            "present": w.gettext("Présent"),
            "absent": w.gettext("Absent"),
            "late": w.pgettext("roll call", "Retard"),
            "left": w.gettext("Parti"),
        },
        "roll.short": {  # a phone's narrow roll call
            "present": w.pgettext("roll call, short for present", "✓"),
            "absent": w.pgettext("roll call, short for absent", "A"),
            "late": w.pgettext("roll call, short for late", "R"),
            "left": w.pgettext("roll call, short for left", "P"),
        },
        "settings.about": {
            "general": w.gettext("Repère de midi, mode de décompte, seuils, zone de vacances."),
            "timetable": w.gettext("Les créneaux de chaque jour : la grille de saisie les suit."),
            "calendar": w.gettext(
                "Jours et demi-journées sans cours, vacances de la zone, jours fériés."
            ),
            "reasons": w.gettext("Les motifs locaux, chacun rattaché à un motif national."),
            "justifications": w.gettext("Les types de justificatifs acceptés."),
            "actions": w.gettext("Les actions menées auprès des familles."),
            "colours": w.gettext("Les couleurs des événements à l'écran."),
            "notices": w.gettext(
                "Délai d'envoi, heures calmes, ordre des canaux, relances, quotas."
            ),
            "staff": w.gettext("Qui a quel rôle dans l'établissement."),
            "year": w.gettext("Commencer l'année suivante ; combien d'années garder."),
            "periods": w.gettext(
                "Trimestres ou semestres des bulletins ; l'export des absences pour SIECLE."
            ),
        },
        "settings.channel": {
            "chat": w.gettext("Messagerie (bot)"),
            "sms": w.gettext("SMS"),
            "call": w.gettext("Appel automatisé"),
            "email": w.gettext("Courriel"),
            "letter": w.gettext("Courrier"),
        },
        "settings.colour": {
            "absence": w.gettext("Absence"),
            "lateness": w.gettext("Retard"),
            "other": w.gettext("Autre événement"),
        },
        "settings.counting": {
            "raw": w.gettext("Brut : toute absence dans la demi-journée la compte"),
            "complete": w.gettext("Demi-journées complètes seulement"),
            "proportional": w.gettext("Au prorata du temps manqué"),
        },
        "settings.error": {
            "time": w.gettext("Heure attendue au format HH:MM."),
            "number": w.gettext("Nombre attendu entre {low} et {high}."),
            "date": w.gettext("Date attendue (AAAA-MM-JJ)."),
            "other": w.gettext("Valeur refusée : {message}"),
            "thresholds": w.gettext("Le seuil persistant ne peut être inférieur au seuil mensuel."),
            "channels": w.gettext("Choisissez au moins un canal."),
            "holiday_zone": w.gettext(
                "Choisissez la zone A, B, C, Corse ou une académie d'outre-mer."
            ),
            "legitimate": w.gettext("Indiquez si le motif est recevable par défaut."),
            "slot_overlap": w.gettext("Ce créneau chevauche un autre créneau du même jour."),
            "slot_order": w.gettext("Le début du créneau doit précéder sa fin."),
            "weekday": w.gettext("Jour inconnu."),
            "colour": w.gettext("Couleur attendue au format #rrggbb."),
            "half": w.gettext("Période inconnue : journée, matin ou après-midi."),
            "closed_exists": w.gettext("Ce jour (ou cette demi-journée) est déjà fermé."),
            "holidays_year": w.gettext(
                "Le calendrier des vacances de cette année n'est pas connu."
            ),
            "code_format": w.gettext(
                "Code : lettres majuscules, chiffres et _ seulement (30 au plus)."
            ),
            "code_taken": w.gettext("Ce code est déjà utilisé dans l'établissement."),
            "label": w.gettext("Le libellé doit compter de 1 à 120 caractères."),
            "generic_unknown": w.gettext("Choisissez un motif national."),
            "reason_kind": w.gettext("Un motif sert aux absences, aux retards, ou aux deux."),
            "email": w.gettext("Adresse électronique invalide."),
            "display_name": w.gettext("Le nom compte au plus 120 caractères."),
            "role": w.gettext("Rôle inconnu."),
            "password_short": w.gettext("Le mot de passe doit contenir au moins 10 caractères."),
            "member_exists": w.gettext("Cette personne a déjà un rôle dans l'établissement."),
            "invitation_pending": w.gettext(
                "Une invitation attend déjà cette adresse : renvoyez-la ou annulez-la ci-dessous."
            ),
            "last_admin": w.gettext("L'établissement doit garder au moins un administrateur."),
        },
        "settings.zone": {
            # a school's holiday zone: metropolitan zones, Corse and the overseas académies
            "A": w.gettext("Zone A"),
            "B": w.gettext("Zone B"),
            "C": w.gettext("Zone C"),
            "Corse": w.gettext("Corse"),
            "Guadeloupe": w.gettext("Guadeloupe"),
            "Martinique": w.gettext("Martinique"),
            "Guyane": w.gettext("Guyane"),
            "La Réunion": w.gettext("La Réunion"),
            "Mayotte": w.gettext("Mayotte"),
            "Saint-Pierre-et-Miquelon": w.gettext("Saint-Pierre-et-Miquelon"),
        },
        "settings.half": {
            "day": w.gettext("Journée entière"),
            "am": w.gettext("Matin"),
            "pm": w.gettext("Après-midi"),
        },
        "settings.legit": {
            "yes": w.gettext("oui (légitime)"),
            "no": w.gettext("non"),
            "judged": w.gettext("au cas par cas"),
        },
        "settings.reason": {
            "generic": w.gettext("Motif national"),
            "colour": w.gettext("Couleur"),
            "legitimate": w.gettext("Recevable par défaut"),
            "counts": w.gettext("Compte comme absence"),
            "parents_may_choose": w.gettext("Proposé aux familles"),
            "for_absence": w.gettext("Pour les absences"),
            "for_lateness": w.gettext("Pour les retards"),
            "add": w.gettext("Ajouter un motif"),
            "edit": w.gettext("Modifier le motif {code}"),
        },
        "settings.section": {
            "index": w.gettext("Vue d'ensemble"),
            "general": w.gettext("Général"),
            "timetable": w.gettext("Emploi du temps"),
            "calendar": w.gettext("Jours fermés et vacances"),
            "reasons": w.gettext("Motifs"),
            "justifications": w.gettext("Justificatifs"),
            "actions": w.gettext("Actions"),
            "colours": w.gettext("Couleurs"),
            "notices": w.pgettext("settings", "Avis aux familles"),
            "staff": w.gettext("Comptes du personnel"),
            "year": w.gettext("Année scolaire"),
            "periods": w.gettext("Périodes"),
        },
        "settings.staff.role": {
            "admin": w.gettext("Administrateur"),
            "direction": w.gettext("Direction"),
            "cpe": w.gettext("CPE"),
            "vie_scolaire": w.gettext("Vie scolaire"),
            "teacher": w.gettext("Enseignant"),
        },
        "settings.types.add": {
            "justifications": w.gettext("Ajouter un type de justificatif"),
            "actions": w.gettext("Ajouter un type d'action"),
        },
        "settings.weekday": {
            "0": w.gettext("Lundi"),
            "1": w.gettext("Mardi"),
            "2": w.gettext("Mercredi"),
            "3": w.gettext("Jeudi"),
            "4": w.gettext("Vendredi"),
            "5": w.gettext("Samedi"),
            "6": w.gettext("Dimanche"),
        },
        "tpl.channel": {
            "sms": w.gettext("SMS"),
            "call": w.gettext("Appel automatisé"),
            "email": w.gettext("Courriel"),
            "letter": w.gettext("Courrier postal"),
            "chat": w.gettext("Messagerie"),
        },
        "tpl.error": {
            "empty": w.gettext("Le modèle est vide."),
            "too_long": w.gettext("Le modèle est trop long."),
            "subject": w.gettext(
                "Seul un courriel a un objet, sur une ligne de 200 caractères au plus."
            ),
            "syntax": w.gettext("Erreur de syntaxe dans un champ de fusion."),
            "unsafe": w.gettext("Construction interdite dans un modèle."),
            "month_invalid": w.gettext("Mois invalide : indiquez-le sous la forme AAAA-MM."),
            "as_of_invalid": w.gettext(
                "Date de situation invalide : indiquez-la sous la forme AAAA-MM-JJ."
            ),
            "unknown_variable": w.gettext("Ce champ de fusion n'existe pas pour cet avis."),
            "unknown_field": w.gettext("Ce champ de fusion n'existe pas pour cet avis."),
            "sandbox": w.gettext("Le modèle a échoué à l'essai avec les valeurs d'exemple."),
            "conflict": w.gettext("Le modèle a été modifié entre-temps : réessayez."),
            "logo": w.gettext("Logo refusé : une image PNG ou JPEG de 200 Ko au plus."),
            "pdf": w.gettext("Le courrier n'a pas pu être mis en page."),
        },
        "tpl.where": {
            "subject": w.gettext("Objet"),
            "body": w.gettext("Texte"),
        },
        "tpl.field": {
            "student.first_name": w.gettext("Prénom de l'élève"),
            "student.last_name": w.gettext("Nom de l'élève"),
            "guardian.name": w.gettext("Responsable (civilité, nom, prénom)"),
            "guardian.civility": w.gettext("Civilité du responsable"),
            "guardian.first_name": w.gettext("Prénom du responsable"),
            "guardian.last_name": w.gettext("Nom du responsable"),
            "day": w.gettext("Jour"),
            "half": w.gettext("Demi-journée"),
            "start": w.gettext("Heure"),
            "written_on": w.gettext("Date du courrier"),
            "month_label": w.gettext("Mois"),
            "count": w.gettext("Nombre de demi-journées"),
            "half_days": w.gettext("Liste des demi-journées"),
            "week_label": w.gettext("Semaine"),
            "events": w.gettext("Liste des absences et retards"),
            "meeting_day": w.gettext("Date du rendez-vous"),
            "meeting_time": w.gettext("Heure du rendez-vous"),
            "place": w.gettext("Lieu du rendez-vous"),
            "with_whom": w.gettext("Reçu par"),
            "message": w.gettext("Message de l'établissement"),
            "school.name": w.gettext("Nom de l'établissement"),
            "school.address": w.gettext("Adresse de l'établissement"),
            "school.city": w.gettext("Ville de l'établissement"),
            "school.phone": w.gettext("Téléphone de l'établissement"),
            "school.email": w.gettext("Courriel de l'établissement"),
            "school.head_name": w.gettext("Nom du chef d'établissement"),
            "school.head_title": w.gettext("Titre du chef d'établissement"),
            "school.signatory_name": w.gettext("Signataire des courriers"),
            "school.signatory_title": w.gettext("Fonction du signataire"),
            "dateline": w.gettext("Lieu et date du courrier (« À …, le … »)"),
            "school.uai": w.gettext("UAI"),
        },
        "tpl.kind": {
            "absence": w.gettext("Absence"),
            "lateness": w.gettext("Retard"),
            "reminder": w.gettext("Relance (motif toujours attendu)"),
            "threshold": w.gettext("Seuil mensuel de demi-journées"),
            "persistent": w.gettext("Absentéisme persistant"),
            "weekly_summary": w.gettext("Récapitulatif de la semaine"),
            "convocation": w.gettext("Convocation"),
            "answer": w.gettext("Réponse à une famille"),
            "thanks": w.gettext("Accusé de réception d'une réponse"),
            "chat_code": w.gettext("Code Telegram d'un responsable"),
        },
        "tpl.lang": {
            "fr": w.pgettext("templates", "Français"),
            "en": w.gettext("Anglais"),
        },
        "tpl.warn": {
            "sms_segments": w.gettext(
                "Avec les valeurs d'exemple, ce SMS compte {detail} segments, facturés chacun."
            ),
            "sms_ucs2": w.gettext(
                "Caractères hors de l'alphabet GSM-7 ({detail}) : le SMS "
                "passe en UCS-2, 70 caractères par segment."
            ),
        },
    }


@cache
def families(language: str) -> dict[str, dict[str, str]]:
    """Every family's words in ``language`` (built once per language)."""
    return _families(words(language))


def known_label(words: Words, family: str, value: object) -> str | None:
    """The words of ``value`` in ``family``, or None when the family has none for it."""
    return families(words.language)[family].get(str(value))


def label(words: Words, family: str, value: object) -> str:
    """The words of ``value`` in ``family``, else the value as it is."""
    found = known_label(words, family, value)
    return str(value) if found is None else found
