"""A loopback HTTP server that speaks the part of AssemblyAI's REST API the SDK uses.

POST /v2/upload -> {"upload_url"}; POST /v2/transcript -> queued transcript;
GET /v2/transcript/<id> -> queued, processing, then completed (or error).
Webhook mode: a transcript created with `webhook_url` is finished at once and the fake POSTs
{"transcript_id", "status"} to that URL with the requested auth header, as AssemblyAI does
(unless `send_webhooks` is off: then it stays processing for `polls_before_done` GETs).
Tests script failures per path prefix (HTTP status, delay) and read back
what was received, so the real SDK code runs end to end without the network.
"""
from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Fault:
    status: int = 0  # 0: answer normally
    delay: float = 0.0
    times: int = 1


@dataclass
class Received:
    method: str
    path: str
    body_size: int
    body_sha256: str
    authorization: str | None


@dataclass
class FakeAssemblyAI:
    api_key: str = "test-assemblyai-key"
    text: str = "The guest in room twelve asked for a late checkout."
    confidence: float = 0.93
    language_code: str = "en"
    final_error: str | None = None  # set to end transcripts with status "error"
    polls_before_done: int = 2  # queued, processing, then the final status
    received: list[Received] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=lambda: defaultdict(list))
    uploads: dict[str, bytes] = field(default_factory=dict)
    transcripts: dict[str, dict] = field(default_factory=dict)
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    send_webhooks: bool = True
    webhook_deliveries: list[tuple[str, int]] = field(default_factory=list)  # (transcript id, HTTP status)

    def deliver_with_retries(self, transcript_id: str, attempts: int = 10, interval: float = 0.2) -> None:
        """Like AssemblyAI: a delivery that is not answered 2xx is tried again a few times."""
        import time

        for _ in range(attempts):
            if 200 <= self.deliver_webhook(transcript_id) < 300:
                return
            time.sleep(interval)

    def deliver_webhook(self, transcript_id: str, *, status: str | None = None, secret: str | None = None) -> int:
        """POST the completion webhook for a transcript (again, if a test wants a repeat); the answer's status."""
        import urllib.error
        import urllib.request

        state = self.transcripts[transcript_id]
        request = state["request"]
        headers = {"Content-Type": "application/json"}
        if request.get("webhook_auth_header_name"):
            headers[request["webhook_auth_header_name"]] = (
                secret if secret is not None else request["webhook_auth_header_value"]
            )
        body = {"transcript_id": transcript_id, "status": status or ("error" if self.final_error else "completed")}
        http = urllib.request.Request(request["webhook_url"], data=json.dumps(body).encode(), headers=headers)
        try:
            with urllib.request.urlopen(http, timeout=30) as response:
                code = response.status
        except urllib.error.HTTPError as exc:
            code = exc.code
        self.webhook_deliveries.append((transcript_id, code))
        return code

    def fail(self, path_prefix: str, status: int = 0, *, times: int = 1, delay: float = 0.0) -> None:
        """The next `times` requests whose path starts with `path_prefix` answer `status` (after `delay`)."""
        self.faults[path_prefix].append(Fault(status=status, delay=delay, times=times))

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for prefix, queue in self.faults.items():
                if path.startswith(prefix) and queue:
                    fault = queue[0]
                    fault.times -= 1
                    if fault.times <= 0:
                        queue.pop(0)
                    return fault
        return None

    def paths(self, method: str | None = None) -> list[str]:
        return [r.path for r in self.received if method is None or r.method == method]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeAssemblyAI
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, method: str) -> None:
        import time

        body = self._read_body() if method == "POST" else b""
        fake = self.fake
        fake.received.append(
            Received(method, self.path, len(body), hashlib.sha256(body).hexdigest(), self.headers.get("Authorization"))
        )
        fault = fake.take_fault(self.path)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status:
            self._send(fault.status, {"error": f"scripted HTTP {fault.status}"})
            return
        if self.headers.get("Authorization") != fake.api_key:
            self._send(401, {"error": "Authentication error, API token missing/invalid"})
            return
        route = {
            ("POST", "/v2/upload"): self._upload,
            ("POST", "/v2/transcript"): lambda b: self._create(b),
        }.get((method, self.path))
        if route:
            route(body)
        elif method == "GET" and self.path.startswith("/v2/transcript/"):
            self._poll(self.path.rsplit("/", 1)[-1])
        else:
            self._send(404, {"error": "Not found"})

    def _upload(self, body: bytes) -> None:
        key = uuid.uuid4().hex
        self.fake.uploads[key] = body
        self._send(200, {"upload_url": f"{self.fake.base_url}/files/{key}"})

    def _create(self, body: bytes) -> None:
        request = json.loads(body)
        transcript_id = uuid.uuid4().hex
        self.fake.transcripts[transcript_id] = {"audio_url": request["audio_url"], "polls": 0, "request": request}
        self._send(200, self._transcript(transcript_id, "queued"))
        if request.get("webhook_url") and self.fake.send_webhooks:
            # Finished at once; the callback goes out after this answer, from another thread.
            self.fake.transcripts[transcript_id]["polls"] = self.fake.polls_before_done
            threading.Thread(target=self.fake.deliver_with_retries, args=(transcript_id,), daemon=True).start()

    def _poll(self, transcript_id: str) -> None:
        state = self.fake.transcripts.get(transcript_id)
        if state is None:
            self._send(404, {"error": "Transcript not found"})
            return
        state["polls"] += 1
        if state["polls"] <= self.fake.polls_before_done:
            self._send(200, self._transcript(transcript_id, "queued" if state["polls"] == 1 else "processing"))
        elif self.fake.final_error:
            self._send(200, self._transcript(transcript_id, "error", error=self.fake.final_error))
        else:
            self._send(200, self._transcript(transcript_id, "completed"))

    def _transcript(self, transcript_id: str, status: str, error: str | None = None) -> dict:
        done = status == "completed"
        words = self.fake.text.split() if done else []
        return {
            "id": transcript_id,
            "status": status,
            "audio_url": self.fake.transcripts[transcript_id]["audio_url"],
            "text": self.fake.text if done else None,
            "confidence": self.fake.confidence if done else None,
            "language_code": self.fake.language_code if done else None,
            "audio_duration": 3 if done else None,
            "words": [
                {"text": w, "start": i * 300, "end": i * 300 + 250, "confidence": 0.9} for i, w in enumerate(words)
            ],
            "error": error,
        }

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


def start_fake_assemblyai() -> tuple[FakeAssemblyAI, ThreadingHTTPServer]:
    fake = FakeAssemblyAI()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server


@pytest.fixture
def fake_assemblyai():
    fake, server = start_fake_assemblyai()
    yield fake
    server.shutdown()
    server.server_close()
