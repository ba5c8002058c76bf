"""`faps accounts`: open an account (the first administrator of a fresh installation), list them."""

from __future__ import annotations

import sys

import click

from faps.cli.support import INPUT_ERROR, fail, opened, say
from faps.domain.actors import SYSTEM_ACTOR, Role

ROLES = [r.value for r in Role if r is not Role.SYSTEM]


@click.group(help="Comptes des utilisateurs. Ces commandes agissent en tant que système : "
             "l'accès au serveur vaut droit d'administration.")
def accounts() -> None:
    """Manage accounts from the server."""


@accounts.command("add", help="Crée un compte. Le mot de passe (12 caractères au moins) est "
                  "demandé au terminal, ou lu sur l'entrée standard (première ligne).")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="Rôle du compte.")
@click.option("--commune", metavar="INSEE", default=None,
              help="Code INSEE de la commune (agent communal seulement).")
@click.option("--name", default="", help="Nom affiché (par défaut, l'adresse).")
def add(email: str, role: str, commune: str | None, name: str) -> None:
    """Open an account as the system, with a password from the terminal or stdin."""
    password = read_password()
    with opened() as faps:
        faps.accounts.open(SYSTEM_ACTOR, email.strip(), name.strip() or email.strip(),
                           Role(role), commune, password)
        click.echo(f"Compte créé : {email.strip()} ({Role(role).label}"
                   + (f", {faps.communes.name(commune)})" if commune else ")"))


def read_password() -> str:
    """Read the password: prompted twice on a terminal, else the first line of stdin."""
    if sys.stdin.isatty():
        password: str = click.prompt("Mot de passe", hide_input=True,
                                     confirmation_prompt="Confirmez le mot de passe")
        return password
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        fail("Aucun mot de passe lu sur l'entrée standard.", INPUT_ERROR)
    return line


@accounts.command("list", help="Liste les comptes (adresse, rôle, commune, actif).")
def list_accounts() -> None:
    """Print every account, read from the event log."""
    with opened() as faps:
        rows = []
        for account in faps.accounts.every():
            rows.append((account.email, account.role.label,
                         faps.communes.name(account.commune) if account.commune else "—",
                         "actif" if account.active else "désactivé"))
        if not rows:
            click.echo("Aucun compte. Créez le premier administrateur : "
                       "faps accounts add ADRESSE --role administrateur")
            return
        for email, role, commune, active in sorted(rows):
            say(f"{email:<40} {role:<28} {commune:<22} {active}")
