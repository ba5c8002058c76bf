"""Registration of every `faps` subcommand."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add each subcommand module's commands to the group."""
    from faps.cli import accounts as accounts_cli
    from faps.cli import audit, exports, serve, simulate
    from faps.cli import demo as demo_cli
    from faps.cli import history as history_cli
    from faps.cli import jobs as jobs_cli
    from faps.cli import mail as mail_cli
    from faps.cli import projections as projections_cli
    from faps.cli import reglement as reglement_cli
    from faps.cli import tokens as tokens_cli
    from faps.cli import webhooks as webhooks_cli

    group.add_command(simulate.simulate)
    group.add_command(serve.serve)
    group.add_command(audit.audit)
    group.add_command(exports.export)
    group.add_command(mail_cli.mail)
    group.add_command(mail_cli.reminders)
    group.add_command(demo_cli.demo)
    group.add_command(history_cli.history)
    group.add_command(accounts_cli.accounts)
    group.add_command(projections_cli.projections)
    group.add_command(reglement_cli.reglement)
    group.add_command(jobs_cli.jobs)
    group.add_command(tokens_cli.tokens)
    group.add_command(webhooks_cli.webhooks)
