"""Which transcription (Dramatiq) workers are alive: every worker process records itself in Redis every
VOICE_HEARTBEAT_SECONDS (voice.worker.WorkerHeartbeat); one not seen for VOICE_HEARTBEAT_STALE_SECONDS
is gone. Read by /readyz (an informational check) and /metrics (booking_graph_voice_workers_alive).

One sorted set, member = "<host>:<pid>", score = Redis's own clock when last seen, so the clocks
of the worker and web hosts never have to agree. Stale members are pruned by every write; the key
expires on its own when no worker writes any more.
"""
from __future__ import annotations

import os
import socket

import redis
from django.conf import settings

KEY = "voice:workers"


def client(timeout: float) -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _server_seconds(connection: redis.Redis) -> float:
    seconds, microseconds = connection.time()
    return seconds + microseconds / 1_000_000


def record(connection: redis.Redis, member: str) -> None:
    now = _server_seconds(connection)
    stale = settings.VOICE_HEARTBEAT_STALE_SECONDS
    pipe = connection.pipeline(transaction=True)
    pipe.zadd(KEY, {member: now})
    pipe.zremrangebyscore(KEY, "-inf", now - 10 * stale)  # long gone: no longer worth listing
    pipe.expire(KEY, max(1, int(10 * stale)))
    pipe.execute()


def forget(connection: redis.Redis, member: str) -> None:
    connection.zrem(KEY, member)


def alive(connection: redis.Redis) -> list[str]:
    """The workers seen within VOICE_HEARTBEAT_STALE_SECONDS."""
    now = _server_seconds(connection)
    members = connection.zrangebyscore(KEY, now - settings.VOICE_HEARTBEAT_STALE_SECONDS, "+inf")
    return sorted(member.decode() for member in members)
