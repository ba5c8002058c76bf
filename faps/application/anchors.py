"""The log against its signed checkpoints: what `faps audit verify` adds to the chain's check."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from faps.domain.hash_chain import Walk


class Anchors(Protocol):
    """The signed checkpoints of the chain, kept outside the database."""

    key: Any

    def checkpoints(self) -> list[Any]: ...

    def signature_problem(self, checkpoint: Any) -> str | None: ...


def anchor_problem(anchors: Anchors, checkpoints: Sequence[Any], walk: Walk) -> str | None:
    """Return the message naming the first checkpoint the log no longer matches, if any."""
    for checkpoint in checkpoints:
        problem = anchors.signature_problem(checkpoint)
        if problem:
            return f"Journal non prouvé : {checkpoint.label()} : {problem}."
        head = walk.heads.get(checkpoint.position)
        if head == checkpoint.head:
            continue
        if head is not None:
            found = (f"le journal y donne maintenant {head} : un événement jusqu'à cette "
                     "position a été modifié, inséré ou supprimé, et la chaîne recalculée")
        elif checkpoint.position > walk.seal.position:
            found = (f"le journal s'arrête maintenant à la position {walk.seal.position} : il a "
                     "été tronqué")
        else:
            found = (f"le journal n'a plus d'événement à la position {checkpoint.position} : il "
                     "a été supprimé")
        return (f"Journal altéré : le {checkpoint.label()} atteste l'empreinte "
                f"{checkpoint.head} ; {found}.")
    return None


def anchor_summary(checkpoints: Sequence[Any], walk: Walk) -> str:
    """Return, in French, what the checkpoints prove and what they leave to the chain alone."""
    if not checkpoints:
        return ""
    last = max(checkpoints, key=lambda c: c.position)
    count = len(checkpoints)
    text = (f" {count} point{'s' if count > 1 else ''} d'ancrage signé{'s' if count > 1 else ''} "
            f"concorde{'nt' if count > 1 else ''} (le dernier : {last.label()})")
    if walk.seal.position > last.position:
        text += (f" ; les événements après la position {last.position} ne sont couverts que par "
                 "la chaîne enregistrée (lancez « faps audit anchor »)")
    return text + "."
