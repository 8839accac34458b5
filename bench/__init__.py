"""Benchmarks of the hot path, run against gunicorn in its production configuration.

Modules, in the order a run uses them:

- ``harness``: the two profiles (full on PostgreSQL and Redis; ``--quick`` on SQLite and
  an embedded Redis), fresh migrated databases, the printed table;
- ``dataset``: bulk test data (banks, participants with tokens, finished results);
- ``servers``: gunicorn processes for the app and the baseline;
- ``baseline_app``: the bare Flask app every figure is divided by;
- ``loadgen``: the asyncio load generator (closed loop, keep-alive, latencies);
- ``scenarios``: ``make bench``, the figures of issue 6 in one table;
- ``contest``: ``make bench-contest``, a simulated contest with reconciliation, on one
  server or two;
- ``probe``: a measured operation (the leaderboard rebuild) in a process of its own.

Run ``python -m bench run`` / ``python -m bench contest``; see docs/performance.md.
"""
