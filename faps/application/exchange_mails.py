"""The mails of the exchanges: each message to the other side, each arrival to the officers,
each opinion request and reminder to the consulted body; every one links to the dossier."""

from __future__ import annotations

from datetime import date
from typing import Any

from faps.application.opinion_links import opinion_token
from faps.domain.actors import Role
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import PAYMENT_KIND_LABELS
from faps.domain.dossier_exchange import Opinion
from faps.domain.money import format_euros

OFFICER_SIGNATURE = "\n\nDossier : {link}\n\n— faps, Fonds d'aide aux projets de santé"
COMMUNE_SIGNATURE = ("\n\nDossier : {link}\n\nLe service instructeur du Fonds d'aide aux projets "
                     "de santé (FAPS)\nCe message est envoyé automatiquement : répondez depuis "
                     "la messagerie du dossier.")


def officer_link(public_url: str, dossier: Dossier) -> str:
    """Return the dossier's page in the officers' space."""
    return f"{public_url}/instruction/dossiers/{dossier.id}"


def commune_link(public_url: str, dossier: Dossier) -> str:
    """Return the dossier's page in the commune's space."""
    return f"{public_url}/commune/dossiers/{dossier.id}"


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _to_officers(dossier: Dossier, subject: str, text: str, url: str) -> Any:
    from faps.application.notifications import Mail

    officer = dossier.officer["account_id"] if dossier.officer else None
    head = f"Dossier {dossier.reference} — {dossier.content.title}\n\n"
    return Mail(dossier.commune, f"[FAPS] {subject} — {dossier.reference}",
                head + text + OFFICER_SIGNATURE.format(link=officer_link(url, dossier)),
                audience="officers", officer_id=officer)


def _to_commune(dossier: Dossier, subject: str, text: str, url: str) -> Any:
    from faps.application.notifications import Mail

    head = f"Madame, Monsieur,\n\nDossier {dossier.reference} — {dossier.content.title}\n\n"
    return Mail(dossier.commune, f"[FAPS] {subject} — {dossier.reference}",
                head + text + COMMUNE_SIGNATURE.format(link=commune_link(url, dossier)))


def message_mail(event: Any, dossier: Dossier, url: str, key: str) -> Any:
    """Return a message of the thread, mailed to the other side."""
    files = f"\n\nPièces jointes : {len(event.document_ids)}" if event.document_ids else ""
    text = f"Message de {event.actor.display} :\n\n{event.text}{files}"
    if event.actor.role is Role.COMMUNE_AGENT:
        return _to_officers(dossier, "Message de la commune", text, url)
    return _to_commune(dossier, "Message du service instructeur", text, url)


def reply_mail(event: Any, dossier: Dossier, url: str, key: str) -> Any:
    """Return the commune's reply to an information request, mailed to the officers."""
    reason = (f"\n\nPièces demandées non jointes — motif : {event.missing_reason}"
              if event.missing_reason else "")
    return _to_officers(dossier, "Réponse de la commune", f"La commune a répondu :\n\n"
                        f"{event.message}{reason}\n\nAcceptez la réponse ou demandez à "
                        "nouveau depuis la page du dossier.", url)


def payment_request_mail(event: Any, dossier: Dossier, url: str, key: str) -> Any:
    """Return a commune's payment request, mailed to the officers."""
    label = PAYMENT_KIND_LABELS.get(event.kind, event.kind)
    return _to_officers(dossier, f"Demande de versement ({label.lower()})",
                        f"La commune demande un versement : {label.lower()} de "
                        f"{format_euros(event.amount)}.", url)


def opinion_given_mail(event: Any, dossier: Dossier, url: str, key: str) -> Any:
    """Return a consulted body's opinion, mailed to the officers."""
    opinion = dossier.opinions[event.opinion_id]
    return _to_officers(dossier, f"Avis rendu : {opinion.body}",
                        f"{opinion.body} a rendu un avis {opinion.verdict_label} le "
                        f"{_d(event.given_on)}.\n\n{event.text}", url)


def opinion_request_mail(event: Any, dossier: Dossier, url: str, key: str) -> Any:
    """Return the request of an opinion, mailed to the consulted body."""
    return opinion_mail(dossier, dossier.opinions[event.opinion_id], url, key)


def opinion_mail(dossier: Dossier, opinion: Opinion, url: str, key: str,
                 reminder: bool = False) -> Any:
    """Return the request (or the reminder) sent to a consulted body, with its answer link."""
    from faps.application.notifications import Mail

    link = f"{url}/avis/{opinion_token(key, dossier.id, opinion.opinion_id)}"
    subject = ("Rappel : avis attendu" if reminder else "Demande d'avis") + \
        f" — {dossier.reference}"
    lead = (f"Pour rappel, votre avis est attendu au plus tard le {_d(opinion.due_on)}."
            if reminder else "Le service instructeur du Fonds d'aide aux projets de santé "
            f"sollicite l'avis de {opinion.body} sur la demande suivante.")
    body = (f"Madame, Monsieur,\n\n{lead}\n\nDossier {dossier.reference} — "
            f"{dossier.content.title}\n\n{opinion.question}\n\n"
            f"Répondez avant le {_d(opinion.due_on)} (avis favorable, réservé ou défavorable, "
            f"avec un texte et, si besoin, une pièce jointe) sur cette page, sans compte :\n"
            f"{link}\n\nCe lien est personnel et ne sert qu'une fois.\n\n"
            "Le service instructeur du Fonds d'aide aux projets de santé (FAPS)")
    return Mail(dossier.commune, f"[FAPS] {subject}", body, audience="address",
                to=opinion.email)
