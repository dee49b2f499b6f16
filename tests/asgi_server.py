"""The project's ASGI application served by uvicorn on a free loopback port, in a thread of the
test process (so it sees the test database and the test's settings), and a small
graphql-transport-ws client built on `websockets`, as a browser's `graphql-ws` would speak it."""
from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from contextlib import contextmanager
from itertools import count

import pytest
import uvicorn
from websockets.sync.client import connect

PROTOCOL = "graphql-transport-ws"


class AsgiServer:
    def __init__(self) -> None:
        from booking_graph.asgi import application

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = uvicorn.Config(application, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self.server.serve(),), daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql/"

    def stop(self) -> None:
        from asgiref.sync import sync_to_async
        from django.db import connections

        # Django code served here ran in asgiref's thread-sensitive executor: close the database
        # connections it opened there, or the test database could not be dropped afterwards.
        asyncio.run_coroutine_threadsafe(sync_to_async(connections.close_all)(), self.loop).result(timeout=10)
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.loop.close()


def session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


class GraphQLWSClient:
    """graphql-transport-ws: connection_init -> connection_ack, subscribe -> next* -> complete."""

    def __init__(self, url: str, *, cookie: str | None = None, origin: str | None = None) -> None:
        headers = {}
        if cookie:
            headers["Cookie"] = cookie
        self._connect = connect(url, subprotocols=[PROTOCOL], additional_headers=headers, origin=origin,
                                open_timeout=10)
        self.connection = self._connect.__enter__()
        self.ids = count(1)

    def send(self, message: dict) -> None:
        self.connection.send(json.dumps(message))

    def receive(self, timeout: float = 20.0) -> dict:
        return json.loads(self.connection.recv(timeout=timeout))

    def init(self) -> dict:
        self.send({"type": "connection_init", "payload": {}})
        return self.receive()

    def subscribe(self, query: str, variables: dict | None = None) -> str:
        operation_id = str(next(self.ids))
        self.send({"id": operation_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})
        return operation_id

    def close(self) -> None:
        self._connect.__exit__(None, None, None)


@contextmanager
def graphql_ws(url: str, **kwargs):
    client = GraphQLWSClient(url, **kwargs)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def asgi_server():
    """The app under uvicorn on a free loopback port, for one test."""
    running = AsgiServer()
    yield running
    running.stop()
