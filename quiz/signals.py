"""The signals by which a lower layer tells a higher one that something happened.

Domains are layered (docs/architecture.md, "Layers"; the contract in pyproject.toml runs
in ``make lint``): a lower package never imports a higher one, not even lazily inside a
function. When a lower package's change must move something a higher package owns, the
lower one sends a signal defined here and the higher one listens. Receivers are connected
when the app is built (``quiz.app``), so every app, tests' included, has them.

Signals are sent after the change is committed, from the same thread, and receivers run
at once, in connection order; a receiver's exception reaches the sender. A receiver that
writes Redis runs after the SQL commit, as the sender's own Redis writes do.
"""

from __future__ import annotations

from typing import cast

from blinker import Namespace
from flask import Flask, current_app

_signals = Namespace()

standing_changed = _signals.signal(
    "standing-changed",
    doc="""An attempt's standing moved: started, an answer saved, finished, or adjusted.

    Sent by ``quiz.play.services`` (start, save, finish, a focus-limit finish included)
    after the commit (from the after-commit queue of ``quiz.unit_of_work``; the answer
    hot path right after its own commit), with ``attempt`` (an ``Attempt``, for a queued
    send a transient copy taken before the commit), ``now``, ``person``
    (``(league_id, display_name)`` when the attempt was just started, else None) and
    ``pending`` (a saved answer's rate-limit count to send with the board update, or
    None: ``quiz.accounts.limiter.PendingCount``).
    Listened to by ``quiz.leaderboards.services.on_standing_changed``, which publishes
    the standing to the live boards.
    """,
)

attempts_published = _signals.signal(
    "attempts-published",
    doc="""Finished attempts reached the live boards.

    Sent by ``quiz.leaderboards.services`` (``publish`` for one finished attempt,
    ``publish_many`` for a live game's players) with ``attempts`` (a list of
    ``Attempt``). Listened to by ``quiz.schools.rankings``, which refreshes the school
    rankings those attempts move.
    """,
)

boards_rebuilt = _signals.signal(
    "boards-rebuilt",
    doc="""A contest's live boards were rebuilt from SQL.

    Sent by ``quiz.leaderboards.services.rebuild_contest`` with ``contest_id``, before
    the rebuild is marked done. Listened to by ``quiz.schools.rankings``, which rebuilds
    the contest's school boards (derived from the same attempts).
    """,
)

frozen_boards_rebuilt = _signals.signal(
    "frozen-boards-rebuilt",
    doc="""A contest's frozen boards were (re)built: a round was frozen or unfrozen.

    Sent by ``quiz.leaderboards.services.build_frozen`` with ``contest_id``. Listened to
    by ``quiz.schools.rankings``, whose derived school boards freeze too.
    """,
)


def app_sender() -> Flask:
    """The app itself (not the proxy) as a signal's sender: receivers connected for one
    app (``quiz.app``) hear only that app's sends, and tests build many apps."""
    return cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
