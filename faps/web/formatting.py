"""French formatting for pages: amounts, dates, labels, badges."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask

from faps.domain.actors import Role
from faps.domain.dates import PARIS
from faps.domain.dossier_content import DossierState
from faps.domain.labels import (
    changes_text,
    code_label,
    document_kind_label,
    field_label,
    line_text,
    plural,
    reglement_version_text,
    value_text,
)
from faps.domain.money import format_euros, format_integer
from faps.infrastructure.exports.wording import de

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
BADGE_TONES = {
    DossierState.DRAFT: "neutral", DossierState.SUBMITTED: "info",
    DossierState.INFORMATION_REQUESTED: "warning", DossierState.COMPLETE: "info",
    DossierState.ASSESSED: "info", DossierState.PROPOSED: "info",
    DossierState.ON_AGENDA: "info", DossierState.POSTPONED: "warning",
    DossierState.AWARDED: "success", DossierState.REJECTED: "danger",
    DossierState.LAPSED: "danger", DossierState.WITHDRAWN: "neutral",
    DossierState.CLOSED_INELIGIBLE: "danger", DossierState.CLOSED: "success",
    DossierState.DELETED: "neutral",
}


def euros(value: Any) -> str:
    """Return « 12 345,67 € » (empty for None)."""
    if value is None or value == "":
        return ""
    return format_euros(Decimal(str(value)))


def date_fr(value: date | datetime | None) -> str:
    """Return 31/03/2022."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(PARIS).date() if value.tzinfo else value.date()
    return value.strftime("%d/%m/%Y")


def date_long(value: date | None) -> str:
    """Return « 31 mars 2022 »."""
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def datetime_fr(value: datetime | None) -> str:
    """Return 31/03/2022 à 14:05 (Paris time)."""
    if value is None:
        return ""
    local = value.astimezone(PARIS) if value.tzinfo else value
    return local.strftime("%d/%m/%Y à %H:%M")


def file_size(size: int) -> str:
    """Return a file's size in French: « 512 octets », « 12,3 Ko », « 2,4 Mo »."""
    if size < 1024:
        return f"{size} {'octet' if size < 2 else 'octets'}"
    value, unit = (size / 1024, "Ko") if size < 1024 * 1024 else (size / 1024 / 1024, "Mo")
    return f"{value:.1f}".replace(".", ",") + f" {unit}"


def state_label(value: str) -> str:
    """Return the French label of a dossier state."""
    try:
        return DossierState(value).label
    except ValueError:
        return value


def state_tone(value: str) -> str:
    """Return the badge tone of a state."""
    try:
        return BADGE_TONES[DossierState(value)]
    except (ValueError, KeyError):
        return "neutral"


def role_label(value: str) -> str:
    """Return the French name of a role."""
    try:
        return Role(value).label
    except ValueError:
        return value


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    for name, function in {"euros": euros, "date_fr": date_fr, "date_long": date_long,
                           "datetime_fr": datetime_fr, "state_label": state_label,
                           "state_tone": state_tone, "role_label": role_label,
                           "change_lines": changes_text, "field_label": field_label,
                           "code_label": code_label, "kind_label": document_kind_label,
                           "value_text": value_text, "line_text": line_text,
                           "reglement_version": reglement_version_text, "de": de,
                           "file_size": file_size, "integer": format_integer}.items():
        app.jinja_env.filters[name] = function

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from faps.web.common import current_actor, nav_items, services

        return {"current_actor": current_actor(), "communes": services().communes,
                "plural": plural, "code_label": code_label,
                "Role": Role, "DossierState": DossierState, "nav_items": nav_items}
