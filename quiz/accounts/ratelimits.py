"""Rate limits: every limited route and its rules, in one table.

Counted in the app's Redis by ``quiz.accounts.limiter`` (the ``limits`` library's fixed
window), keyed by account *and* by client address. A whole classroom shares one school
NAT address, so the per-address limits are sized for 60 people at once, and the tight
limits are per account. Rules that count failures reserve their place before the view
runs and give it back if the request did not fail, so a burst of parallel guesses gets
at most the limit checked (``quiz.accounts.limiter``):

| rule | counts | default |
| --- | --- | --- |
| ``login-user`` | failed logins (page, API token) per username *and* address | 10/minute |
| ``login-account`` | failed logins per username, all addresses (*) | 100/hour |
| ``login-2fa`` | failed second-factor codes per account | 10/minute |
| ``login-ip`` | login attempts per address | 300/minute |
| ``register-ip`` | accounts created per address | 100/hour |
| ``register-attempts`` | registration attempts per address | 600/hour |
| ``answers`` | answer saves per participant (page and API), practice, self-test | 120/minute |
| ``live-answers`` | live-game answers per player, guests included (**) | 60/minute |
| ``practice-starts`` | practice sessions and self-tests started per account | 30/minute |
| ``account`` | failed password confirmations on account pages per user | 10/minute |
| ``reset-ip`` | forgotten-password links asked for per address | 30/hour |
| ``reset-user`` | forgotten-password links asked for per username or e-mail | 5/hour |
| ``join-user`` | enrollment requests (join codes) per account | 10/minute |
| ``join-ip`` | enrollment requests (join codes) per address | 120/minute |

(*) over this cap, an address whose tries for the account have not failed in the last
minute still gets its try, so the cap cannot lock the owner out.

(**) counted by the view once it knows the player (``counted_by_view``): a hall's guests
share one address and have no session of their own, but each guest plays under a hidden
account of its own, which the view finds from the guest's token. A host or a stranger
is refused before anything is counted.

Limits come from the ``QUIZ_RATELIMIT_*`` settings, read on each request. A breach is a
429 with the localized error (``quiz.errors``) and ``Retry-After``. Endpoints are listed
here rather than decorated in their modules so the whole policy reads in one screen; a
listed endpoint that does not exist stops the app at start-up. One request hook looks the
endpoint up in this table, so unlisted requests cost a dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request, session
from flask_login import current_user
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from quiz.accounts.limiter import Counters, PendingCount, install, limit_item
from quiz.accounts.services import username_key
from quiz.edge.client import client_ip
from quiz.extensions import redis_store
from quiz.redis_config import SENTINEL_SCHEME, redis_spec


def _client() -> str:
    return f"ip:{client_ip() or '-'}"


def _username() -> str:
    """The username a login or token request names (form or JSON), casefolded."""
    try:
        name = request.form.get("username")
        if name is None and request.is_json:
            data = request.get_json(silent=True)
            value = data.get("username") if isinstance(data, dict) else None
            name = value if isinstance(value, str) else None
    except Exception:  # an unreadable body: the view answers it; count it by address
        name = None
    return f"name:{username_key(name or '')[:64]}" if name else _client()


def _username_and_client() -> str:
    """The named account as seen from this client: its failures lock out this client only."""
    return f"{_username()}|{_client()}"


def _reset_identifier() -> str:
    """The username or e-mail address a forgotten-password request names, casefolded."""
    name = request.form.get("identifier")
    return f"reset:{username_key(name)[:254]}" if name else _client()


def account_key(user_id: int) -> str:
    """The counters' key of one account (the ``_account`` rules)."""
    return f"uid:{user_id}"


def _account() -> str:
    try:
        if current_user.is_authenticated:
            return account_key(current_user.id)
    except Exception:
        pass
    return _client()


def _pending_account() -> str:
    """The account half-way through a two-factor login."""
    pending = session.get("2fa_uid")
    return f"uid:{pending}" if isinstance(pending, int) else _client()


def _failed(response: Any) -> bool:
    return response.status_code >= 400


def _succeeded(response: Any) -> bool:
    return response.status_code < 400


@dataclass(frozen=True)
class Rule:
    scope: str  # the counter; routes with the same rule share it
    setting: str  # the config key holding the limit, e.g. "10/minute"
    key: Callable[[], str]
    methods: tuple[str, ...] = ("POST",)
    # Count only some responses: a place is reserved before the view and given back
    # after it unless the response matches (quiz.accounts.limiter).
    count_when: Callable[[Any], bool] | None = None
    # Over the limit, still let a request through that is the first counted under the
    # rule of this scope in its window (the owner's own browser, see LOGIN_ACCOUNT).
    unless_first: str | None = None
    # Counted by the view (``count_account_request``) once it knows the account the
    # request acts for, not by the hook: a live game's guest is known by its token, and
    # only the view turns that into the guest's account (LIVE_ANSWERS).
    counted_by_view: bool = False


