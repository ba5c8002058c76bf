"""The financing plan as the commune reads it: who pays what, and what looks wrong.

The commune's own share (autofinancement) is never a line of public funding: counted there, it
would lower the legal caps (CGCT L5216-5 VI, L1111-10 III) as if another public body paid.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from faps.domain.assessment import Assessment
from faps.domain.money import ZERO, format_euros

# Words by which a funding line names the commune itself rather than another funder.
OWN_SHARE_WORDS = ("commune", "autofinancement", "fonds propres", "part communale", "mairie",
                   "ville de", "budget communal")
# An intercommunal body (« Communauté de communes », « Communauté d’agglomération ») is
# another funder, though its name holds « communes ».
OTHER_BODY_WORDS = ("communaute",)


class FinancingPlan(BaseModel):
    """The plan's totals, the commune's share and the estimated grant, with its warnings."""

    model_config = ConfigDict(frozen=True)

    total_cost: Decimal
    public: Decimal
    private: Decimal
    requested: Decimal
    estimated_grant: Decimal
    own_share: Decimal | None
    remainder: Decimal
    warnings: tuple[str, ...]

    @property
    def gap(self) -> Decimal:
        """Return what the plan leaves unfunded (negative: funded above the cost)."""
        return self.remainder - (self.own_share or ZERO)


def _plain(text: str) -> str:
    """Lower case, without accents nor typographic apostrophes, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def names_the_commune(funder: str, commune_name: str) -> bool:
    """Tell whether a public funding line seems to be the commune's own share: its name,
    or words such as « Ville de », « Mairie », « autofinancement »; never an intercommunal
    body."""
    plain = _plain(funder)
    if any(word in plain for word in OTHER_BODY_WORDS):
        return False
    name = _plain(commune_name)
    return any(word in plain for word in OWN_SHARE_WORDS) or bool(name and plain == name)


def commune_funders(public_funders: Iterable[str], commune_name: str) -> list[str]:
    """Return the public funders that look like the commune itself (its own share counted
    twice: as a public funding, it lowers the legal caps as if another body paid)."""
    return [f for f in public_funders if names_the_commune(f, commune_name)]


def financing_plan(public_funders: tuple[tuple[str, Decimal], ...], own_share: Decimal | None,
                   requested: Decimal, assessment: Assessment, commune_name: str) -> FinancingPlan:
    """Return the plan of a project judged by `assessment` (the simulator's computation)."""
    figures = assessment.figures
    remainder = figures.total_cost - figures.public_funding - figures.private_funding - requested
    warnings = [
        f"La ligne « {funder} » ({format_euros(amount)}) des financements publics semble être "
        "la part de la commune\u202f: indiquez-la dans « Part communale (autofinancement) ». "
        "Comptée comme un financement public, elle réduit l’aide possible."
        for funder, amount in public_funders if names_the_commune(funder, commune_name)]
    if own_share is None:
        warnings.append("La part communale (autofinancement) n’est pas indiquée\u202f: "
                        "indiquez ce que la commune finance sur son propre budget. La loi lui "
                        "impose d’en financer au moins autant que le fonds de concours "
                        "(CGCT L5216-5 VI).")
    elif own_share <= 0:
        warnings.append("La part communale (autofinancement) est nulle\u202f: la loi impose à "
                        "la commune de financer elle-même au moins autant que le fonds de "
                        "concours (CGCT L5216-5 VI).")
    if own_share is not None and own_share != remainder and figures.total_cost > 0:
        funded = figures.total_cost - remainder + own_share
        warnings.append(f"Le plan n’est pas équilibré\u202f: coût "
                        f"{format_euros(figures.total_cost)}, financements et part communale "
                        f"{format_euros(funded)}.")
    return FinancingPlan(
        total_cost=figures.total_cost, public=figures.public_funding,
        private=figures.private_funding, requested=requested, estimated_grant=assessment.grant,
        own_share=own_share, remainder=remainder, warnings=tuple(warnings))
