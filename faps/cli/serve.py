"""`faps serve`: the web application on this machine (gunicorn for production)."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port d'écoute.")
@click.option("--debug", is_flag=True, help="Mode développement (rechargement, traces).")
def serve(host: str, port: int, debug: bool) -> None:
    """Servir l'application web (production : gunicorn 'faps.web:create_app()')."""
    from faps.cli.support import handled
    from faps.web import create_app

    with handled():  # a setting or a read model not ready: said in French, exit 1
        app = create_app()
    click.echo(f"FAPS : http://{host}:{port}/ (Ctrl+C pour arrêter)")
    app.run(host=host, port=port, debug=debug, use_reloader=debug, threaded=True)
