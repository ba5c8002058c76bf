"""The audit seal on SQLite and PostgreSQL: tampering is found and named; logs replay outside."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from faps.application.replay import dossier_lines
from faps.cli import main
from faps.domain.dossier import Dossier
from tests.conftest import build_faps
from tests.support import World, make_world


@pytest.fixture(params=["sqlite", "postgres"])
def history(request: pytest.FixtureRequest, tmp_path: Path, clock: Any) -> Iterator[World]:
    """A realistic history (two awards, a payment, a draft, a withdrawal) on a real database."""
    url = (f"sqlite:///{tmp_path / 'faps.sqlite3'}" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    faps = build_faps(url, tmp_path, clock)
    world = make_world(faps, clock)
    world.awarded()
    clock.advance(days=15)
    world.awarded(requested_amount="25000.00")
    world.drafted()
    faps.dossiers.withdraw(world.agent, world.submitted(), "Projet abandonné.")
    yield world
    faps.close()


def cli(world: World, *args: str) -> Any:
    """Run `faps` against the world's database."""
    env = {"FAPS_DATABASE_URL": world.faps.settings.database_url,
           "FAPS_INSTANCE_PATH": str(world.faps.settings.instance_path)}
    return CliRunner().invoke(main, list(args), env=env)


def execute(world: World, sql: str, *params: Any) -> list[Any]:
    """Run SQL directly on the event store (as a forger would)."""
    url = world.faps.settings.database_url
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split(":///", 1)[1]) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []


def table(world: World) -> tuple[str, str]:
    """Return the events table and its id column."""
    if world.faps.settings.database_url.startswith("sqlite"):
        return "stored_events", "rowid"
    return "faps_events", "notification_id"


def voted_event(world: World) -> tuple[int, bytes]:
    """Return the id and state of the first dossier's Voted event."""
    name, ident = table(world)
    rows = execute(world, f"SELECT {ident}, state FROM {name} WHERE topic LIKE %s "
                   f"ORDER BY {ident}", "%Dossier.Voted")
    return rows[0][0], bytes(rows[0][1])


