"""The one module-level app, for gunicorn (`gunicorn mockserver.wsgi:app`); settings from env."""

from __future__ import annotations

from .app import create_app

app = create_app()
