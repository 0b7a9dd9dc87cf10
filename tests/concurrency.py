"""The one harness for races on real PostgreSQL: real threads, each with its own database
connection, released together by a barrier, each closing its connection when done.

`race(attempt, threads)` runs `attempt(i)` for i in range(threads) and returns
{i: what attempt(i) returned}. An exception of one of the `expected` types is a result
too (its `code` when it has one, as `BookingError` does, else the exception itself); any
other exception, a thread that never finishes or a missing result fails the test."""

import threading

from django.db import connection, connections


def race(attempt, threads, *, expected=()):
    barrier = threading.Barrier(threads)
    results, unexpected = {}, []

    def run(i):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            try:
                results[i] = attempt(i)
            except expected as error:
                results[i] = getattr(error, "code", error)
        except Exception as error:  # anything else is a failure of the guarantee
            unexpected.append((i, repr(error)))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers)
    assert unexpected == []
    assert len(results) == threads
    return results
