"""Use cases of the auditors: verify the seal of the log, prove an old head, describe an event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from faps.application import policy
from faps.application.timetravel import EVENT_LABELS
from faps.domain.actors import Actor
from faps.infrastructure.audit_chain import AuditChain, Mismatch, Seal


@dataclass(frozen=True)
class Verification:
    """The outcome of a verification: the recomputed head and what went wrong, if anything."""

    seal: Seal
    ok: bool
    message: str


def event_kind(topic: str) -> str:
    """Return an event's class name from its topic (`module:Aggregate.Event`)."""
    return topic.rsplit(":", 1)[-1].rsplit(".", 1)[-1]


def describe_event(app: Any, originator_id: str, version: int, topic: str) -> str:
    """Return « Voted (Vote du conseil), dossier FAPS-2024-001 » for an event of the log."""
    kind = event_kind(topic)
    label = f"{kind} ({EVENT_LABELS[kind]})" if kind in EVENT_LABELS else kind
    reference = None
    try:
        aggregate = app.repository.get(UUID(originator_id), version=max(version - 1, 1))
        reference = getattr(aggregate, "reference", None)
    except Exception:  # a tampered log may not decode: the event is still named
        reference = None
    owner = f"dossier {reference}" if reference else f"agrégat {originator_id}"
    return f"{label}, {owner}, version {version}"


class AuditService:
    """Verification of the audit seal."""

    def __init__(self, app: Any, chain: AuditChain) -> None:
        self.app = app
        self.chain = chain

    def verify(self, actor: Actor) -> Verification:
        """Walk the whole log, recompute every link and compare with the stored ones."""
        policy.require(actor, "audit.read")
        seal, mismatch = self.chain.verify()
        if mismatch is None and seal.position == 0:
            return Verification(seal, False, "Journal vide : aucun événement à vérifier (la base "
                                "désignée est-elle la bonne ?).")
        if mismatch is None:
            last = self.app.recorder.max_notification_id() or 0
            tail = (f" ; {last - seal.position} événement(s) récent(s) pas encore scellé(s)"
                    if last > seal.position else "")
            return Verification(seal, True, f"Journal intègre jusqu'à la position {seal.position}"
                                f", empreinte {seal.head}{tail}.")
        return Verification(seal, False, self._explain(mismatch))

    def _explain(self, mismatch: Mismatch) -> str:
        what = describe_event(self.app, mismatch.originator_id, mismatch.originator_version,
                              mismatch.topic)
        return (f"Journal altéré : premier écart à l'événement n° {mismatch.position} "
                f"({what}) : {mismatch.reason}.")

    def prove(self, actor: Actor, head: str, position: int) -> Verification:
        """Tell whether the log up to `position` still produces `head`."""
        policy.require(actor, "audit.read")
        seal = self.chain.prove(position)
        if seal.position != position:
            return Verification(seal, False, f"Le journal ne contient pas d'événement n° "
                                f"{position} (dernier : n° {seal.position}).")
        if seal.head != head.strip().lower():
            return Verification(seal, False, f"Empreinte différente à la position {position} : "
                                f"le journal donne {seal.head}, et non {head.strip()}.")
        return Verification(seal, True, f"Preuve établie : le journal jusqu'à la position "
                            f"{position} produit bien l'empreinte {seal.head}.")
