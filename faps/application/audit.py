"""Use cases of the auditors: verify the seal of the log, prove an old head, describe an event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from faps.application import policy
from faps.application.anchors import Anchors, anchor_problem, anchor_summary
from faps.application.event_catalogue import LABELS_BY_PATH
from faps.application.ports import AuditSeal
from faps.application.reproduction import RecordedSeal, paris, recorded_seals
from faps.domain.actors import Actor
from faps.domain.errors import InvalidInputError
from faps.domain.hash_chain import Mismatch, Seal, Walk
from faps.domain.labels import plural

INTACT, ALTERED, INCOMPLETE, EMPTY = "intact", "altered", "incomplete", "empty"
HEADLINES = {INTACT: "Journal intègre", ALTERED: "Journal altéré",
             INCOMPLETE: "Vérification incomplète", EMPTY: "Journal vide"}
HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Verification:
    """The outcome of a verification: the recomputed head and what went wrong, if anything."""

    seal: Seal
    ok: bool
    message: str
    status: str = ""

    @property
    def headline(self) -> str:
        """Return the verdict in a few words (« Journal intègre »)."""
        return HEADLINES[self.status or (INTACT if self.ok else ALTERED)]


def event_kind(topic: str) -> str:
    """Return an event's class name from its topic (`module:Aggregate.Event`)."""
    return topic.rsplit(":", 1)[-1].rsplit(".", 1)[-1]


def describe_event(app: Any, originator_id: str, version: int, topic: str) -> str:
    """Return « Voted (Vote du conseil), dossier FAPS-2024-001 » for an event of the log."""
    kind, path = event_kind(topic), topic.rsplit(":", 1)[-1]
    label = f"{kind} ({LABELS_BY_PATH[path]})" if path in LABELS_BY_PATH else kind
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

    def __init__(self, app: Any, chain: AuditSeal, anchors: Anchors | None = None) -> None:
        self.app = app
        self.chain = chain
        self.anchors = anchors

    def verify(self, actor: Actor) -> Verification:
        """Walk the whole log, recompute every link, compare with the stored chain and seals."""
        policy.require(actor, "audit.read")
        seals, unreadable = recorded_seals(self.app)
        checkpoints = self.anchors.checkpoints() if self.anchors is not None else []
        walk = self.chain.walk({s.position for s in seals} | {c.position for c in checkpoints})
        if walk.mismatch is not None:
            return Verification(walk.seal, False, self._explain(walk.mismatch), ALTERED)
        keyless = self.anchors is not None and self.anchors.key is None and bool(checkpoints)
        anchored = (anchor_problem(self.anchors, checkpoints, walk)
                    if self.anchors is not None and not keyless else None)
        if anchored:
            return Verification(walk.seal, False, anchored, ALTERED)
        if walk.events == 0:
            return Verification(walk.seal, False, "Journal vide : aucun événement à vérifier (la "
                                "base désignée est-elle la bonne ?).", EMPTY)
        problem = unreadable_record(unreadable) or broken_seal(seals, walk)
        if problem:
            return Verification(walk.seal, False, problem, ALTERED)
        summary = checked_summary(walk, seals)[:-1] + (
            "." if keyless else anchor_summary(checkpoints, walk))
        if keyless:
            return Verification(walk.seal, False, f"Vérification incomplète : {len(checkpoints)} "
                                "point(s) d'ancrage non vérifié(s), faute de clé : désignez la "
                                "clé publique (FICHIER.pub) par FAPS_AUDIT_SIGNING_KEY. "
                                f"{summary}", INCOMPLETE)
        if walk.unsealed:
            return Verification(walk.seal, False, f"Vérification incomplète : "
                                f"{unsealed_warning(walk, seals)} {summary}", INCOMPLETE)
        if self.anchors is not None and self.anchors.key is not None and not checkpoints:
            return Verification(walk.seal, False, "Vérification incomplète : aucun point "
                                "d'ancrage signé, alors qu'une clé de signature est configurée "
                                "; la chaîne enregistrée seule ne prouve rien contre qui peut "
                                "écrire dans la base (lancez « faps audit anchor »). "
                                f"{summary}", INCOMPLETE)
        return Verification(walk.seal, True, f"Journal intègre : {summary}", INTACT)

    def _explain(self, mismatch: Mismatch) -> str:
        what = describe_event(self.app, mismatch.originator_id, mismatch.originator_version,
                              mismatch.topic)
        return (f"Journal altéré : premier écart à l'événement n° {mismatch.position} "
                f"({what}) : {mismatch.reason}.")

    def prove(self, actor: Actor, head: str, position: int) -> Verification:
        """Tell whether the log up to `position` still produces `head`."""
        policy.require(actor, "audit.read")
        self._check_proof_input(head, position)
        seal = self.chain.prove(position)
        if seal.position != position:
            return Verification(seal, False, f"Le journal ne contient plus d'événement n° "
                                f"{position} (le précédent est le n° {seal.position}) : il a été "
                                "supprimé.")
        if seal.head != head.strip().lower():
            return Verification(seal, False, f"Empreinte différente à la position {position} : "
                                f"le journal donne {seal.head}, et non {head.strip()}.")
        return Verification(seal, True, f"Preuve établie : le journal jusqu'à la position "
                            f"{position} produit bien l'empreinte {seal.head}.")

    def _check_proof_input(self, head: str, position: int) -> None:
        end = self.app.recorder.max_notification_id() or 0
        errors: dict[str, list[str]] = {}
        text = head.strip().lower()
        if len(text) != 64 or not set(text) <= HEX:
            errors["head"] = ["empreinte SHA-256 attendue : 64 caractères hexadécimaux"]
        if not 1 <= position <= end:
            errors["position"] = [f"position entre 1 et {end} (fin du journal) attendue, "
                                  f"et non {position}" if end else "le journal est vide"]
        if errors:
            raise InvalidInputError(errors)


