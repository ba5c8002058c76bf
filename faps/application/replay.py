"""Replay outside the system: rebuild every dossier from an exported log, as of a moment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from faps.domain.dossier import Dossier
from faps.infrastructure.audit_chain import GENESIS, next_link
from faps.infrastructure.audit_log import read_events


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


def replay_log(lines: IO[str], mapper: Any, as_of: datetime | None = None) -> Replay:
    """Check every link of an exported log and fold its events (up to `as_of`)."""
    result = Replay()
    for notification, link in read_events(lines):
        if notification.id == -1:
            result.problem = result.problem or _check_trailer(link, result)
            return result
        result.head = next_link(result.head, notification)
        result.position, result.events = notification.id, result.events + 1
        if result.head != link and result.problem is None:
            result.problem = (f"Maillon faux à l'événement n° {notification.id} "
                              f"({notification.topic.rsplit('.', 1)[-1]}) : le fichier a été "
                              "modifié.")
        event = mapper.to_domain_event(notification)
        if as_of is None or event.timestamp <= as_of:
            key = notification.originator_id
            result.aggregates[key] = event.mutate(result.aggregates.get(key))
    result.problem = result.problem or "Fichier tronqué : la ligne finale (tête de chaîne) manque."
    return result


def _check_trailer(raw: str, result: Replay) -> str | None:
    import json

    trailer = json.loads(raw)
    if trailer.get("head") != result.head or trailer.get("position") != result.position:
        return "La tête de chaîne annoncée ne correspond pas aux événements du fichier."
    return None


def dossier_lines(aggregates: Any, communes: Any) -> list[DossierLine]:
    """Return the table of dossiers, by reference (drafts without one last)."""
    lines = [DossierLine(d.reference or "", communes.name(d.commune), d.state.label,
                         d.awarded_amount, d.paid)
             for d in aggregates if isinstance(d, Dossier)]
    return sorted(lines, key=lambda x: (x.reference == "", x.reference, x.commune, x.state,
                                       x.awarded, x.paid))
