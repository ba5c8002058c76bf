"""Replay outside the system: rebuild every dossier from an exported log, as of a moment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import Notification

from faps.application.ports import CheckedEvents
from faps.domain.dossier import Dossier
from faps.domain.hash_chain import GENESIS, LogFileError


@dataclass(frozen=True)
class DossierLine:
    """A dossier as the replay table shows it."""

    reference: str
    commune: str
    state: str
    awarded: Decimal
    paid: Decimal


@dataclass
class Replay:
    """The aggregates rebuilt from a log file, the chain recomputed, and any break found."""

    aggregates: dict[Any, Any] = field(default_factory=dict)
    head: str = GENESIS
    position: int = 0
    events: int = 0
    problem: str | None = None
    seal_checked: bool = False


def replay_log(log: CheckedEvents, mapper: Any, as_of: datetime | None = None,
               seal: tuple[int, str] | None = None) -> Replay:
    """Check every line and link of an exported log and fold its events (up to `as_of`).

    The chain is checked before each event is decoded, and to the end of the file even when
    an event does not replay: a defect of the file is always named before a failed replay.
    A published `seal` (position, head) must be the file's chain at that position. `log` reads
    the file (faps.infrastructure.audit_log.CheckedLog of its lines).
    """
    result = Replay()
    failure: str | None = None
    try:
        for number, notification in log:
            if seal is not None and notification.id == seal[0]:
                failure = failure or _seal_problem(seal, log.head, number)
                result.seal_checked = True
            if failure is None:
                failure = fold(result, mapper, number, notification, as_of)
    except LogFileError as exc:
        result.problem = exc.message
    result.head, result.position, result.events = log.head, log.position, log.events
    if seal is not None and not result.seal_checked and not result.problem:
        failure = failure or (f"Sceau non vérifiable : le fichier ne contient pas d'événement à "
                              f"la position {seal[0]} (il va jusqu'à la position {log.position}).")
    result.problem = result.problem or failure
    return result


def _seal_problem(seal: tuple[int, str], head: str, number: int) -> str | None:
    """Say why the file's chain at the seal's position is not the published head, if not."""
    if head == seal[1]:
        return None
    return (f"Sceau non conforme à la ligne {number} : à la position {seal[0]}, la chaîne du "
            f"fichier donne {head}, et non la tête publiée {seal[1]} — le journal exporté n'est "
            "pas celui qui a produit ce sceau.")


def fold(result: Replay, mapper: Any, number: int, notification: Notification,
         as_of: datetime | None) -> str | None:
    """Apply one event to its aggregate; return why it cannot be replayed, if it cannot."""
    try:
        event = mapper.to_domain_event(notification)
        if as_of is None or event.timestamp <= as_of:
            key = notification.originator_id
            result.aggregates[key] = event.mutate(result.aggregates.get(key))
    except Exception as exc:  # the chain holds, yet faps cannot replay it: say which event
        return (f"Rejeu impossible à la ligne {number}, événement n° {notification.id} "
                f"({notification.topic}) : {exc or type(exc).__name__}.")
    return None


def dossier_lines(aggregates: Any, communes: Any) -> list[DossierLine]:
    """Return the table of dossiers, by reference (drafts without one last)."""
    lines = [DossierLine(d.reference or "", communes.name(d.commune), d.state.label,
                         d.awarded_amount, d.paid)
             for d in aggregates if isinstance(d, Dossier)]
    return sorted(lines, key=lambda x: (x.reference == "", x.reference, x.commune, x.state,
                                       x.awarded, x.paid))
