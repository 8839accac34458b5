"""The live monitor's counts, its JSON endpoint, and the indexes its queries use."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from quiz.accounts.models import Role
from quiz.extensions import db
from quiz.play import services as play
from quiz.results import monitor
from tests.factories import log_in
from tests.results.helpers import answer_by_key, items, play_correct


def _answer_first(attempt, user, now):
    item = items(attempt)[0]
    answer_by_key(attempt, user, item.no, [item.option_order[0]], now)


def test_counts_and_answers_per_minute(make, clock):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, make.bank())
    hohhot = [make.enrolled(contest, region_code="150102") for _ in range(3)]
    baotou = [make.enrolled(contest, region_code="150203") for _ in range(2)]
    start = clock().replace(second=0)
    clock.moment = start
    # Minute 0: two start; one answers 3 questions and finishes.
    a0, _ = play.start_attempt(hohhot[0], round_, "zh", clock())
    a1, _ = play.start_attempt(baotou[0], round_, "zh", clock())
    play_correct(a0, hohhot[0], 3, clock.advance(seconds=10))
    play.finish_attempt(a0, clock.advance(seconds=5))
    db.session.commit()  # the edge commits (services flush)
    # Minute 3: one more starts and answers once; baotou[0] answers once.
    clock.moment = start + timedelta(minutes=3, seconds=20)
    a2, _ = play.start_attempt(hohhot[1], round_, "zh", clock())
    _answer_first(a2, hohhot[1], clock())
    _answer_first(a1, baotou[0], clock.advance(seconds=1))
    # Minute 6: baotou[0] has been quiet for 2 min 40 s, hohhot[1] answered 2 min 39 s ago.
    clock.moment = start + timedelta(minutes=6)
    snap = monitor.compute(round_, clock())
    assert (snap.enrolled, snap.started, snap.finished, snap.in_progress) == (5, 3, 1, 2)
    assert snap.active_now == 0
    clock.moment = start + timedelta(minutes=4, seconds=30)
    assert monitor.compute(round_, clock()).active_now == 2
    clock.moment = start + timedelta(minutes=6)
    per_minute = dict(snap.per_minute)
    assert len(snap.per_minute) == monitor.MINUTES
    assert per_minute[start] == 3
    assert per_minute[start + timedelta(minutes=3)] == 2
    assert sum(per_minute.values()) == 5
    leagues = {lg.league_id: lg for lg in snap.leagues}
    hohhot_league = next(lg.id for lg in contest.leagues if lg.region_code == "150100")
    assert (leagues[hohhot_league].enrolled, leagues[hohhot_league].started) == (3, 2)
    assert leagues[hohhot_league].finished == 1
    # Minutes that are over are remembered: a later answer stamped in minute 0 (impossible
    # in production, the server stamps "now") would not be counted again.
    again = dict(monitor.answers_per_minute(round_.id, clock()))
    assert again == per_minute


def test_monitor_json_and_page(make, clock, client):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, make.bank())
    player = make.enrolled(contest)
    attempt, _ = play.start_attempt(player, round_, "zh", clock())
    _answer_first(attempt, player, clock())
    log_in(client, organizer)
    response = client.get(f"/console/rounds/{round_.id}/monitor.json")
    assert response.status_code == 200
    body = response.json
    assert body["started"] == 1 and body["active_now"] == 1 and body["state"] == "open"
    assert len(body["answers_per_minute"]) == 30
    assert body["answers_per_minute"][-1]["count"] == 1
    assert {lg["name"] for lg in body["leagues"]} >= {"呼和浩特市"}
    cached = client.get(
        f"/console/rounds/{round_.id}/monitor.json",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert cached.status_code == 304
    page = client.get(f"/console/rounds/{round_.id}/monitor").get_data(as_text=True)
    assert "js/monitor.js" in page and "<rect" in page and "data-monitor-url" in page
    # A participant is refused.
    client.post("/logout")
    log_in(client, player)
    assert client.get(f"/console/rounds/{round_.id}/monitor.json").status_code == 403


def test_monitor_queries_use_their_indexes(make, clock):
    """SQLite's plan names the index each monitor query reads (PostgreSQL's choice
    depends on its statistics; docs/results.md lists the intended plans)."""
    if db.engine.dialect.name != "sqlite":
        return
    plans = {
        "per league": "SELECT league_id, count(*) FROM attempts WHERE round_id = 1 "
        "GROUP BY league_id",
        "active": "SELECT count(*) FROM attempts WHERE round_id = 1 AND finished_at IS NULL "
        "AND coalesce(last_answer_at, started_at) >= '2026-01-01'",
        "per minute": "SELECT count(*) FROM answers JOIN attempts ON attempts.id = "
        "answers.attempt_id WHERE answers.answered_at >= '2026-01-01' AND attempts.round_id = 1 "
        "AND (attempts.finished_at IS NULL OR attempts.finished_at >= '2026-01-01')",
    }
    expected = {
        "per league": "ix_attempts_round_finished_league",
        "active": "ix_attempts_round_finished_league",
        "per minute": "ix_attempts_round_finished_league",
    }
    with db.engine.connect() as conn:
        for name, sql in plans.items():
            plan = " ".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
            assert expected[name] in plan, (name, plan)
