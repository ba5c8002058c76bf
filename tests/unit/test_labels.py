"""One place names every field and code value in French; a change reads as sentences."""

from __future__ import annotations

import pytest

from faps.domain.errors import InvalidInputError
from faps.domain.labels import (
    change_lines,
    changes_text,
    field_label,
    plural,
    reglement_version_text,
    value_text,
)
from faps.domain.reglement import Reglement

N = "\u202f"  # narrow no-break space: before « : » and as the thousands separator
E = "\u00a0€"


def test_an_amount_change_reads_in_euros_with_its_label() -> None:
    assert change_lines("requested_amount", "0.00", "32850.00") == [
        f"Montant sollicité{N}: 0,00{E} → 32{N}850,00{E}"]


def test_a_code_value_reads_by_its_label_and_an_empty_one_as_a_dash() -> None:
    assert change_lines("premises_tenure", None, "proprietaire") == [
        f"Occupation des locaux par la commune{N}: — → Propriétaire"]


def test_a_list_of_codes_reads_as_their_labels() -> None:
    assert value_text("document_kinds", ("devis", "factures")) == (
        "Devis ou estimation détaillée des dépenses, Factures acquittées")


def test_a_date_reads_the_french_way() -> None:
    assert value_text("works_planned_start", "2026-03-01") == "01/03/2026"


def test_expense_lines_change_line_by_line() -> None:
    chair = {"label": "Fauteuils", "category": "equipement_specifique", "amount_ht": "24500.00",
             "vat": "0.00"}
    walls = {"label": "Cloisons", "category": "travaux_amenagement", "amount_ht": "85000.00",
             "vat": "17000.00"}
    dearer = dict(walls, amount_ht="90000.00")
    lines = changes_text([["expenses", [walls], [dearer, chair]]])
    assert lines == [
        f"Dépense modifiée{N}: Cloisons, montant HT 85{N}000,00{E} → 90{N}000,00{E}",
        f"Dépense ajoutée{N}: Fauteuils, 24{N}500,00{E} HT (Équipement médical ou paramédical "
        "spécifique)"]
    assert changes_text([["public_funding", [{"funder": "ARS", "amount": "1000.00"}], []]]) == [
        f"Financement public retiré{N}: ARS, 1{N}000,00{E}"]


@pytest.mark.parametrize(("path", "label"), [
    ("title", "Objet de l’opération"),
    ("expenses[1].amount_ht", "Dépenses, ligne 2 — Montant HT"),
    ("decided_on", "Date de la délibération"),
    ("expenses_paid", "Dépenses effectivement acquittées"),
    ("password", "Mot de passe"), ("confirm", "Confirmation")])
def test_every_field_has_a_french_label(path: str, label: str) -> None:
    assert field_label(path) == label


def test_an_input_error_names_fields_by_their_labels_in_french_typography() -> None:
    error = InvalidInputError({"title": ["entre 3 et 200 caractères"],
                               "amount": ["champ obligatoire"]})
    assert error.message == (f"Saisie invalide — Objet de l’opération{N}: entre 3 et 200 "
                             f"caractères{N}; Montant{N}: champ obligatoire.")
    assert "title" not in error.message and "; " not in error.message.replace(f"{N};", "")


def test_plurals_follow_the_count() -> None:
    assert plural(1, "point inscrit") == "1 point inscrit"
    assert plural(3, "point inscrit") == "3 points inscrits"
    assert plural(1, "abstention") == "1 abstention"
    assert plural(0, "point", none="aucun point") == "aucun point"
    assert plural(0, "abstention") == "0 abstention"  # French: singular below two


def test_a_version_named_by_its_date_reads_as_a_date() -> None:
    assert reglement_version_text("2022-03-31") == "version du 31 mars 2022"
    assert reglement_version_text("2024-bis") == "version 2024-bis"


def test_the_adopting_act_never_prints_a_placeholder_and_carries_its_number() -> None:
    base = {"version": "v", "effective_from": "2022-04-01", "rate": "0.3"}
    old = Reglement.model_validate(dict(base, adopted_by="Délibération du conseil communautaire "
                                        "du 31 mars 2022 (numéro à confirmer)"))
    assert old.adopting_act == "Délibération du conseil communautaire du 31 mars 2022"
    numbered = Reglement.model_validate(dict(base, deliberation_number="2022-045",
                                             adopted_by="Délibération du conseil communautaire "
                                             "du 31 mars 2022"))
    assert numbered.adopting_act == ("Délibération n°\u00a02022-045 du conseil communautaire du "
                                     "31 mars 2022")


def test_file_sizes_read_in_french_units():
    from faps.web.formatting import file_size

    assert [file_size(n) for n in (1, 512, 2048, 3 * 1024 * 1024 + 300 * 1024)] == [
        "1\xa0octet", "512\xa0octets", "2,0\xa0Ko", "3,3\xa0Mo"]


def test_every_line_of_the_payment_register_has_a_capitalised_kind():
    from faps.domain.labels import code_label

    assert [code_label("payment_kind", k) for k in ("avance", "acompte", "solde", "reversement")] \
        == ["Avance", "Acompte", "Solde", "Reversement"]
