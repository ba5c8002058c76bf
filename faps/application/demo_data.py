"""The cast and the projects of the demo: people, French health projects, funders, stories."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from faps.domain.actors import Role

STAFF: tuple[tuple[str, str, Role], ...] = (
    ("administration@agglo-pvm.test", "Claire Martin", Role.ADMINISTRATOR),
    ("julien.moreau@agglo-pvm.test", "Julien Moreau", Role.FINANCE_OFFICER),
    ("sophie.bernard@agglo-pvm.test", "Sophie Bernard", Role.FINANCE_OFFICER),
    ("assemblees@agglo-pvm.test", "Nadia Benali", Role.SECRETARIAT),
    ("controle@crc-idf.test", "Philippe Garnier", Role.AUDITOR),
)
AGENT_NAMES = ("Isabelle Petit", "Karim Haddad", "Marie Dubois", "Thomas Lefèvre",
               "Aïcha Diallo", "Nicolas Roux", "Camille Fontaine", "Hugo Mercier",
               "Élodie Girard", "Mathieu Lambert", "Fatima Ouali", "Pierre Chevalier")

PUBLIC_FUNDERS = ("ARS Île-de-France", "Région Île-de-France", "Département de Seine-et-Marne",
                  "État – DSIL", "État – DETR")

# (title, professionals, [(label, category, low, high) in thousands of euros HT])
PROJECTS: tuple[tuple[str, str, tuple[tuple[str, str, int, int], ...]], ...] = (
    ("Création d’une maison de santé pluriprofessionnelle",
     "4 médecins généralistes, 3 infirmières, 1 kinésithérapeute, 1 podologue",
     (("Cloisonnement, plomberie, électricité", "travaux_amenagement", 90, 180),
      ("Mise en accessibilité PMR", "travaux_amenagement", 15, 40),
      ("Ventilation et réseau informatique médical", "amenagements_techniques", 10, 25),
      ("Mobilier de la salle d’attente", "autre", 3, 8))),
    ("Aménagement d’un cabinet médical",
     "2 médecins généralistes, 1 infirmière",
     (("Travaux d’aménagement du local", "travaux_amenagement", 35, 70),
      ("Table d’examen et matériel de consultation", "equipement_specifique", 5, 12),
      ("Mobilier de bureau", "autre", 2, 5))),
    ("Extension du centre municipal de santé",
     "6 médecins salariés, 2 dentistes, 4 infirmières",
     (("Extension et réaménagement des locaux", "travaux_amenagement", 120, 220),
      ("Fauteuils dentaires", "equipement_specifique", 30, 60),
      ("Câblage et salle serveur", "amenagements_techniques", 10, 20))),
    ("Installation d’un cabinet de kinésithérapie",
     "3 masseurs-kinésithérapeutes",
     (("Aménagement du plateau technique", "travaux_amenagement", 30, 60),
      ("Tables de rééducation et appareils", "equipement_specifique", 12, 25),
      ("Signalétique", "autre", 1, 3))),
    ("Création d’un cabinet dentaire",
     "2 chirurgiens-dentistes, 1 assistante",
     (("Travaux d’aménagement et plomberie", "travaux_amenagement", 40, 80),
      ("Fauteuil dentaire et radiographie panoramique", "equipement_specifique", 35, 70),
      ("Traitement de l’air", "amenagements_techniques", 6, 12))),
    ("Centre de santé dentaire et infirmier",
     "3 dentistes salariés, 2 infirmières",
     (("Réhabilitation d’un local commercial", "travaux_amenagement", 80, 150),
      ("Équipement des salles de soins", "equipement_specifique", 40, 80))),
    ("Cabinet de sages-femmes et de périnatalité",
     "2 sages-femmes, 1 psychologue",
     (("Aménagement des salles de consultation", "travaux_amenagement", 25, 50),
      ("Échographe", "equipement_specifique", 15, 35))),
    ("Pôle de santé de quartier",
     "2 médecins, 2 orthophonistes, 1 diététicienne",
     (("Réaménagement du rez-de-chaussée", "travaux_amenagement", 60, 120),
      ("Cabine audiométrique", "equipement_specifique", 8, 15),
      ("Contrôle d’accès et interphonie", "amenagements_techniques", 4, 9))),
    ("Local de téléconsultation et de soins non programmés",
     "1 médecin coordinateur, infirmières de la CPTS",
     (("Aménagement du local", "travaux_amenagement", 20, 40),
      ("Chariot de téléconsultation", "equipement_specifique", 8, 15),
      ("Réseau et visioconférence", "amenagements_techniques", 3, 8))),
)
PLACES = ("centre-ville", "quartier de la gare", "quartier des Deux-Parcs", "Bois de Grâce",
          "place de la Mairie", "quartier du Luzard", "Mairie annexe")

# What becomes of each dossier of a year (see demo.py for the meaning of each story), by the
# year's distance to the demo's last year (0: the year whose work is still under way).
STORIES: dict[int, tuple[str, ...]] = {
    -2: ("closed", "closed", "reduced", "closed", "lapsed", "interim", "late_award",
           "rejected", "withdrawn", "ineligible", "ineligible", "closed", "advance"),
    -1: ("closed", "interim", "advance", "pending_payment", "awarded", "reduced", "late_award",
           "rejected", "withdrawn", "ineligible", "closed", "lapsed", "interim", "advance"),
    0: ("draft", "draft", "submitted", "submitted", "info_open", "info_overdue", "complete",
           "assessed", "assessed", "proposed", "on_agenda", "on_agenda", "postponed", "awarded",
           "advance", "withdrawn", "deleted"),
}
BUDGETS = {-2: Decimal("600000.00"), -1: Decimal("650000.00"), 0: Decimal("700000.00")}
# The last year's stories run until September (the advance of its June award): before then, the
# demo's last year is the previous one, so that nothing it writes is dated after today.
LAST_YEAR_DONE = (9, 15)


@dataclass(frozen=True)
class Project:
    """The content a commune writes, and the story it will live."""

    commune: str
    story: str
    content: dict[str, Any]


def _euros(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 10, high * 10 + 1) * 100).quantize(Decimal("0.01"))


def project_content(rng: random.Random, commune_name: str, story: str) -> dict[str, Any]:
    """Return a realistic dossier content (ineligible when the story says so)."""
    title, professionals, lines = rng.choice(PROJECTS)
    expenses = [{"label": label, "category": category, "amount_ht": str(ht := _euros(rng, lo, hi)),
                 "vat": str((ht * Decimal("0.2")).quantize(Decimal("0.01")))}
                for label, category, lo, hi in lines]
    total = sum(Decimal(e["amount_ht"]) for e in expenses)
    eligible = sum(Decimal(e["amount_ht"]) for e in expenses if e["category"] != "autre")
    funders = rng.sample(PUBLIC_FUNDERS, rng.randint(1, 2))
    public = [{"funder": f, "amount": str((total * Decimal(rng.choice(("0.10", "0.15", "0.20"))))
                                          .quantize(Decimal("1")))} for f in funders]
    private = ([{"funder": "Apport des professionnels de santé", "amount": "5000.00"}]
               if rng.random() < 0.25 else [])
    requested = (eligible * Decimal(rng.choice(("0.25", "0.30", "0.35")))).quantize(Decimal("100"))
    content: dict[str, Any] = {
        "title": f"{title} — {commune_name}, {rng.choice(PLACES)}",
        "description": f"{title} pour maintenir l’offre de soins de proximité à {commune_name}.",
        "premises_address": f"{rng.randint(1, 80)} rue de la République, {commune_name}",
        "premises_tenure": rng.choice(("proprietaire", "locataire")),
        "health_activity": True, "professionals": professionals, "works_started": False,
        "expenses": expenses, "public_funding": public, "private_funding": private,
        "requested_amount": str(requested),
    }
    if story == "ineligible":
        content.update(rng.choice(({"works_started": True}, {"premises_tenure": "autre"})))
    return content


def last_year(today: date) -> int:
    """Return the demo's last year: this one once its stories can have run, else the previous."""
    return today.year if (today.month, today.day) >= LAST_YEAR_DONE else today.year - 1


def year_projects(rng: random.Random, year: int, communes: list[tuple[str, str]],
                  offset: int) -> list[Project]:
    """Return the year's projects (`offset` years before the last), spread over the communes."""
    projects = []
    for index, story in enumerate(STORIES[offset]):
        insee, name = communes[(index * 5 + year) % len(communes)]
        projects.append(Project(insee, story, project_content(rng, name, story)))
    return projects
