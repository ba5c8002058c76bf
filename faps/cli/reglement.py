"""`faps reglement`: the versions of the règlement, and the adoption of a new one."""

from __future__ import annotations

from datetime import date

import click

from faps.cli.simulate import read_reglement
from faps.cli.support import handled, opened
from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.money import format_euros, format_percent
from faps.domain.reglement import Reglement


@click.group(help="Versions du règlement du FAPS. Chaque dossier est jugé par la version en "
             "vigueur à la date de son dépôt.")
def reglement() -> None:
    """Read and adopt règlement versions."""


@reglement.command("list", help="Liste les versions adoptées et celle en vigueur aujourd’hui.")
def list_versions() -> None:
    """Print every adopted version, oldest first, marking the one in force today."""
    with opened() as faps:
        versions = faps.reglements.versions()
        today = faps.clock.now().date()
        current = faps.reglements.book().in_force(today)
        for v in versions:
            mark = "en vigueur" if current is not None and v.version == current.version else ""
            confirm = "chiffres à confirmer" if v.to_be_confirmed else ""
            notes = "\u202f; ".join(x for x in (mark, confirm) if x)
            click.echo(f"{v.version:<16} à partir du {v.effective_from:%d/%m/%Y}  "
                       f"{v.adopted_by}  {notes}".rstrip())


@reglement.command("show", help="Affiche les chiffres d’une version (par défaut, celle en "
                   "vigueur aujourd’hui).")
@click.argument("version", required=False)
def show(version: str | None) -> None:
    """Print a version's figures and lists."""
    with opened() as faps:
        chosen = (faps.reglements.get(version) if version
                  else faps.reglements.current())
        for line in describe(chosen):
            click.echo(line)


@reglement.command("adopt", help="Enregistre une version adoptée par délibération, depuis un "
                   "fichier TOML ou JSON (voir faps/data/reglement-2022-03-31.toml). Agit en tant "
                   "que système\u202f: l’accès au serveur vaut droit d’administration.")
@click.argument("file", metavar="FICHIER")
def adopt(file: str) -> None:
    """Validate a règlement file and record its adoption as an event."""
    with handled():
        new = read_reglement(file)
    with opened() as faps:
        faps.reglements.adopt(SYSTEM_ACTOR, new)
        click.echo(f"Version {new.version} enregistrée ({new.adopted_by})\u202f; en vigueur pour "
                   f"les dossiers déposés à partir du {new.effective_from:%d/%m/%Y}.")


def describe(r: Reglement) -> list[str]:
    """Return a version's figures as lines of French text."""
    def euros(amount: object) -> str:
        return format_euros(amount) if amount is not None else "aucun"  # type: ignore[arg-type]

    def day(value: date | None) -> str:
        return f"{value:%d/%m/%Y}" if value else "non indiquée"

    return [
        f"Version {r.version}" + (" (chiffres à confirmer)" if r.to_be_confirmed else ""),
        f"  Adoptée par\u202f: {r.adopted_by} (le {day(r.adopted_on)})",
        f"  En vigueur à partir du\u202f: {day(r.effective_from)}",
        f"  Assiette\u202f: dépenses éligibles {r.basis}\u202f; taux {format_percent(r.rate)}",
        f"  Plafond par dossier\u202f: {euros(r.ceiling_per_dossier)}\u202f; plancher de "
        f"dépenses éligibles\u202f: {euros(r.floor_eligible_cost)}\u202f; plafond annuel par "
        f"commune\u202f: {euros(r.commune_yearly_ceiling)}",
        "  Catégories éligibles\u202f: " + ", ".join(c.value for c in r.eligible_categories),
        "  Occupations acceptées\u202f: " + ", ".join(t.value for t in r.accepted_tenures),
        "  Travaux non commencés exigés\u202f: "
        + ("oui" if r.works_must_not_have_started else "non"),
        f"  Avance\u202f: {format_percent(r.advance_rate)}\u202f; délai de réponse aux demandes "
        f"de compléments\u202f: {r.information_delay_days} jours",
        f"  Caducité\u202f: démarrage des travaux sous {r.works_start_delay_months} mois, "
        f"demande de solde sous {r.balance_delay_months} mois",
        "  Pièces au dépôt\u202f: "
        + (", ".join(d.code for d in r.documents_at_filing) or "aucune"),
        "  Pièces du solde\u202f: "
        + (", ".join(d.code for d in r.documents_at_balance) or "aucune"),
    ]
