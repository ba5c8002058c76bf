"""Value objects are stored with the version of their fields, and older versions still load."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eventsourcing.persistence import JSONTranscoder
from pydantic import BaseModel, ConfigDict, ValidationError

from faps.domain.actors import SYSTEM_ACTOR
from faps.infrastructure.transcodings import StoredForm, faps_transcodings, model_transcoding


def transcoder(*transcodings: Any) -> JSONTranscoder:
    coder = JSONTranscoder()
    for t in transcodings:
        coder.register(t)
    return coder


def test_a_value_object_is_stored_under_its_versioned_name():
    stored = json.loads(transcoder(*faps_transcodings()).encode({"actor": SYSTEM_ACTOR}))
    assert stored["actor"]["_type_"] == "faps_actor/v1"
    assert stored["actor"]["_data_"]["role"] == "systeme"


def test_the_bare_name_of_older_releases_still_decodes():
    coder = transcoder(*faps_transcodings())
    old = coder.encode({"actor": SYSTEM_ACTOR}).replace(b"faps_actor/v1", b"faps_actor")
    assert coder.decode(old) == {"actor": SYSTEM_ACTOR}


class Grid(BaseModel):
    """A value object that forbids unknown fields, as the règlement does."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    rate: str
    ceiling: str


def _renamed(data: dict[str, Any]) -> dict[str, Any]:
    ceiling = data.pop("plafond")
    return {**data, "ceiling": ceiling}


def _dropped(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "notes"}


GRID = StoredForm(Grid, "grid", version=3, upcasts={0: _renamed, 2: _dropped})


def every_version() -> JSONTranscoder:
    return transcoder(*(model_transcoding(GRID, v) for v in range(GRID.version)),
                      model_transcoding(GRID))


@pytest.mark.parametrize("name, data", [
    ("grid", {"rate": "0.30", "plafond": "100000", "notes": "x"}),  # v0: plafond, notes
    ("grid/v1", {"rate": "0.30", "ceiling": "100000", "notes": "x"}),
    ("grid/v2", {"rate": "0.30", "ceiling": "100000", "notes": "x"}),
    ("grid/v3", {"rate": "0.30", "ceiling": "100000"}),
])
def test_every_older_version_is_upcast_to_the_current_fields(name: str, data: dict[str, Any]):
    stored = json.dumps({"_type_": name, "_data_": data}).encode()
    assert every_version().decode(stored) == Grid(rate="0.30", ceiling="100000")


def test_the_current_version_encodes_and_an_old_form_without_its_upcast_is_refused():
    assert b'"grid/v3"' in every_version().encode(Grid(rate="0.3", ceiling="1"))
    no_upcast = StoredForm(Grid, "grid", version=1)
    stored = json.dumps({"_type_": "grid", "_data_": {"rate": "1", "ceiling": "2",
                                                      "notes": "x"}}).encode()
    with pytest.raises(ValidationError):
        transcoder(model_transcoding(no_upcast, 0)).decode(stored)