def test_an_untouched_log_verifies(history: World) -> None:
    result = cli(history, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "Journal intègre" in result.output


def test_one_changed_byte_is_found_and_named(history: World) -> None:
    name, ident = table(history)
    number, state = voted_event(history)
    forged = state.replace(b'"votes_against":3', b'"votes_against":4')
    assert forged != state
    execute(history, f"UPDATE {name} SET state = %s WHERE {ident} = %s", forged, number)
    result = cli(history, "audit", "verify")
    assert result.exit_code == 1
    assert f"événement n° {number}" in result.output
    assert "Voted" in result.output and "FAPS-2024-001" in result.output


def test_a_deleted_event_is_found_and_named(history: World) -> None:
    name, ident = table(history)
    number, _ = voted_event(history)
    execute(history, f"DELETE FROM {name} WHERE {ident} = %s", number)
    result = cli(history, "audit", "verify")
    assert result.exit_code == 1
    assert f"événement n° {number}" in result.output and "supprimé" in result.output


def test_two_reordered_events_are_found(history: World) -> None:
    name, ident = table(history)
    number, _ = voted_event(history)
    for old, new in ((number, -1), (number + 1, number), (-1, number + 1)):
        execute(history, f"UPDATE {name} SET {ident} = %s WHERE {ident} = %s", new, old)
    result = cli(history, "audit", "verify")
    assert result.exit_code == 1
    assert f"événement n° {number}" in result.output


def test_an_old_head_is_proved_and_a_wrong_one_refused(history: World) -> None:
    seal = history.faps.ports.chain.seal()
    history.drafted()  # the log goes on after the export
    ok = cli(history, "audit", "verify", "--head", seal.head, "--position", str(seal.position))
    assert ok.exit_code == 0, ok.output
    bad = cli(history, "audit", "verify", "--head", "0" * 64, "--position", str(seal.position))
    assert bad.exit_code == 1 and "Empreinte différente" in bad.output


def test_replay_of_an_export_gives_the_states_the_system_shows(history: World,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "journal.jsonl"
    exported = cli(history, "audit", "export", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    replayed = cli(history, "audit", "replay", str(out))
    assert replayed.exit_code == 0, replayed.output
    app = history.faps.app
    ids = {n.originator_id for n in app.recorder.select_notifications(1, 100000)
           if n.topic.endswith("Dossier.Drafted")}
    live = dossier_lines([app.repository.get(i) for i in ids], history.faps.ctx.communes)
    assert len(live) == 4
    for line in live:
        assert line.state in replayed.output
        if line.reference:
            assert line.reference in replayed.output
    from faps.cli.audit import format_lines

    assert format_lines(live) in replayed.output
    assert isinstance(app.repository.get(next(iter(ids))), Dossier)


def test_replay_as_of_a_date_before_the_awards(history: World, tmp_path: Path) -> None:
    out = tmp_path / "journal.jsonl"
    cli(history, "audit", "export", "-o", str(out))
    early = cli(history, "audit", "replay", str(out), "--as-of", "2024-02-04")
    assert early.exit_code == 0, early.output
    assert "Attribué" in early.output and "FAPS-2024" not in early.output


def test_a_forged_export_file_is_refused(history: World, tmp_path: Path) -> None:
    out = tmp_path / "journal.jsonl"
    cli(history, "audit", "export", "-o", str(out))
    text = out.read_text(encoding="utf-8").replace('"votes_against":3', '"votes_against":4', 1)
    out.write_text(text, encoding="utf-8")
    result = cli(history, "audit", "replay", str(out))
    assert result.exit_code == 1 and "maillon faux" in result.output


def test_a_truncated_chain_is_incomplete_and_an_unsealed_forgery_breaks_a_recorded_seal(
        history: World) -> None:
    from tests.integration.test_exports_tables import service

    published = service(history).export(history.secretariat, "decisions",
                                         {"year": 2024, "format": "csv"})
    name, ident = table(history)
    number, state = voted_event(history)
    execute(history, "DELETE FROM faps_audit_chain WHERE position >= %s", number)
    behind = cli(history, "audit", "verify")
    assert behind.exit_code == 3, behind.output
    assert "Vérification incomplète" in behind.output and "non scellé" in behind.output
    assert f"s'arrête à la position {number - 1}" in behind.output
    execute(history, f"UPDATE {name} SET state = %s WHERE {ident} = %s",
            state.replace(b'"votes_against":3', b'"votes_against":4'), number)
    forged = cli(history, "audit", "verify")
    assert forged.exit_code == 1, forged.output
    assert str(published.export_id) in forged.output
    assert f"scellé à la position {published.seal.position}" in forged.output
    assert f"entre les positions {number} et {published.seal.position}" in forged.output


def test_an_emptied_chain_is_reported_and_not_taken_for_an_empty_log(history: World) -> None:
    execute(history, "DELETE FROM faps_audit_chain")
    result = cli(history, "audit", "verify")
    assert result.exit_code == 3, result.output
    assert "chaîne d'empreintes enregistrée est vide" in result.output
    assert "Journal vide" not in result.output


def test_a_bad_position_or_head_is_refused_in_french(history: World) -> None:
    seal = history.faps.ports.chain.seal()
    for head, position in (("a" * 64, "-3"), ("a" * 64, "0"), ("a" * 64, "trois"),
                           ("a" * 64, str(seal.position + 1)), ("pas-une-empreinte", "1")):
        result = cli(history, "audit", "verify", "--head", head, "--position", position)
        assert result.exit_code == 2, (position, result.output)
        assert "dernier : n° 0" not in result.output
        assert ("Position invalide" in result.output or "fin du journal" in result.output
                or "64 caractères hexadécimaux" in result.output), result.output
