"""Open data in the SCDL formats: « subventions » 2.1.1 and « délibérations » 2.1.2."""

from __future__ import annotations

import csv
import io
from typing import Any

from faps.domain.deadlines import add_months
from faps.domain.publisher import Publisher
from faps.infrastructure.exports.cells import csv_text
from faps.infrastructure.exports.wording import de

SUBVENTIONS_FIELDS = (
    "nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire",
    "idBeneficiaire", "rnaBeneficiaire", "objet", "montant", "nature", "conditionsVersement",
    "datesPeriodeVersement", "idRAE", "notificationUE", "pourcentageSubvention", "dispositifAide")
DELIBERATIONS_FIELDS = (
    "COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM",
    "DELIB_OBJET", "BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID", "PREF_DATE", "VOTE_EFFECTIF",
    "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE", "VOTE_ABSTENTION", "DELIB_URL")
MATIERE = ("7.8", "Fonds de concours")


def _csv(fields: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: csv_text(str(v)) for k, v in row.items()} for row in rows)
    return out.getvalue().encode("utf-8")


def subventions_csv(decisions: list[Any], publisher: Publisher) -> bytes:
    """Return the SCDL « subventions » CSV of adopted decisions (awards only)."""
    if any(not d.adopted for d in decisions):
        raise ValueError("only adopted decisions are awards")
    publisher.check({d.dossier.commune: d.commune_name for d in decisions})
    rows = []
    for d in decisions:
        agreement = d.dossier.agreement or {}
        decided = d.session.session_date
        paid = [p.paid_on for p in d.payments]
        delay = d.reglement.balance_delay_months if d.reglement else 36
        start, end = (paid[0], paid[-1]) if paid else (decided, add_months(decided, delay))
        rate = d.reglement.advance_rate if d.reglement else 0
        rows.append({
            "nomAttribuant": publisher.name, "idAttribuant": publisher.siret,
            "dateConvention": (agreement.get("signed_on") or decided).isoformat(),
            "referenceDecision": d.actes_id(publisher.siren),
            "nomBeneficiaire": f"Commune {de(d.commune_name)}",
            "idBeneficiaire": publisher.commune_sirets[d.dossier.commune], "rnaBeneficiaire": "",
            "objet": d.dossier.content.title[:256], "montant": f"{d.amount:.2f}",
            "nature": "aide en numéraire",
            "conditionsVersement": "échelonné" if rate > 0 else "unique",
            "datesPeriodeVersement": start.isoformat() if start == end
            else f"{start.isoformat()}/{end.isoformat()}",
            "idRAE": "", "notificationUE": "non", "pourcentageSubvention": "1",
            "dispositifAide": publisher.fund_name,
        })
    return _csv(SUBVENTIONS_FIELDS, rows)


def deliberations_csv(decisions: list[Any], publisher: Publisher, year: int) -> bytes:
    """Return the SCDL « délibérations » CSV of a year's deliberations (no adjourned item)."""
    if any(not d.deliberated for d in decisions):
        raise ValueError("an adjourned item is not a deliberation")
    publisher.check({})
    rows = [{
        "COLL_NOM": publisher.name, "COLL_SIRET": publisher.siret,
        "DELIB_ID": d.actes_id(publisher.siren).split("-")[3],
        "DELIB_DATE": d.session.session_date.isoformat(),
        "DELIB_MATIERE_CODE": MATIERE[0], "DELIB_MATIERE_NOM": MATIERE[1],
        "DELIB_OBJET": f"{publisher.fund_name} — fonds de concours à la commune "
                       f"{de(d.commune_name)} : {d.dossier.content.title}",
        "BUDGET_ANNEE": str(year), "BUDGET_NOM": "Budget principal", "PREF_ID": "PREF077",
        "PREF_DATE": "", "VOTE_EFFECTIF": str(d.session.councillors_in_office),
        "VOTE_REEL": str(d.item.get("voting") or ""), "VOTE_POUR": str(d.item["votes_for"]),
        "VOTE_CONTRE": str(d.item["votes_against"]),
        "VOTE_ABSTENTION": str(d.item["abstentions"]), "DELIB_URL": "",
    } for d in decisions]
    return _csv(DELIBERATIONS_FIELDS, rows)
