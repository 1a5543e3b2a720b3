# A first working image: two stages, venv copied across, non-root, state in /data.
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY mockserver ./mockserver
COPY fixtures ./fixtures
# Behind a TLS-intercepting proxy, mount the host's CA bundle and pass its path:
#   --volume /etc/ssl/certs:/etc/ssl/certs:ro --build-arg PIP_CERT=/etc/ssl/certs/ca-certificates.crt
ARG PIP_CERT=""
RUN if [ -z "$PIP_CERT" ]; then unset PIP_CERT; fi \
    && python -m venv /venv \
    && /venv/bin/pip install --no-cache-dir --disable-pip-version-check .

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
    CMD ["python", "-m", "mockserver.healthcheck"]
# exec form: gunicorn's arbiter (inside `tiktok-mock serve`) is PID 1 and gets SIGTERM.
ENTRYPOINT ["tiktok-mock", "serve"]
