"""Usage errors of the command line in French: a missing argument, an unknown option or
command, a value outside its choices — each names the parameter, then points to --help."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import click

USAGE_ERROR = 2


def _param_name(error: click.UsageError) -> str:
    param = getattr(error, "param", None)
    if param is None:
        return str(getattr(error, "param_hint", "") or "")
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    return str(param.human_readable_name)


def french(error: click.UsageError) -> str:
    """Return a click usage error's message in French."""
    if isinstance(error, click.MissingParameter):
        kind = "Option" if isinstance(error.param, click.Option) else "Argument"
        return f"{kind} manquant : {_param_name(error)}."
    if isinstance(error, click.NoSuchOption):
        close = ", ".join(sorted(error.possibilities or ()))
        return f"Option inconnue : {error.option_name}." + (
            f" Vouliez-vous dire : {close} ?" if close else "")
    if isinstance(error, click.BadParameter):
        param = error.param
        if param is not None and isinstance(param.type, click.Choice):
            choices = ", ".join(str(c) for c in param.type.choices)
            return f"Valeur invalide pour {_param_name(error)} : choisir parmi {choices}."
        return f"Valeur invalide pour {_param_name(error)} : {error.message}"
    found = re.match(r"No such command '(.+)'\.", error.message)
    if found:
        return f"Commande inconnue : {found.group(1)}."
    if error.message.startswith("Got unexpected extra argument"):
        return "Argument en trop : " + error.message.partition("(")[2].rstrip(")") + "."
    return error.message


class FrenchGroup(click.Group):
    """A command group whose usage errors are told in French."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Run the command line, answering a usage error in French with exit code 2."""
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as error:
            command = error.ctx.command_path if error.ctx else (prog_name or "faps")
            click.echo(f"Erreur : {french(error)}", err=True)
            click.echo(f"Aide : {command} --help", err=True)
            raise SystemExit(USAGE_ERROR) from None
        except click.Abort:
            click.echo("Interrompu.", err=True)
            raise SystemExit(1) from None
        if isinstance(code, int) and code:  # ctx.exit(n) returns n outside standalone mode
            raise SystemExit(code)
        return code
