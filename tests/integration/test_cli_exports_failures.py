"""Each `faps export …` / `faps audit …` command that cannot do its job says why and exits 1."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from faps.application.reproduction import recorded_exports
from tests.conftest import build_faps
from tests.integration.test_audit_exports_cli import cli
from tests.integration.test_exports_tables import vote_three_outcomes
from tests.support import World, make_world

UNKNOWN = "00000000-0000-0000-0000-00000000000b"


@pytest.fixture
def awarded(tmp_path: Path, clock: Any) -> Iterator[World]:
    """An awarded dossier of 2024 in an SQLite file."""
    faps = build_faps(f"sqlite:///{tmp_path / 'faps.sqlite3'}", tmp_path, clock)
    world = make_world(faps, clock)
    world.awarded()
    yield world
    faps.close()


def session_id(world: World) -> str:
    """Return the id of the world's only session."""
    (session,) = world.faps.queries.sessions(world.secretariat)
    return str(session.session_id)


def failed(result: Any, *expected: str) -> None:
    """Assert a command exited 1 with a message holding every expected part."""
    assert result.exit_code == 1, result.output
    for part in expected:
        assert part in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("output", "reason"), [("absent/o.csv", "n'existe pas"),
                                                (".", "c'est un dossier")])
def test_an_unwritable_output_fails_before_anything_is_recorded(
        awarded: World, tmp_path: Path, output: str, reason: str) -> None:
    target = str(tmp_path / output)
    failed(cli(awarded, "export", "decisions", "--year", "2024", "-o", target),
           "Impossible d'écrire", reason)
    failed(cli(awarded, "audit", "export", "-o", target), "Impossible d'écrire", reason)
    assert recorded_exports(awarded.faps.app) == []


def test_open_data_without_siret_fails(awarded: World, tmp_path: Path) -> None:
    out = str(tmp_path / "s.csv")
    failed(cli(awarded, "export", "scdl-subventions", "--year", "2024", "-o", out,
               FAPS_AGGLOMERATION_SIRET=""), "FAPS_AGGLOMERATION_SIRET")
    failed(cli(awarded, "export", "scdl-deliberations", "--year", "2024", "-o", out,
               FAPS_AGGLOMERATION_SIRET="12345678901234"), "SIRET", "n'est pas valide")
    failed(cli(awarded, "export", "scdl-subventions", "--year", "2024", "-o", out,
               FAPS_COMMUNE_SIRETS='{"77258": "123"}'), "Lognes", "n'est pas valide")
    assert not Path(out).exists()


def test_an_unknown_session_item_or_year_fails(awarded: World, tmp_path: Path) -> None:
    out = str(tmp_path / "o.pdf")
    failed(cli(awarded, "export", "decisions", "--session", UNKNOWN, "-o", out),
           "Séance introuvable")
    failed(cli(awarded, "export", "pdf", "agreement", "--session", session_id(awarded),
               "--item", "9", "-o", out), "Pas de point n° 9")
    failed(cli(awarded, "export", "decisions", "--year", "1999", "-o", out),
           "Aucune séance en 1999")
    failed(cli(awarded, "export", "scdl-subventions", "--year", "1999", "-o", out),
           "Aucune décision votée en 1999")


def test_a_missing_database_is_not_created(awarded: World, tmp_path: Path) -> None:
    absent = tmp_path / "ailleurs" / "faps.sqlite3"
    url = f"sqlite:///{absent}"
    failed(cli(awarded, "audit", "verify", FAPS_DATABASE_URL=url), "Base de données introuvable")
    failed(cli(awarded, "export", "decisions", "--year", "2024", "-o", str(tmp_path / "o.csv"),
               FAPS_DATABASE_URL=url), "Base de données introuvable")
    assert not absent.parent.exists()


def test_an_empty_log_does_not_verify(awarded: World, tmp_path: Path) -> None:
    empty = tmp_path / "vide.sqlite3"
    sqlite3.connect(empty).close()
    failed(cli(awarded, "audit", "verify", FAPS_DATABASE_URL=f"sqlite:///{empty}"), "Journal vide")


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "est vide"),
    (b'{"format": "faps-audit-log/1", "event_schemas": {}}\nnot json\n', "la ligne 2 n'est pas"),
    (b"\xff\xfe\x00garbage", "n'est pas un texte UTF-8"),
    (b'{"format": "autre"}\n', "n'est pas un export du journal faps"),
    (b'{"format": "faps-audit-log/1", "event_schemas": {}}\n', "Fichier tronqué"),
])
def test_a_bad_replay_file_fails_with_its_reason(awarded: World, tmp_path: Path, content: bytes,
                                                 expected: str) -> None:
    bad = tmp_path / "journal.jsonl"
    bad.write_bytes(content)
    failed(cli(awarded, "audit", "replay", str(bad)), expected)


def test_a_missing_file_fails_in_french(awarded: World, tmp_path: Path) -> None:
    absent = str(tmp_path / "absent.jsonl")
    failed(cli(awarded, "audit", "replay", absent), "fichier ou dossier introuvable")
    failed(cli(awarded, "audit", "check-export", absent), "fichier ou dossier introuvable")
    failed(cli(awarded, "audit", "replay", str(tmp_path)), "c'est un dossier")


def test_a_setting_that_is_not_json_is_named_in_french(awarded: World, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    result = cli(awarded, "export", "scdl-subventions", "--year", "2024", "-o", str(out),
                 FAPS_COMMUNE_SIRETS="notjson")
    assert result.exit_code == 2, result.output
    assert "Réglage invalide : FAPS_COMMUNE_SIRETS (objet JSON attendu" in result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    assert not out.exists()


def test_a_year_whose_sessions_voted_nothing_fails_like_open_data(awarded: World,
                                                                  tmp_path: Path) -> None:
    awarded.session(on=date(2025, 3, 20))
    out = tmp_path / "o.csv"
    failed(cli(awarded, "export", "decisions", "--year", "2025", "-o", str(out)),
           "Aucun point voté", "l'année 2025")
    failed(cli(awarded, "export", "scdl-deliberations", "--year", "2025", "-o", str(out)),
           "Aucune décision votée en 2025")
    assert not out.exists()


def test_no_notification_nor_agreement_for_an_item_not_adopted(awarded: World,
                                                               tmp_path: Path) -> None:
    session = str(vote_three_outcomes(awarded))
    out = tmp_path / "o.pdf"
    failed(cli(awarded, "export", "pdf", "notification", "--session", session, "--item", "2",
               "-o", str(out)), "Pas de lettre de notification pour le point n° 2", "rejetée")
    failed(cli(awarded, "export", "pdf", "agreement", "--session", session, "--item", "3",
               "-o", str(out)), "Pas de convention de financement", "ajourné")
    assert not out.exists()
