"""Certificates of a round's results, as PDFs (``quiz.documents`` draws them).

Organizers print the top N of each league in one PDF; a participant downloads their own
once the results are published. Each certificate is in its participant's own language
(Chinese or Mongolian); the rank printed is the rank in the league, by the ranking rule
(``services.round_results`` for organizers, the round's league board for a participant).
The verification code is an HMAC of the round and the user under the app's secret key,
so a printed certificate can be checked against the server without storing anything.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from quiz.accounts.models import User
from quiz.contests.models import Contest, League, Round, RoundState
from quiz.dates import local_day
from quiz.documents import Certificate, render_certificates
from quiz.errors import Conflict, NotFound
from quiz.extensions import db
from quiz.i18n import LANGUAGES
from quiz.leaderboards.ranking import better, to_ms
from quiz.leaderboards.services import read_board
from quiz.play.models import Attempt
from quiz.results import services

MAX_TOP = 10


def serial(round_id: int, user_id: int) -> str:
    """A short verification code for (round, user), keyed by the app's secret."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"certificate:{round_id}:{user_id}".encode(), hashlib.sha256)
    return f"R{round_id}-U{user_id}-{digest.hexdigest()[:10].upper()}"


def issuer() -> str:
    return current_app.config.get("QUIZ_CERTIFICATE_ISSUER") or _(
        "Inner Mongolia science-literacy contests"
    )


def _certificate(
    user_language: str,
    round_: Round,
    contest: Contest,
    league: League | None,
    user_id: int,
    name: str,
    points: int,
    max_points: int,
    league_rank: int | None,
    now: datetime,
) -> Certificate:
    language = user_language if user_language in LANGUAGES else "zh"
    return Certificate(
        language=language,
        participant_name=name,
        contest_title=contest.title(language),
        round_title=round_.title(language),
        league_name=league.name(language) if league else "",
        score_text=f"{points} / {max_points}",
        rank=league_rank,
        award=None,
        issued_on=local_day(now),
        serial=serial(round_.id, user_id),
    )


def top_certificates(round_: Round, top: int, league_id: int | None, now: datetime) -> bytes:
    """The top ``top`` of each league (or of one league) of a closed round, one PDF."""
    if round_.state(now) is not RoundState.CLOSED:
        raise Conflict(_l("Certificates are printed once the round is closed."), code="round_open")
    top = max(1, min(top, MAX_TOP))
    contest = round_.contest
    leagues = {lg.id: lg for lg in contest.leagues}
    # Never a certificate for a blank sheet: a result below the round's minimum is left
    # out even when it is among the top N of a small league.
    rows = [
        r
        for r in services.round_results(round_, league_id)
        if r.league_rank <= top and r.points >= round_.certificate_min_points
    ]
    rows.sort(key=lambda r: (leagues[r.league_id].position, r.league_rank))
    languages = dict(
        db.session.execute(
            select(User.id, User.language).where(User.id.in_([r.user_id for r in rows]))
        ).all()
    )
    certificates = [
        _certificate(
            languages.get(r.user_id, "zh"),
            round_,
            contest,
            leagues.get(r.league_id),
            r.user_id,
            r.display_name,
            r.points,
            r.max_points,
            r.league_rank,
            now,
        )
        for r in rows
    ]
    return render_certificates(certificates, issuer())


def own_certificate(round_: Round, user: User, now: datetime) -> bytes:
    """A participant's certificate for a published round: their best attempt, their
    place in their league (read from the round's board, which is final once published)."""
    if services.published_at(round_.id) is None:
        raise NotFound(_l("There is no certificate for this round yet."), code="no_certificate")
    attempts = db.session.scalars(
        select(Attempt).where(
            Attempt.round_id == round_.id,
            Attempt.user_id == user.id,
            Attempt.finished_at.is_not(None),
        )
    ).all()
    if not attempts:
        raise NotFound(_l("There is no certificate for this round yet."), code="no_certificate")
    best = attempts[0]
    for attempt in attempts[1:]:
        assert attempt.finished_at is not None and best.finished_at is not None  # the WHERE
        if better(
            (attempt.points, attempt.time_used_ms or 0, to_ms(attempt.finished_at)),
            (best.points, best.time_used_ms or 0, to_ms(best.finished_at)),
        ):
            best = attempt
    contest = round_.contest
    league = db.session.get(League, best.league_id)
    board = read_board(contest, round_.id, None, 1, user.id, best.league_id, now)
    rank = board.me["league_rank"] if board.me else None
    if best.points < round_.certificate_min_points:
        rank = None  # below the minimum: a certificate of participation, not of a rank
    cert = _certificate(
        user.language,
        round_,
        contest,
        league,
        user.id,
        user.display_name,
        best.points,
        best.max_points,
        rank,
        now,
    )
    return render_certificates([cert], issuer())
