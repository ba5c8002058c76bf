"""The French e-mails sent to the communes: receipt, information request, decision, payment,
reminders. Pure functions of an event and the dossier as it stood just after it; which event
sends which mail is said in `event_catalogue` (`mail_for_event`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faps.domain.council import BODY_LABELS
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import Outcome
from faps.domain.dossier_exchange import CONTENT_FIELD_LABELS
from faps.domain.labels import reglement_version_text
from faps.domain.money import format_euros
from faps.domain.payments import payment_statement

if TYPE_CHECKING:  # deadlines reads the dossiers service, which reads the event catalogue
    from faps.application.deadlines import Deadline

SIGNATURE = ("\n\nLe service instructeur du Fonds d'aide aux projets de santé (FAPS)\n"
             "Ce message est envoyé automatiquement : répondez depuis votre espace {url}")
OUTCOMES = {Outcome.ADOPTED: "a attribué au projet un fonds de concours de {amount}",
            Outcome.REJECTED: "n'a pas retenu la demande",
            Outcome.POSTPONED: "a ajourné l'examen de la demande"}


@dataclass(frozen=True)
class Mail:
    """A message to the agents of a commune (the outbox adds recipients), or to the fund's
    officers (`audience` "officers": the dossier's officer, else all), or to one address."""

    commune: str
    subject: str
    body: str
    audience: str = "commune"  # "commune", "officers" or "address"
    officer_id: Any = None
    to: str = ""


def _d(day: Any) -> str:
    return day.strftime("%d/%m/%Y")


def _head(dossier: Dossier) -> str:
    return (f"Madame, Monsieur,\n\nDossier {dossier.reference} — {dossier.content.title}\n\n")


Body = Callable[[Any, Dossier], tuple[str, str]]
MailOf = Callable[[Any, Dossier, str, str], "Mail | None"]  # (event, dossier, url, link key)


def to_commune(body: Body, link: bool = False) -> MailOf:
    """Return the mail of an event to its dossier's commune, written by `body` (subject,
    text); `link`: with the dossier's page in the commune's space."""
    def mail(event: Any, dossier: Dossier, public_url: str, link_key: str) -> Mail:
        subject, text = body(event, dossier)
        if link:
            text += f"\n\nDossier : {public_url}/commune/dossiers/{dossier.id}"
        return Mail(dossier.commune, f"[FAPS] {subject} — {dossier.reference}",
                    _head(dossier) + text + SIGNATURE.format(url=public_url))
    return mail


def _submitted(event: Any, dossier: Dossier) -> tuple[str, str]:
    return ("Accusé de réception", f"Votre demande a été déposée le {_d(event.acknowledged_on)}. "
            f"Elle est enregistrée sous la référence {event.reference} et relève du règlement, "
            f"{reglement_version_text(event.reglement_version)}. Le présent message vaut accusé "
            "de réception.")


def _information(event: Any, dossier: Dossier) -> tuple[str, str]:
    if event.fields:
        named = ", ".join(CONTENT_FIELD_LABELS.get(f, f) for f in event.fields)
        return ("Dossier renvoyé pour correction", "Le service instructeur vous renvoie le "
                f"dossier pour correction :\n\n{event.message}\n\nÀ corriger : {named}. "
                "Vous pouvez modifier ces rubriques jusqu'à votre réponse.\n\nMerci de "
                f"répondre avant le {_d(event.due_on)}.")
    return ("Demande de compléments", "Le service instructeur vous demande les compléments "
            f"suivants :\n\n{event.message}\n\nMerci de répondre avant le {_d(event.due_on)}.")


def _voted(event: Any, dossier: Dossier) -> tuple[str, str]:
    outcome = OUTCOMES[event.outcome].format(amount=format_euros(event.amount_awarded))
    body = BODY_LABELS.get(getattr(event, "body", None) or "conseil", "Conseil communautaire")
    return (f"Décision du {body.lower()}",
            f"Par délibération {event.deliberation_reference or '(sans numéro)'} du "
            f"{_d(event.decided_on)}, le {body.lower()} {outcome} "
            f"(pour : {event.votes_for}, contre : {event.votes_against}, "
            f"abstentions : {event.abstentions}).")


def _rectified(event: Any, dossier: Dossier) -> tuple[str, str]:
    decision = dossier.decision or {}
    body = BODY_LABELS.get(decision.get("body") or "conseil", "Conseil communautaire")
    amount = (f" Montant attribué : {format_euros(event.amount_awarded)}."
              if decision.get("outcome") == Outcome.ADOPTED else "")
    return ("Délibération rectifiée",
            f"La délibération du {body.lower()} relative à votre dossier est rectifiée pour "
            f"erreur matérielle : délibération {event.deliberation_reference} "
            f"(pour : {event.votes_for}, contre : {event.votes_against}, abstentions : "
            f"{event.abstentions}).{amount}\n\nMotif : {event.motive}")


def _paid(event: Any, dossier: Dossier) -> tuple[str, str]:
    st = payment_statement(dossier)
    lines = "\n".join(f"  - {line.kind_label} du {_d(line.paid_on)} : "
                      f"{format_euros(line.amount)} (mandat {line.mandate_reference})"
                      for line in st.lines if line.paid_on)
    if event.amount:
        subject = "Versement effectué"
        news = (f"Un versement de {format_euros(event.amount)} a été mandaté le "
                f"{_d(event.paid_on)} (mandat {event.mandate_reference}).")
    else:  # a balance on a real cost that reduced the grant to what was already paid, or less
        subject = "Solde arrêté sans versement"
        news = (f"Le solde de la subvention est arrêté le {_d(event.paid_on)} sans versement : "
                f"les dépenses réalisées ramènent la subvention à {format_euros(st.awarded)}.")
        due = dossier.clawback_due - dossier.clawback_recovered
        if due > 0:
            news += (f" Le trop-perçu de {format_euros(due)} est à reverser : un titre de "
                     "recette vous sera adressé.")
    return (subject,
            f"{news}\n\nÉtat des sommes déjà versées :\n{lines}\n"
            f"  Montant attribué : {format_euros(st.awarded)}\n"
            f"  Total versé : {format_euros(st.total_paid)}\n"
            f"  Reste à verser : {format_euros(st.remaining)}")


def _lapsed(event: Any, dossier: Dossier) -> tuple[str, str]:
    return ("Caducité de la subvention",
            f"La part non versée de la subvention ({format_euros(event.released_amount)}) "
            f"est déclarée caduque. Motif : {event.motive}")


receipt_mail = to_commune(_submitted)
information_mail = to_commune(_information, link=True)
decision_mail = to_commune(_voted)
rectification_mail = to_commune(_rectified)
payment_mail = to_commune(_paid)
lapse_mail = to_commune(_lapsed)

LAPSE_WARNING = ("Sans demande de votre part, le service instructeur pourra proposer de "
                 "constater la caducité de la subvention.")
REMINDERS = {
    "information": ("votre réponse à la demande de compléments était attendue au plus tard le "
                    "{due}",
                    "Tant que ces compléments manquent, le dossier ne peut pas être instruit ni "
                    "présenté au conseil communautaire."),
    "works_start": ("aucun versement n'a été demandé alors que les travaux devaient commencer "
                    "au plus tard le {due} (délai du règlement)", LAPSE_WARNING),
    "balance": ("le solde devait être demandé au plus tard le {due} (délai du règlement)",
                LAPSE_WARNING),
}


def reminder_mail(deadline: Deadline, public_url: str) -> Mail:
    """Return the reminder of an overdue deadline; the grant is not lapsed by it."""
    text, consequence = REMINDERS[deadline.kind]
    body = (f"Madame, Monsieur,\n\nDossier {deadline.reference} — {deadline.title}\n\n"
            f"Pour rappel, {text.format(due=_d(deadline.due_on))}. {consequence}")
    return Mail(deadline.commune, f"[FAPS] Rappel : {deadline.label} — {deadline.reference}",
                body + SIGNATURE.format(url=public_url))
