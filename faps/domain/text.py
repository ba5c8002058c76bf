"""Texts people type: no control character; printed texts: control characters stripped.

A control character (escape sequences, vertical tab, NUL…) has no place in a title, a motive
or a reference: it breaks spreadsheets (XLSX refuses it), XML and terminals. Typed texts refuse
them with a French message; multi-line texts keep line feeds, carriage returns and tabs.
Stored texts that hold some (typed before faps refused them) are stripped when printed.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, ValidationInfo

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile(r"[\t\n\r]")
REFUSED_IN_LINE = ("caractère de contrôle interdit (retour à la ligne, tabulation ou "
                   "caractère invisible)")
REFUSED_IN_TEXT = "caractère de contrôle interdit (caractère invisible)"
# Stored events are decoded with this context: what was once accepted loads again unchanged.
STORED = {"stored": True}


def printable(text: str) -> str:
    """Return the text without control characters (tab, line feed and carriage return kept)."""
    return CONTROL.sub("", text)


def control_problem(text: str, multiline: bool = False) -> str | None:
    """Return the French reason a typed text is refused, or None when it is acceptable."""
    if CONTROL.search(text):
        return REFUSED_IN_TEXT if multiline else REFUSED_IN_LINE
    if not multiline and LINE_BREAKS.search(text):
        return REFUSED_IN_LINE
    return None


def _checker(multiline: bool):  # type: ignore[no-untyped-def]
    def check(value: str, info: ValidationInfo) -> str:
        if isinstance(info.context, dict) and info.context.get("stored"):
            return value
        problem = control_problem(value, multiline)
        if problem:
            raise ValueError(problem)
        return value

    return check


Line = Annotated[str, AfterValidator(_checker(multiline=False))]
"""A one-line text typed by someone (title, label, reference): no control character."""
Text = Annotated[str, AfterValidator(_checker(multiline=True))]
"""A multi-line text typed by someone (description, motive): line breaks and tabs allowed."""
