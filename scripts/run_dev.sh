#!/usr/bin/env bash
# `make run`: a Dramatiq worker in the background and the web server on PORT, stopped together.
set -euo pipefail
PORT=${1:-8006}
PY=.venv/bin/python

# Fails here, with the reason, if the offline model cannot be loaded (the worker would refuse to start).
$PY manage.py check_transcriber
$PY manage.py rundramatiq --processes 1 --threads 2 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null || true' EXIT INT TERM
sleep 2
if ! kill -0 "$WORKER" 2>/dev/null; then
  echo "!! the Dramatiq worker exited at start (see its output above); voice notes would not be transcribed." >&2
  exit 1
fi

DEBUG_ON=$($PY -c 'import sys; sys.path.insert(0, "backend"); import os; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_graph.settings"); import django; django.setup(); from django.conf import settings; print(int(settings.DEBUG))')
cat <<MSG

  Booking Graph is starting
  GraphiQL      http://localhost:$PORT/graphql/   (also /documentation/)
  Admin         http://localhost:$PORT/admin/
  Voice notes   http://localhost:$PORT/staff/voice-notes/   (staff: record, watch transcripts arrive)
MSG
if [ "$DEBUG_ON" = "1" ]; then
  echo "  Demo login    demo / demo-staff-2026   (staff; exists only while DEBUG is on)"
fi
echo "  Worker        Dramatiq, pid $WORKER (transcribes voice notes)"
echo

# ASGI (uvicorn): HTTP and the GraphQL subscription WebSocket; reloads when backend/ changes.
.venv/bin/uvicorn booking_graph.asgi:application --app-dir backend --host 0.0.0.0 --port "$PORT" --no-proxy-headers \
  --reload --reload-dir backend
