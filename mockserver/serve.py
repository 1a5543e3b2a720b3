"""`tiktok-mock serve`: the app under gunicorn, the real server, sized and shut down properly.

The master builds the app once (database prepared, fixtures and configured faults loaded)
and gunicorn forks the workers from it (`preload_app`), so they start ready; each worker then
runs its share of webhook delivery. gthread workers keep clients' keep-alive connections,
which polling loops rely on.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from flask import Flask

from .settings import Settings
from .state import EXTENSION, MockState


def default_workers() -> int:
    """Workers for this machine: one per core, at least 2 (one may be busy streaming)."""
    return max(2, min(8, os.cpu_count() or 1))


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    """How the mock runs under gunicorn: explicit bind, no control socket, quiet logs."""
    options: dict[str, Any] = {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers or default_workers(),
        "worker_class": settings.worker_class,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "preload_app": True,
        "control_socket_disable": True,
        "errorlog": "-",
        "loglevel": "warning",
        "accesslog": None,
    }
    if settings.worker_class == "gthread":
        options["threads"] = settings.threads
    if settings.access_log == "json":
        options["accesslog"] = "-"
        options["access_log_format"] = json.dumps(
            {
                "time": "%(t)s",
                "remote": "%(h)s",
                "method": "%(m)s",
                "path": "%(U)s",
                "query": "%(q)s",
                "status": "%(s)s",
                "bytes": "%(B)s",
                "duration_us": "%(D)s",
                "log_id": "%({x-tt-logid}o)s",
                "user_agent": "%(a)s",
            }
        )
    elif settings.access_log == "text":
        options["accesslog"] = "-"
    return options


def banner(app: Flask) -> str:
    """What the server loaded: where it listens, credentials, users."""
    from .oauth.clients import list_clients
    from .users.store import list_users

    st: MockState = app.extensions[EXTENSION]
    settings = st.settings
    conn = st.db.connect()
    base = f"http://{settings.host}:{settings.port}"
    workers = settings.workers or default_workers()
    lines = [
        f"tiktok-mock listening on {base} ({workers} {settings.worker_class} workers, db "
        f"{settings.db_path}, seed {settings.seed})",
        f"  consent page  {base}/v2/auth/authorize/",
        f"  token         {base}/v2/oauth/token/",
        f"  control API   {base}/_mock/",
        "clients:",
    ]
    for c in list_clients(conn):
        lines.append(f"  {c.client_key}  secret {c.client_secret}  {c.app_type:7}  {c.name}")
        lines.append(f"      redirect_uris {', '.join(c.redirect_uris)}")
    lines.append("users (pass mock_user=<username> to skip the consent page):")
    for u in list_users(conn):
        lines.append(f"  {u['username']:18} {u['open_id']}  {u['region']}  {u['persona']}")
    return "\n".join(lines)


def serve(settings: Settings) -> None:
    """Prepare the state, print the banner and run gunicorn until SIGTERM/SIGINT."""
    from .app import create_app
    from .webhooks import dispatcher

    app = create_app(settings=settings)
    print(banner(app), flush=True)
    # No SQLite connection may cross the fork: workers open their own.
    app.extensions[EXTENSION].close()

    def post_worker_init(worker: Any) -> None:
        dispatcher.start(app)

    logging.getLogger("tiktok_mock").setLevel(logging.INFO)
    run_gunicorn(app, {**gunicorn_options(settings), "post_worker_init": post_worker_init})


def run_gunicorn(app: Any, options: dict[str, Any]) -> None:
    """Serve a WSGI app under gunicorn with exactly these options (no command line)."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    Application().run()
