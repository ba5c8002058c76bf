"""The member communes read in French alphabetical order."""

from __future__ import annotations

from faps.domain.communes import Commune, CommuneDirectory


def test_communes_are_listed_in_french_order_accents_ignored() -> None:
    directory = CommuneDirectory([Commune(insee="77258", name="Lognes"),
                                  Commune(insee="77169", name="Émerainville"),
                                  Commune(insee="77139", name="Courtry")])
    assert [c.name for c in directory] == ["Courtry", "Émerainville", "Lognes"]
