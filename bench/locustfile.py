"""The simulated people of the load benchmark (run by bench/load.py through Locust, headless).

Officers, commune agents, the secretariat and an auditor sign in (the accounts of
bench/generate.py) and click 0.5–1.5 s apart through their usual pages, writing notes,
messages, drafts and assignments. The ids they use come from the JSON file named by
FAPS_LOAD_IDS (written by bench/load.py from the read models). Each simulated person comes
from an address of its own (X-Forwarded-For: the server trusts one proxy hop), as people do.

They are Locust's FastHttpUser (geventhttpclient), not HttpUser (python-requests): Locust runs on
the same two cores as the server it measures, and the lighter client leaves the server more of
them (Locust's own figure: several times the requests per core).
"""

from __future__ import annotations

import json
import os
import random
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, task

IDS: dict[str, Any] = json.loads(Path(os.environ["FAPS_LOAD_IDS"]).read_text(encoding="utf-8"))
PASSWORD = IDS["password"]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
STATES = ("depose", "complements_demandes", "complet", "instruit", "propose", "attribue",
          "solde", "rejete")
SORTS = ("-updated_at", "reference", "next_deadline", "-requested_amount")
WORDS = ("maison de santé", "cabinet dentaire", "Chelles", "kinésithérapie", "FAPS-2025",
         "Emerainville", "centre de santé")


class FormFields(HTMLParser):
    """The fields of one form of a page (inputs, selects, textareas) as a browser posts them."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, []  # type: ignore[var-annotated]
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = (a.get("action") or "").endswith(self.action)
        if self.inside and tag == "option" and self.select is not None:
            name, value = self.fields[-1]
            if value is None or "selected" in a:
                self.fields[-1] = (name, a.get("value") or "")
            return
        if not self.inside or not a.get("name"):
            return
        name = a["name"] or ""
        if tag == "input" and a.get("type") not in ("submit", "button", "file") and (
                a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self.fields.append((name, a.get("value") or ""))
        elif tag == "select":
            self.select = name
            self.fields.append((name, None))  # the first option unless one is selected
        elif tag == "textarea":
            self.textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


class Person(FastHttpUser):
    """Someone who signs in with one of the generated accounts and clicks around."""

    abstract = True
    wait_time = between(0.5, 1.5)
    emails: list[str] = []

    def on_start(self) -> None:
        """Come from an address of one's own, then sign in."""
        self.client.client.default_headers["X-Forwarded-For"] = (
            f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}")
        self.email = random.choice(self.emails)
        self.csrf = ""
        self.sign_in()

    def sign_in(self) -> None:
        """Open the sign-in page and post the form (argon2 on the server), landing home."""
        page = self.client.get("/connexion", name="sign-in page")
        found = CSRF.search(page.text)
        token = found.group(1) if found else ""
        home = self.client.post("/connexion", name="sign-in (POST)",
                                data={"email": self.email, "password": PASSWORD,
                                      "csrf_token": token})
        # The sign-in lands on the role's home (its redirect, followed and timed with it), as
        # a browser does: the forms' token is read there.
        found = CSRF.search(home.text)
        self.csrf = found.group(1) if found else ""

    @task(1)
    def sign_out_and_in(self) -> None:
        """Sign out and back in (a new day, another browser)."""
        self.client.post("/deconnexion", name="sign-out (POST)", data={"csrf_token": self.csrf})
        self.sign_in()

    def post(self, url: str, name: str, data: dict[str, str]) -> None:
        """Post a form the way the page does; a refused form counts as an error."""
        with self.client.post(url, name=name, data={**data, "csrf_token": self.csrf},
                              catch_response=True) as response:
            if response.status_code >= 400 or "Erreur" in response.text[:3000]:
                response.failure(f"HTTP {response.status_code}")

    role = "person"


def pick(key: str) -> str:
    """Return a random id of a list in the ids file."""
    return random.choice(IDS[key])


