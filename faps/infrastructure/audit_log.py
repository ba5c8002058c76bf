"""The log outside the system: JSON Lines export (with event schemas and links) and replay.

Line 1 is a header with a JSON Schema per event type; then one line per stored event; the last
line gives the chain's head. Replay needs nothing but that file and the faps domain classes: it
rebuilds each stored event's exact bytes, checks every link, decodes the events with the same
transcodings and folds them into aggregates.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic
from pydantic import BaseModel

from faps.domain.hash_chain import BATCH, GENESIS, LogFileError, next_link, read_log

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
        # The current version's fields; its older names (`faps_actor`, `…/v1`) are upcast.
        base = names.get(hint, hint.__name__).split("/v")[0]
        schema = _wrapped(base, hint.model_json_schema())
        schema["properties"]["_type_"] = {"type": "string",
                                          "pattern": f"^{re.escape(base)}(/v[0-9]+)?$"}
        return schema
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
    seal: list[Any] = []
    for line in log_lines(app, names, app.recorder.max_notification_id() or 0, seal):
        out.write(line)
    position, head, count = seal
    return position, head, count


def log_lines(app: Any, names: dict[type, str], until: int,
              seal: list[Any] | None = None) -> Iterator[str]:
    """Yield the log up to position `until` as JSON Lines, one line at a time (a download
    streams them as they are read); `seal` receives (position, head, events written)."""
    select = app.recorder.select_notifications
    topics = dict.fromkeys(n.topic for n in read_log(select, 1, until))
    schemas = {t: event_schema(t, names) for t in sorted(topics)}
    yield json.dumps({"format": FORMAT, "event_schemas": schemas}, ensure_ascii=False) + "\n"
    previous, position, count = GENESIS, 0, 0
    for notification in read_log(select, 1, until):
        previous = next_link(previous, notification)
        position, count = notification.id, count + 1
        event = app.mapper.to_domain_event(notification)
        yield json.dumps({
            "notification_id": notification.id, "originator_id": str(notification.originator_id),
            "originator_version": notification.originator_version, "topic": notification.topic,
            "timestamp": event.timestamp.isoformat(),
            "state": json.loads(notification.state), "link": previous,
        }, ensure_ascii=False, separators=(",", ":")) + "\n"
    yield json.dumps({"head": previous, "position": position, "events": count}) + "\n"
    if seal is not None:
        seal[:] = [position, previous, count]


def at(line: int, reason: str) -> LogFileError:
    """Return the error of one line of an exported log."""
    return LogFileError(f"Export du journal invalide à la ligne {line} : {reason}.", line)


def _kind(topic: str) -> str:
    return topic.rsplit(".", 1)[-1].rsplit(":", 1)[-1]


class CheckedLog:
    """The events of an exported log, each checked (shape, order, link) before it is yielded.

    Iterating yields (line number, stored event); any defect (a line that is not an event
    object, positions that do not increase, a wrong link, a trailer that does not match, a
    missing trailer) raises LogFileError naming the line. `head`, `position` and `events`
    follow the chain recomputed so far.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = iter(lines)
        self.number = 0
        self.head, self.position, self.events = GENESIS, 0, 0

    def __iter__(self) -> Iterator[tuple[int, Notification]]:
        header = self._next()
        if header is None:
            raise LogFileError("Export du journal illisible : le fichier est vide.")
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise at(1, "ce fichier n'est pas un export du journal faps (en-tête "
                     f"« format » : « {FORMAT} » attendu)")
        while (data := self._next()) is not None:
            if not isinstance(data, dict):
                raise at(self.number, f"objet JSON attendu, et non {json_kind(data)}")
            if "notification_id" not in data and "head" in data:
                self._trailer(data)
                return
            notification, link = stored_event(data, self.number)
            self._chain(notification, link)
            yield self.number, notification
        raise LogFileError(f"Fichier tronqué : la ligne finale (tête de chaîne) manque après la "
                           f"ligne {self.number}.", self.number)

    def _next(self) -> Any:
        """Return the next line's JSON value, or None at the end of the file."""
        try:
            line = next(self.lines)
        except StopIteration:
            return None
        except UnicodeDecodeError:
            raise LogFileError(f"Export du journal illisible : le fichier n'est pas un texte "
                               f"UTF-8 (octets invalides après la ligne {self.number}).",
                               self.number + 1) from None
        self.number += 1
        try:
            return json.loads(line)
        except json.JSONDecodeError as exc:
            raise LogFileError(f"Export du journal illisible : la ligne {self.number} n'est pas "
                               f"du JSON ({exc.msg}, colonne {exc.colno}).", self.number) from None

    def _chain(self, notification: Notification, link: str) -> None:
        """Check that positions increase and that the line's link is the recomputed one."""
        if notification.id <= self.position:
            raise at(self.number, f"événement n° {notification.id} après le n° {self.position} "
                     "(les positions doivent croître : lignes interverties ou recopiées)")
        expected = next_link(self.head, notification)
        if expected != link:
            raise at(self.number, f"maillon faux à l'événement n° {notification.id} "
                     f"({_kind(notification.topic)}) : {self._why(notification.id)}")
        self.head, self.position, self.events = expected, notification.id, self.events + 1

    def _why(self, position: int) -> str:
        if position == self.position + 1:
            return "la ligne a été modifiée"
        missing = (f"l'événement n° {self.position + 1} en a été retiré ou déplacé"
                   if position == self.position + 2 else f"les événements n° "
                   f"{self.position + 1} à {position - 1} en ont été retirés ou déplacés")
        return (f"la ligne a été modifiée, ou {missing} (la ligne précédente est l'événement "
                f"n° {self.position})")

    def _trailer(self, data: dict[str, Any]) -> None:
        """Check the last line against the recomputed chain; nothing may follow it."""
        announced = (data.get("position"), data.get("head"), data.get("events"))
        if announced != (self.position, self.head, self.events):
            raise at(self.number, f"la tête de chaîne annoncée (position {announced[0]}, "
                     f"{announced[2]} événement(s), empreinte {announced[1]}) ne correspond pas "
                     f"aux événements du fichier (position {self.position}, {self.events} "
                     f"événement(s), empreinte {self.head})")
        if self._next() is not None:
            raise at(self.number, "ligne après la tête de chaîne finale")


