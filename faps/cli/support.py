"""What the faps commands share: the composition root from settings, errors as exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import unquote

import click
from pydantic import ValidationError

from faps.application.clock import Clock
from faps.bootstrap import Faps, build
from faps.domain.errors import FapsError, InvalidInputError
from faps.domain.text import printable
from faps.infrastructure.settings import SETTING_ERROR, Settings, load_settings

FAILURE = 1
INPUT_ERROR = 2


def say(text: str) -> None:
    """Print a line holding stored texts: control characters (terminal escapes) are stripped."""
    click.echo(printable(text).replace("\r", ""))


def settings() -> Settings:
    """Read the settings, or stop with a French message naming the bad one."""
    try:
        return load_settings()
    except ValidationError as exc:
        fields = ", ".join(_setting_error(e) for e in exc.errors())
        fail(f"Réglage invalide : {fields}.", INPUT_ERROR)
        raise  # unreachable


def _setting_error(error: Any) -> str:
    """Name the setting of a validation error, with the reason when it is written in French."""
    name = f"FAPS_{'_'.join(map(str, error['loc'][:1])).upper()}"
    return f"{name} ({error['msg']})" if error["type"] == SETTING_ERROR else name


def existing_settings() -> Settings:
    """Return the settings, refusing an SQLite file that does not exist (a mistyped URL)."""
    loaded = settings()
    url = loaded.resolved_database_url()
    if url.startswith("sqlite:///"):
        path = Path(unquote(url.split(":///", 1)[1])).expanduser()
        if not path.is_file():
            fail(f"Base de données introuvable : {path} n'existe pas (vérifiez "
                 "FAPS_DATABASE_URL ou FAPS_INSTANCE_PATH).")
    return loaded


def fail(message: str, code: int = FAILURE) -> None:
    """Print a message on stderr and stop with an exit code."""
    click.echo(message, err=True)
    raise SystemExit(code)


@contextmanager
def handled() -> Iterator[None]:
    """Turn faps errors into a French message on stderr and a non-zero exit code."""
    try:
        yield
    except InvalidInputError as exc:
        click.echo("Saisie invalide :", err=True)
        for field, messages in exc.errors.items():
            click.echo(f"  {field} : {' ; '.join(messages)}", err=True)
        raise SystemExit(INPUT_ERROR) from None
    except FapsError as exc:
        fail(f"Erreur : {exc.message}")


@contextmanager
def opened(clock: Clock | None = None, stderr: TextIO | None = None,
           existing: bool = False, start_projections: bool = True) -> Iterator[Faps]:
    """Build faps from the settings (FAPS_DATABASE_URL), closing it afterwards.

    `stderr` receives what the parts built write there (the console mail backend);
    `existing` refuses a database that is not there rather than creating an empty one.
    """
    with handled():
        loaded = existing_settings() if existing else settings()
        with redirect_stderr(stderr or sys.stderr):
            faps = build(loaded, clock, start_projections=start_projections)
        try:
            yield faps
        finally:
            faps.close()
