"""The commands that serve the app in production and development (Procfile, Dockerfile, make web,
make run) leave the client address to Django's TRUSTED_PROXY_COUNT rule. uvicorn's own
--proxy-headers would otherwise rewrite the peer to any X-Forwarded-For a caller writes whenever
the peer is in FORWARDED_ALLOW_IPS (127.0.0.1 by default), so a forged header would buy a fresh
rate-limit budget on every request. Each command is run as written, as a real uvicorn process."""
from __future__ import annotations

import http.client
import json
import os
import random
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _procfile() -> str:
    return next(line.split(":", 1)[1] for line in (ROOT / "Procfile").read_text().splitlines()
                if line.startswith("web:"))


def _dockerfile() -> str:
    return json.loads(re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M).group(1))[-1]


def _run_dev() -> str:
    text = (ROOT / "scripts" / "run_dev.sh").read_text().replace("\\\n", " ")
    return re.search(r"^\.venv/bin/uvicorn .*$", text, re.M).group(0)


def _make_web() -> str:
    return re.search(r"^\t\$\(VENV\)/bin/uvicorn .*$", (ROOT / "Makefile").read_text(), re.M).group(0)


COMMANDS = {"Procfile": _procfile, "Dockerfile": _dockerfile, "run_dev.sh": _run_dev, "make web": _make_web}


def uvicorn_arguments(command: str, port: int) -> list[str]:
    """The command's uvicorn options on our port, one worker and no reloader (a test needs neither)."""
    for placeholder in ("${PORT:-8006}", "${PORT}", '"$PORT"', "$(PORT)"):
        command = command.replace(placeholder, str(port))
    command = command.replace("${WEB_CONCURRENCY:-3}", "1").replace("--host 0.0.0.0", "--host 127.0.0.1")
    words = shlex.split(command)
    words = words[words.index(next(w for w in words if w.endswith("uvicorn"))) + 1:]
    kept, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word == "--reload":
            continue
        elif word == "--reload-dir":
            skip = True
        else:
            kept.append(word)
    return kept


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def catalog_read(port: int, peer: str, forged: str) -> int:
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(peer, 0))
    connection_.request("POST", "/graphql/", body=json.dumps({"query": "{ hotels { id } }"}),
                        headers={"Content-Type": "application/json", "X-Forwarded-For": forged})
    status = connection_.getresponse().status
    connection_.close()
    return status


@pytest.mark.parametrize("source", COMMANDS)
def test_a_forged_forwarded_address_buys_no_new_budget(source):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "booking_graph.settings_test",
        "DB_NAME": connection.settings_dict["NAME"],  # the test database
        "RATE_LIMIT_PUBLIC_READ": "3/m",
        "TRUSTED_PROXY_COUNT": "0",
        "FORWARDED_ALLOW_IPS": "*",  # uvicorn would trust every peer's header if it read headers at all
    }
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", *uvicorn_arguments(COMMANDS[source](), port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # A loopback peer of its own, so no other test's counter for 127.0.0.1 is shared.
    peer = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode(errors="replace")
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.2)
        statuses = [catalog_read(port, peer, forged=f"198.51.100.{n}") for n in range(1, 5)]
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert statuses == [200, 200, 200, 429]