def json_kind(value: Any) -> str:
    """Return the French name of a JSON value's kind (« un tableau »)."""
    kinds = ((bool, "un booléen"), (int | float, "un nombre"), (str, "un texte"),
             (list, "un tableau"), (dict, "un objet"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "null")


_FIELDS: dict[str, type] = {"notification_id": int, "originator_id": str,
                            "originator_version": int, "topic": str, "state": dict, "link": str}
_TYPES = {int: "entier", str: "texte", dict: "objet JSON"}


def stored_event(data: dict[str, Any], line: int) -> tuple[Notification, str]:
    """Return the stored event of one line (its exact bytes rebuilt) and its link."""
    for name, kind in _FIELDS.items():
        if name not in data:
            raise at(line, f"champ « {name} » absent")
        value = data[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise at(line, f"champ « {name} » : {_TYPES[kind]} attendu, et non "
                     f"{json_kind(value)}")
    try:
        originator_id = UUID(data["originator_id"])
    except ValueError:
        raise at(line, "champ « originator_id » : identifiant UUID attendu") from None
    if data["notification_id"] < 1 or data["originator_version"] < 1:
        raise at(line, "positions et versions commencent à 1")
    state = json.dumps(data["state"], ensure_ascii=False, separators=(",", ":")).encode()
    return Notification(id=data["notification_id"], originator_id=originator_id,
                        originator_version=data["originator_version"], topic=data["topic"],
                        state=state), data["link"]


__all__ = ["BATCH", "CheckedLog", "LogFileError", "log_lines", "write_log"]