LOGIN_USER = Rule(
    "login-user", "QUIZ_RATELIMIT_LOGIN_USER", _username_and_client, count_when=_failed
)
# Many addresses guessing one account (a botnet) are capped together; the owner, whose
# browser has not failed, still logs in, so the cap cannot lock them out.
LOGIN_ACCOUNT = Rule(
    "login-account",
    "QUIZ_RATELIMIT_LOGIN_ACCOUNT",
    _username,
    count_when=_failed,
    unless_first="login-user",
)
LOGIN_2FA = Rule("login-2fa", "QUIZ_RATELIMIT_LOGIN_USER", _pending_account, count_when=_failed)
LOGIN_IP = Rule("login-ip", "QUIZ_RATELIMIT_LOGIN_IP", _client)
REGISTER_IP = Rule("register-ip", "QUIZ_RATELIMIT_REGISTER_IP", _client, count_when=_succeeded)
REGISTER_ATTEMPTS = Rule("register-attempts", "QUIZ_RATELIMIT_REGISTER_ATTEMPTS_IP", _client)
ANSWERS = Rule("answers", "QUIZ_RATELIMIT_ANSWER_USER", _account, methods=("POST", "PUT"))
LIVE_ANSWERS = Rule(
    "live-answers", "QUIZ_RATELIMIT_LIVE_ANSWER", _account, methods=("PUT",), counted_by_view=True
)
ACCOUNT = Rule("account", "QUIZ_RATELIMIT_ACCOUNT_USER", _account, count_when=_failed)
PRACTICE_STARTS = Rule("practice-starts", "QUIZ_RATELIMIT_PRACTICE_USER", _account)
RESET_IP = Rule("reset-ip", "QUIZ_RATELIMIT_RESET_IP", _client)
RESET_USER = Rule("reset-user", "QUIZ_RATELIMIT_RESET_USER", _reset_identifier)
# Every enrollment request is counted before it is checked (one atomic INCR in Redis),
# so a burst of wrong join codes gets at most the limit through (issue 13).
JOIN_USER = Rule("join-user", "QUIZ_RATELIMIT_JOIN_USER", _account)
JOIN_IP = Rule("join-ip", "QUIZ_RATELIMIT_JOIN_IP", _client)

LIMITS: dict[str, tuple[Rule, ...]] = {
    "accounts.login": (LOGIN_USER, LOGIN_ACCOUNT, LOGIN_IP),
    "api.token": (LOGIN_USER, LOGIN_ACCOUNT, LOGIN_IP),
    "accounts.login_two_factor": (LOGIN_2FA, LOGIN_IP),
    "accounts.register": (REGISTER_IP, REGISTER_ATTEMPTS),
    "api.register": (REGISTER_IP, REGISTER_ATTEMPTS),
    "play.question": (ANSWERS,),
    "api.put_answer": (ANSWERS,),
    "practice.question": (ANSWERS,),
    "practice.start": (PRACTICE_STARTS,),
    "api.practice_answer": (ANSWERS,),
    "api.start_practice": (PRACTICE_STARTS,),
    "practice.selftest_start": (PRACTICE_STARTS,),
    "practice.selftest_question": (ANSWERS,),
    "api.start_assessment": (PRACTICE_STARTS,),
    "api.assessment_answer": (ANSWERS,),
    "api.live_game_answer": (LIVE_ANSWERS,),
    "accounts.change_password": (ACCOUNT,),
    "accounts.two_factor_enable": (ACCOUNT,),
    "accounts.two_factor_disable": (ACCOUNT,),
    "accounts.forgot_password": (RESET_USER, RESET_IP),
    "accounts.reset_password_link": (LOGIN_IP,),
    "contests.enroll": (JOIN_USER, JOIN_IP),
    "api.enrollment": (JOIN_USER, JOIN_IP),
    "schools.enroll_class": (JOIN_USER, JOIN_IP),
}


def apply(app: Flask, counters: Counters) -> None:
    """Check the table on every request (quiz.accounts.limiter)."""
    missing = sorted(set(LIMITS) - set(app.view_functions))
    if missing:
        raise RuntimeError(f"rate limits name unknown endpoints: {', '.join(missing)}")
    install(app, counters, LIMITS)


