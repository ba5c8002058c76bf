"""Read the member communes from the CSV file shipped with faps."""

from __future__ import annotations

import csv
import io
from importlib import resources

from faps.domain.communes import Commune, CommuneDirectory

COMMUNES_FILE = "communes.csv"


def parse_communes(text: str) -> CommuneDirectory:
    """Parse communes from CSV text with the columns insee, name, former_agglomeration, cpts."""
    rows = csv.DictReader(io.StringIO(text))
    return CommuneDirectory([Commune.model_validate(row) for row in rows])


def load_communes() -> CommuneDirectory:
    """Return the member communes listed in faps/data/communes.csv."""
    text = resources.files("faps.data").joinpath(COMMUNES_FILE).read_text(encoding="utf-8")
    return parse_communes(text)
