"""`faps projections`: rebuild, follow and inspect the read models."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import click

from faps.cli.support import INPUT_ERROR, fail, opened
from faps.domain.money import format_integer, format_percent
from faps.infrastructure.readmodels.parallel import REBUILDING, RebuildError


@click.group(help="Projections : les tables de lecture tenues à jour depuis le journal.")
def projections() -> None:
    """Group the projection commands."""


@projections.command(help="Reconstruit une projection (ou toutes) depuis le journal.")
@click.argument("name", required=False)
@click.option("--if-stale", is_flag=True,
              help="Seulement celles dont la version a changé ou dont la reconstruction a été "
                   "interrompue (étape de déploiement).")
def rebuild(name: str | None, if_stale: bool) -> None:
    """Rebuild one projection or all from the whole log, with a progress bar."""
    with opened(start_projections=False) as faps:
        runner = faps.projections
        if name and name not in runner.projections:
            fail(f"Projection inconnue : {name} ({', '.join(runner.projections)}).",
                 INPUT_ERROR)
        names = [name] if name else list(runner.projections)
        if if_stale:
            names = [n for n in names if n in runner.stale()]
            if not names:
                click.echo("Rien à reconstruire : chaque projection est à sa version.")
                return
        if runner.rebuilding_elsewhere(names):
            click.echo("Une reconstruction est en cours dans un autre processus, ou vient "
                       "d'être arrêtée net (elle est reprise après deux minutes sans "
                       "nouvelles) : attente…")
        head = faps.app.recorder.max_notification_id() or 0
        split = runner.splits()
        started = time.perf_counter()
        with click.progressbar(length=head, label="Reconstruction") as bar:
            try:
                read = runner.rebuild(names, progress=bar.update)
            except RebuildError as error:
                fail(f"La reconstruction s'est arrêtée ({error}). Relancez la commande : "
                     "elle reprend là où chaque processus s'était arrêté.")
        elapsed = time.perf_counter() - started
        rate = read / elapsed if elapsed else 0.0
        how = f", {runner.workers} processus" if split else ""
        seconds = f"{elapsed:.1f}".replace(".", ",")
        click.echo(f"{format_integer(read)} événements relus en {seconds} s "
                   f"({format_integer(round(rate))} par seconde{how}).")


@projections.command(help="Suit le journal et met les projections à jour (Ctrl-C pour arrêter).")
@click.option("--interval", default=1.0, show_default=True, help="Secondes entre deux lectures.")
def follow(interval: float) -> None:
    """Keep the projections up to date by polling the log."""
    with opened() as faps:
        click.echo("Suivi du journal… (Ctrl-C pour arrêter)")
        stop = threading.Event()
        from faps.cli.webhooks import send_webhooks  # the webhooks follow the log here too

        threading.Thread(target=send_webhooks, args=(faps, interval, stop), daemon=True,
                         name="faps-webhooks").start()
        faps.followers.start_background(interval)  # the audit seal and the mail outbox too
        try:
            faps.projections.follow(interval=interval, stop=stop)
        except KeyboardInterrupt:
            click.echo("Arrêt.")
        finally:
            stop.set()


@projections.command(help="Affiche la version, la position et le retard de chaque projection.")
def status() -> None:
    """Print each projection's version, position and lag; a split rebuild, running or
    interrupted, is shown as it is (neither waited for nor resumed)."""
    with opened(start_projections=False) as faps:
        runner = faps.projections
        if all(version != REBUILDING for _, version in runner.positions().values()):
            runner.start(rebuild=faps.settings.projections_autorebuild)  # as any command does
        for s in runner.status():
            stale = "" if s["stored_version"] == s["version"] else " (version à reconstruire)"
            if s["stored_version"] == REBUILDING:
                done = format_percent(round(Decimal(s["rebuilding"] or 0), 2))
                stale = (f" (reconstruction en cours : {done})" if s["rebuild_alive"] else
                         f" (reconstruction interrompue à {done} : « faps projections "
                         "rebuild » la reprend)")
            click.echo(f"{s['name']:<10} v{s['version']}  position {s['position']}"
                       f"/{s['head']}  retard {s['lag']}{stale}")
