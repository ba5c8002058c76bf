"""`faps jobs run`: run the background jobs (the audit log's preparation) outside the web."""

from __future__ import annotations

import click

from faps.cli.support import opened


@click.group(help="Travaux en arrière-plan (préparation du journal d'audit à télécharger).")
def jobs() -> None:
    """Group the job commands."""


@jobs.command("run", help="Exécute les travaux en attente (pris un à un, de façon sûre même à "
              "plusieurs processus) ; sans --once, attend les suivants jusqu'à Ctrl-C.")
@click.option("--once", is_flag=True, help="S'arrêter quand il n'y a plus rien en attente.")
def run(once: bool) -> None:
    """Run the waiting jobs (and wait for more unless --once)."""
    with opened(existing=True) as faps:
        queue = faps.jobs
        if once:
            count = 0
            while queue.run_one():
                count += 1
            click.echo(f"{count} travail exécuté." if count <= 1
                       else f"{count} travaux exécutés.")
            return
        try:
            faps.job_thread.loop()  # in this process's main thread, until Ctrl-C
        except KeyboardInterrupt:
            faps.job_thread.stop()
