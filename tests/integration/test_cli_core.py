"""`faps demo`, `faps history` and `faps accounts` on an SQLite file, as a user runs them."""

from __future__ import annotations

import stat
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eventsourcing.utils import get_topic

from faps.application.demo_data import last_year
from faps.bootstrap import Faps, build
from faps.cli import main
from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DossierState
from faps.infrastructure.example_settings import luhn_valid
from faps.infrastructure.settings import load_settings
from tests.integration.readmodels_history import dump


class Store:
    """An instance folder with its SQLite file, and a way to run faps on it."""

    def __init__(self, instance: Path) -> None:
        self.instance = instance
        self.env = {"FAPS_INSTANCE_PATH": str(instance),
                    "FAPS_DATABASE_URL": f"sqlite:///{instance / 'faps.sqlite3'}"}

    def run(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), env=self.env, input=input)

    def faps(self) -> Faps:
        return build(load_settings(instance_path=self.instance,
                                   database_url=self.env["FAPS_DATABASE_URL"]))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Result]]:
    """Run the demo once for the module."""
    store = Store(tmp_path_factory.mktemp("instance"))
    yield store, store.run("demo")


def dossiers(faps: Faps) -> list[Dossier]:
    topic = get_topic(Dossier.Drafted)
    found = faps.app.recorder.select_notifications(None, 1000, topics=[topic])
    return [faps.dossiers.load(SYSTEM_ACTOR, n.originator_id) for n in found]


def test_the_demo_fills_the_store_over_every_state_and_three_years(demo):
    store, result = demo
    assert result.exit_code == 0, result.output
    faps = store.faps()
    try:
        found = dossiers(faps)
        years = Counter(d.created_on.year for d in found)
        states = {d.state for d in found}
        sessions = [faps.council.load(SYSTEM_ACTOR, n.originator_id)
                    for n in faps.app.recorder.select_notifications(None, 1000)
                    if n.topic.endswith("CouncilSession.Scheduled")]
        coming = [s for s in sessions if s.session_date > date.today()]
        budgets = {y: faps.budgets.get(SYSTEM_ACTOR, y) for y in faps.queries.budget_years(
            SYSTEM_ACTOR)}
    finally:
        faps.close()
    assert len(found) >= 35
    assert states == set(DossierState)
    last = last_year(date.today())
    assert {last - 2, last - 1, last} <= set(years)
    today = date.today()
    assert max(d.modified_on for d in found) <= datetime.now(UTC)  # nothing dated in the future
    due = [r.due_on for d in found for r in d.information_requests if r.answer is None]
    assert any(today < day and (day.month == today.month or day <= today + timedelta(days=3))
               for day in due)  # work due this month
    assert len(sessions) >= 2
    assert coming and coming[0].items  # an agenda still to vote, on a year with a budget
    assert budgets[coming[0].session_date.year].remaining > 0


def test_the_demo_shows_corrections_threads_opinions_and_a_rectified_vote(demo):
    store, _ = demo
    faps = store.faps()
    try:
        topics = Counter(n.topic.rsplit(".", 1)[1]
                         for n in faps.app.recorder.select_notifications(None, 100_000))
        found = dossiers(faps)
    finally:
        faps.close()
    assert topics["ReplyAccepted"] >= 3 and topics["MessagePosted"] >= 6
    assert topics["OpinionGiven"] >= 3 and topics["OpinionRequested"] > topics["OpinionGiven"]
    assert topics["VoteRectified"] >= 1 and topics["OutcomeRectified"] == topics["VoteRectified"]
    corrected = [d for d in found if any(r.fields for r in d.information_requests)]
    assert corrected and all(r.answer is not None for d in corrected
                             for r in d.information_requests if r.fields)
    assert any(o.verdict == "reserve" for d in found for o in d.opinions.values())


def test_the_demo_prints_and_keeps_the_accounts_for_their_owner_only(demo):
    store, result = demo
    path = store.instance / "demo-accounts.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for store_file in store.instance.glob("faps.sqlite3*"):  # the password hashes are there
        assert stat.S_IMODE(store_file.stat().st_mode) == 0o600, store_file.name
    table = path.read_text(encoding="utf-8")
    assert "administration@agglo-pvm.test" in table and "agent@lognes.test" in table
    assert len(table.strip().splitlines()) == 2 + 5 + 12
    assert "Mot de passe" in result.output


