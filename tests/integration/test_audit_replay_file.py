"""`faps audit replay` on a tampered export file: the line and the reason are named, in French."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from faps.cli import main
from faps.cli.audit import transcoding_names
from faps.infrastructure.audit_chain import GENESIS, next_link
from faps.infrastructure.audit_log import stored_event, write_log
from tests.support import World

Lines = list[str]


@pytest.fixture
def exported(memory_world: World) -> Lines:
    """The lines of an export of a log holding an awarded dossier."""
    memory_world.awarded()
    out = io.StringIO()
    write_log(memory_world.faps.app, out, transcoding_names())
    return out.getvalue().splitlines(keepends=True)


def replayed(lines: Lines, tmp_path: Path) -> Result:
    """Run `faps audit replay` on a file of these lines."""
    path = tmp_path / "journal.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return CliRunner().invoke(main, ["audit", "replay", str(path)])


def swapped(lines: Lines) -> Lines:
    """Swap the lines of events 5 and 6."""
    return [*lines[:5], lines[6], lines[5], *lines[7:]]


def rechained(lines: Lines) -> Lines:
    """Give event 3 a topic faps does not know, then forge every later link and the trailer."""
    events = [json.loads(line) for line in lines[1:-1]]
    events[2]["topic"] = "faps.domain.dossier:Dossier.Invented"
    head = GENESIS
    for number, data in enumerate(events, start=2):
        head = data["link"] = next_link(head, stored_event(data, number)[0])
    trailer = {"head": head, "position": events[-1]["notification_id"], "events": len(events)}
    return [lines[0], *(json.dumps(e) + "\n" for e in events), json.dumps(trailer) + "\n"]


CASES: list[tuple[str, Callable[[Lines], Lines], str]] = [
    ("swapped", swapped, "ligne 6 : maillon faux à l'événement n° 6 "),
    ("deleted", lambda x: [*x[:5], *x[6:]], "ligne 6 : maillon faux à l'événement n° 6 "),
    ("not an object", lambda x: [*x[:4], "[1, 2]\n", *x[5:]],
     "ligne 5 : objet JSON attendu, et non un tableau"),
    ("wrong type", lambda x: [*x[:3], x[3].replace('"originator_version":', '"originator_version'
                                                   '":"x","was":'), *x[4:]],
     "ligne 4 : champ « originator_version » : entier attendu, et non un texte"),
    ("missing field", lambda x: [*x[:2], x[2].replace('"link"', '"lien"'), *x[3:]],
     "ligne 3 : champ « link » absent"),
    ("backwards", lambda x: [*x[:5], x[3], *x[5:]],
     "ligne 6 : événement n° 3 après le n° 4 (les positions doivent croître"),
    ("line after the trailer", lambda x: [*x, x[1]], "ligne après la tête de chaîne finale"),
    ("wrong trailer", lambda x: [*x[:-1], x[-1].replace('"events": ', '"events": 1')],
     "la tête de chaîne annoncée"),
    ("unknown event, links forged", rechained, "Rejeu impossible à la ligne 4, événement n° 3"),
]


@pytest.mark.parametrize(("case", "tamper", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_tampered_file_is_refused_naming_the_line_and_the_reason(
        exported: Lines, tmp_path: Path, case: str, tamper: Callable[[Lines], Lines],
        expected: str) -> None:
    result = replayed(tamper(exported), tmp_path)
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert "object has no attribute" not in result.output and "(19, 18)" not in result.output


def test_the_untouched_file_replays(exported: Lines, tmp_path: Path) -> None:
    result = replayed(exported, tmp_path)
    assert result.exit_code == 0, result.output
    assert f"{len(exported) - 2} événement(s) rejoués" in result.output


def test_a_published_seal_is_found_in_the_file_or_its_absence_named(
        exported: Lines, tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text("".join(exported), encoding="utf-8")
    fifth = json.loads(exported[5])  # the seal an export printed at position 5
    position, head = str(fifth["notification_id"]), fifth["link"]

    def replay(*options: str) -> Result:
        return CliRunner().invoke(main, ["audit", "replay", str(path), *options])

    found = replay("--head", head.upper(), "--position", position)
    assert found.exit_code == 0, found.output
    assert f"Sceau publié retrouvé : à la position {position}, le fichier donne bien" \
        in found.output
    forged = replay("--head", "0" * 64, "--position", position)
    assert forged.exit_code == 1
    assert f"Sceau non conforme à la ligne 6 : à la position {position}" in forged.stderr
    absent = replay("--head", head, "--position", "9999")
    assert absent.exit_code == 1
    assert "ne contient pas d'événement à la position 9999" in absent.stderr
    alone = replay("--head", head)
    assert alone.exit_code == 2 and "à la fois --head et --position" in alone.stderr
