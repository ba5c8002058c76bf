"""The catalogue of a dossier's events: for each event class, how people read it and what it
sends. One row per event of `Dossier`:

- `label`: the event's name in histories, timelines and the audit log;
- `summary`: its one line under the label in the timeline (None: nothing more to say);
- `private`: shown to the fund's officers only (never to the commune, never sent);
- `mail`: the mail it sends (faps.application.notifications, exchange_mails), if any;
- `webhook`: the type of the webhook it sends (faps.infrastructure.webhooks), if any.

The events of the other aggregates (sessions, budgets, accounts, règlements, numbering) are not
a dossier's history: `OUTSIDE_DOSSIERS` names them, and a test checks every event class of every
aggregate is in one or the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from faps.application import event_summaries as s
from faps.application import exchange_mails as x
from faps.application import notifications as n
from faps.application.notifications import Mail, MailOf
from faps.domain.accounts import Account
from faps.domain.budget import YearlyBudget
from faps.domain.council import CouncilSession
from faps.domain.dossier import Dossier
from faps.domain.dossier_exchange import VERDICT_LABELS
from faps.domain.exports import ExportRecord
from faps.domain.labels import PAYMENT_KIND_LABELS, document_kind_label
from faps.domain.money import format_euros
from faps.domain.numbering import DossierNumbering
from faps.domain.reglement_book import ReglementBook

C = s.C  # « : » in French typography
D = Dossier


@dataclass(frozen=True)
class Entry:
    """How one event of a dossier reads and what it sends."""

    label: str
    summary: Callable[[Any], str] | None = None
    mail: MailOf | None = None
    webhook: str | None = None
    private: bool = False


CATALOGUE: dict[type[Any], Entry] = {
    D.Drafted: Entry("Brouillon créé", lambda e: e.content.title, webhook="dossier.drafted"),
    D.Edited: Entry("Dossier modifié", s.edited, webhook="dossier.edited"),
    D.DocumentAttached: Entry(
        "Pièce jointe", lambda e: f"{document_kind_label(e.document.kind)}{C} {e.document.name}",
        webhook="dossier.document_attached"),
    D.DocumentRemoved: Entry("Pièce retirée", webhook="dossier.document_removed"),
    D.Submitted: Entry(
        "Dossier déposé (accusé de réception)", s.submitted, n.receipt_mail, "dossier.submitted"),
    D.InformationRequested: Entry("Compléments demandés", s.requested, n.information_mail,
                                  "dossier.information_requested"),
    D.InformationProvided: Entry("Compléments fournis", s.provided, x.reply_mail,
                                 "dossier.information_provided"),
    D.DeclaredComplete: Entry("Dossier déclaré complet", webhook="dossier.declared_complete"),
    D.EligibilityAssessed: Entry("Éligibilité instruite", s.assessed, webhook="dossier.assessed"),
    D.Proposed: Entry("Attribution proposée au conseil",
                      lambda e: f"{format_euros(e.amount)} — {e.motive}",
                      webhook="dossier.proposed"),
    D.PlacedOnAgenda: Entry("Inscrit à l’ordre du jour",
                            lambda e: f"Point n°\u00a0{e.item_number}",
                            webhook="dossier.placed_on_agenda"),
    D.RemovedFromAgenda: Entry("Retiré de l’ordre du jour", lambda e: e.motive,
                               webhook="dossier.removed_from_agenda"),
    D.Voted: Entry("Vote du conseil", s.voted, n.decision_mail, "dossier.voted"),
    D.VoteRectified: Entry("Délibération rectifiée (erreur matérielle)", s.rectified,
                           n.rectification_mail),
    D.Withdrawn: Entry("Dossier retiré par la commune", lambda e: e.motive,
                       webhook="dossier.withdrawn"),
    D.DraftDeleted: Entry("Brouillon supprimé par la commune"),
    D.ClosedIneligible: Entry("Dossier clos (inéligible)", lambda e: e.motive,
                              webhook="dossier.closed_ineligible"),
    D.OfficerAssigned: Entry("Instructeur désigné", lambda e: e.officer_name,
                             webhook="dossier.assigned"),
    D.NoteAdded: Entry("Note interne", lambda e: e.text, private=True),
    D.MunicipalDeliberationRecorded: Entry(
        "Délibération municipale enregistrée",
        lambda e: f"{e.reference} du {e.decided_on:%d/%m/%Y}",
        webhook="dossier.municipal_deliberation_recorded"),
    D.Notified: Entry("Décision notifiée", lambda e: f"Notifiée le {e.notified_on:%d/%m/%Y}",
                      webhook="dossier.notified"),
    D.AgreementSigned: Entry("Convention de financement signée",
                             lambda e: f"{e.reference} signée le {e.signed_on:%d/%m/%Y}",
                             webhook="dossier.agreement_signed"),
    D.PaymentRequested: Entry(
        "Versement demandé",
        lambda e: f"{PAYMENT_KIND_LABELS.get(e.kind, e.kind)} de {format_euros(e.amount)}",
        x.payment_request_mail, "payment.requested"),
    D.PaymentMade: Entry(
        "Versement effectué",
        lambda e: f"{format_euros(e.amount)} le {e.paid_on:%d/%m/%Y}, mandat {e.mandate_reference}",
        n.payment_mail, "payment.made"),
    D.PaymentRequestRefused: Entry("Demande de versement refusée", lambda e: e.motive,
                                   webhook="payment.refused"),
    D.ExpensesRetained: Entry(
        "Dépenses éligibles retenues au solde",
        lambda e: f"{format_euros(e.retained)} retenus sur {format_euros(e.declared)} déclarés "
                  f"— {e.motive}"),
    D.GrantReduced: Entry(
        "Subvention réduite",
        lambda e: f"{format_euros(e.previous_amount)} → {format_euros(e.new_amount)} — {e.motive}",
        webhook="grant.reduced"),
    D.ClawbackRecovered: Entry("Reversement encaissé",
                               lambda e: f"{format_euros(e.amount)}, titre {e.title_reference}",
                               webhook="grant.clawback_recovered"),
    D.Lapsed: Entry("Subvention caduque",
                    lambda e: f"{e.motive} ({format_euros(e.released_amount)} libérés)",
                    n.lapse_mail, "grant.lapsed"),
    D.Closed: Entry("Dossier soldé", webhook="dossier.closed"),
    D.MessagePosted: Entry("Message", lambda e: e.text[:300], x.message_mail),
    D.ReplyAccepted: Entry("Réponse de la commune acceptée"),
    D.OpinionRequested: Entry("Avis extérieur demandé",
                              lambda e: f"{e.body} — avis attendu le {e.due_on:%d/%m/%Y}",
                              x.opinion_request_mail),
    D.OpinionGiven: Entry(
        "Avis extérieur rendu",
        lambda e: f"Avis {VERDICT_LABELS.get(e.verdict, e.verdict)} du {e.given_on:%d/%m/%Y}"
                  + (f"{C} {e.text[:300]}" if e.text else ""),
        x.opinion_given_mail),
}
# Aggregates whose events are not a dossier's history (their own pages and projections).
OUTSIDE_DOSSIERS = (CouncilSession, YearlyBudget, Account, ReglementBook, DossierNumbering,
                    ExportRecord)
UNKNOWN = Entry("")


def entry(event: Any) -> Entry:
    """Return the catalogue's entry of an event (an empty one outside a dossier's history)."""
    return CATALOGUE.get(type(event), UNKNOWN)


def label(event: Any) -> str:
    """Return the event's label (its class name if it has none)."""
    return entry(event).label or type(event).__name__


