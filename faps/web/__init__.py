"""The web application: `create_app()` is the factory (gunicorn: 'faps.web:create_app()')."""

from __future__ import annotations

import logging
from datetime import timedelta
from importlib import import_module
from typing import Any

from flask import Flask, Response, g, request

from faps.bootstrap import Faps, build
from faps.domain.errors import ConfigurationError
from faps.infrastructure.bounded import bounded_json
from faps.infrastructure.settings import load_settings


def create_app(test_config: dict[str, Any] | None = None, faps: Faps | None = None) -> Flask:
    """Build the Flask application around one faps (built from the settings if not given)."""
    app = Flask(__name__)
    settings = faps.settings if faps is not None else load_settings()
    built, faps = faps is None, faps or build(settings)
    stale = faps.projections.stale()
    if stale:  # FAPS_PROJECTIONS_AUTOREBUILD=false left them: the pages read their tables
        if built:
            faps.close()
        raise ConfigurationError(
            f"tables de lecture à reconstruire ({', '.join(stale)}) : lancez « faps "
            "projections rebuild » avant de servir (FAPS_PROJECTIONS_AUTOREBUILD=false).")
    app.config.update(
        SECRET_KEY=settings.resolved_secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="faps_session",
        SESSION_COOKIE_SECURE=settings.resolved_cookie_secure(),
        FAPS_HSTS_SECONDS=settings.resolved_hsts_seconds(),
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_lifetime_minutes),
        MAX_CONTENT_LENGTH=(settings.max_upload_mb + 1) * 1024 * 1024,
        FAPS_SETTINGS=settings,
    )
    if test_config:
        app.config.update(test_config)
    app.extensions["faps"] = faps
    if settings.proxy_hops:  # the client's address and scheme as the trusted proxies saw them
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    logging.basicConfig(level=logging.INFO)

    from faps.web import errors, formatting, security

    _units_of_work(app, faps)
    app.before_request(_bounded_json_body)
    security.init_app(app)
    formatting.init_app(app)
    errors.init_app(app)
    from faps.web.blueprints import BLUEPRINTS

    for path in BLUEPRINTS:
        module, _, attribute = path.partition(":")
        app.register_blueprint(getattr(import_module(module), attribute))
    if settings.jobs_in_web and not app.testing:
        _run_jobs(app, faps)
    if not app.testing:  # the seal and the outbox follow the log beside the requests
        faps.followers.start_background()
        _freeze_heap()
    return app


def _freeze_heap() -> None:
    """Leave the serving process's built application out of the garbage collector's passes.

    What exists once the application is built (modules, the app, its templates' code, the
    tables' metadata: about 130,000 objects) lives as long as the process, yet each full pass
    of Python's collector walked it all again: 24 ms, added to whichever request happened to
    trigger it (about one in a hundred), and the collector's time halved without it
    (`bench/pages.py`'s pages, 1,000,000 events: 63 → 28 ms of collection in 125 requests).
    `gc.freeze()` moves it to a generation no pass walks. Done once per serving process (a
    gunicorn worker, `faps serve`), never in tests, which build many applications.
    """
    import gc

    gc.collect()
    gc.freeze()


def _run_jobs(app: Flask, faps: Faps) -> None:
    """Run background jobs in a thread of this process (each gunicorn worker has one; a job
    is claimed by one of them): `make run` needs no other process."""
    faps.job_thread.start()  # stopped by faps.close()


def _units_of_work(app: Flask, faps: Faps) -> None:
    """Make each request one unit of work: its saves are followed once, before it answers."""

    @app.before_request
    def _begin() -> None:
        faps.followers.begin()
        g.faps_unit_of_work = True

    @app.after_request
    def _end(response: Response) -> Response:
        if g.pop("faps_unit_of_work", False):
            faps.followers.end()
        return response

    @app.teardown_request
    def _end_after_error(_error: BaseException | None) -> None:
        if g.pop("faps_unit_of_work", False):  # after_request did not run: an error
            faps.followers.end(failed=True)


def _bounded_json_body() -> None:
    """Refuse a JSON body too large or too deep (« corps ») before any parser recurses into it.

    Pages, the API's schemas (webargs) and Flask each decode JSON their own way; this one check
    before them all keeps a few kilobytes of `[[[[…` from costing a deep recursion anywhere.
    """
    if request.is_json and request.content_length != 0:
        bounded_json(request.get_data(cache=True), "corps")
