"""`python -m mockserver.healthcheck`: exit 0 if the local server answers `/_mock/health`.

The container's HEALTHCHECK; it reads the port from the same settings the server does, so
`TIKTOK_MOCK_PORT` moves both.
"""

from __future__ import annotations

import sys
import urllib.request

from .settings import load_settings


def main() -> int:
    port = load_settings().port
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_mock/health", timeout=2) as r:
            return 0 if r.status == 200 else 1
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
