"""`faps tokens`: create prints the secret once, list never does, revoke refuses it after."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from faps.cli import main


def test_tokens_are_created_listed_and_revoked_from_the_command_line(tmp_path: Path):
    env = {"FAPS_INSTANCE_PATH": str(tmp_path), "FAPS_SECRET_KEY": "test",
           "FAPS_DATABASE_URL": f"sqlite:///{tmp_path / 'faps.sqlite3'}"}

    def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, list(args), env=env, input=input)

    assert run("accounts", "add", "compta@agglo.test", "--role", "instructeur",
               input="motdepasse-solide-123\n").exit_code == 0
    created = run("tokens", "create", "compta@agglo.test", "--name", "Comptabilité",
                  "--expires-days", "30")
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("faps_") and len(secret) > 40
    listed = run("tokens", "list", "compta@agglo.test")
    assert "Comptabilité" in listed.output and "actif" in listed.output
    assert secret not in listed.output
    token_id = listed.output.split()[0]
    assert run("tokens", "revoke", token_id).exit_code == 0
    assert "révoqué" in run("tokens", "list", "compta@agglo.test").output
    again = run("tokens", "revoke", token_id)
    assert again.exit_code != 0 and "déjà révoqué" in again.output
    assert run("tokens", "create", "personne@agglo.test", "--name", "x").exit_code == 2
