"""`tiktok-mock`: serve the mock under gunicorn, print the settings table."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .settings import Settings, SettingsError, load_settings, markdown_table


def _serve_overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = ("host", "port", "workers", "db_path", "seed")
    return {n: getattr(args, n) for n in names if getattr(args, n) is not None}


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    """How the mock runs under gunicorn: explicit bind, threads for keep-alive clients."""
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "control_socket_disable": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
    }


def run_gunicorn(app_factory: Callable[[], Any], options: dict[str, Any]) -> None:
    """Run `app_factory()` in gunicorn workers (each worker builds its own app)."""
    from gunicorn.app.base import BaseApplication

    class MockApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app_factory()

    MockApplication().run()


def banner(settings: Settings) -> str:
    """What the server loaded: where it listens, credentials, users."""
    from flask import Flask

    from .app import init_state  # imported here: `tiktok-mock settings` needs no Flask
    from .oauth.clients import list_clients
    from .users.store import list_users

    st = init_state(Flask("tiktok-mock-banner"), settings)
    conn = st.db.connect()
    base = f"http://{settings.host}:{settings.port}"
    lines = [
        f"tiktok-mock listening on {base} ({settings.workers} workers, db "
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
    st.db.close()
    return "\n".join(lines)


def cmd_serve(args: argparse.Namespace) -> int:
    settings = load_settings(_serve_overrides(args), config_file=args.config)
    print(banner(settings), flush=True)

    def factory() -> Any:
        from .app import create_app

        return create_app(settings=settings)

    run_gunicorn(factory, gunicorn_options(settings))
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    print(markdown_table())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tiktok-mock", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the mock under gunicorn")
    serve.add_argument("--host", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080)")
    serve.add_argument("--workers", type=int, help="gunicorn worker processes")
    serve.add_argument("--db", dest="db_path", help="SQLite file for all state")
    serve.add_argument("--seed", type=int, help="seed of the one RNG")
    serve.add_argument("--config", help="TOML or JSON config file")
    serve.set_defaults(func=cmd_serve)
    settings = sub.add_parser("settings", help="print every setting as a Markdown table")
    settings.set_defaults(func=cmd_settings)
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except SettingsError as exc:
        print(f"tiktok-mock: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
