"""The log outside the system: JSON Lines export (with event schemas and links) and replay.

Line 1 is a header with a JSON Schema per event type; then one line per stored event; the last
line gives the chain's head. Replay needs nothing but that file and the faps domain classes: it
rebuilds each stored event's exact bytes, checks every link, decodes the events with the same
transcodings and folds them into aggregates.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic
from pydantic import BaseModel

from faps.infrastructure.audit_chain import BATCH, GENESIS, next_link, read_log

FORMAT = "faps-audit-log/1"
_SIMPLE = {int: {"type": "integer"}, str: {"type": "string"}, bool: {"type": "boolean"},
           float: {"type": "number"}}
_TRANSCODED = {Decimal: ("decimal_str", {"type": "string"}),
               date: ("date_iso", {"type": "string", "format": "date"}),
               datetime: ("datetime_iso", {"type": "string", "format": "date-time"}),
               UUID: ("uuid_hex", {"type": "string", "pattern": "^[0-9a-f]{32}$"})}


def _wrapped(name: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": ["_type_", "_data_"],
            "properties": {"_type_": {"const": name}, "_data_": data}}


def type_schema(hint: Any, names: dict[type, str]) -> dict[str, Any]:
    """Return the JSON Schema of a field's stored (transcoded) form."""
    origin = typing.get_origin(hint)
    if hint in _SIMPLE:
        return dict(_SIMPLE[hint])
    if isinstance(hint, type) and hint in _TRANSCODED:
        name, data = _TRANSCODED[hint]
        return _wrapped(name, data)
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return _wrapped(names.get(hint, hint.__name__), hint.model_json_schema())
    if origin in (tuple, list):
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        items = type_schema(args[0], names) if args else {}
        return {"type": "array", "items": items} if origin is list else _wrapped(
            "tuple_as_list", {"type": "array", "items": items})
    if origin is dict:
        return {"type": "object"}
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return {"anyOf": [type_schema(a, names) for a in typing.get_args(hint)]}
    if hint is type(None):
        return {"type": "null"}
    return {}


def event_schema(topic: str, names: dict[type, str]) -> dict[str, Any]:
    """Return the JSON Schema of an event type's stored state, from its dataclass fields."""
    cls = resolve_topic(topic)
    hints = typing.get_type_hints(cls)
    skip = {"originator_id", "originator_version"}
    fields = {k: type_schema(v, names) for k, v in hints.items()
              if k not in skip and not k.startswith("_") and typing.get_origin(v)
              is not typing.ClassVar}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": topic,
            "type": "object", "properties": fields, "required": sorted(fields)}


def write_log(app: Any, out: IO[str], names: dict[type, str]) -> tuple[int, str, int]:
    """Write the whole log as JSON Lines; return (position, head, events written)."""
    topics: list[str] = []
    for notification in read_log(app.recorder.select_notifications):
        if notification.topic not in topics:
            topics.append(notification.topic)
    schemas = {t: event_schema(t, names) for t in sorted(topics)}
    out.write(json.dumps({"format": FORMAT, "event_schemas": schemas}, ensure_ascii=False) + "\n")
    previous, position, count = GENESIS, 0, 0
    for notification in read_log(app.recorder.select_notifications):
        previous = next_link(previous, notification)
        position, count = notification.id, count + 1
        event = app.mapper.to_domain_event(notification)
        out.write(json.dumps({
            "notification_id": notification.id, "originator_id": str(notification.originator_id),
            "originator_version": notification.originator_version, "topic": notification.topic,
            "timestamp": event.timestamp.isoformat(),
            "state": json.loads(notification.state), "link": previous,
        }, ensure_ascii=False, separators=(",", ":")) + "\n")
    out.write(json.dumps({"head": previous, "position": position, "events": count}) + "\n")
    return position, previous, count


def read_events(lines: IO[str]) -> Iterator[tuple[Notification, str]]:
    """Yield each stored event of an exported log (its exact bytes rebuilt) and its link."""
    header = json.loads(next(lines))
    if header.get("format") != FORMAT:
        raise ValueError("ce fichier n'est pas un export du journal faps")
    for line in lines:
        data = json.loads(line)
        if "notification_id" not in data:
            yield Notification(id=-1, originator_id=UUID(int=0), originator_version=0,
                               topic="", state=b""), json.dumps(data)
            return
        state = json.dumps(data["state"], ensure_ascii=False, separators=(",", ":")).encode()
        yield Notification(id=data["notification_id"], originator_id=UUID(data["originator_id"]),
                           originator_version=data["originator_version"], topic=data["topic"],
                           state=state), data["link"]


__all__ = ["BATCH", "read_events", "write_log"]
