"""PDF documents parsed back: figures, ACTES identifier, seal, French typography."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from faps.domain.errors import TransitionNotAllowedError
from faps.domain.money import format_euros
from faps.infrastructure.exports.pdf import blocks, render_pdf, typography
from faps.infrastructure.exports.wording import act, de
from tests.integration.test_exports_tables import service, vote_three_outcomes
from tests.support import World


@pytest.fixture
def decided(memory_world: World) -> tuple[World, str, int]:
    """An awarded dossier: the world, its session id and item number."""
    dossier_id = memory_world.awarded()
    dossier = memory_world.faps.dossiers.load(memory_world.officer, dossier_id)
    return memory_world, str(dossier.session_id), dossier.agenda_item or 1


@pytest.fixture
def three_outcomes(memory_world: World) -> tuple[World, str]:
    """A session with item 1 adopted, 2 rejected, 3 adjourned; and its id."""
    return memory_world, str(vote_three_outcomes(memory_world))


def text_of(data: bytes) -> str:
    """Return the text of every page."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("kind", ["deliberation", "notification", "agreement"])
def test_item_documents_carry_the_amount_the_actes_id_and_the_seal(decided, kind) -> None:  # type: ignore[no-untyped-def]
    world, session_id, item = decided
    result = service(world).export(world.secretariat, f"pdf-{kind}",
                                   {"session_id": session_id, "item": item})
    text = text_of(result.data)
    dossier = world.faps.dossiers.load(world.officer, _first_dossier(world))
    squeezed = re.sub(r"\s", "", text)
    assert re.sub(r"\s", "", format_euros(dossier.awarded_amount)) in squeezed
    assert "077-200057958-2024" in text and "-DE" in text
    assert result.seal.head[:20] in text.replace("\n", "")
    assert "Page 1" in text
    assert "Lognes" in text


def test_the_deliberation_extract_has_heading_vote_and_legal_references(decided) -> None:  # type: ignore[no-untyped-def]
    world, session_id, item = decided
    text = text_of(service(world).export(world.secretariat, "pdf-deliberation",
                                         {"session_id": session_id, "item": item}).data)
    for expected in ("L5216-5 VI", "Conseillers en exercice", "65", "pour 50", "contre 3",
                     "abstentions 2", "7.8", "Secrétaire de séance", "Article 2"):
        assert expected in text, expected


def test_the_session_list_names_each_deliberation(decided) -> None:  # type: ignore[no-untyped-def]
    world, session_id, _ = decided
    text = text_of(service(world).export(world.secretariat, "pdf-session-list",
                                         {"session_id": session_id}).data)
    assert "Liste des délibérations" in text and "DEL-2024-001" in text


def test_a_pdf_is_the_same_bytes_for_the_same_data(decided) -> None:  # type: ignore[no-untyped-def]
    world, session_id, item = decided
    from faps.application.decisions import DecisionReader
    from faps.application.export_kinds import builder
    from faps.domain.hash_chain import Seal

    reader = DecisionReader(world.faps.app, world.faps.ctx.communes)
    args = (reader, service(world).publisher, Seal(3, "a" * 64), world.clock.now(),
            {"session_id": session_id, "item": item})
    build = builder("pdf-agreement", world.faps.ports.formats, world.faps.ports.templates)
    assert build(*args) == build(*args)


def _first_dossier(world: World):  # type: ignore[no-untyped-def]
    app = world.faps.app
    return next(n.originator_id for n in app.recorder.select_notifications(1, 10000)
                if n.topic.endswith("Dossier.Drafted"))


@pytest.mark.parametrize(("kind", "item", "reason"), [
    ("notification", 2, "rejetée"), ("agreement", 2, "rejetée"),
    ("notification", 3, "ajourné"), ("agreement", 3, "ajourné"), ("deliberation", 3, "ajourné"),
])
def test_no_award_document_for_an_item_not_adopted(three_outcomes, kind, item, reason) -> None:  # type: ignore[no-untyped-def]
    world, session_id = three_outcomes
    with pytest.raises(TransitionNotAllowedError, match=f"point n° {item} : .*{reason}"):
        service(world).export(world.secretariat, f"pdf-{kind}",
                              {"session_id": session_id, "item": item})


def test_the_extract_of_a_rejected_item_says_the_council_awards_nothing(three_outcomes) -> None:  # type: ignore[no-untyped-def]
    world, session_id = three_outcomes
    text = text_of(service(world).export(world.secretariat, "pdf-deliberation",
                                         {"session_id": session_id, "item": 2}).data)
    flat = re.sub(r"\s+", " ", text)
    assert "rejette la proposition d’attribuer" in flat
    assert "aucun fonds de concours n’est attribué" in flat
    assert "Proposition rejetée" in flat
    assert "attribue à" not in flat and "Délibération adoptée" not in flat


def test_the_session_list_names_deliberations_only(three_outcomes) -> None:  # type: ignore[no-untyped-def]
    world, session_id = three_outcomes
    text = re.sub(r"\s+", " ", text_of(service(world).export(
        world.secretariat, "pdf-session-list", {"session_id": session_id}).data))
    assert text.count("Délibération n°") == 2
    assert "non attribué — rejetée" in text and "ajournée" not in text


def test_the_extract_names_the_reglement_act_once(decided) -> None:  # type: ignore[no-untyped-def]
    world, session_id, item = decided
    text = re.sub(r"\s+", " ", text_of(service(world).export(
        world.secretariat, "pdf-deliberation", {"session_id": session_id, "item": item}).data))
    assert "adopté par la délibération du conseil communautaire du 31 mars 2022" in text
    assert "délibération Délibération" not in text


@pytest.mark.parametrize(("name", "expected"), [
    ("Lognes", "de Lognes"), ("Émerainville", "d'Émerainville"), ("Ozoir", "d'Ozoir"),
    ("Hérouville", "d'Hérouville"), ("Torcy", "de Torcy")])
def test_de_is_elided_before_a_vowel(name: str, expected: str) -> None:
    assert de(name) == expected


def test_an_adopting_act_reads_inside_a_sentence() -> None:
    assert act("Délibération du 31 mars 2022") == "la délibération du 31 mars 2022"
    assert act("n° 2022-031") == "la délibération n° 2022-031"


def test_a_heading_is_one_line_and_the_next_line_a_paragraph() -> None:
    text = "# Titre\nExpéditeur\n\n## Délibération n° 1\nVu le CGCT ;\n- un point\n- un autre"
    assert blocks(text) == ["# Titre", "Expéditeur", "## Délibération n° 1", "Vu le CGCT ;",
                            "- un point", "- un autre"]


def test_a_line_never_starts_with_a_colon_or_the_end_of_an_amount() -> None:
    # Every prefix length once: somewhere the line is full right before « ; » or an amount.
    amount = format_euros(Decimal("53670"))
    text = "\n\n".join(typography(f"{'x' * n} le fonds de {amount} pour la commune ; la suite")
                         for n in range(1, 90))
    lines = text_of(render_pdf(text, "Essai", "pied", "auteur")).splitlines()
    assert not [line for line in lines if re.match(r"\s*(;|\d{3},\d\d|€)", line)]
