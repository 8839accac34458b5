"""An app server worker's heap: the long-lived part kept out of the garbage collector.

CPython's cyclic collector stops every thread of the process while it runs, and a full
(generation 2) collection visits every tracked object the process holds. A worker holds
about 200,000 of them once the app is built (modules, functions, classes, SQLAlchemy's
mappers and compiled statements, Jinja, Babel), objects that live as long as the
process and can never be garbage. On the benchmark machine a full collection of such a
worker took 34 ms of CPU alone and 0.3-1.3 s of wall-clock time under load (4 workers
and PostgreSQL sharing 2 cores), and the workers, which fill their caches in step, ran
them at the same moments: every request in flight waited (docs/performance.md,
"10. Latency under steady load").

``settle_heap`` runs once per worker, after the app is built (gunicorn's
``post_worker_init`` hook in deploy/gunicorn.conf.py): one collection clears what
start-up left behind, then ``gc.freeze()`` moves every surviving object to the
permanent generation, which collections no longer visit. Objects allocated later (the
per-process caches, requests) are collected as before; objects of the frozen part that
are released later are still freed by reference counting, only a cycle among them would
stay (start-up objects are not released in cycles).
"""

from __future__ import annotations

import gc


def settle_heap() -> int:
    """Collect once, then freeze every live object out of later collections.

    Returns how many objects are frozen. Call it once the process's long-lived objects
    exist (the app is built) and before it serves: never in tests or a CLI command,
    whose short-lived apps would stay frozen.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