def unreadable_record(events: list[int]) -> str | None:
    """Return the message naming an export record that no longer decodes, if any."""
    if not events:
        return None
    return (f"Journal altéré : l'enregistrement d'export n° {events[0]} est illisible, son "
            "sceau ne peut être comparé.")


def broken_seal(seals: list[RecordedSeal], walk: Walk) -> str | None:
    """Return the message naming the first recorded export whose seal the log no longer gives."""
    matched = [walk.sealed]
    for seal in sorted(seals, key=lambda s: s.position):
        head = walk.heads.get(seal.position)
        if head == seal.head:
            matched.append(seal.position)
            continue
        found = (f"le journal n'a plus d'événement n° {seal.position}" if head is None
                 else f"le journal y donne maintenant {head}")
        since = max((p for p in matched if p < seal.position), default=0)
        return (f"Journal altéré : l'export enregistré {seal.export_id} (« {seal.file_name} » du "
                f"{paris(seal.exported_at)}) a été scellé à la position "
                f"{seal.position} avec l'empreinte {seal.head} ; {found} : un événement entre "
                f"les positions {since + 1} et {seal.position} a été modifié, inséré ou "
                "supprimé.")
    return None


def unsealed_warning(walk: Walk, seals: list[RecordedSeal]) -> str:
    """Return the warning about events of the log that the stored chain does not cover."""
    where = f"s'arrête à la position {walk.sealed}" if walk.sealed else "est vide"
    later = sum(1 for s in seals if s.position > walk.sealed)
    seals_beyond = plural(later, "sceau d’export enregistré", "sceaux d’export enregistrés")
    control = (f"contrôlés seulement par {seals_beyond} au-delà" if later
               else "qu’aucun sceau d’export enregistré ne couvre")
    return (f"la chaîne d'empreintes enregistrée {where} alors que le journal va jusqu'à la "
            f"position {walk.seal.position}\u202f: "
            f"{plural(walk.unsealed, 'événement non scellé', 'événements non scellés')} "
            f"(chaîne tronquée ou en retard), {control}.")


def checked_summary(walk: Walk, seals: list[RecordedSeal]) -> str:
    """Return, in French, what was checked and found matching."""
    sealed = walk.events - walk.unsealed
    exports = (plural(len(seals), "sceau d’export enregistré concorde",
                      "sceaux d’export enregistrés concordent") if seals
               else "aucun export enregistré, donc aucun sceau d’export à comparer")
    return (f"{plural(walk.events, 'événement relu', 'événements relus')} jusqu’à la position "
            f"{walk.seal.position}\u202f; {sealed} concordent avec la chaîne enregistrée\u202f; "
            f"{exports}\u202f; empreinte "
            f"recalculée {walk.seal.head}.")
