"""The project form shared by the draft editor and the Simulateur: flat HTML fields ↔ JSON.

Row fields are named like the pydantic paths (`expenses[0].amount_ht`), so an error of the
domain's validation lands next to the very input it is about.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import fields, validate
from werkzeug.datastructures import MultiDict

from faps.domain.dossier_content import DossierContent
from faps.domain.errors import InvalidInputError
from faps.domain.financing import commune_funders
from faps.domain.money import ZERO, format_euros
from faps.domain.reglement import CATEGORY_LABELS, TENURE_LABELS
from faps.web.schemas import FrenchSchema

ROWS = {
    "expenses": ("label", "category", "amount_ht", "vat"),
    "public_funding": ("funder", "amount"),
    "private_funding": ("funder", "amount"),
}
TEXTS = ("title", "description", "premises_address", "professionals")
CATEGORIES = [(c.value, label) for c, label in CATEGORY_LABELS.items()]
TENURES = [("", "— choisir —")] + [(t.value, label) for t, label in TENURE_LABELS.items()]
YES_NO = [("true", "Oui"), ("false", "Non")]
MAX_EXTRA = 20
# As many rows as the content model accepts (DossierContent): a form never shows more.
MAX_ROWS = {"expenses": 200, "public_funding": 50, "private_funding": 50}
ROW_LABELS = {"expenses": "Dépenses", "public_funding": "Financements publics",
              "private_funding": "Financements privés"}
_ROW_NAME = re.compile(r"^(\w+)\[([0-9]+)\]\.(\w+)$", re.ASCII)


def _row_name(name: Any) -> re.Match[str] | None:
    """Return the parts of a row field's name (a malformed multipart part may have no name)."""
    return _ROW_NAME.match(name) if isinstance(name, str) else None


def _index(text: str) -> int:
    """Return a row number as posted; a number past every bound counts as the first too many."""
    return int(text) if len(text) <= 6 else 10**6


class EditSchema(FrenchSchema):
    """What the editor posts besides the content: the version seen and the button pressed."""

    expected_version = fields.Integer(required=True)
    action = fields.String(load_default="save", validate=validate.OneOf(
        ["save", "add_expenses", "add_public_funding", "add_private_funding"]))


def rows(form: MultiDict[str, str] | dict[str, Any], prefix: str) -> list[dict[str, str]]:
    """Return the filled rows of a table of the form, in order (blank rows are dropped)."""
    found: dict[int, dict[str, str]] = {}
    for name in form:
        match = _row_name(name)
        if match and match.group(1) == prefix and match.group(3) in ROWS[prefix]:
            index = _index(match.group(2))
            if index >= MAX_ROWS[prefix]:
                raise InvalidInputError({prefix: [
                    f"{ROW_LABELS[prefix]} : au plus {MAX_ROWS[prefix]} lignes"]})
            found.setdefault(index, {})[match.group(3)] = str(form[name]).strip()
    filled = [found[i] for i in sorted(found) if any(v for k, v in found[i].items()
                                                      if k != "category")]
    for row in filled:
        for key in ("vat",):
            if key in row and not row[key]:
                row[key] = "0"
    return filled


def _flag(value: Any, default: bool) -> bool:
    text = str(value or "").strip().lower()
    return default if not text else text in ("true", "1", "on", "oui")


def content_fields(form: MultiDict[str, str]) -> dict[str, Any]:
    """Return the DossierContent fields a posted editor form gives (validated by the domain)."""
    data: dict[str, Any] = {name: form.get(name, "").strip() for name in TEXTS}
    data["premises_tenure"] = form.get("premises_tenure") or None
    data["health_activity"] = _flag(form.get("health_activity"), True)
    data["works_started"] = _flag(form.get("works_started"), False)
    data["works_planned_start"] = form.get("works_planned_start") or None
    data["requested_amount"] = form.get("requested_amount", "").strip() or "0"
    data["own_share"] = form.get("own_share", "").strip() or None
    for prefix in ROWS:
        data[prefix] = rows(form, prefix)
    return data


def facts_request(form: MultiDict[str, str]) -> dict[str, Any]:
    """Return the simulation request (reference/simulation.md) a posted Simulateur form gives."""
    data = {key: value for key, value in content_fields(form).items()
            if key not in (*TEXTS, "works_planned_start", "own_share")}
    data["commune"] = form.get("commune", "").strip()
    data["commune_awarded_this_year"] = form.get("commune_awarded_this_year", "").strip() or "0"
    if data["premises_tenure"] is None:
        del data["premises_tenure"]
    return data


def form_of(content: DossierContent) -> dict[str, str]:
    """Return the flat form values of a saved content."""
    data = content.model_dump(mode="json")
    form = {name: str(data[name] or "") for name in TEXTS}
    form["premises_tenure"] = data["premises_tenure"] or ""
    form["health_activity"] = "true" if data["health_activity"] else "false"
    form["works_started"] = "true" if data["works_started"] else "false"
    form["works_planned_start"] = data["works_planned_start"] or ""
    form["requested_amount"] = _typed(data["requested_amount"])
    form["own_share"] = _typed(data.get("own_share"))
    for prefix, keys in ROWS.items():
        for index, row in enumerate(data[prefix]):
            for key in keys:
                value = str(row[key])
                form[f"{prefix}[{index}].{key}"] = _typed(value) if key in ("amount_ht", "vat",
                                                                           "amount") else value
    return form


def _typed(value: Any) -> str:
    """Return an amount as a person types it: « 12 345,67 » (no € sign)."""
    if value in (None, ""):
        return ""
    return format_euros(Decimal(str(value)))[:-2]  # without the no-break space and "€"


def row_count(form: MultiDict[str, str] | dict[str, Any], prefix: str, extra: int = 0) -> int:
    """Return how many rows a table shows: the highest filled index + 1, at least one, + extra.

    Never more than the table's bound, whatever index was posted.
    """
    bound = MAX_ROWS[prefix]
    indices = [index for name in form if (m := _row_name(name))
               and m.group(1) == prefix and str(form[name]).strip()
               and m.group(3) != "category" and (index := _index(m.group(2))) < bound]
    shown = max(max(indices, default=-1) + 1, 1) + max(0, min(extra, MAX_EXTRA))
    return min(shown, bound)


def totals(content: DossierContent) -> dict[str, Decimal]:
    """Return the sums shown under the tables."""
    return {
        "ht": sum((e.amount_ht for e in content.expenses), ZERO),
        "vat": sum((e.vat for e in content.expenses), ZERO),
        "ttc": sum((e.amount_ttc for e in content.expenses), ZERO),
        "public": sum((f.amount for f in content.public_funding), ZERO),
        "private": sum((f.amount for f in content.private_funding), ZERO),
    }


def commune_as_funder(content: DossierContent, commune_name: str) -> list[str]:
    """Return the public funders that look like the commune itself (its own share)."""
    return commune_funders((f.funder for f in content.public_funding), commune_name)
