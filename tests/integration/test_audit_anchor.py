"""The anchored chain: signed checkpoints outside the database find what a recomputed chain
hides."""

from __future__ import annotations

import json
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from faps.application.audit import AuditService
from faps.cli import main
from tests.conftest import build_faps
from tests.integration.test_audit import execute, table
from tests.support import World, make_world


@pytest.fixture(params=["sqlite", "postgres"])
def history(request: pytest.FixtureRequest, tmp_path: Path, clock: Any) -> Iterator[World]:
    """A history (an award, a draft, a withdrawal) on a real database."""
    url = (f"sqlite:///{tmp_path / 'faps.sqlite3'}" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    faps = build_faps(url, tmp_path, clock)
    world = make_world(faps, clock)
    world.awarded()
    world.drafted()
    faps.dossiers.withdraw(world.agent, world.submitted(), "Projet abandonné.")
    yield world
    faps.close()


@pytest.fixture
def key(history: World, tmp_path: Path) -> Path:
    """A signing key made by `faps audit keygen`, outside the instance folder."""
    path = tmp_path / "keys" / "audit-ed25519.pem"
    result = faps_cli(history, None, "audit", "keygen", str(path))
    assert result.exit_code == 0, result.output
    return path


def faps_cli(world: World, key: Path | None, *args: str) -> Any:
    """Run `faps` against the world's database, with the signing key if given."""
    env = {"FAPS_DATABASE_URL": world.faps.settings.database_url,
           "FAPS_INSTANCE_PATH": str(world.faps.settings.instance_path),
           "FAPS_AUDIT_SIGNING_KEY": str(key) if key else ""}
    return CliRunner().invoke(main, list(args), env=env)


def checkpoints(world: World) -> Path:
    return world.faps.settings.instance_path / "audit-checkpoints.jsonl"


def recompute_chain(world: World) -> None:
    """Do what a forger with write access does: drop the stored chain and seal the log again."""
    execute(world, "DELETE FROM faps_audit_chain")
    world.faps.ports.chain.catch_up()


def chain_alone_agrees(world: World) -> bool:
    """Tell whether the check without checkpoints (the stored chain, the seals) passes."""
    return AuditService(world.faps.app, world.faps.ports.chain).verify(
        world.auditor).ok


def anchored(world: World, key: Path) -> Any:
    result = faps_cli(world, key, "audit", "anchor")
    assert result.exit_code == 0, result.output
    return result


def test_an_anchor_is_signed_appended_printed_and_verified(history: World, key: Path) -> None:
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = anchored(history, key)
    history.drafted()
    anchored(history, key)

    lines = checkpoints(history).read_text().splitlines()
    assert len(lines) == 2 and lines[0] in first.output  # printed for publication
    assert json.loads(lines[1])["position"] > json.loads(lines[0])["position"]
    result = faps_cli(history, key, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "2 points d'ancrage signés concordent" in result.output
    public_only = faps_cli(history, Path(f"{key}.pub"), "audit", "verify")
    assert public_only.exit_code == 0, public_only.output  # an auditor holds the public key
    keyless = faps_cli(history, None, "audit", "verify")
    assert keyless.exit_code == 3 and "2 point(s) d'ancrage non vérifié(s)" in keyless.output


def test_the_last_event_deleted_with_its_chain_row_is_a_truncation(history: World,
                                                                   key: Path) -> None:
    anchored(history, key)
    name, ident = table(history)
    (last,) = execute(history, f"SELECT max({ident}) FROM {name}")[0]
    execute(history, f"DELETE FROM {name} WHERE {ident} = %s", last)
    execute(history, "DELETE FROM faps_audit_chain WHERE position = %s", last)
    assert chain_alone_agrees(history)

    result = faps_cli(history, key, "audit", "verify")

    assert result.exit_code == 1
    assert "point d'ancrage n° 1" in result.output and "tronqué" in result.output


def test_an_event_changed_and_the_chain_recomputed_is_a_rewrite(history: World,
                                                                key: Path) -> None:
    anchored(history, key)
    name, ident = table(history)
    number, state = execute(history, f"SELECT {ident}, state FROM {name} WHERE topic LIKE %s "
                            f"ORDER BY {ident}", "%Dossier.Voted")[0]
    execute(history, f"UPDATE {name} SET state = %s WHERE {ident} = %s",
            bytes(state).replace(b"50", b"60", 1), number)
    recompute_chain(history)
    assert chain_alone_agrees(history)

    result = faps_cli(history, key, "audit", "verify")

    assert result.exit_code == 1
    assert "point d'ancrage n° 1" in result.output
    assert "modifié, inséré ou supprimé" in result.output


def test_a_row_inserted_behind_a_checkpoint_is_found(history: World, key: Path) -> None:
    name, ident = table(history)
    (gap,) = execute(history, f"SELECT min({ident}) + 3 FROM {name}")[0]
    execute(history, f"DELETE FROM {name} WHERE {ident} = %s", gap)  # ids have gaps (rollbacks)
    recompute_chain(history)
    anchored(history, key)
    copy_of = gap + 1
    cast = "" if history.faps.settings.database_url.startswith("sqlite") else "::uuid"
    execute(history, f"INSERT INTO {name} ({ident}, originator_id, originator_version, topic, "
            f"state) SELECT %s, %s{cast}, originator_version, topic, state FROM {name} "
            f"WHERE {ident} = %s", gap, str(uuid.uuid4()), copy_of)
    recompute_chain(history)  # the follower seals the forged row
    assert chain_alone_agrees(history)

    result = faps_cli(history, key, "audit", "verify")

    assert result.exit_code == 1
    assert "point d'ancrage n° 1" in result.output
    assert "modifié, inséré ou supprimé" in result.output


def test_a_changed_checkpoint_or_another_key_is_refused(history: World, key: Path,
                                                        tmp_path: Path) -> None:
    anchored(history, key)
    path = checkpoints(history)
    line = json.loads(path.read_text())
    path.write_text(json.dumps({**line, "position": line["position"] - 1}) + "\n")
    result = faps_cli(history, key, "audit", "verify")
    assert result.exit_code == 1 and "signature invalide" in result.output

    other = tmp_path / "other.pem"
    assert faps_cli(history, None, "audit", "keygen", str(other)).exit_code == 0
    path.write_text(json.dumps(line) + "\n")
    result = faps_cli(history, other, "audit", "verify")
    assert result.exit_code == 1 and "signé par une autre clé" in result.output


def test_a_key_without_checkpoints_is_incomplete_and_anchoring_an_altered_log_is_refused(
        history: World, key: Path) -> None:
    result = faps_cli(history, key, "audit", "verify")
    assert result.exit_code == 3 and "aucun point d'ancrage signé" in result.output
    assert "FAPS_AUDIT_SIGNING_KEY" in faps_cli(history, None, "audit", "anchor").output

    name, ident = table(history)
    (first,) = execute(history, f"SELECT min({ident}) FROM {name}")[0]
    execute(history, f"UPDATE {name} SET topic = topic || 'x' WHERE {ident} = %s", first)
    result = faps_cli(history, key, "audit", "anchor")

    assert result.exit_code == 1 and "Point d'ancrage refusé" in result.output
    assert not checkpoints(history).exists()