def summary(event: Any) -> str:
    """Return the event's one line in the timeline (empty: nothing more to say)."""
    write = entry(event).summary
    return write(event) if write else ""


def is_private(event: Any) -> bool:
    """Tell whether only the fund's officers may read the event."""
    return entry(event).private


def mail_for_event(event: Any, dossier: Dossier, public_url: str,
                   link_key: str = "") -> Mail | None:
    """Return the mail an event of the dossier sends, or None."""
    write = entry(event).mail
    return write(event, dossier, public_url, link_key) if write else None


MAIL_TOPICS = frozenset(get_topic(cls) for cls, e in CATALOGUE.items() if e.mail)
WEBHOOK_TYPES = {cls: e.webhook for cls, e in CATALOGUE.items() if e.webhook}
# The council's and the budget's business events that a webhook may announce, with the label
# the people who subscribe read.
CS, YB = CouncilSession, YearlyBudget
OUTSIDE_WEBHOOKS: dict[type[Any], tuple[str, str]] = {
    CS.Scheduled: ("session.scheduled", "Séance programmée"),
    CS.ItemAdded: ("session.item_added", "Point inscrit à l’ordre du jour"),
    CS.ItemWithdrawn: ("session.item_withdrawn", "Point retiré de l’ordre du jour"),
    CS.ItemMoved: ("session.item_moved", "Point reporté à une autre séance"),
    CS.OutcomeRecorded: ("session.outcome_recorded", "Vote d’un point enregistré"),
    CS.OutcomeRectified: ("session.outcome_rectified", "Vote d’un point rectifié"),
    CS.Closed: ("session.closed", "Séance close"),
    YB.Voted: ("budget.voted", "Budget de l’année voté"),
    YB.Amended: ("budget.amended", "Budget de l’année amendé"),
    YB.Committed: ("budget.committed", "Subvention engagée sur le budget"),
    YB.CommitmentReduced: ("budget.commitment_reduced", "Engagement réduit"),
    YB.CommitmentRectified: ("budget.commitment_rectified", "Engagement rectifié"),
    YB.PaymentRecorded: ("budget.payment_recorded", "Versement imputé au budget"),
}
SESSION_WEBHOOK_TYPES = {cls: t for cls, (t, _) in OUTSIDE_WEBHOOKS.items()
                         if t.startswith("session.")}
BUDGET_WEBHOOK_TYPES = {cls: t for cls, (t, _) in OUTSIDE_WEBHOOKS.items()
                        if t.startswith("budget.")}
# Every webhook type with the French label of its event.
WEBHOOK_TYPE_LABELS = {**{e.webhook: e.label for e in CATALOGUE.values() if e.webhook},
                       **dict(OUTSIDE_WEBHOOKS.values())}
# By class name, for the readers of a topic's last part (the audit log, the webhooks' follower).
LABELS_BY_NAME = {cls.__name__: e.label for cls, e in CATALOGUE.items()}
# By the path of a stored topic ("Dossier.Closed"): a short name alone is ambiguous (the
# council session's `Closed` is not the dossier's *soldé*).
LABELS_BY_PATH = {get_topic(cls).rpartition(":")[2]: e.label for cls, e in CATALOGUE.items()}
