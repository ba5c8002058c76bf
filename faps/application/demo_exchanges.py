"""The demo's exchanges: corrections asked and answered, messages, external opinions, and a
vote rectified after its session, so that every screen of them has data to show."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from faps.application.demo_pdf import tiny_pdf
from faps.application.exchanges import Upload
from faps.domain.money import round_down

if TYPE_CHECKING:
    from faps.application.demo import Demo, DemoCase

CORRECTED = {"proposed", "awarded", "on_agenda"}  # a correction asked, answered, accepted
CONSULTED = {"assessed", "on_agenda", "postponed"}  # an external opinion asked and given
AWAITING_OPINION = {"complete"}  # an opinion asked, still due
RECTIFIED = {"awarded"}  # the vote's amount rectified (material error) after the session
BODIES = (("ARS Île-de-France", "avis.dd77@ars.sante.test"),
          ("CPTS Marne-et-Chantereine", "contact@cpts-marne.test"))
VERDICTS = (("favorable", "Le projet répond à un besoin identifié du territoire (zone "
             "d’intervention prioritaire)."),
            ("reserve", "Favorable sous réserve de l’accessibilité du cabinet aux personnes à "
             "mobilité réduite, à justifier avant le solde."))


class ExchangeStories:
    """Plans the exchanges of some dossiers, by their story."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.faps = demo.faps

    def plan(self, case: DemoCase, filed: date) -> None:
        """Plan a case's exchanges before its instruction is complete (30 days after filing)."""
        on = self.demo.on
        if case.story in CORRECTED:
            on(filed + timedelta(days=8), lambda: self.ask_correction(case))
            on(filed + timedelta(days=11), lambda: self.talk(case))
            on(filed + timedelta(days=15), lambda: self.correct(case))
            on(filed + timedelta(days=17), lambda: self.accept(case))
        if case.story in CONSULTED:
            on(filed + timedelta(days=12), lambda: self.consult(case, 30))
            on(filed + timedelta(days=16), lambda: self.answer_opinion(case))
        if case.story in AWAITING_OPINION:
            on(max(filed + timedelta(days=12), self.demo.today - timedelta(days=4)),
               lambda: self.consult(case, 14))

    def _id(self, case: DemoCase):  # type: ignore[no-untyped-def]
        assert case.dossier_id is not None
        return case.dossier_id

    def ask_correction(self, case: DemoCase) -> None:
        """The officer sends the dossier back: an out-of-date quote, the amount to correct."""
        due = self.demo.clock.now().date() + timedelta(days=21)
        self.faps.dossiers.request_information(
            self.demo.officer(case), self._id(case),
            "Le devis joint date de plus de six mois : merci de joindre un devis actualisé et "
            "d’ajuster le montant sollicité en conséquence.", ("devis",), due,
            ("requested_amount",))

    def talk(self, case: DemoCase) -> None:
        """The commune asks a question in the thread; the officer answers."""
        agent, officer = self.demo.agents[case.commune], self.demo.officer(case)
        self.faps.exchanges.post(agent, self._id(case), "Le fournisseur nous transmet le devis "
                                 "actualisé cette semaine. Faut-il aussi refaire le plan de "
                                 "financement ?")
        self.demo.tick()
        self.faps.exchanges.post(officer, self._id(case), "Non : seul le montant sollicité est "
                                 "à corriger, le plan se met à jour avec lui.")

    def correct(self, case: DemoCase) -> None:
        """The commune lowers its request and replies with the new quote."""
        agent = self.demo.agents[case.commune]
        dossier = self.faps.dossiers.load(agent, self._id(case))
        lower = round_down(dossier.content.requested_amount * Decimal("0.95"))
        self.faps.dossiers.edit(agent, dossier.id, {"requested_amount": str(lower)})
        self.demo.tick()
        quote = tiny_pdf("FAPS - devis actualisé", str(case.content["title"]),
                         f"Devis du {self.demo.clock.now():%d/%m/%Y}")
        self.faps.exchanges.reply(agent, dossier.id, "Devis actualisé joint ; le montant "
                                  "sollicité est ajusté.",
                                  uploads=[Upload("devis", "devis-actualise.pdf", quote)])

    def accept(self, case: DemoCase) -> None:
        """The officer accepts the reply; the instruction goes on."""
        self.faps.exchanges.accept_reply(self.demo.officer(case), self._id(case))

    def consult(self, case: DemoCase, days: int) -> None:
        """The officer asks a health body for its opinion, due within `days`."""
        body, email = BODIES[case.index % len(BODIES)]
        due = self.demo.clock.now().date() + timedelta(days=days)
        self.faps.exchanges.request_opinion(
            self.demo.officer(case), self._id(case), body, email,
            "Le projet répond-il à un besoin de soins de proximité sur ce secteur ?", due)

    def answer_opinion(self, case: DemoCase) -> None:
        """The body answers through its link, with a signed letter."""
        dossier = self.faps.dossiers.load(self.demo.officer(case), self._id(case))
        for opinion in dossier.opinions.values():
            if opinion.verdict is None:
                token = self.faps.exchanges.opinion_link(dossier.id, opinion.opinion_id)
                verdict, text = VERDICTS[case.index % len(VERDICTS)]
                letter = tiny_pdf(f"Avis de {opinion.body}", str(case.content["title"]), text[:60])
                self.faps.exchanges.give_opinion(token.rsplit("/", 1)[1], verdict, text,
                                                 Upload("avis_exterieur", "avis.pdf", letter))

    def plan_rectification(self, case: DemoCase, voted: date) -> None:
        """Plan the rectification of an award's amount, days after its session."""
        if case.story in RECTIFIED:
            self.demo.on(voted + timedelta(days=4), lambda: self.rectify(case))

    def rectify(self, case: DemoCase) -> None:
        """The minutes carried a wrong amount: the secretariat rectifies the vote."""
        secretariat = self.demo.actors["secretariat"]
        dossier = self.faps.dossiers.load(secretariat, self._id(case))
        assert dossier.decision is not None
        session_id = dossier.decision["session_id"]
        session = self.faps.council.load(secretariat, session_id)
        number = next(n for n, i in session.items.items() if i["dossier_id"] == dossier.id
                      and not i["withdrawn"])
        item = session.items[number]
        self.faps.council.rectify_outcome(
            secretariat, session_id, number, dossier.awarded_amount - Decimal("500.00"),
            dossier.decision["reference"],
            (item["votes_for"], item["votes_against"], item["abstentions"]),
            (item["present"], item["voting"]),
            "Erreur matérielle : le procès-verbal portait un montant supérieur de 500 € à celui "
            "voté.")
