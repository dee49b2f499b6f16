"""Real parallel transactions for tests (importable as `concurrency`: pytest.ini puts tests/ on the
path): callables run in threads of their own, each with its own database connection, released
together by a barrier; what each returned or raised comes back in order. Tests using them need
django_db(transaction=True), so the threads see each other's commits."""
from __future__ import annotations

import threading
from typing import Callable

from django.db import connection

PARALLEL = 20  # run_copies' default number of threads


def run_together(tasks: list[Callable], *, names: list[str] | None = None, timeout: float = 60) -> list:
    """Run each callable in its own thread (named names[n], else racer-n: lifecycle's clock tells
    threads apart by name), released at once; answer what each returned or raised, in order. A
    thread still running after `timeout` seconds fails the test (a deadlock)."""
    barrier = threading.Barrier(len(tasks))
    outcomes: list = [None] * len(tasks)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = tasks[index]()
        except BaseException as exc:  # noqa: BLE001  (recorded and asserted on)
            outcomes[index] = exc
        finally:
            connection.close()  # each thread had its own connection

    threads = [
        threading.Thread(target=worker, args=(n,), name=(names[n] if names else f"racer-{n}"), daemon=True)
        for n in range(len(tasks))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
        assert not thread.is_alive(), f"{thread.name} did not finish (deadlock?)"
    return outcomes


def run_copies(task: Callable, count: int = PARALLEL) -> list:
    """The same callable in `count` threads at once (run_together)."""
    return run_together([task] * count)
