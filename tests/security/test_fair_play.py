"""Fair play: no answer key before review allows, one attempt per policy under a race,
too-fast answering flagged for organizers, and focus loss (切屏) counted per attempt.

The leak scan walks a whole attempt as a participant would, through the HTML pages and
the JSON API, and scans every response body. It is shown able to fail: the same scan
finds the key on a result page whose review is allowed, and in a real question page
with one option marked the way a careless template would.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from quiz.audit.models import AuditEvent
from quiz.banks.models import QuestionText
from quiz.contests.models import Round
from quiz.extensions import db
from quiz.leaderboards.services import read_board
from quiz.play import fairplay, services
from quiz.play.models import Attempt, AttemptItem
from tests.factories import csrf_token, issue_token, log_in

# --- the leak scanner ------------------------------------------------------------------

# JSON keys that carry the key or correctness; none may appear before review allows.
FORBIDDEN_KEYS = {"correct", "is_correct", "correct_keys", "explanation", "answer", "solution"}
# Pictures and a fill-in question's number of blanks say nothing about the key.
QUESTION_KEYS = {"no", "kind", "text", "options", "media", "blanks"}
OPTION_KEYS = {"key", "text", "media"}
# HTML markers of correctness: review classes, data attributes, the review tick.
HTML_MARKERS = re.compile(
    r"data-(?:correct|answer|key-right)|class=\"[^\"]*\b(?:correct|wrong|right-answer)\b"
    r"|review-item|class=\"explanation|✓",
    re.IGNORECASE,
)
QUESTION_OPTIONS = re.compile(r'<form class="question-form".*?</fieldset>', re.DOTALL)
OPTION_LABEL = re.compile(r'<label class="option[^"]*">.*?</label>', re.DOTALL)


class LeakScanner:
    """Finds the answer key or correctness in a response body; ``found`` lists them."""

    def __init__(self, attempt_id: int, question_keys: frozenset[str] = frozenset()) -> None:
        self.question_keys = QUESTION_KEYS | question_keys
        question_ids = db.session.scalars(
            select(AttemptItem.question_id).where(AttemptItem.attempt_id == attempt_id)
        ).all()
        # Every explanation of every drawn question, in every language.
        self.explanations = [
            text
            for text in db.session.scalars(
                select(QuestionText.explanation).where(QuestionText.question_id.in_(question_ids))
            )
            if text
        ]
        self.found: list[str] = []

    def scan(self, where: str, response: Any) -> None:
        body = response.get_data(as_text=True)
        for text in self.explanations:
            if text in body:
                self.found.append(f"{where}: explanation {text!r}")
        if response.mimetype == "application/json":
            self._walk_json(where, json.loads(body))
        elif response.mimetype == "text/html":
            self.scan_html(where, body)

    def scan_html(self, where: str, html: str) -> None:
        for match in HTML_MARKERS.finditer(html):
            self.found.append(f"{where}: marker {match.group(0)!r}")
        # Every option of a question must be marked up alike but for its key, text and
        # the participant's own choice: anything else singles an option out.
        shapes = set()
        options = "".join(QUESTION_OPTIONS.findall(html))
        for label in OPTION_LABEL.findall(options):
            label = re.sub(r'<span class="option-key">[^<]*</span>', "", label)
            label = re.sub(r'<span class="option-text">[^<]*</span>', "", label)
            label = re.sub(r'value="[^"]*"| checked|is-checked', "", label)
            shapes.add(re.sub(r"\s+", " ", label))
        if len(shapes) > 1:
            self.found.append(f"{where}: options marked up differently: {sorted(shapes)}")

    def _walk_json(self, where: str, value: Any) -> None:
        if isinstance(value, dict):
            for key in FORBIDDEN_KEYS & value.keys():
                self.found.append(f"{where}: key {key!r}")
            if "no" in value and "options" in value:  # a question
                extra = value.keys() - self.question_keys
                if extra:
                    self.found.append(f"{where}: question {value['no']} carries {sorted(extra)}")
                for option in value["options"]:
                    if option.keys() - OPTION_KEYS:
                        self.found.append(f"{where}: option carries {sorted(option.keys())}")
            for item in value.values():
                self._walk_json(where, item)
        elif isinstance(value, list):
            for item in value:
                self._walk_json(where, item)


def _walk(client: Any, make: Any, clock: Any, policy: str) -> tuple[LeakScanner, int, Any]:
    """A participant's whole attempt through pages and API, every response scanned.

    Returns the scanner, the attempt id and the round, with the attempt finished.
    """
    contest, round_ = make.setup(review_policy=policy, closes_at=clock() + timedelta(hours=2))
    user = make.enrolled(contest)
    token, _ = issue_token(user, clock(), 1)
    bearer = {"Authorization": f"Bearer {token}"}
    log_in(client, user)
    scanned: list[tuple[str, Any]] = []

    def get(path: str, **kwargs: Any) -> Any:
        response = client.get(path, **kwargs)
        assert response.status_code in (200, 302, 304), (path, response.status_code)
        scanned.append((f"GET {path}", response))
        return response

    def send(method: str, path: str, **kwargs: Any) -> Any:
        response = client.open(path, method=method, **kwargs)
        assert response.status_code in (200, 201, 302), (path, response.get_data(as_text=True))
        scanned.append((f"{method} {path}", response))
        return response

    get(f"/contests/{contest.id}")
    start = send("POST", f"/rounds/{round_.id}/start", data={f"r{round_.id}-language": "zh"})
    attempt_id = int(start.location.rsplit("/", 1)[1])
    get(start.location)  # resume
    count = db.session.get(Attempt, attempt_id).question_count
    for no in range(1, count + 1):
        clock.advance(seconds=7)
        page = f"/attempts/{attempt_id}/q/{no}"
        get(page)
        get(page + "?lang=mn")  # language switch mid-attempt
        if no % 2:  # a page form post, then a background (fetch) save
            send("POST", page, data={"choice": "A", "action": "next"})
            send("POST", page, data={"choice": "B"}, headers={"X-Requested-With": "fetch"})
        else:  # the API: save, then read the state in both languages
            send("PUT", f"/api/v1/attempts/{attempt_id}/answers/{no}", json={"choice": ["A"]})
            get(f"/api/v1/attempts/{attempt_id}", headers=bearer)
            get(f"/api/v1/attempts/{attempt_id}?language=mn", headers=bearer)
    # A second device resumes: the API start answers the running attempt.
    send("POST", f"/api/v1/rounds/{round_.id}/attempts", json={"language": "mn"}, headers=bearer)
    get(f"/attempts/{attempt_id}")
    get(f"/rounds/{round_.id}/leaderboard")
    get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=bearer)
    get(f"/api/v1/contests/{contest.id}/leaderboard", headers=bearer)
    get(f"/attempts/{attempt_id}/finish")
    send("POST", f"/attempts/{attempt_id}/finish", data={})
    get(f"/attempts/{attempt_id}/result")
    get(f"/attempts/{attempt_id}/result", headers={"Accept": "application/json"})
    get(f"/attempts/{attempt_id}/result?lang=mn")
    get(f"/api/v1/attempts/{attempt_id}", headers=bearer)
    send("POST", f"/api/v1/attempts/{attempt_id}/finish", headers=bearer)
    get(f"/rounds/{round_.id}/leaderboard")
    get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=bearer)
    scanner = LeakScanner(attempt_id)
    for where, response in scanned:
        scanner.scan(where, response)
    assert len(scanned) > 4 * count  # the walk really went through every question
    return scanner, attempt_id, round_


@pytest.mark.parametrize("policy", ["never", "after_close"])
def test_no_key_or_correctness_in_any_response_before_review(client, make, clock, policy):
    scanner, attempt_id, _round = _walk(client, make, clock, policy)
    assert scanner.found == []
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.finished_at is not None and attempt.answered_count == attempt.question_count


def test_the_scan_finds_the_key_once_review_allows(client, make, clock):
    """The same walk with review after finishing: the scan must see the revealed key."""
    scanner, attempt_id, _round = _walk(client, make, clock, "after_finish")
    kinds = " ".join(scanner.found)
    assert "explanation" in kinds and "key 'correct'" in kinds and "marker" in kinds
    # Before the finish nothing leaked: every finding is on a response after it.
    assert all("result" in f or f"/api/v1/attempts/{attempt_id}" in f for f in scanner.found)


def test_the_scan_finds_one_option_marked_in_a_real_question_page(client, make, clock):
    contest, round_ = make.setup(review_policy="never")
    user = make.enrolled(contest)
    log_in(client, user)
    start = client.post(f"/rounds/{round_.id}/start", data={f"r{round_.id}-language": "zh"})
    attempt_id = int(start.location.rsplit("/", 1)[1])
    html = client.get(f"/attempts/{attempt_id}/q/1").get_data(as_text=True)
    scanner = LeakScanner(attempt_id)
    scanner.scan_html("clean", html)
    assert scanner.found == []
    # A careless template: the right option gets a class of its own.
    leaked = html.replace('<label class="option">', '<label class="option key">', 1)
    scanner.scan_html("leaked", leaked)
    assert scanner.found and "options marked up differently" in scanner.found[0]


# --- one attempt per policy under a race -----------------------------------------------


@pytest.mark.parametrize("max_attempts", [1, 2])
def test_twenty_concurrent_starts_make_one_attempt_per_policy(app, make, clock, max_attempts):
    contest, round_ = make.setup(max_attempts=max_attempts)
    user = make.enrolled(contest)
    if max_attempts == 2:  # the first attempt is done: the race is for the second one
        first, _ = services.start_attempt(user, round_, "zh", clock())
        services.finish_attempt(first, clock())
        db.session.commit()  # the edge commits (services flush)
    user_id, round_id = user.id, round_.id
    db.session.commit()
    db.session.remove()
    barrier = threading.Barrier(20)
    results: list[tuple[int, int, bool]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        from quiz.accounts.models import User

        with app.app_context():
            try:
                me, rnd = db.session.get(User, user_id), db.session.get(Round, round_id)
                rnd.contest  # noqa: B018 - load before the race
                db.session.commit()
                barrier.wait(timeout=60)
                attempt, created = services.start_attempt(me, rnd, "zh", clock())
                db.session.commit()  # the edge commits (here the thread)
                results.append((attempt.id, attempt.attempt_no, created))
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 20
    assert len({attempt_id for attempt_id, _, _ in results}) == 1
    assert {no for _, no, _ in results} == {max_attempts}
    assert sum(created for _, _, created in results) == 1
    stored = db.session.scalars(select(Attempt).where(Attempt.user_id == user_id)).all()
    assert len(stored) == max_attempts
    # Every attempt has all of its items: no half-made attempt.
    for attempt in stored:
        items = db.session.scalar(select(func.count()).where(AttemptItem.attempt_id == attempt.id))
        assert items == attempt.question_count


# --- too-fast answering ----------------------------------------------------------------


def test_answer_seconds_are_the_gaps_between_saves():
    from datetime import datetime

    t0 = datetime(2026, 1, 1, 8, 0, 0)
    times = [t0 + timedelta(seconds=s) for s in (30, 5, 31.5)]
    assert fairplay.answer_seconds(t0, times) == [5.0, 25.0, 1.5]


def _answer_all(user: Any, round_: Round, clock: Any, seconds: float) -> Attempt:
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    for no in range(1, attempt.question_count + 1):
        clock.advance(seconds=seconds)
        services.save_answer(attempt.id, user, no, ["A"], clock())
    return attempt


def test_fast_answering_is_flagged_and_thresholds_follow_the_round(make, clock):
    contest, round_ = make.setup()
    bot, person = make.enrolled(contest), make.enrolled(contest)
    start = clock()
    fast = _answer_all(bot, round_, clock, 1)
    clock.moment = start
    slow = _answer_all(person, round_, clock, 20)
    flags = fairplay.flagged_attempts(round_)
    assert [f.attempt_id for f in flags] == [fast.id]
    assert flags[0].reasons == ["fast_median", "fast_answers"]
    assert flags[0].median_seconds == 1.0 and flags[0].fast_answers == fast.question_count
    # A round with a stricter median threshold flags the slower attempt too.
    round_.flag_median_seconds = 30
    db.session.commit()
    flagged = {f.attempt_id: f.reasons for f in fairplay.flagged_attempts(round_)}
    assert flagged == {fast.id: ["fast_median", "fast_answers"], slow.id: ["fast_median"]}
    # Only many fast answers: the count threshold alone.
    round_.flag_median_seconds, round_.flag_fast_answers = 1, fast.question_count + 1
    db.session.commit()
    assert fairplay.flagged_attempts(round_) == []


def test_organizers_see_the_flags_page_and_json(app, client, make, clock):
    from quiz.accounts.models import Role

    organizer = make.user("boss", roles=(Role.ORGANIZER,))
    contest, round_ = make.setup()
    from quiz.contests.models import ContestOrganizer

    db.session.add(ContestOrganizer(contest_id=contest.id, user_id=organizer.id))
    db.session.commit()
    bot = make.enrolled(contest, display_name="Speedy")
    fast = _answer_all(bot, round_, clock, 0.5)
    log_in(client, organizer)
    # Reached from the contest overview and every page of the round's console.
    flags_link = f'href="/console/rounds/{round_.id}/flags"'
    for console_page in (
        f"/console/contests/{contest.id}",
        f"/console/rounds/{round_.id}/monitor",
        f"/console/rounds/{round_.id}/results",
        f"/console/rounds/{round_.id}/items",
    ):
        assert flags_link in client.get(console_page).get_data(as_text=True), console_page
    page = client.get(f"/console/rounds/{round_.id}/flags")
    assert page.status_code == 200
    assert f'{flags_link} aria-current="page"' in page.get_data(as_text=True)
    assert f'data-attempt="{fast.id}"' in page.get_data(as_text=True)
    data = client.get(
        f"/console/rounds/{round_.id}/flags", headers={"Accept": "application/json"}
    ).json
    assert [f["attempt_id"] for f in data["flags"]] == [fast.id]
    assert data["flags"][0]["display_name"] == "Speedy"
    # Settings: saved, audited; bad values refused and nothing changed.
    response = client.post(
        f"/console/rounds/{round_.id}/fair-play",
        data={"focus_tracking": "y", "focus_limit": "3", "flag_median_seconds": "4"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Round, round_.id)
    assert (saved.focus_tracking, saved.focus_limit, saved.focus_auto_finish) == (True, 3, False)
    assert saved.flag_median_seconds == 4
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.fair_play"))
    assert event.after["focus_limit"] == 3 and event.actor_id == organizer.id
    bad = client.post(f"/console/rounds/{round_.id}/fair-play", data={"focus_limit": "-2"})
    assert bad.status_code == 422
    db.session.expire_all()
    assert db.session.get(Round, round_.id).focus_limit == 3


# --- focus loss (切屏) -----------------------------------------------------------------


def _focus_round(make: Any, **settings: Any) -> tuple[Any, Round]:
    contest, round_ = make.setup()
    for name, value in {"focus_tracking": True, **settings}.items():
        setattr(round_, name, value)
    db.session.commit()
    return contest, round_


def test_focus_loss_is_refused_when_the_round_does_not_record_it(client, make, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    token, _ = issue_token(user, clock(), 1)
    response = client.post(
        f"/api/v1/attempts/{attempt.id}/focus-losses",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "focus_not_recorded"
    assert db.session.get(Attempt, attempt.id).focus_losses == 0
    page = client.get(f"/attempts/{attempt.id}/q/1")  # no warning, no script
    assert "focus-warning" not in page.get_data(as_text=True)


def test_focus_losses_are_counted_debounced_and_end_the_attempt_at_the_limit(client, make, clock):
    contest, round_ = _focus_round(make, focus_limit=3, focus_auto_finish=True)
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    token, _ = issue_token(user, clock(), 1)
    bearer = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/attempts/{attempt.id}/focus-losses"
    assert client.post(url, headers=bearer).json == {"count": 1, "limit": 3, "finished": False}
    # blur and visibilitychange of one tab switch: the second, within 1 s, counts once.
    assert client.post(url, headers=bearer).json["count"] == 1
    log_in(client, user)
    page = client.get(f"/attempts/{attempt.id}/q/1").get_data(as_text=True)
    assert 'class="flash flash-info focus-warning"' in page and "js/focus.js" in page
    assert re.search(r'<p class="focus-count">[^<]*1', page)  # the count, shown
    clock.advance(seconds=2)
    assert client.post(f"/attempts/{attempt.id}/focus-loss").json["count"] == 2
    clock.advance(seconds=2)
    last = client.post(url, headers=bearer).json
    assert last == {"count": 3, "limit": 3, "finished": True}
    done = db.session.get(Attempt, attempt.id)
    db.session.refresh(done)
    assert done.finish_reason == fairplay.FOCUS_LIMIT and done.finished_at == clock()
    board = read_board(contest, round_.id, None, 10, user.id, None, clock())
    assert board.me is not None  # handed in, so on the board
    refused = client.post(url, headers=bearer)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "attempt_finished"
    result = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "flash-info" in result


def test_focus_limit_without_auto_finish_only_counts(client, make, clock):
    contest, round_ = _focus_round(make, focus_limit=1, focus_auto_finish=False)
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    for expected in (1, 2):
        state = fairplay.record_focus_loss(attempt.id, user, clock())
        assert (state.count, state.finished) == (expected, False)
        clock.advance(seconds=5)
    flags = fairplay.flagged_attempts(round_)
    assert [(f.attempt_id, f.reasons, f.focus_losses) for f in flags] == [
        (attempt.id, ["focus"], 2)
    ]


def test_another_users_attempt_cannot_be_reported(make, clock):
    from quiz.errors import NotFound

    contest, round_ = _focus_round(make)
    owner, other = make.enrolled(contest), make.enrolled(contest)
    attempt, _ = services.start_attempt(owner, round_, "zh", clock())
    with pytest.raises(NotFound):
        fairplay.record_focus_loss(attempt.id, other, clock())
    assert db.session.get(Attempt, attempt.id).focus_losses == 0


class TestCsrf:
    """The page's report needs the CSRF token (cookie session); the API's bearer does not."""

    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"WTF_CSRF_ENABLED": True}

    def test_focus_report_needs_the_token_on_a_cookie_session(self, client, make, clock):
        contest, round_ = _focus_round(make)
        user = make.enrolled(contest)
        attempt, _ = services.start_attempt(user, round_, "zh", clock())
        log_in(client, user, with_csrf=True)
        url = f"/attempts/{attempt.id}/focus-loss"
        assert client.post(url).status_code == 400
        api = client.post(f"/api/v1/attempts/{attempt.id}/focus-losses")
        assert api.status_code == 400 and api.json["error"]["code"] == "csrf_failed"
        assert db.session.get(Attempt, attempt.id).focus_losses == 0
        token = csrf_token(client, f"/attempts/{attempt.id}/q/1")
        response = client.post(url, headers={"X-CSRFToken": token})
        assert response.status_code == 200 and response.json["count"] == 1


# --- live games: no key before the reveal ------------------------------------------------

LIVE_QUESTION_KEYS = frozenset({"media", "seconds", "seconds_left"})


def test_no_key_reaches_a_live_player_before_the_reveal(client, make, clock):
    """A whole live game as a player sees it (page, long-polls, answers, a Mongolian
    guest): every response before a question's reveal is scanned; the reveals, scanned
    the same way, do show the key, so the scan is able to fail."""
    from tests.live.helpers import act, create_game, join, live_hall

    hall = live_hall(make, clock, players=2)
    game = create_game(client, hall, allow_guests=True)
    gid = game["id"]
    join(client, hall, game["pin"], 0)
    user = hall.players[1][0]
    log_in(client, user)
    page = client.post(f"/live/join?pin={game['pin']}", data={"language": "mn"})
    assert page.status_code == 302
    guest = client.application.test_client()
    guest_join = guest.post(
        "/api/v1/live-games/join",
        json={"pin": game["pin"], "display_name": "Guest", "language": "mn"},
    )
    token = {"X-Live-Token": guest_join.json["token"]}
    bearer = hall.bearer(hall.players[0][1])
    before: list[tuple[str, Any]] = []
    reveals: list[tuple[str, Any]] = []
    seq = 1

    def poll(where: list, headers: dict, c: Any = client) -> Any:
        response = c.get(f"/api/v1/live-games/{gid}/state?after=0", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        where.append((f"state {headers.keys()}", response))
        return response.json

    before.append(("play page", client.get(f"/live/{gid}")))
    for _ in range(10):
        opened = act(client, hall, gid, "advance")
        if opened["phase"] == "finished":
            break
        seq = opened["seq"]
        no = opened["question"]["no"]
        for headers, c in ((bearer, client), ({}, client), (token, guest)):
            poll(before, headers, c)
            clock.advance(seconds=1)
            answer = c.put(
                f"/api/v1/live-games/{gid}/answers/{no}", json={"choice": ["A"]}, headers=headers
            )
            before.append((f"answer {no}", answer))
            poll(before, headers, c)
        act(client, hall, gid, "advance")
        for headers, c in ((bearer, client), ({}, client), (token, guest)):
            reveals.append(("reveal", c.get(f"/api/v1/live-games/{gid}/state", headers=headers)))
    assert seq > 2 and len(before) > 30
    attempt_id = db.session.scalar(
        select(Attempt.id).where(Attempt.user_id == user.id, Attempt.round_id == hall.round.id)
    )
    scanner = LeakScanner(attempt_id, LIVE_QUESTION_KEYS)
    for where, response in before:
        scanner.scan(where, response)
    assert scanner.found == [], scanner.found[:5]
    for where, response in reveals:
        scanner.scan(where, response)
    assert any("key 'correct'" in f for f in scanner.found)
