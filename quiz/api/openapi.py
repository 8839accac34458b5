"""The OpenAPI 3.1 description of API v1, served at ``/api/v1/openapi.json``.

Why hand-written dicts rather than a generator: the routes are plain Flask views with
hand-checked bodies, so there is no schema layer to introspect. Instead the enums and
limits below are imported from the modules that enforce them, so the document cannot
drift from the code on those, and ``tests/api/test_openapi.py`` checks that every route
is documented, every documented route exists, and the serializers' output matches the
schemas.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from question_bank import Kind
from quiz.accounts.models import Role
from quiz.accounts.services import DISPLAY_NAME_MAX, PASSWORD_MAX, PASSWORD_MIN, USERNAME_RE
from quiz.api.assessment_openapi import (
    ASSESSMENT_ERRORS,
    assessment_paths,
    assessment_schemas,
)
from quiz.api.literacy_openapi import LITERACY_ERRORS, literacy_paths, literacy_schemas
from quiz.api.live_openapi import LIVE_ERRORS, LIVE_TAG, LIVE_TOKEN_SCHEME, live_paths, live_schemas
from quiz.api.practice_openapi import (
    PRACTICE_ERRORS,
    PRACTICE_TAG,
    practice_paths,
    practice_schemas,
)
from quiz.api.schema import (
    ERRORS,
    LANGUAGE,
    OPTION_KEY,
    TEXT_SIZE,
    Schema,
    absent,
    array,
    boolean,
    enum,
    errors,
    integer,
    json_body,
    moment,
    names,
    nullable,
    obj,
    operation,
    path_id,
    ref,
    request_object,
    response,
    string,
)
from quiz.contests.models import (
    LeagueScheme,
    Registration,
    ReviewPolicy,
    RoundMode,
    RoundState,
    Stage,
)
from quiz.play.fairplay import FOCUS_LIMIT
from quiz.play.services import DEADLINE, SUBMITTED
from quiz.regions.models import COUNTY_LEVEL, LEAGUE_LEVEL

RANKING_RULE = (
    "Ranking: higher score first; equal scores rank by less time used, then by earlier "
    "finish (to the minute), then by user id, so every rank is distinct. The same rule "
    "orders the pages, the API, the exports and rebuilt leaderboards. An attempt still "
    "running is ranked live: its time used runs up to its latest saved answer."
)

# Every error code the API answers with: (HTTP status, English message, when). The
# message is an example; real messages follow `Accept-Language` or the user's setting.
ERRORS.update(LIVE_ERRORS)
ERRORS.update(PRACTICE_ERRORS)
ERRORS.update(ASSESSMENT_ERRORS)
ERRORS.update(LITERACY_ERRORS)


def _schemas(max_limit: int) -> dict[str, Schema]:
    review_fields = ["correct", "is_correct", "explanation", "points"]
    finished_fields = ["score", "max_score", "time_used_ms", "finished_at", "finish_reason"]
    return {
        "Names": obj(
            {"zh": string("Chinese."), "mn": string("Traditional-script Mongolian; may be empty.")},
            description="A name in both languages.",
        ),
        "Region": obj(
            {
                "code": string(
                    "GB/T 2260 administrative division code, e.g. `150100` 呼和浩特市, "
                    "`150102` 新城区.",
                    pattern=r"^\d{6}$",
                ),
                "name": names("The region's name."),
                "level": enum(
                    [LEAGUE_LEVEL, COUNTY_LEVEL],
                    f"`{LEAGUE_LEVEL}`: a 盟市 (the default league of a regional contest); "
                    f"`{COUNTY_LEVEL}`: a 旗县/市/区 (what a participant registers with).",
                ),
                "parent": nullable(string("The 盟市 code of a county; null for a 盟市.")),
                "mn_reviewed": boolean(
                    "False while the Mongolian name is machine-drafted and awaits review."
                ),
            },
            description="An administrative region of Inner Mongolia.",
        ),
        "School": obj(
            {"id": integer(), "name": names("The school's name.")},
            description="The school whose class list or teachers include the account.",
        ),
        "Preferences": obj({"text_size": TEXT_SIZE}, ["text_size"]),
        "User": obj(
            {
                "id": integer(),
                "username": string(),
                "display_name": string("The name shown on leaderboards."),
                "language": LANGUAGE,
                "region": nullable(ref("Region")),
                "school": nullable(ref("School")),
                "roles": array(enum(Role), "Sorted.", uniqueItems=True),
            },
            description="An account.",
        ),
        "League": obj(
            {
                "id": integer(),
                "code": string("Unique in the contest; a region code for regional leagues."),
                "kind": enum(LeagueScheme),
                "name": names("The league's name."),
            },
            description="A division of a contest with its own leaderboard.",
        ),
        "Round": obj(
            {
                "id": integer(),
                "stage": enum(Stage),
                "title": names("The round's title."),
                "opens_at": moment(),
                "closes_at": moment("Earlier than planned if an organizer closed it early."),
                "state": enum(RoundState, "At the time of the request."),
                "time_limit_seconds": integer(minimum=1),
                "question_count": integer(minimum=0),
                "languages": array(LANGUAGE, "Languages the round can be taken in."),
                "max_attempts": integer(minimum=1),
                "review_policy": enum(
                    ReviewPolicy,
                    "When the answer key is shown: `never`, `after_finish` (once the attempt "
                    "is finished; with `max_attempts` > 1 only once every attempt is used "
                    "and finished, or the round is closed), `after_close` (once finished "
                    "and the round is closed).",
                ),
                "live_scores": {
                    "type": "boolean",
                    "description": "Boards move with every answer and a given answer is "
                    "final (`answer_locked`); otherwise answers may change until hand-in and "
                    "an attempt enters the boards when it is finished.",
                },
                "mode": enum(
                    RoundMode,
                    "`self_paced`: each participant starts an attempt; `live`: a host "
                    "paces a game in a hall and participants join it with a PIN "
                    "(`/live-games`).",
                ),
            },
            description="A timed quiz of a contest.",
        ),
        "Contest": obj(
            {
                "id": integer(),
                "slug": string(),
                "title": names("The contest's title."),
                "description": names("The contest's description."),
                "league_scheme": enum(
                    LeagueScheme,
                    "How participants are divided: `region` and `school` assign the league "
                    "automatically; `age_group` and `custom` let the participant choose.",
                ),
                "registration": enum(Registration),
                "enrolled": boolean("Whether the caller is enrolled (false when anonymous)."),
                "league": nullable(ref("League")),
                "leagues": array(ref("League")),
                "rounds": array(ref("Round")),
            },
            description="A contest with its leagues and rounds; `league` is the caller's.",
        ),
        "Enrollment": obj(
            {"contest_id": integer(), "league": ref("League")},
            description="The caller's enrollment in a contest.",
        ),
        "Picture": obj(
            {
                "url": string("Content-addressed; cacheable for a year."),
                "alt": string("Alternative text (may be empty)."),
                "width": integer(minimum=1),
                "height": integer(minimum=1),
            },
            required=["url", "alt", "width", "height"],
            description="A picture of a question or of an option.",
        ),
        "Option": obj(
            {
                "key": OPTION_KEY,
                "text": string(),
                "media": array(ref("Picture"), "The option's pictures (often none)."),
            },
            required=["key", "text"],
            description="An answer option.",
        ),
        "Question": obj(
            {
                "no": integer("Position in the attempt, from 1.", minimum=1),
                "kind": enum(Kind, "`multiple` allows several options; others exactly one."),
                "text": string("In the attempt state's `language`."),
                "media": array(ref("Picture"), "Pictures of the question (often none)."),
                "options": array(ref("Option"), "In display order (shuffled per attempt)."),
                "correct": array(OPTION_KEY, "Answer key (review only)."),
                "is_correct": boolean(
                    "Whether the caller's answer earned full credit (review only)."
                ),
                "explanation": nullable(string("Why the key is right (review only).")),
                "blanks": integer("`fill` questions: how many blanks to answer.", minimum=1),
                "accepted": array(
                    array(string()),
                    "`fill` questions: each blank's accepted answers (review only).",
                ),
                "points": integer("Points the caller earned here (review only).", minimum=0),
            },
            required=["no", "kind", "text", "options"],
            description=(
                "A question as shown to the participant. The answer key fields `correct`, "
                "`is_correct`, `explanation` and `points` appear only when the attempt's "
                "`review` is true; otherwise they are absent."
            ),
        ),
        "AnswerState": obj(
            {
                "no": integer(minimum=1),
                "choice": array(OPTION_KEY, "Sorted; never empty."),
                "text": array(string(), "A `fill` question's texts, one per blank."),
            },
            required=["no"],
            description="A saved answer (unanswered questions are not listed).",
        ),
        "Attempt": obj(
            {
                "id": integer(),
                "round_id": integer(),
                "contest_id": integer(),
                "league_id": integer(),
                "attempt_no": integer("1 for the first attempt at the round.", minimum=1),
                "language": LANGUAGE,
                "state": enum(["active", "finished"]),
                "started_at": moment(),
                "deadline": moment(
                    "The server's deadline: start + time limit, capped at the round's close."
                ),
                "remaining_seconds": integer("0 once finished.", minimum=0),
                "question_count": integer(minimum=0),
                "answered_count": integer(minimum=0),
                "questions": array(ref("Question")),
                "answers": array(ref("AnswerState")),
                "review": boolean(
                    "Whether the answer key is revealed (see the round's `review_policy`); "
                    "only ever true for a finished attempt."
                ),
                "score": integer("Finished attempts only.", minimum=0),
                "max_score": integer("Finished attempts only.", minimum=0),
                "time_used_ms": integer("Finished attempts only.", minimum=0),
                "finished_at": moment("Finished attempts only."),
                "finish_reason": enum(
                    [SUBMITTED, DEADLINE, FOCUS_LIMIT],
                    f"Finished attempts only: `{SUBMITTED}` by the participant, `{DEADLINE}` "
                    f"closed by the server at the deadline, `{FOCUS_LIMIT}` handed in when "
                    "the page lost focus as often as the round allows.",
                ),
            },
            required=[
                "id",
                "round_id",
                "contest_id",
                "league_id",
                "attempt_no",
                "language",
                "state",
                "started_at",
                "deadline",
                "remaining_seconds",
                "question_count",
                "answered_count",
                "questions",
                "answers",
                "review",
            ],
            description=(
                "What the participant may see of an attempt. Resumable: fetch it again "
                "after a reconnect. The answer key (`correct`, `is_correct`, `explanation`, "
                "`points` on each question) appears only when `review` is true; the result "
                "fields (`score`, `max_score`, `time_used_ms`, `finished_at`, "
                "`finish_reason`) only when `state` is `finished`."
            ),
            allOf=[
                {
                    "if": {"properties": {"review": {"const": True}}, "required": ["review"]},
                    "then": {"properties": {"questions": {"items": {"required": review_fields}}}},
                    "else": {"properties": {"questions": {"items": absent(*review_fields)}}},
                },
                {
                    "if": {"properties": {"state": {"const": "finished"}}, "required": ["state"]},
                    "then": {"required": finished_fields},
                    "else": absent(*finished_fields),
                },
            ],
        ),
        "SavedAnswer": obj(
            {
                "no": integer(minimum=1),
                "choice": array(
                    string(),
                    "Option keys, sorted (a `fill` question: the texts per blank); empty "
                    "when the answer was cleared.",
                ),
                "answered_count": integer(minimum=0),
            },
            description="The stored answer and how many questions now have one.",
        ),
        "FinishResult": obj(
            {
                "score": integer(minimum=0),
                "max_score": integer(minimum=0),
                "time_used_ms": integer(minimum=0),
                "finish_reason": enum([SUBMITTED, DEADLINE, FOCUS_LIMIT]),
                "rank": nullable(integer("Place on the round's overall board.", minimum=1)),
                "league_rank": nullable(integer("Place in the caller's league.", minimum=1)),
            },
            description=(
                "The result of a finished attempt. Ranks are null while the leaderboard "
                f"is unavailable. {RANKING_RULE}"
            ),
        ),
        "FocusLosses": obj(
            {
                "count": integer("Times the quiz page lost focus in this attempt.", minimum=0),
                "limit": nullable(integer("The round's limit, if any.", minimum=1)),
                "finished": boolean("True when the limit handed the attempt in."),
            },
            description="The attempt's focus-loss count (切屏) after this report.",
        ),
        "LeaderboardEntry": obj(
            {
                "rank": integer(minimum=1),
                "display_name": string(),
                "league": string("The league's name in the caller's language; may be empty."),
                "league_id": nullable(integer()),
                "score": integer(minimum=0),
                "time_used_ms": integer(minimum=0),
            },
            description="One row of a leaderboard.",
        ),
        "LeaderboardMe": obj(
            {
                "rank": integer("The caller's place on this board.", minimum=1),
                "league_rank": nullable(
                    integer("The caller's place in their own league.", minimum=1)
                ),
                "score": integer(minimum=0),
                "time_used_ms": integer(minimum=0),
            },
            description="The caller's standing; null in `me` when they are not on the board.",
        ),
        "Leaderboard": obj(
            {
                "entries": array(
                    ref("LeaderboardEntry"), f"Best first, at most `limit` (1..{max_limit})."
                ),
                "me": nullable(ref("LeaderboardMe")),
                "total": integer("How many are on the board.", minimum=0),
                "stale": boolean(
                    "True while the live board is being rebuilt; entries may be incomplete."
                ),
                "frozen": boolean(
                    "True while the organizers have frozen this board: it shows the results "
                    "finished before the freeze, and `me` is the caller's place on it."
                ),
            },
            description=f"The top of a leaderboard and the caller's place. {RANKING_RULE}",
        ),
        "Token": obj(
            {
                "token": string("Send as `Authorization: Bearer <token>`."),
                "expires_at": moment(),
            },
            description="A bearer token for API clients.",
        ),
        "TokenInfo": obj(
            {
                "id": integer(minimum=1),
                "client": nullable(
                    string("The User-Agent of the app that asked for the token, if any.")
                ),
                "created_at": moment(),
                "expires_at": moment(),
                "current": boolean("The token of this request."),
            },
            description="A bearer token of the caller's (never its value).",
        ),
        "Error": obj(
            {
                "error": obj(
                    {
                        "code": string(
                            "Stable, for programs: "
                            + ", ".join(f"`{code}`" for code in ERRORS)
                            + "; other HTTP failures use `method_not_allowed`, `too_large`, "
                            "`unsupported_media_type`, `rate_limited`, `server_error`."
                        ),
                        "message": string("For people, in the caller's language."),
                        "fields": {
                            "type": "object",
                            "description": "With `validation_failed` only: each bad field's "
                            "problems, in the caller's language.",
                            "additionalProperties": array(string()),
                        },
                    },
                    required=["code", "message"],
                )
            },
            description="Every error response.",
        ),
        **live_schemas(),
        **practice_schemas(),
        **assessment_schemas(),
        **literacy_schemas(),
    }


def _components(max_limit: int) -> dict[str, Any]:
    board_params = {
        "League": {
            "name": "league",
            "in": "query",
            "required": False,
            "description": "Only this league of the contest (a league id); all leagues if absent.",
            "schema": {"type": "integer", "minimum": 0},
        },
        "Limit": {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": "How many entries to return.",
            "schema": {"type": "integer", "minimum": 1, "maximum": max_limit, "default": 10},
        },
        "IfNoneMatch": {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "The `ETag` of a board already held: 304 if it has not changed.",
            "schema": {"type": "string"},
        },
        "AcceptLanguage": {
            "name": "Accept-Language",
            "in": "header",
            "required": False,
            "description": "`zh*` or `mn*` picks the language of messages and names; "
            "otherwise the user's setting, then Chinese.",
            "schema": {"type": "string"},
            "example": "mn-Mong-CN",
        },
    }
    return {
        "schemas": _schemas(max_limit),
        "parameters": board_params,
        "headers": {
            "ETag": {"description": "Version of the board.", "schema": {"type": "string"}},
            "CacheControl": {"description": "Caching rule.", "schema": {"type": "string"}},
            "RetryAfter": {"description": "Seconds to wait.", "schema": {"type": "integer"}},
        },
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "A token from `POST /auth/token`. Needs no CSRF token.",
            },
            "cookieAuth": {
                "type": "apiKey",
                "in": "cookie",
                "name": "session",
                "description": "The browser's login session. Writes (POST, PUT) also need "
                "the page's CSRF token in an `X-CSRFToken` header.",
            },
            "liveToken": LIVE_TOKEN_SCHEME,
        },
    }


# --- paths ---------------------------------------------------------------------------


def _paths() -> dict[str, Any]:
    contest_id = path_id("contest_id", "A contest id.")
    round_id = path_id("round_id", "A round id.")
    attempt_id = path_id("attempt_id", "An id of one of the caller's attempts.")
    board_params = [
        {"$ref": "#/components/parameters/League"},
        {"$ref": "#/components/parameters/Limit"},
        {"$ref": "#/components/parameters/IfNoneMatch"},
    ]
    board_ok = {
        "200": response(
            "The board.", ref("Leaderboard"), ETag="ETag", **{"Cache-Control": "CacheControl"}
        ),
        "304": response("Unchanged since the `If-None-Match` ETag.", ETag="ETag"),
    }
    attempt_ok = response("The attempt state.", ref("Attempt"))
    return {
        "/openapi.json": {
            "get": operation(
                "getOpenApi",
                "meta",
                "This document",
                "The OpenAPI 3.1 description of API v1.",
                {"200": response("This document.", {"type": "object"})},
                login=False,
            )
        },
        "/regions": {
            "get": operation(
                "listRegions",
                "regions",
                "List regions",
                "The 盟市 and their 旗县/市/区, in display order. Cacheable for an hour.",
                {
                    "200": response(
                        "The regions.",
                        obj({"regions": array(ref("Region"))}),
                        **{"Cache-Control": "CacheControl"},
                    ),
                    **errors("unavailable"),
                },
                login=False,
            )
        },
        "/auth/register": {
            "post": operation(
                "register",
                "auth",
                "Create an account",
                "Registers a participant. Then get a token with `POST /auth/token`.",
                {
                    "201": response("The new user.", ref("User")),
                    **errors(
                        "invalid_json",
                        "csrf_failed",
                        "validation_failed",
                        "rate_limited",
                        "unavailable",
                    ),
                },
                login=False,
                body=json_body(
                    request_object(
                        {
                            "username": string(
                                "3 to 32 letters, digits, dots, hyphens or underscores; "
                                "unique ignoring case.",
                                pattern=USERNAME_RE.pattern,
                            ),
                            "password": string(minLength=PASSWORD_MIN, maxLength=PASSWORD_MAX),
                            "display_name": string(minLength=1, maxLength=DISPLAY_NAME_MAX),
                            "region_code": string(
                                "A 旗县/市/区-level code from `GET /regions`.",
                                pattern=r"^\d{6}$",
                            ),
                            "language": LANGUAGE,
                            "school_id": nullable(
                                integer(
                                    "Refused unless null: a school adds its pupils from its "
                                    "class lists (422 `validation_failed`)."
                                )
                            ),
                        },
                        ["username", "password", "display_name", "region_code", "language"],
                    ),
                    {
                        "username": "bat_erdene",
                        "password": "correct horse",
                        "display_name": "巴特尔",
                        "region_code": "150102",
                        "language": "mn",
                    },
                ),
            )
        },
        "/auth/token": {
            "post": operation(
                "issueToken",
                "auth",
                "Get a bearer token",
                "Exchanges a username and password for a bearer token. Accounts with "
                "two-factor login also send `otp`: the 6 digits their app shows now (each "
                "code works once) or one of their recovery codes.",
                {
                    "200": response("A new token.", ref("Token")),
                    **errors(
                        "invalid_json",
                        "csrf_failed",
                        "invalid_credentials",
                        "two_factor_required",
                        "invalid_otp",
                        "password_change_required",
                        "two_factor_setup_required",
                        "validation_failed",
                        "rate_limited",
                        "unavailable",
                    ),
                },
                login=False,
                body=json_body(
                    request_object(
                        {
                            "username": string(),
                            "password": string(),
                            "otp": string(
                                "Two-factor accounts only: the current TOTP code or a "
                                "recovery code."
                            ),
                        },
                        ["username", "password"],
                    ),
                    {"username": "bat_erdene", "password": "correct horse"},
                ),
            ),
            "delete": operation(
                "revokeToken",
                "auth",
                "Log this app out",
                "Revokes the bearer token of this request: it stops working at once, on "
                "every server. Other tokens of the account stay valid.",
                {
                    "204": response("Revoked."),
                    **errors("no_bearer_token", "csrf_failed", "unauthorized", "unavailable"),
                },
                login=True,
            ),
        },
        "/auth/tokens": {
            "get": operation(
                "listTokens",
                "auth",
                "The caller's tokens",
                "Every bearer token of the account that still works, newest first: one per "
                "app or device that logged in. Token values are never shown (only their "
                "hashes are stored); `current` marks the token of this request.",
                {
                    "200": response("The tokens.", obj({"tokens": array(ref("TokenInfo"))})),
                    **errors("unauthorized", "unavailable"),
                },
                login=True,
            )
        },
        "/auth/tokens/{token_id}": {
            "delete": operation(
                "revokeTokenById",
                "auth",
                "Revoke one of the caller's tokens",
                "Logs another app or device of the account out.",
                {
                    "204": response("Revoked."),
                    **errors("csrf_failed", "unauthorized", "token_not_found", "unavailable"),
                },
                login=True,
                parameters=[path_id("token_id", "An id from `GET /auth/tokens`.")],
            )
        },
        "/me": {
            "get": operation(
                "getMe",
                "auth",
                "The caller",
                "The logged-in user with region, school, language and roles.",
                {
                    "200": response("The user.", ref("User")),
                    **errors("unauthorized", "unavailable"),
                },
                login=True,
            )
        },
        "/me/preferences": {
            "get": operation(
                "getPreferences",
                "auth",
                "The caller's reading preferences",
                "The text size the pages use for this account (`standard`, `large`, "
                "`larger`); an app may follow it too.",
                {
                    "200": response("The preferences.", ref("Preferences")),
                    **errors("unauthorized", "unavailable"),
                },
                login=True,
            ),
            "put": operation(
                "setPreferences",
                "auth",
                "Change the caller's reading preferences",
                "Sets the fields given; the web pages follow at once.",
                {
                    "200": response("The preferences now.", ref("Preferences")),
                    **errors(
                        "invalid_json",
                        "csrf_failed",
                        "unauthorized",
                        "validation_failed",
                        "unavailable",
                    ),
                },
                login=True,
                body=json_body(
                    request_object({"text_size": TEXT_SIZE}, []), {"text_size": "larger"}
                ),
            ),
        },
        "/contests": {
            "get": operation(
                "listContests",
                "contests",
                "List contests",
                "Published contests, newest first, with their leagues and rounds. Public; "
                "with credentials it also shows the caller's enrollment and, to organizers, "
                "their unpublished contests.",
                {
                    "200": response("The contests.", obj({"contests": array(ref("Contest"))})),
                    **errors("unavailable"),
                },
                login=False,
            )
        },
        "/contests/{contest_id}/enrollment": {
            "post": operation(
                "enroll",
                "contests",
                "Enroll in a contest",
                "Idempotent: 201 when enrolled now, 200 with the same league when already "
                "enrolled. `league_id` is needed only where the participant chooses "
                "(`age_group`, `custom` with several leagues); `join_code` only for "
                "contests with `registration` `join_code`. The body may be empty.",
                {
                    "200": response("Already enrolled.", ref("Enrollment")),
                    "201": response("Enrolled.", ref("Enrollment")),
                    **errors(
                        "invalid_json",
                        "csrf_failed",
                        "unauthorized",
                        "join_code_required",
                        "not_invited",
                        "contest_not_found",
                        "no_league",
                        "validation_failed",
                        "rate_limited",
                        "unavailable",
                    ),
                },
                login=True,
                parameters=[contest_id],
                body=json_body(
                    request_object(
                        {"league_id": nullable(integer()), "join_code": nullable(string())}, []
                    ),
                    {"league_id": 3},
                    required=False,
                ),
            )
        },
        "/rounds/{round_id}/attempts": {
            "post": operation(
                "startAttempt",
                "play",
                "Start (or resume) an attempt",
                "201 with a new attempt; 200 with the caller's existing one: the attempt "
                "still running, or the last one once `max_attempts` is used up. The server "
                "sets the deadline; `remaining_seconds` counts down to it.",
                {
                    "200": response("The caller's existing attempt.", ref("Attempt")),
                    "201": response("A new attempt.", ref("Attempt")),
                    **errors(
                        "invalid_json",
                        "csrf_failed",
                        "unauthorized",
                        "not_enrolled",
                        "round_not_found",
                        "contest_not_found",
                        "round_not_open",
                        "round_closed",
                        "live_round",
                        "bank_too_small",
                        "validation_failed",
                        "unavailable",
                    ),
                },
                login=True,
                parameters=[round_id],
                body=json_body(
                    request_object(
                        {"language": {**LANGUAGE, "description": "One of the round's languages."}},
                        ["language"],
                    ),
                    {"language": "mn"},
                ),
            )
        },
        "/attempts/{attempt_id}": {
            "get": operation(
                "getAttempt",
                "play",
                "An attempt's state",
                "The same state as when starting, for resuming after a reconnect. An "
                "attempt left open past its deadline is finished first.",
                {
                    "200": attempt_ok,
                    **errors("unauthorized", "attempt_not_found", "live_round", "unavailable"),
                },
                login=True,
                parameters=[
                    attempt_id,
                    {
                        "name": "language",
                        "in": "query",
                        "required": False,
                        "description": "Show the questions in this language instead of the "
                        "attempt's; ignored unless the round offers it.",
                        "schema": LANGUAGE,
                    },
                ],
            )
        },
        "/attempts/{attempt_id}/answers/{no}": {
            "put": operation(
                "saveAnswer",
                "play",
                "Save an answer",
                "Stores the choice for question `no`, replacing any earlier one "
                "(idempotent); an empty list clears it. Accepted until the deadline plus a "
                "few seconds of grace for network delay; 409 after that or once finished.",
                {
                    "200": response("Saved.", ref("SavedAnswer")),
                    **errors(
                        "invalid_json",
                        "csrf_failed",
                        "unauthorized",
                        "attempt_not_found",
                        "live_round",
                        "question_not_found",
                        "deadline_passed",
                        "attempt_finished",
                        "answer_locked",
                        "validation_failed",
                        "rate_limited",
                        "unavailable",
                    ),
                },
                login=True,
                parameters=[attempt_id, path_id("no", "The question's `no`.")],
                body=json_body(
                    {
                        **request_object(
                            {
                                "choice": array(
                                    OPTION_KEY,
                                    "Option keys as displayed; exactly one unless the question "
                                    "is `multiple`; empty to clear.",
                                    uniqueItems=True,
                                ),
                                "text": array(
                                    string(maxLength=200),
                                    "A `fill` question's answer: one text per blank (at most "
                                    "`blanks`); all empty to clear.",
                                ),
                            },
                            [],
                        ),
                        "oneOf": [{"required": ["choice"]}, {"required": ["text"]}],
                    },
                    {"choice": ["B"]},
                ),
            )
        },
        "/attempts/{attempt_id}/finish": {
            "post": operation(
                "finishAttempt",
                "play",
                "Finish an attempt",
                "Idempotent: finishing again returns the same result. No body. Past the "
                "deadline (plus grace) the attempt closes at the deadline.",
                {
                    "200": response("The result.", ref("FinishResult")),
                    **errors(
                        "csrf_failed",
                        "unauthorized",
                        "attempt_not_found",
                        "live_round",
                        "contest_not_found",
                        "unavailable",
                    ),
                },
                login=True,
                parameters=[attempt_id],
            )
        },
        "/attempts/{attempt_id}/focus-losses": {
            "post": operation(
                "reportFocusLoss",
                "play",
                "Report that the quiz lost focus (切屏)",
                "For rounds that record it: the client reports each time the quiz screen is "
                "hidden or loses focus. Repeats within one second count once. At the "
                "round's limit the attempt is handed in, if the round says so. No body.",
                {
                    "200": response("The count after this report.", ref("FocusLosses")),
                    **errors(
                        "csrf_failed",
                        "unauthorized",
                        "attempt_not_found",
                        "live_round",
                        "attempt_finished",
                        "focus_not_recorded",
                        "unavailable",
                    ),
                },
                login=True,
                parameters=[attempt_id],
            )
        },
        "/rounds/{round_id}/leaderboard": {
            "get": operation(
                "roundLeaderboard",
                "leaderboards",
                "A round's leaderboard",
                f"The top of the round's board. {RANKING_RULE} Supports `If-None-Match`.",
                {
                    **board_ok,
                    **errors(
                        "unauthorized",
                        "round_not_found",
                        "contest_not_found",
                        "validation_failed",
                        "unavailable",
                    ),
                },
                login=True,
                parameters=[round_id, *board_params],
            )
        },
        "/contests/{contest_id}/leaderboard": {
            "get": operation(
                "contestLeaderboard",
                "leaderboards",
                "A contest's leaderboard",
                "The same as a round's board, with scores and times summed over the "
                f"contest's rounds. {RANKING_RULE} Supports `If-None-Match`.",
                {
                    **board_ok,
                    **errors(
                        "unauthorized", "contest_not_found", "validation_failed", "unavailable"
                    ),
                },
                login=True,
                parameters=[contest_id, *board_params],
            )
        },
        **live_paths(),
        **practice_paths(),
        **assessment_paths(),
        **literacy_paths(),
    }


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document, built once per process (callers must not mutate it)."""
    # Imported here: routes imports this module, so a module-level import would be circular.
    from quiz.api.routes import MAX_LIMIT

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Quiz contest API",
            "version": "1",
            "summary": "Science-literacy quiz contests in Chinese and traditional Mongolian.",
            "description": (
                "JSON API v1 for mobile and mini-program clients. Authenticate with "
                "`Authorization: Bearer <token>` from `POST /auth/token`. Every error is "
                '`{"error": {"code", "message", "fields"?}}` with the fitting HTTP status; '
                "the message follows `Accept-Language` (`zh*`, `mn*`) or the user's "
                "setting. Times are UTC ISO 8601 with milliseconds. " + RANKING_RULE
            ),
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": "/api/v1"}],
        "tags": [
            {"name": "meta", "description": "This description."},
            {"name": "regions", "description": "Reference data."},
            {"name": "auth", "description": "Accounts and tokens."},
            {"name": "contests", "description": "Contests and enrollment."},
            {"name": "play", "description": "Taking a round."},
            {"name": "leaderboards", "description": "Live rankings."},
            LIVE_TAG,
            PRACTICE_TAG,
        ],
        "paths": _paths(),
        "components": _components(MAX_LIMIT),
    }
