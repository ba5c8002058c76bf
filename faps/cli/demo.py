"""`faps demo`: fill an empty store with three years of realistic data."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from faps.application.demo import Demo, DemoAccount, demo_clock, has_dossiers
from faps.cli.mail import demo_mails
from faps.cli.support import FAILURE, fail, opened
from faps.infrastructure.example_settings import write_examples

ACCOUNTS_FILE = "demo-accounts.txt"


@click.command(help="Remplit une base vide avec des données de démonstration (trois années de "
               "dossiers, séances, versements) et crée un compte par rôle et par commune, dont "
               "les mots de passe sont affichés une seule fois et écrits dans "
               "<instance>/demo-accounts.txt.")
@click.option("--if-empty", is_flag=True,
              help="Ne rien faire (code 0) si la base contient déjà des dossiers.")
@click.option("--force", is_flag=True,
              help="Ajouter les données même si la base contient déjà des dossiers.")
def demo(if_empty: bool, force: bool) -> None:
    """Write the demo through the application services, dated in the past."""
    today = date.today()
    clock = demo_clock(today)
    with opened(clock) as faps:
        if has_dossiers(faps) and not force:
            if if_empty:
                click.echo("La base contient déjà des dossiers : données de démonstration "
                           "non ajoutées.")
                return
            fail("La base contient déjà des dossiers : « faps demo » ne remplit qu’une base "
                 "vide (--if-empty pour ne rien faire, --force pour ajouter quand même).", FAILURE)
        click.echo("Création des données de démonstration…")
        with demo_mails(faps) as mails, faps.unit_of_work():  # followers catch up once, at the end
            result = Demo(faps, clock, today).run()
        instance = faps.settings.instance_path
        table = accounts_table(result.accounts)
        click.echo(f"{result.dossiers} dossiers, {result.sessions} séances, "
                   f"{result.events} événements enregistrés.")
        click.echo(f"{mails.written} courriels de démonstration mis en file et marqués envoyés, "
                   f"sans envoi réel : à lire dans {mails.path}.")
        click.echo("\nComptes de démonstration (mots de passe affichés une seule fois) :\n")
        click.echo(table)
        path = write_accounts(instance, table)
        click.echo(f"\nComptes également écrits dans {path} (lisible par vous seul).")
        env, added = write_examples(instance, [c.insee for c in faps.communes])
        if added:
            click.echo(f"SIRET d’exemple ajoutés à {env} ({', '.join(added)}) : à remplacer.")


def accounts_table(accounts: list[DemoAccount]) -> str:
    """Return the accounts as an aligned text table."""
    rows = [("Adresse électronique", "Rôle", "Commune", "Mot de passe")] + [
        (a.email, a.role.label, a.commune or "—", a.password or "(compte existant, inchangé)")
        for a in accounts]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_accounts(instance: Path, table: str) -> Path:
    """Write the table to <instance>/demo-accounts.txt, readable by its owner only."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / ACCOUNTS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(table + "\n")
    path.chmod(0o600)
    return path
