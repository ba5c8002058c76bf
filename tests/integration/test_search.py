"""French full-text search on the dossier list: accents, stems, prefixes, references, ranking."""

from __future__ import annotations

from uuid import UUID

import pytest

from faps.application.queries import RELEVANCE, DossierFilter
from faps.domain.actors import Role
from faps.infrastructure.readmodels.search import fold, searchable
from tests.support import PASSWORD, World, content

stores = pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)


def found(world: World, text: str, sort: str = RELEVANCE) -> list[UUID]:
    """Return the officer's list for a search, in its order."""
    page = world.faps.queries.dossiers(world.officer, DossierFilter(text=text, sort=sort,
                                                                    per_page=100))
    return [row.dossier_id for row in page.items]


def filed(world: World, agent, **overrides) -> UUID:  # type: ignore[no-untyped-def]
    """Draft and submit a dossier as an agent of any commune."""
    from tests.support import FILING_KINDS, pdf

    services = world.faps.dossiers
    dossier_id = services.draft(agent, agent.commune, content(**overrides))
    for kind in FILING_KINDS:
        services.attach(agent, dossier_id, kind, f"{kind}.pdf", pdf(kind))
    services.submit(agent, dossier_id)
    return dossier_id


@pytest.fixture
def emerainville(world: World):  # type: ignore[no-untyped-def]
    """An agent of Émerainville."""
    accounts = world.faps.accounts
    account = accounts.open(world.admin, "agent@emerainville.test", "Agente", Role.COMMUNE_AGENT,
                            "77169", PASSWORD)
    return accounts.get(account).as_actor()


@stores
def test_a_search_ignores_accents_and_case_and_ranks_the_best_match_first(
        world: World, emerainville):  # type: ignore[no-untyped-def]
    lognes = world.submitted(title="Cabinet de kinésithérapie",
                             description="Salle de rééducation à Lognes.")
    once = filed(world, emerainville, title="Cabinet infirmier du centre")
    twice = filed(world, emerainville, title="Maison de santé d'Émerainville")
    assert found(world, "emerainville") == [twice, once]
    assert found(world, "ÉMERAINVILLE") == [twice, once]
    assert found(world, "Emerain") == [twice, once]  # a word's beginning
    assert found(world, "emerainville", sort="reference") == [once, twice]  # filed in turn
    assert found(world, "emerainville", sort="-reference") == [twice, once]
    pages = []
    for page in (1, 2, 3):  # counted with the page, and without it past the last one
        listed = world.faps.queries.dossiers(world.officer, DossierFilter(
            text="emerainville", sort=RELEVANCE, per_page=1, page=page))
        assert listed.total == 2 and len(listed.items) == (page < 3)
        pages += [row.dossier_id for row in listed.items]
    assert pages == [twice, once]
    assert found(world, "kinesitherapie") == [lognes]
    assert found(world, "reeducation lognes") == [lognes]  # the description, every word
    assert found(world, "kinésithérapie infirmier") == []
    assert found(world, "+-*\"'") == []  # no word at all: nothing, and no syntax error


@stores
def test_a_title_match_comes_before_a_description_match(world: World):
    titled = world.submitted(title="Centre de radiologie", description="Un local neuf.")
    described = world.submitted(title="Maison de santé",  # later, and the word twice
                                description="Une salle de radiologie, la radiologie dentaire.")
    assert found(world, "radiologie") == [titled, described]
    assert found(world, "radio") == [titled, described]  # a word's beginning, stemmed or not
    other = world.submitted(title="Cabinet de radiologie", description="De la radiologie.")
    assert found(world, "radiologie") == [other, titled, described]  # title and description
    page = world.faps.queries.dossiers(world.officer, DossierFilter(
        text="radiologie", sort=RELEVANCE, per_page=2, page=2))
    assert [r.dossier_id for r in page.items] == [described] and page.total == 3


@stores
def test_references_are_found_by_their_beginning(world: World):
    first, second = world.submitted(), world.submitted()  # FAPS-2024-001, FAPS-2024-002
    assert set(found(world, "FAPS-2024")) == {first, second}
    assert found(world, "faps-2024-002") == [second]
    assert set(found(world, "FAPS-2024-00")) == {first, second}


@stores
def test_an_edited_description_is_found_by_its_new_words_only(world: World):
    dossier_id = world.drafted(description="Un cabinet de radiologie.")
    agent = world.agent
    page = world.faps.queries.dossiers(agent, DossierFilter(text="radiologie"))
    assert [r.dossier_id for r in page.items] == [dossier_id]
    world.faps.dossiers.edit(agent, dossier_id, {"description": "Une salle d'orthoptie."})
    assert world.faps.queries.dossiers(agent, DossierFilter(text="radiologie")).total == 0
    assert world.faps.queries.dossiers(agent, DossierFilter(text="orthoptie")).total == 1


def test_the_folded_text_needs_no_database_extension() -> None:
    assert fold("Œuvre à Émerainville, ÇA") == "oeuvre a emerainville, ca"
    assert searchable(None, "Maison", "Émerainville") == "maison emerainville"
