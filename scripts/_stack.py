"""A private production-like stack for the drills (scripts/outage_drill.py, scripts/fuzz_production.py).

PostgreSQL 15 (a cluster of its own, initdb'd in a temporary folder, on a free port), redis-server
on a free port, uvicorn with DEBUG=0 and a Dramatiq worker (`manage.py rundramatiq`), all started
here and stopped at the end. The machine's shared PostgreSQL and Redis are never touched.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, interval: float = 0.2) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(interval)
    raise RuntimeError(f"timed out waiting for {what}")


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class PrivatePostgres:
    def __init__(self, folder: Path) -> None:
        self.folder = folder / "pg"
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self.log = self.folder / "server.log"
        self.port = free_port()

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                                     "-o", options, action, *extra]), check=True, stdout=subprocess.DEVNULL)

    def init(self) -> None:
        self.sockets.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder.parent, "postgres")
            for path in (self.folder, self.sockets):
                shutil.chown(path, "postgres")
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                                     "--auth=trust", "-E", "UTF8"]), check=True, stdout=subprocess.DEVNULL)
        self.start()

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.answers, timeout=20, what="redis-server")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Process:
    """A child in its own session, so a signal reaches it and everything it forked."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._file = log.open("wb")
        self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._file, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, sig)
                self.popen.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        self._file.close()


class Stack:
    """`with Stack(...) as stack:` PostgreSQL, Redis, migrated database, web (uvicorn, DEBUG=0) and
    optionally a worker. Extra environment goes to the web and worker processes."""

    def __init__(self, *, web_workers: int = 3, worker: bool = True, env: dict[str, str] | None = None,
                 keep: bool = False) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="bg-stack-"))
        self.postgres = PrivatePostgres(self.tmp)
        self.redis = PrivateRedis()
        self.web_port = free_port()
        self.web_workers = web_workers
        self.with_worker = worker
        self.keep = keep
        self.processes: list[Process] = []
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DB_", "REDIS", "DJANGO_", "CACHE_URL"))},
            "DJANGO_SETTINGS_MODULE": "booking_graph.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "backend"), str(ROOT / "tests" / "voice")]),
            "DEBUG": "0", "SECRET_KEY": "drill-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
            "DB_HOST": "127.0.0.1", "DB_PORT": str(self.postgres.port), "DB_NAME": "drill", "DB_USER": "postgres",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis.port}/0",
            "MEDIA_ROOT": str(self.tmp / "media"), "WORKER_METRICS_PORT": "0",
            "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.base = f"http://127.0.0.1:{self.web_port}"

    def manage(self, *args: str, **env: str) -> str:
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env={**self.env, **env},
                                capture_output=True, text=True, timeout=600)
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start_web(self) -> Process:
        web = Process([PYTHON, "-m", "uvicorn", "booking_graph.asgi:application", "--app-dir", "backend",
                       "--host", "127.0.0.1", "--port", str(self.web_port), "--workers", str(self.web_workers),
                       "--no-proxy-headers", "--log-level", "warning"], self.env,
                      self.tmp / f"web-{len(self.processes)}.log")
        self.processes.append(web)
        wait_for(lambda: answers(f"{self.base}/healthz") or web.popen.poll() is not None, timeout=90, what="uvicorn")
        if web.popen.poll() is not None:
            raise RuntimeError(f"uvicorn exited:\n{web.output()}")
        return web

    def start_worker(self, **env: str) -> Process:
        worker = Process([PYTHON, "manage.py", "rundramatiq", "--processes", "1", "--threads", "2"],
                         {**self.env, **env}, self.tmp / f"worker-{len(self.processes)}.log")
        self.processes.append(worker)
        return worker

    def __enter__(self) -> Stack:
        try:
            self.postgres.init()
            subprocess.run(_as_postgres([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.postgres.port),
                                         "-U", "postgres", "drill"]), check=True)
            self.redis.start()
            self.manage("migrate", "--noinput", "-v", "0")
            self.manage("seed_demo", "--if-empty", DEBUG="1")
            self.web = self.start_web()
            self.worker = self.start_worker() if self.with_worker else None
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.redis.kill()
        self.postgres.destroy()
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"-- logs kept in {self.tmp}")

    def staff_client(self, username: str = "drill-staff", password: str = "drill-staff-password-2026") -> httpx.Client:
        """An httpx client logged in as a staff user (created here) through the login mutation."""
        self.manage("shell", "-c",
                    "from django.contrib.auth import get_user_model; U = get_user_model(); "
                    f"u, _ = U.objects.get_or_create(username={username!r}); u.is_staff = True; "
                    f"u.set_password({password!r}); u.save()")
        client = httpx.Client(base_url=self.base, timeout=30)
        client.get("/graphql/", headers={"Accept": "text/html"})  # sets the CSRF cookie
        token = client.cookies.get("csrftoken", "")
        client.headers["X-CSRFToken"] = token
        response = client.post("/graphql/", json={
            "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { username } }",
            "variables": {"u": username, "p": password}})
        if response.status_code != 200 or response.json().get("errors"):
            raise RuntimeError(f"staff login failed: {response.status_code} {response.text[:500]}")
        client.headers["X-CSRFToken"] = client.cookies.get("csrftoken", token)
        return client
