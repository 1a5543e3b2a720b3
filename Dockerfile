# A first working image: two stages, venv copied across, non-root, state in /data.
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY mockserver ./mockserver
COPY fixtures ./fixtures
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir .

FROM ${BASE_IMAGE}
COPY --from=build /venv /venv
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin mock \
    && mkdir /data && chown mock /data
USER mock
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TIKTOK_MOCK_HOST=0.0.0.0 \
    TIKTOK_MOCK_PORT=8080 \
    TIKTOK_MOCK_DB_PATH=/data/tiktok-mock.db
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/_mock/health', timeout=2)"]
# exec form: gunicorn's arbiter (inside `tiktok-mock serve`) is PID 1 and gets SIGTERM.
ENTRYPOINT ["tiktok-mock", "serve"]
