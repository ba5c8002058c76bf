"""`faps projections status|rebuild` on a SQLite file."""

from __future__ import annotations

import re

from click.testing import CliRunner

from faps.cli import main


def test_status_and_rebuild_from_the_command_line(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FAPS_DATABASE_URL", f"sqlite:///{tmp_path / 'faps.sqlite3'}")
    monkeypatch.setenv("FAPS_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("FAPS_SECRET_KEY", "test-secret")
    runner = CliRunner()
    status = runner.invoke(main, ["projections", "status"])
    assert status.exit_code == 0, status.output
    assert "dossiers" in status.output and "retard 0" in status.output
    rebuilt = runner.invoke(main, ["projections", "rebuild", "dossiers"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "événements relus" in rebuilt.output
    # French figures: « 1 234 événements relus en 0,4 s (3 085 par seconde). »
    figures = r"[\d\u202f]+ événements relus en \d+,\d s \([\d\u202f]+ par seconde"
    assert re.search(figures, rebuilt.output), rebuilt.output
    unknown = runner.invoke(main, ["projections", "rebuild", "nope"])
    assert unknown.exit_code == 2
