"""``make bench-live``: one live game, 1,000 simulated phones, 10 questions, on one app
server and on two.

Each simulated player is one keep-alive connection doing what ``static/js/live.js`` does:
join with the PIN, long-poll ``GET /live-games/<id>/state?after=SEQ``, and when a
question arrives answer it after a random think time (0.3–4 s), then poll again. The
host (one more connection, on the first server) starts the game when everyone has
joined, and for each question advances, waits for the answers (or the question's time),
reveals, and moves on. With ``--servers 2`` the players are split between two gunicorn
servers on 127.0.0.1 that share PostgreSQL and Redis; the host talks to the first.

Measured, per question: the share of players whose long-poll returned the question
within 1 s and 2 s of the moment the host's ``advance`` request was sent (goal: 99 %
within 1 s); answers sent, accepted (200) and stored in SQL (all); errors (0). At the end
the final standings (``GET /results``) are compared with an independent recomputation
from SQL (the stored answers and answer times through ``quiz.live.rules``), with the
attempts' points in SQL, and with the round's leaderboard in Redis.

The machine is shared while this runs: the table prints the load average beside the
figures.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench import dataset, loadgen, servers
from bench.harness import (
    Backends,
    backends,
    format_table,
    keep_results,
    make_app,
    server_counts,
)
from bench.loadgen import Conn, HttpError

THINK = (0.3, 4.0)  # seconds a simulated player takes to answer
# Players arrive over this many seconds (a hall fills in minutes; 1,000 joins in the same
# instant only measure the database pool's queue).
JOIN_WINDOW = float(os.environ.get("BENCH_LIVE_JOIN_SECONDS", 30))
# How long the host leaves each question's results on the screen before the next one
# (a real host talks through them; every phone polls again meanwhile).
REVEAL_PAUSE = float(os.environ.get("BENCH_LIVE_REVEAL_SECONDS", 3))


@dataclass(frozen=True)
class LiveProfile:
    quick: bool
    players: int
    questions: int
    seconds: int
    workers: int
    threads: int

    @classmethod
    def full(cls) -> LiveProfile:
        return cls(
            quick=False,
            players=int(os.environ.get("BENCH_LIVE_PLAYERS", 1000)),
            questions=int(os.environ.get("BENCH_LIVE_QUESTIONS", 10)),
            seconds=10,
            workers=int(os.environ.get("BENCH_WORKERS", 2)),
            # Every waiting long-poll holds a thread: room for all players on one worker.
            threads=int(os.environ.get("BENCH_LIVE_THREADS", 1100)),
        )

    @classmethod
    def smoke(cls) -> LiveProfile:
        return cls(quick=True, players=12, questions=3, seconds=5, workers=1, threads=40)


@dataclass
class Tally:
    joined: int = 0
    sent: dict[int, int] = field(default_factory=dict)  # question no -> answers sent
    accepted: dict[int, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    advanced_at: dict[int, float] = field(default_factory=dict)  # no -> perf_counter
    advance_s: dict[int, float] = field(default_factory=dict)  # no -> the advance's round trip
    received: dict[int, list[float]] = field(default_factory=dict)  # no -> delays (s)
    finished: int = 0
    aborted: bool = False  # the host failed: players stop after their current poll
    results: dict[str, Any] | None = None
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Game:
    """A seeded live game: its ids, PIN, the host's token and the players' tokens."""

    game_id: int
    round_id: int
    pin: str
    host: str
    tokens: list[str]


def seed_game(
    found: Backends, players: int, questions: int, seconds: int, tag: str = "live"
) -> Game:
    """A contest with a live round of ``questions`` questions of ``seconds`` each, its
    host, ``players`` participants with tokens (not joined yet), and the game, in its
    lobby. Used by ``make bench-live`` and by the live answer scenario of ``make bench``."""
    from quiz.accounts.models import Role, User, UserRole
    from quiz.clock import utcnow
    from quiz.contests.models import ContestOrganizer, Round, RoundMode
    from quiz.edge.client import Actor
    from quiz.extensions import db
    from quiz.live import services

    app = make_app(found.database_url, found.redis_url)
    now = utcnow()
    with app.app_context():
        bank = dataset.make_bank(f"{tag}-bank", max(40, questions * 4), now)
        contest = dataset.make_contest(f"{tag}-contest", now)
        round_id = dataset.make_round(contest, bank, questions, now)
        round_ = db.session.get(Round, round_id)
        round_.mode = RoundMode.LIVE
        round_.question_seconds = seconds
        hosts = dataset.make_people(f"{tag}host", 1, now, contest_id=contest)
        host = db.session.get(User, hosts.user_ids[0])
        db.session.add(UserRole(user_id=host.id, role=str(Role.ORGANIZER)))
        db.session.add(ContestOrganizer(contest_id=contest, user_id=host.id))
        db.session.commit()
        people = dataset.make_people(tag, players, now, contest_id=contest)
        game = services.create_game(
            db.session.get(Round, round_id),
            Actor.of(db.session.get(User, host.id)),
            services.GameSettings(speed_points=True, streaks=True, teams="league", podium=5),
            now,
        )
        db.session.commit()
        services.publish(services.Change(game), now)
        out = Game(game.id, round_id, game.pin, hosts.tokens[0], people.tokens)
        db.engine.dispose()
    return out


def _script(
    profile: LiveProfile, game_id: int, pin: str, host: str, tokens: list[str], tally: Tally
):
    base = f"/api/v1/live-games/{game_id}"

    async def player(conn: Conn, index: int) -> None:
        rng = random.Random(index)
        token = tokens[index - 1]
        await asyncio.sleep((JOIN_WINDOW if not profile.quick else 0.5) * index / profile.players)
        await conn.request("POST", "/api/v1/live-games/join", {"pin": pin}, token, label="join")
        tally.joined += 1
        seq = 0
        answered: set[int] = set()
        while True:
            state = (
                await conn.request("GET", f"{base}/state?after={seq}", token=token, label="poll")
            ).json()
            seq = state["seq"]
            question = state["question"]
            if state["phase"] == "question" and question and question["no"] not in answered:
                no = question["no"]
                sent_at = tally.advanced_at.get(no)
                if sent_at is not None:
                    tally.received.setdefault(no, []).append(time.perf_counter() - sent_at)
                answered.add(no)
                await asyncio.sleep(rng.uniform(*THINK))
                choice = [rng.choice(question["options"])["key"]]
                tally.sent[no] = tally.sent.get(no, 0) + 1
                try:
                    await conn.request(
                        "PUT", f"{base}/answers/{no}", {"choice": choice}, token, label="answer"
                    )
                    tally.accepted[no] = tally.accepted.get(no, 0) + 1
                except HttpError as exc:
                    tally.refused.append(str(exc)[:200])
            if state["phase"] == "finished":
                tally.finished += 1
                return
            if tally.aborted:
                return

    async def host_loop(conn: Conn) -> None:
        while tally.joined < profile.players:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # every phone is waiting on its long-poll
        for _ in range(profile.questions):
            started = time.perf_counter()
            no = len(tally.advanced_at) + 1
            tally.advanced_at[no] = started
            opened = (
                await conn.request("POST", f"{base}/advance", {}, host, label="advance")
            ).json()
            tally.advance_s[no] = time.perf_counter() - started
            assert opened["question"]["no"] == no, opened
            # The question's time, or until every answer is in.
            while time.perf_counter() - started < profile.seconds:
                if tally.accepted.get(no, 0) + sum(1 for r in tally.refused) >= profile.players:
                    break
                await asyncio.sleep(0.1)
            # "End the question now", unless its time ran out first and the server closed
            # it (409 stale_state): the seq makes the action conditional, as the console does.
            await conn.request(
                "POST",
                f"{base}/advance",
                {"seq": opened["seq"]},
                host,
                label="reveal",
                expect=(200, 409),
            )
            await asyncio.sleep(REVEAL_PAUSE if not profile.quick else 0.5)
        done = (await conn.request("POST", f"{base}/advance", {}, host, label="finish")).json()
        assert done["phase"] == "finished", done
        tally.results = (await conn.request("GET", f"{base}/results", token=host)).json()

    async def script(conn: Conn, index: int, running: Any) -> None:
        try:
            if index == 0:
                await host_loop(conn)
            else:
                await player(conn, index)
        except (HttpError, AssertionError) as exc:
            if index == 0:
                tally.aborted = True
            if len(tally.failures) < 5:
                tally.failures.append(f"{'host' if index == 0 else 'player'}: {exc!r}"[:300])

    return script


def _recompute(found: Backends, game_id: int, round_id: int) -> dict[str, Any]:
    """The standings again from SQL alone, and what SQL and Redis hold for the round."""
    from sqlalchemy import select

    from quiz.extensions import db
    from quiz.leaderboards.services import read_board
    from quiz.live import rules, services
    from quiz.live.models import LiveGame, LivePlayer, LiveResponse
    from quiz.play.models import Answer, Attempt

    app = make_app(found.database_url, found.redis_url)
    with app.app_context():
        game = db.session.get(LiveGame, game_id)
        players = db.session.execute(
            select(LivePlayer.attempt_id, LivePlayer.user_id).where(LivePlayer.game_id == game_id)
        ).all()
        user_of = dict(players)
        answers: dict[int, dict[int, rules.Response]] = {uid: {} for uid in user_of.values()}
        rows = db.session.execute(
            select(
                Answer.attempt_id, Answer.no, Answer.correct, Answer.points, LiveResponse.elapsed_ms
            )
            .join(
                LiveResponse,
                (LiveResponse.attempt_id == Answer.attempt_id) & (LiveResponse.no == Answer.no),
            )
            .where(LiveResponse.game_id == game_id)
        ).all()
        for r in rows:
            answers[user_of[r.attempt_id]][r.no] = rules.Response(r.correct, r.points, r.elapsed_ms)
        played = services.played_questions(game)
        cfg = rules.Settings(game.speed_points, game.streaks)
        scores = [rules.score_player(u, played, a, cfg) for u, a in answers.items()]
        ranking = [(r.score.user_id, r.score.points) for r in rules.rank(scores)]
        stored = {
            a.user_id: a.points
            for a in db.session.scalars(select(Attempt).where(Attempt.round_id == round_id))
        }
        contest = game.contest_id
        from quiz.clock import utcnow
        from quiz.contests.models import Contest

        board = read_board(
            db.session.get(Contest, contest), round_id, None, 100, None, None, utcnow()
        )
        out = {
            "ranking": ranking,
            "answers_in_sql": len(rows),
            "attempts_match": all(stored[u] == p for u, p in ranking),
            "board_top": [(e.user_id, e.score) for e in board.entries],
            "player_ids": {
                p.id: p.user_id
                for p in db.session.scalars(select(LivePlayer).where(LivePlayer.game_id == game_id))
            },
        }
        db.engine.dispose()
    return out


def run(profile: LiveProfile, server_count: int) -> dict[str, Any]:
    from bench.harness import Profile

    t0 = time.perf_counter()
    base_profile = Profile.smoke() if profile.quick else Profile.full()
    with backends(base_profile) as found:
        seeded = seed_game(found, profile.players, profile.questions, profile.seconds)
        game_id, round_id, pin, host, tokens = (
            seeded.game_id,
            seeded.round_id,
            seeded.pin,
            seeded.host,
            seeded.tokens,
        )
        env = servers.app_environment(found.database_url, found.redis_url)
        started = [
            servers.spawn(
                f"live-app-{i}",
                "wsgi:app",
                env,
                workers=profile.workers,
                threads=profile.threads,
                logdir=found.workdir,
                extra=("--worker-connections", str(profile.threads * 2), "--timeout", "60"),
            )
            for i in range(server_count)
        ]
        tally = Tally()
        try:
            for server in started:
                servers.wait_ready(server, "/api/v1/regions", profile.workers)
            # Client 0 (the host) goes to the first server; players alternate over all.
            targets = [s.address for s in started]
            order = [targets[0]] + [targets[i % len(targets)] for i in range(profile.players)]
            result = loadgen.run(
                order,
                profile.players + 1,
                _script(profile, game_id, pin, host, tokens, tally),
                warmup=0,
                duration=None,
            )
        finally:
            for server in started:
                server.stop()
        check = _recompute(found, game_id, round_id)
    delays = [d for no in sorted(tally.received) for d in tally.received[no]]
    per_question = {
        no: (
            sum(d <= 1.0 for d in tally.received.get(no, [])) / profile.players,
            sum(d <= 2.0 for d in tally.received.get(no, [])) / profile.players,
            max(tally.received.get(no, [0.0])),
        )
        for no in sorted(tally.advanced_at)
    }
    # Where a question's second goes: the host's advance (commit and publish come before
    # its answer), then the fan-out to every phone (p50, p99 of the deliveries).
    breakdown = {
        no: (
            1000 * tally.advance_s.get(no, float("nan")),
            1000 * _quantile(tally.received.get(no, []), 0.5),
            1000 * _quantile(tally.received.get(no, []), 0.99),
        )
        for no in sorted(tally.advanced_at)
    }
    final = tally.results or {"ranking": []}
    api_ranking = [(check["player_ids"].get(e["player_id"]), e["score"]) for e in final["ranking"]]
    return {
        "servers": server_count,
        "players": profile.players,
        "questions": profile.questions,
        "joined": tally.joined,
        "finished": tally.finished,
        "within_1s": sum(d <= 1.0 for d in delays) / max(1, profile.players * profile.questions),
        "within_2s": sum(d <= 2.0 for d in delays) / max(1, profile.players * profile.questions),
        "delay_p50_ms": 1000 * sorted(delays)[len(delays) // 2] if delays else float("nan"),
        "delay_max_ms": 1000 * max(delays) if delays else float("nan"),
        "per_question": per_question,
        "breakdown_ms": breakdown,
        "sent": sum(tally.sent.values()),
        "accepted": sum(tally.accepted.values()),
        "answers_in_sql": check["answers_in_sql"],
        "refused": tally.refused[:3],
        "errors": result.errors,
        "failures": tally.failures,
        "standings_match": api_ranking == check["ranking"] and bool(api_ranking),
        "attempts_match": check["attempts_match"],
        "board_match": check["board_top"] == check["ranking"][: len(check["board_top"])],
        "latency_ms": {
            label: (stat.percentile(50) * 1000, stat.percentile(99) * 1000)
            for label, stat in result.stats.items()
        },
        "load_average": os.getloadavg(),
        "elapsed_s": time.perf_counter() - t0,
    }


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def table(outs: list[dict[str, Any]]) -> str:
    rows = []
    for out in outs:
        n = out["servers"]
        load = "load average {:.1f} {:.1f} {:.1f}".format(*out["load_average"])
        worst = min(out["per_question"].values(), default=(0, 0, 0))
        lat = out["latency_ms"]
        rows += [
            (
                f"{n} server(s): question within 1 s",
                f"{out['within_1s']:.1%}",
                ">= 99%",
                "yes" if out["within_1s"] >= 0.99 else "NO",
                f"{out['players']:,} players x {out['questions']} questions; worst question "
                f"{worst[0]:.1%}; p50 {out['delay_p50_ms']:.0f} ms, "
                f"max {out['delay_max_ms']:.0f} ms; {load}",
            ),
            (
                f"{n} server(s): question within 2 s",
                f"{out['within_2s']:.1%}",
                "",
                "",
                "per question: "
                + " ".join(f"{v[0]:.0%}/{v[1]:.0%}" for v in out["per_question"].values()),
            ),
            (
                f"{n} server(s): delivery per question",
                "",
                "",
                "",
                "advance/p50/p99 ms: "
                + " ".join(
                    f"{a:.0f}/{p50:.0f}/{p99:.0f}" for a, p50, p99 in out["breakdown_ms"].values()
                ),
            ),
            (
                f"{n} server(s): answers accepted",
                f"{out['accepted']:,}/{out['sent']:,}",
                "all",
                "yes" if out["accepted"] == out["sent"] == out["answers_in_sql"] else "NO",
                f"in SQL: {out['answers_in_sql']:,}; answer p50/p99 "
                f"{lat.get('answer', (0, 0))[0]:.0f}/{lat.get('answer', (0, 0))[1]:.0f} ms; "
                f"advance p50 {lat.get('advance', (0, 0))[0]:.0f} ms, reveal p50 "
                f"{lat.get('reveal', (0, 0))[0]:.0f} ms",
            ),
            (
                f"{n} server(s): errors",
                str(out["errors"] + len(out["failures"])),
                "0",
                "yes" if out["errors"] == 0 and not out["failures"] else "NO",
                "; ".join(out["failures"][:2] + out["refused"][:1])
                or f"joined {out['joined']:,}, saw the end {out['finished']:,}",
            ),
            (
                f"{n} server(s): standings = SQL",
                "equal"
                if out["standings_match"] and out["attempts_match"] and out["board_match"]
                else "DIFFER",
                "equal",
                "yes"
                if out["standings_match"] and out["attempts_match"] and out["board_match"]
                else "NO",
                "GET /results = recomputation from stored answers (quiz.live.rules) = attempts "
                "in SQL = the round's board in Redis",
            ),
        ]
    return format_table(rows)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    profile = LiveProfile.smoke() if quick else LiveProfile.full()
    outs = []
    for count in server_counts(argv):
        out = run(profile, count)
        print(
            f"[{out['elapsed_s']:.0f} s] {count} server(s): {out['within_1s']:.1%} within 1 s, "
            f"{out['errors']} errors",
            file=sys.stderr,
            flush=True,
        )
        outs.append(out)
    print(table(outs))
    keep_results(outs)
    ok = all(
        o["errors"] == 0
        and not o["failures"]
        and o["accepted"] == o["sent"] == o["answers_in_sql"]
        and o["standings_match"]
        and o["attempts_match"]
        and o["board_match"]
        and o["finished"] == o["players"]
        for o in outs
    )
    return 0 if ok else 1