def test_the_demo_writes_luhn_valid_example_sirets(demo):
    store, _ = demo
    text = (store.instance / "faps.env").read_text(encoding="utf-8")
    assert "EXEMPLES" in text
    settings = load_settings(instance_path=store.instance)
    assert settings.agglomeration_siret.startswith("200057958")
    sirets = [settings.agglomeration_siret, *settings.commune_sirets.values()]
    assert len(settings.commune_sirets) == 12
    assert all(len(s) == 14 and luhn_valid(s) for s in sirets)
    assert all(s.startswith("21770") for s in settings.commune_sirets.values())


def test_the_demo_runs_again_only_when_asked_to_skip_a_filled_store(demo):
    store, _ = demo
    skipped = store.run("demo", "--if-empty")
    assert skipped.exit_code == 0
    assert "déjà" in skipped.output
    refused = store.run("demo")
    assert refused.exit_code == 1
    assert "contient déjà des dossiers" in refused.stderr


def test_history_shows_the_events_and_the_state_before_the_vote(demo):
    store, _ = demo
    first = last_year(date.today()) - 2  # the demo's first year, whatever the day it ran
    before = store.run("history", f"FAPS-{first}-001", "--as-of", f"{first}-06-19")
    assert before.exit_code == 0, before.output
    assert "Dossier déposé" in before.output
    assert "Vote du conseil" not in before.output
    assert f"État au 19/06/{first}\u202f: Inscrit à l’ordre du jour" in before.output
    everything = store.run("history", f"faps-{first}-001")
    assert "Vote du conseil" in everything.output
    assert f"Adoptée le 20/06/{first}" in everything.output


def test_an_account_added_with_a_password_on_stdin_can_sign_in(demo):
    store, _ = demo
    result = store.run("accounts", "add", "premiere.admin@agglo.test", "--role",
                       "administrateur", "--name", "Première Admin",
                       input="un-mot-de-passe-solide\n")
    assert result.exit_code == 0, result.output
    faps = store.faps()
    try:
        actor = faps.accounts.authenticate("premiere.admin@agglo.test", "un-mot-de-passe-solide")
        wrong = faps.accounts.authenticate("premiere.admin@agglo.test", "autre-mot-de-passe")
    finally:
        faps.close()
    assert actor is not None and actor.role.value == "administrateur"
    assert wrong is None
    assert "premiere.admin@agglo.test" in store.run("accounts", "list").output


@pytest.mark.parametrize(("args", "stdin", "code", "message"), [
    (("accounts", "add", "a@agglo.test", "--role", "administrateur"), "court\n", 2,
     "au moins 12 caractères"),
    (("accounts", "add", "b@agglo.test", "--role", "agent_commune", "--commune", "99999"),
     "un-mot-de-passe-solide\n", 2, "n'est pas une commune membre"),
    (("accounts", "add", "c@agglo.test", "--role", "administrateur"), "", 2,
     "Aucun mot de passe"),
    (("history", "FAPS-2031-404"), None, 1, "Dossier introuvable"),
    (("history", "FAPS-2023-001", "--as-of", "hier"), None, 2, "Date invalide"),
])
def test_bad_input_exits_non_zero_with_a_french_message(demo, args, stdin, code, message):
    store, _ = demo
    result = store.run(*args, input=stdin)
    assert result.exit_code == code
    assert message in result.stderr


def test_the_demo_rebuilds_to_the_rows_it_was_projected_to_in_one_process_or_split(demo):
    store, result = demo
    assert result.exit_code == 0, result.output
    faps = store.faps()
    try:
        incremental = dump(faps.engine)
        assert len(incremental["rm_dossiers"]) >= 20 and incremental["rm_payments"]
        assert any(row[-1] for row in incremental["rm_timeline"])  # private notes too
        faps.projections.rebuild()
        assert dump(faps.engine) == incremental
        runner = faps.projections
        runner.workers, runner.split_from, runner.batch_size = 2, 0, 40
        assert runner.splits()
        runner.rebuild()
        assert dump(faps.engine) == incremental
    finally:
        faps.close()