def init_app(app: Flask) -> None:
    """Turn the limits on for one app: a fresh ``Counters`` per app.

    Kept in ``app.extensions["quiz_limiter"]``, so apps stay apart: tests build many apps
    with limits on and off. The policy (this table) and its wiring live here, in accounts,
    not in ``quiz.extensions``: the core layer must not import a domain (docs/architecture.md,
    "Layers"). Counters live in ``QUIZ_RATELIMIT_STORAGE_URL``, else the app's Redis
    (``QUIZ_REDIS_URL``, or the embedded server's unix socket). If Redis is down the
    limits fall back to per-process memory instead of refusing requests: answers keep
    being saved during an outage.
    """
    app.extensions["quiz_limiter"] = None
    if not app.config.get("RATELIMIT_ENABLED", True):
        return
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app)
    counters = Counters(
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        storage_options={
            "socket_timeout": 0.5,
            "socket_connect_timeout": 0.5,
            "retry": Retry(ExponentialBackoff(cap=0.05, base=0.01), 1),
        },
        prefix=str(app.config["RATELIMIT_KEY_PREFIX"]),
        beside_app_redis=_beside_app_redis(app),
    )
    if redis_store.server is not None and not app.config.get("QUIZ_RATELIMIT_STORAGE_URL"):
        # The embedded server starts lazily; make sure it runs before a count.
        @app.before_request
        def _start_embedded_redis() -> None:
            if request.endpoint in LIMITS:
                redis_store.client  # noqa: B018  (starts the server on first use)

    apply(app, counters)
    app.extensions["quiz_limiter"] = counters


def _beside_app_redis(app: Flask) -> bool:
    """Do the counters live in the app's Redis, where one script may reach both them and
    a contest's boards? Not when they have their own server, not on a Cluster (the
    account's counter and the contest's boards hash to different slots), and not with
    Sentinel (``limits`` counts in the primary's database 0 whatever the URL names)."""
    if app.config.get("QUIZ_RATELIMIT_STORAGE_URL") or app.config.get("QUIZ_REDIS_CLUSTER"):
        return False
    return not str(app.config.get("QUIZ_REDIS_URL") or "").startswith(SENTINEL_SCHEME)


def storage_uri(app: Flask) -> str:
    """Where the counters live: the explicit setting, else the app's Redis."""
    explicit = app.config.get("QUIZ_RATELIMIT_STORAGE_URL")
    if explicit:
        return str(explicit)
    url = app.config.get("QUIZ_REDIS_URL")
    if not url:
        assert redis_store.server is not None
        return f"redis+unix://{redis_store.server.socket}"
    cluster = bool(app.config.get("QUIZ_REDIS_CLUSTER"))
    return redis_spec(str(url), cluster=cluster).limiter_uri()


def account_request(app: Flask, endpoint: str, method: str, user_id: int) -> PendingCount | None:
    """The limit of ``endpoint`` for a request whose account is already known, served
    without Flask's request hooks (the answer lane, ``quiz/api/answer_lane.py``): the
    same rule, setting, counter and key as the hook.

    Counted with the request's own Redis command when it can: returns a
    ``PendingCount`` for ``play.save_answer`` to send with the board publish (one round
    trip for both) and to settle afterwards. A request this process already knows to
    be over the limit is refused at once (``RateLimited``: 429 with ``Retry-After``),
    before anything is written. Where the count cannot ride on the board script
    (counters in another Redis, a Redis Cluster where the account's counter and the
    contest's boards live in different slots, Sentinel, counting in memory during an
    outage) it is counted here, before the save, as the hook does (None is returned).
    Semantics, and why they are acceptable: docs/architecture.md, "Rate limits on the
    answer lane".

    Only one rule keyed by account that counts every request can be checked this way;
    anything else on the endpoint is a programming error (the lane would skip it).
    """
    counters = app.extensions.get("quiz_limiter")
    if counters is None:
        return None
    if redis_store.server is not None and not app.config.get("QUIZ_RATELIMIT_STORAGE_URL"):
        redis_store.client  # noqa: B018  (starts the embedded server on first use)
    rules = [rule for rule in LIMITS.get(endpoint, ()) if method in rule.methods]
    if not rules:
        return None
    if len(rules) > 1 or rules[0].key is not _account or rules[0].count_when is not None:
        raise RuntimeError(f"the rules of {endpoint} need Flask's request hook")
    rule = rules[0]
    item, key = limit_item(str(app.config[rule.setting])), account_key(user_id)
    pending = counters.pending(item, rule.scope, key)
    if pending.redis_key is None:
        pending.check()
        return None
    return pending


def count_account_request(app: Flask, endpoint: str, method: str, user_id: int) -> None:
    """The limit of ``endpoint`` for a request whose account is already known, counted
    now, before the work (a lane whose request publishes nothing to ride on: the board
    read, ``quiz/api/board_lane.py``; a view whose rule is ``counted_by_view``: the live
    answer, ``quiz/api/live.py``); ``RateLimited`` over the limit."""
    pending = account_request(app, endpoint, method, user_id)
    if pending is not None:
        pending.check()
