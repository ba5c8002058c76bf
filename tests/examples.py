"""The example request and règlement of shared/reference/simulation.md, shared by tests."""

from __future__ import annotations

from typing import Any

EXAMPLE_REQUEST: dict[str, Any] = {
    "commune": "77258",
    "premises_tenure": "locataire",
    "health_activity": True,
    "works_started": False,
    "expenses": [
        {
            "label": "Cloisons, plomberie",
            "category": "travaux_amenagement",
            "amount_ht": "80000.00",
            "vat": "16000.00",
        },
        {
            "label": "Fauteuil dentaire",
            "category": "equipement_specifique",
            "amount_ht": "20000.00",
            "vat": "4000.00",
        },
        {
            "label": "Mobilier de bureau",
            "category": "autre",
            "amount_ht": "5000.00",
            "vat": "1000.00",
        },
    ],
    "public_funding": [{"funder": "ARS Île-de-France", "amount": "20000.00"}],
    "private_funding": [],
    "requested_amount": "40000.00",
    "commune_awarded_this_year": "0.00",
}
EXAMPLE_REGLEMENT: dict[str, Any] = {
    "version": "2022-03-31",
    "adopted_by": "deliberation reference",
    "effective_from": "2022-04-01",
    "basis": "HT",
    "rate": "0.30",
    "ceiling_per_dossier": "100000.00",
    "floor_eligible_cost": "5000.00",
    "commune_yearly_ceiling": None,
    "eligible_categories": [
        "travaux_amenagement",
        "equipement_specifique",
        "amenagements_techniques",
    ],
    "accepted_tenures": ["proprietaire", "locataire"],
    "works_must_not_have_started": True,
}

# The example's figures and the criteria in the order the contract lists them.
EXPECTED_FIGURES = {
    "basis": "HT",
    "total_cost": "105000.00",
    "eligible_base": "100000.00",
    "public_funding": "20000.00",
    "private_funding": "0.00",
    "caps": {
        "cap_rate": "30000.00",
        "cap_ceiling": "100000.00",
        "cap_half_share": "42500.00",
        "cap_min_participation": "64000.00",
        "cap_requested": "40000.00",
    },
}
CRITERIA_ORDER = [
    "commune_membre",
    "activite_sante",
    "occupation_locaux",
    "travaux_non_commences",
    "depenses_eligibles",
    "plancher",
    "part_communale",
    "participation_minimale",
]