class Officer(Person):
    """A finance officer: the list, its filters and search, dossiers, notes, assignments."""

    weight = 4
    emails = IDS["officers"]
    role = "officer"

    @task(6)
    def inbox(self) -> None:
        args = {"sort": random.choice(SORTS)}
        if random.random() < 0.6:
            args["state"] = random.choice(STATES)
        if random.random() < 0.3:
            args["commune"] = random.choice(IDS["communes"])
        if random.random() < 0.3:
            args["year"] = str(random.choice(IDS["years"]))
        if random.random() < 0.2:
            args["page"] = str(random.randint(2, 20))
        self.client.get("/instruction/", params=args, name="officer: list (filters)")

    @task(2)
    def search(self) -> None:
        self.client.get("/instruction/", params={"q": random.choice(WORDS)},
                        name="officer: list (search)")

    @task(8)
    def dossier(self) -> None:
        self.client.get(f"/instruction/dossiers/{pick('dossiers')}", name="officer: dossier")

    @task(2)
    def to_do(self) -> None:
        self.client.get("/instruction/a-traiter", name="officer: to do")

    @task(2)
    def note(self) -> None:
        dossier = pick("open")
        self.client.get(f"/instruction/dossiers/{dossier}", name="officer: dossier")
        self.post(f"/instruction/dossiers/{dossier}/notes", "officer: note (POST)",
                  {"text": "Point fait avec la commune : pièces à jour."})

    @task(1)
    def assign(self) -> None:
        dossier = pick("open")
        self.post(f"/instruction/dossiers/{dossier}/affecter", "officer: assign (POST)",
                  {"officer_id": IDS["officer_ids"][self.email]})

    @task(1)
    def payments(self) -> None:
        self.client.get("/finances/versements", name="officer: payments")

    @task(1)
    def budget(self) -> None:
        self.client.get("/finances/budget", name="officer: budget")


class Commune(Person):
    """A commune agent: their list, a dossier, a draft, messages."""

    weight = 4
    role = "commune"
    emails = list(IDS["agents"])

    @task(4)
    def dossiers(self) -> None:
        params = {"page": str(random.randint(2, 5))} if random.random() < 0.2 else {}
        self.client.get("/commune/dossiers", params=params, name="commune: list")

    @task(6)
    def dossier(self) -> None:
        dossier = random.choice(IDS["agents"][self.email]["dossiers"])
        self.client.get(f"/commune/dossiers/{dossier}", name="commune: dossier")

    @task(2)
    def edit_draft(self) -> None:
        drafts = IDS["agents"][self.email]["drafts"]
        if not drafts:
            return
        url = f"/commune/dossiers/{random.choice(drafts)}/modifier"
        page = self.client.get(url, name="commune: draft editor")
        form = FormFields("/modifier")
        form.feed(page.text)
        data = dict(form.fields)
        data["action"] = "save"
        data["description"] = (data.get("description", "") or "Projet")[:900].rstrip(".") + "."
        self.post(url, "commune: draft saved (POST)", data)

    @task(2)
    def message(self) -> None:
        dossier = random.choice(IDS["agents"][self.email]["open"] or
                                IDS["agents"][self.email]["dossiers"])
        self.client.get(f"/commune/dossiers/{dossier}", name="commune: dossier")
        self.post(f"/dossiers/{dossier}/messages", "commune: message (POST)",
                  {"text": "Bonjour, le calendrier des travaux est confirmé."})

    @task(1)
    def simulator(self) -> None:
        self.client.get("/commune/simulateur", name="commune: simulator")


class Secretariat(Person):
    """The council's secretariat: sessions, agendas, exports."""

    weight = 1
    role = "secretariat"
    emails = IDS["secretariat"]

    @task(3)
    def sessions(self) -> None:
        self.client.get("/assemblees/", name="secretariat: sessions")

    @task(4)
    def session(self) -> None:
        self.client.get(f"/assemblees/seances/{pick('sessions')}", name="secretariat: session")

    @task(1)
    def municipal(self) -> None:
        self.client.get("/assemblees/deliberations-municipales",
                        name="secretariat: municipal deliberations")

    @task(2)
    def exports(self) -> None:
        self.client.get("/exports/", name="secretariat: exports")

    @task(2)
    def session_exports(self) -> None:
        self.client.get(f"/exports/seances/{pick('sessions')}", name="secretariat: session exports")


class Auditor(Person):
    """An auditor: the fund as of a date, the differences, a dossier's history, deadlines."""

    weight = 1
    role = "auditor"
    emails = IDS["auditors"]

    def day(self) -> date:
        return date.fromisoformat(IDS["today"]) - timedelta(days=random.randint(1, 900))

    @task(3)
    def fund(self) -> None:
        self.client.get("/audit/fonds", params={"as_of": self.day().isoformat()},
                        name="auditor: fund as of")

    @task(2)
    def differences(self) -> None:
        end = self.day()
        start = end - timedelta(days=random.randint(30, 365))
        self.client.get("/audit/ecarts", params={"from": start.isoformat(), "to": end.isoformat()},
                        name="auditor: écarts")

    @task(4)
    def history(self) -> None:
        params = {"as_of": self.day().isoformat()} if random.random() < 0.5 else {}
        self.client.get(f"/audit/dossiers/{pick('dossiers')}", params=params,
                        name="auditor: dossier history")

    @task(2)
    def deadlines(self) -> None:
        self.client.get("/finances/echeances", name="auditor: deadlines")

    @task(2)
    def search(self) -> None:
        self.client.get("/audit/", params={"q": random.choice(WORDS)}, name="auditor: search")
