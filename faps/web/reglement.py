"""The règlement page: every adopted version and its figures, for every role; the council
secretariat and the administrator record a newly adopted version from its file."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, render_template, request

from faps.application import policy
from faps.domain.actors import Role
from faps.domain.errors import InvalidInputError
from faps.domain.labels import reglement_version_text
from faps.domain.money import format_percent
from faps.domain.reglement import CATEGORY_LABELS, TENURE_LABELS
from faps.infrastructure.reglement_files import parse_reglement
from faps.web.common import actor, form_view, login_required, redirect_to, services

bp = Blueprint("reglement", __name__, url_prefix="/reglement")


def context(**_: Any) -> dict[str, Any]:
    """Return the versions, newest first, the one in force today, and who may adopt."""
    faps = services()
    versions = list(reversed(faps.reglements.versions()))
    today = faps.clock.now().date()
    current = faps.reglements.book().in_force(today)
    return {"versions": versions, "current": current.version if current else None,
            "today": today,
            "categories": CATEGORY_LABELS, "tenures": TENURE_LABELS, "percent": format_percent,
            "may_adopt": policy.allowed(actor(), "reglement.adopt"),
            "may_see_unconfirmed": actor().role == Role.ADMINISTRATOR}


@bp.get("/")
@login_required
def versions():  # type: ignore[no-untyped-def]
    """Show every version of the règlement."""
    return render_template("reglement/versions.html", errors={}, **context())


@bp.post("/adopter")
@login_required
@form_view("reglement/versions.html", context)
def adopt():  # type: ignore[no-untyped-def]
    """Record a version adopted by deliberation, from its TOML or JSON file."""
    policy.require(actor(), "reglement.adopt")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInputError({"file": ["choisissez le fichier de la version adoptée"]})
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError({"file": ["fichier non lisible en UTF-8"]}) from None
    version = parse_reglement(text, toml=upload.filename.lower().endswith(".toml"))
    services().reglements.adopt(actor(), version)
    name = reglement_version_text(version.version)
    flash(f"{name[:1].upper()}{name[1:]} enregistrée\u202f: elle juge les dossiers déposés à "
          f"partir du {version.effective_from:%d/%m/%Y}.", "success")
    return redirect_to("reglement.versions")
