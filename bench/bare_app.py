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

    from mockserver.serve import gunicorn_options, run_gunicorn
    from mockserver.settings import load_settings

    run_gunicorn(app, gunicorn_options(load_settings({"port": int(sys.argv[1])})))
