"""The officers' home page lists the overdue and near deadlines, each linked to its dossier."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient

from tests.support import World


def test_the_officers_home_lists_overdue_and_near_deadlines_linked_to_the_dossiers(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    w = web_world
    late = w.awarded()
    waiting = w.submitted()
    w.clock.advance(days=400)  # the works of `late` should have started by now
    w.faps.dossiers.request_information(w.officer, waiting, "Joignez le bail.", (),
                                        w.clock.now().date() + timedelta(days=10))
    w.faps.projections.catch_up()
    html = signed_in("officer").get("/instruction/").get_data(as_text=True)
    section = html[html.index('id="echeances"'):html.index("</section>",
                                                           html.index('id="echeances"'))]
    assert "Échéances dépassées ou proches" in section
    assert f'href="/instruction/dossiers/{late}"' in section
    assert re.search(r"Commencement des travaux \(premier versement demandé\), échéance du "
                     r"\d\d/\d\d/\d{4} — <strong>En retard de \d+ jours</strong>", section)
    assert f'href="/instruction/dossiers/{waiting}"' in section
    assert "Réponse à la demande de compléments" in section and "Dans 10 jours" in section
    assert section.index(str(late)) < section.index(str(waiting))  # most urgent first
    assert 'href="/finances/echeances"' in section


def test_the_officers_home_says_when_nothing_is_due(
        signed_in: Callable[[str], FlaskClient]) -> None:
    html = signed_in("officer").get("/instruction/").get_data(as_text=True)
    assert "Aucune échéance dépassée ou proche." in html
