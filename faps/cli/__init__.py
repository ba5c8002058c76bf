"""The `faps` command line: one module per command group, all sharing the composition root."""

from __future__ import annotations

import click

from faps.cli import commands
from faps.cli.usage import FrenchGroup


@click.group(name="faps", cls=FrenchGroup,
             help="FAPS — Fonds d’aide aux projets de santé : outils en ligne de commande.")
@click.version_option(package_name="faps")
def main() -> None:
    """Run the faps command line."""


commands.register(main)
