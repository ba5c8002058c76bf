"""A dossier's event as a row of its audit timeline: what (the label), and why in one line (the
summary), both from the event catalogue."""

from __future__ import annotations

from typing import Any

from faps.application import event_catalogue


def timeline_row(event: Any) -> dict[str, Any]:
    """Return the timeline row of a dossier's event."""
    changes = getattr(event, "changes", None)
    actor = event.actor
    return {
        "dossier_id": event.originator_id, "version": event.originator_version,
        "at": event.timestamp, "kind": type(event).__name__,
        "label": event_catalogue.label(event),
        "actor_name": actor.display, "actor_role": actor.role.value,
        "summary": event_catalogue.summary(event),
        "changes": [[c.field, c.before, c.after] for c in changes] if changes else [],
        "private": event_catalogue.is_private(event),
    }
