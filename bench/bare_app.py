"""The baseline of the check benchmark: a bare Flask app answering the same route with a
constant envelope, served under the same gunicorn settings as the mock."""

from __future__ import annotations

from flask import Flask, jsonify

app = Flask(__name__)


@app.post("/v2/user/data/check/")
def check() -> object:
    return jsonify(
        {
            "data": {"status": "downloading"},
            "error": {"code": "ok", "message": "", "log_id": "0" * 34},
        }
    )


if __name__ == "__main__":
    import sys

    from gunicorn.app.base import BaseApplication

    from mockserver.serve import gunicorn_options
    from mockserver.settings import load_settings

    options = gunicorn_options(load_settings({"port": int(sys.argv[1])}))

    class Bare(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    Bare().run()
