"""The live-game part of the OpenAPI document (merged by ``quiz.api.openapi``).

Kept apart so the live endpoints' schemas sit beside each other; the helpers, the error
table and the checks (tests/api/test_openapi.py) are the document's own.
"""

from __future__ import annotations

from typing import Any

from quiz.api.schema import (
    OPTION_KEY,
    SECURED,
    array,
    boolean,
    enum,
    errors,
    integer,
    json_body,
    nullable,
    obj,
    operation,
    path_id,
    ref,
    request_object,
    response,
    string,
)
from quiz.live.models import Phase

# (HTTP status, English message, when), as ``quiz.api.openapi.ERRORS``.
LIVE_ERRORS: dict[str, tuple[int, str, str]] = {
    "live_round": (
        409,
        "This round is played live: join the game with its PIN.",
        "the round's `mode` is `live`: it is played in a game (`/live-games`), not as an attempt",
    ),
    "not_organizer": (
        403,
        "Only this contest's organizers may do this.",
        "hosting needs an organizer of the game's contest (or an admin)",
    ),
    "not_live_round": (
        409,
        "This round is not played live: switch it to live first.",
        "games are made only from rounds whose `mode` is `live`",
    ),
    "live_game_not_found": (
        404,
        "No game is running with this PIN.",
        "no such game or PIN, or the caller is neither a player nor a host of it",
    ),
    "login_required": (
        400,
        "Log in to join this game.",
        "the game does not allow guests: join with a bearer token or a session",
    ),
    "game_finished": (409, "This game has ended.", "the game is over"),
    "stale_state": (
        409,
        "The game has moved on; here is where it is now.",
        "`seq` was sent and the game is no longer at that state (another host acted)",
    ),
    "cannot_pause": (409, "Only a running question can be paused.", "not in a question"),
    "not_paused": (409, "The game is not paused.", "resume without a pause"),
    "nothing_to_skip": (409, "There is no question left to skip.", "every question was shown"),
    "outside_window": (
        409,
        "This question is not open for answers now.",
        "the question is not the current one, its time (plus 2 s of grace) is up, or the "
        "game is paused",
    ),
    "already_answered": (
        409,
        "You have answered this question already.",
        "one answer per question: the first one counts",
    ),
}

LIVE_TAG = {
    "name": "live",
    "description": "Live games: a host paces a round's questions in a hall; players answer "
    "on their phones. Clients long-poll `state` (plain HTTPS, works in WeChat's browser).",
}

LIVE_TOKEN_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "X-Live-Token",
    "description": "A guest player's token from `POST /live-games/join` (guests have no "
    "account). Browsers that joined as guests are recognised by their session cookie.",
}


def live_schemas() -> dict[str, Any]:

    standing = obj(
        {
            "rank": integer(minimum=1),
            "player_id": integer(),
            "display_name": string(),
            "score": integer(minimum=0),
            "correct_count": integer("Questions answered fully right.", minimum=0),
            "time_used_ms": integer(
                "Answer time summed over the questions played (a question's whole time "
                "when not answered): the tie-break.",
                minimum=0,
            ),
        },
        description="A player's place: more points first, then less time, then user id.",
    )
    team = obj(
        {
            "rank": integer(minimum=1),
            "team": string("`league:ID`, `school:ID` or `custom:N`."),
            "name": string("In the caller's language."),
            "members": integer(minimum=1),
            "score": {"type": "number", "description": "The mean of the members' scores."},
        },
        description="A team on the team board.",
    )
    question = obj(
        {
            "no": integer("The question's number in the game, from 1.", minimum=1),
            "kind": string("`single`, `multiple` (several options) or `truefalse`."),
            "text": string("In the player's language."),
            "options": array(ref("Option"), "The same order for every player."),
            "media": array(ref("Picture"), "Pictures of the question (often none)."),
            "seconds": integer("The question's time.", minimum=1),
            "seconds_left": integer("On the server's clock; 0 once closed.", minimum=0),
        },
        required=["no", "kind", "text", "options", "media", "seconds", "seconds_left"],
        description="The question on screen. Never carries the answer key.",
    )
    return {
        "LiveGameCreated": obj(
            {
                "id": integer(),
                "pin": string("6 digits, unique among running games.", pattern="^[0-9]{6}$"),
                "phase": enum(Phase),
                "seq": integer(minimum=1),
                "question_count": integer(minimum=1),
            },
            description="A new game, in its lobby.",
        ),
        "LiveJoined": obj(
            {
                "game_id": integer(),
                "player_id": integer(),
                "phase": enum(Phase),
                "language": enum(["zh", "mn"]),
                "token": string(
                    "Guests only, once: send it as `X-Live-Token` with every later request."
                ),
            },
            required=["game_id", "player_id", "phase", "language"],
            description="The caller's player (the same one when they join again).",
        ),
        "LiveQuestion": question,
        "LiveStanding": standing,
        "LiveTeam": team,
        "LiveReveal": obj(
            {
                "correct": array(OPTION_KEY, "The right option(s)."),
                "distribution": {
                    "type": "object",
                    "additionalProperties": {"type": "integer", "minimum": 0},
                    "description": "How many players chose each option.",
                },
                "answered": integer(minimum=0),
                "explanation": string("In the caller's language; may be empty."),
            },
            description="Only in the `reveal` phase.",
        ),
        "LiveMe": obj(
            {
                "player_id": integer(),
                "display_name": string(),
                "score": integer("As of the last reveal.", minimum=0),
                "rank": nullable(integer("As of the last reveal.", minimum=1)),
                "last_correct": nullable(
                    boolean("The last revealed question; null if not answered.")
                ),
                "answered": nullable(boolean("Whether the current question is answered.")),
            },
            description="The caller's own standing (players only).",
        ),
        "LiveState": obj(
            {
                "game_id": integer(),
                "seq": integer("Send it back as `after` to wait for the next change.", minimum=1),
                "phase": enum(Phase),
                "paused": boolean(),
                "position": integer("The current question's place among those kept.", minimum=0),
                "question_count": integer("Questions not skipped.", minimum=0),
                "question": nullable(ref("LiveQuestion")),
                "reveal": nullable(ref("LiveReveal")),
                "players": integer(minimum=0),
                "answered": integer("Players who answered the current question.", minimum=0),
                "standings": array(ref("LiveStanding"), "The top 10 as of the last reveal."),
                "teams": nullable(array(ref("LiveTeam"))),
                "podium": integer("Places on the final podium.", minimum=3, maximum=10),
                "host": boolean("Whether the caller hosts the game."),
                "me": nullable(ref("LiveMe")),
                "recent_players": array(string(), "Hosts only: the latest names to join."),
            },
            required=[
                "game_id",
                "seq",
                "phase",
                "paused",
                "position",
                "question_count",
                "question",
                "reveal",
                "players",
                "answered",
                "standings",
                "teams",
                "podium",
                "host",
                "me",
            ],
            description=(
                "What a player or the host sees. The correct option appears only in the "
                "`reveal` phase; scores and ranks move only at reveals."
            ),
        ),
        "LiveResults": obj(
            {
                "game_id": integer(),
                "phase": enum(Phase),
                "finished": boolean(),
                "podium": array(ref("LiveStanding")),
                "ranking": array(ref("LiveStanding")),
                "teams": nullable(array(ref("LiveTeam"))),
            },
            description="The podium, the full ranking and the team board (final once "
            "`finished`; as of the last reveal before).",
        ),
        "LiveAccepted": obj({"accepted": {"const": True}}, description="Stored."),
    }


def live_paths() -> dict[str, Any]:

    game_id = path_id("game_id", "The game's id.")
    live_secured = [*SECURED, {"liveToken": []}]
    state_ok = response("The game's state as the caller sees it.", ref("LiveState"))

    def host_action(op_id: str, summary: str, description: str, *codes: str) -> dict[str, Any]:
        return {
            "post": operation(
                op_id,
                "live",
                summary,
                description + " Answers the host's new state. Hosts: the contest's "
                "organizers and admins.",
                {
                    "200": state_ok,
                    **errors(
                        "csrf_failed",
                        "unauthorized",
                        "not_organizer",
                        "live_game_not_found",
                        *codes,
                        "unavailable",
                    ),
                },
                login=True,
                parameters=[game_id],
            )
        }

    def live_op(*args: Any, **kwargs: Any) -> dict[str, Any]:
        op = operation(*args, login=True, **kwargs)
        op["security"] = live_secured
        return op

    advance = host_action(
        "advanceLiveGame",
        "Next phase",
        "lobby → question 1 → reveal → question 2 → … → finished. From a question it "
        "ends the question early (also when everyone has answered); a question also ends "
        "by itself when its time is up. `seconds` sets the next question's time.",
        "validation_failed",
        "game_finished",
        "stale_state",
    )
    advance["post"]["requestBody"] = json_body(
        request_object(
            {
                "seconds": nullable(integer("Time for the question opened now.", minimum=5)),
                "seq": nullable(integer("Act only if the game is still at this state.")),
            },
            [],
        ),
        {"seconds": 30},
        required=False,
    )
    return {
        "/live-games": {
            "post": operation(
                "createLiveGame",
                "live",
                "Create a live game",
                "A game of a live round (`mode` `live`), in its lobby with a PIN. The "
                "questions are drawn once by the round's draw rule (the same list for every "
                "player, each in their language), or `question_ids` from the round's bank.",
                {
                    "201": response("The new game.", ref("LiveGameCreated")),
                    **errors(
                        "invalid_json",
                        "csrf_failed",
                        "unauthorized",
                        "not_organizer",
                        "round_not_found",
                        "contest_not_found",
                        "not_live_round",
                        "round_not_open",
                        "round_closed",
                        "bank_too_small",
                        "validation_failed",
                        "unavailable",
                    ),
                },
                login=True,
                body=json_body(
                    request_object(
                        {
                            "round_id": integer(),
                            "speed_points": boolean("Faster right answers score more."),
                            "streaks": boolean("Right answers in a row score more."),
                            "teams": {
                                "description": "`none`, `league`, `school` or `custom` "
                                "(`true` means `league`).",
                                "type": ["string", "boolean"],
                            },
                            "team_names": array(string(), "Custom teams (2–20)."),
                            "podium": integer("Places on the podium.", minimum=3, maximum=10),
                            "allow_guests": boolean("People without an account may join."),
                            "seconds": integer("Time per question.", minimum=5, maximum=600),
                            "question_ids": array(integer(), "A hand-picked list."),
                        },
                        ["round_id"],
                    ),
                    {
                        "round_id": 7,
                        "speed_points": True,
                        "streaks": False,
                        "teams": "league",
                        "podium": 5,
                    },
                ),
            )
        },
        "/live-games/{game_id}/advance": advance,
        "/live-games/{game_id}/pause": host_action(
            "pauseLiveGame",
            "Pause",
            "Stops the question's clock; no answers meanwhile.",
            "cannot_pause",
        ),
        "/live-games/{game_id}/resume": host_action(
            "resumeLiveGame",
            "Resume",
            "The clock goes on with the time that was left.",
            "not_paused",
        ),
        "/live-games/{game_id}/skip": host_action(
            "skipLiveQuestion",
            "Skip a question",
            "During a question: drop it (its answers too) and open the next. Between "
            "questions: drop the next one unseen. A skipped question counts for nobody.",
            "game_finished",
            "nothing_to_skip",
        ),
        "/live-games/{game_id}/end": host_action(
            "endLiveGame",
            "End the game",
            "A running question is scored; questions not shown are dropped; the results "
            "go to the round's leaderboards.",
            "game_finished",
        ),
        "/live-games/join": {
            "post": operation(
                "joinLiveGame",
                "live",
                "Join a game",
                "With the PIN. Accounts (bearer token or session) join as themselves and "
                "are enrolled in the contest if needed; joining again returns the same "
                "player with their points. Where the game allows guests, a caller without an "
                "account joins with a `display_name` (the account name rules) and gets a "
                "`token`.",
                {
                    "200": response("The caller's player.", ref("LiveJoined")),
                    **errors(
                        "invalid_json",
                        "login_required",
                        "join_code_required",
                        "not_invited",
                        "live_game_not_found",
                        "no_league",
                        "game_finished",
                        "validation_failed",
                        "unavailable",
                    ),
                },
                login=False,
                body=json_body(
                    request_object(
                        {
                            "pin": string(pattern="^[0-9]{6}$"),
                            "display_name": string("Guests: the name shown."),
                            "language": string("`zh` or `mn`; default: the account's."),
                            "team": nullable(integer("Custom teams: the team's position.")),
                            "league_id": nullable(integer("Guests: their league.")),
                        },
                        ["pin"],
                    ),
                    {"pin": "042917", "display_name": "巴特尔"},
                ),
            )
        },
        "/live-games/{game_id}/state": {
            "get": live_op(
                "liveGameState",
                "live",
                "The game's state (long-poll)",
                "With `after=SEQ` the answer waits (up to 25 s for players, 1 s for hosts) "
                "until the game moves past that state, then answers at once; without it, at "
                "once. A player's answer time runs from the first answer that showed them the "
                "question.",
                {
                    "200": state_ok,
                    **errors("unauthorized", "live_game_not_found", "unavailable"),
                },
                parameters=[
                    game_id,
                    {
                        "name": "after",
                        "in": "query",
                        "required": False,
                        "description": "The `seq` the client has.",
                        "schema": {"type": "integer", "minimum": 0},
                    },
                ],
            )
        },
        "/live-games/{game_id}/answers/{no}": {
            "put": live_op(
                "answerLiveQuestion",
                "live",
                "Answer the open question",
                "Once per question, while it is open. The answer says nothing about being "
                "right: that comes with the reveal.",
                {
                    "200": response("Stored.", ref("LiveAccepted")),
                    **errors(
                        "invalid_json",
                        "csrf_failed",
                        "unauthorized",
                        "live_game_not_found",
                        "question_not_found",
                        "outside_window",
                        "already_answered",
                        "validation_failed",
                        "unavailable",
                    ),
                },
                parameters=[game_id, path_id("no", "The question's number in the game.")],
                body=json_body(
                    request_object({"choice": array(string(pattern="^[A-Z]$"))}, ["choice"]),
                    {"choice": ["B"]},
                ),
            )
        },
        "/live-games/{game_id}/results": {
            "get": live_op(
                "liveGameResults",
                "live",
                "Podium, ranking and team board",
                "Final once the game has ended; as of the last reveal before.",
                {
                    "200": response("The results.", ref("LiveResults")),
                    **errors("unauthorized", "live_game_not_found", "unavailable"),
                },
                parameters=[game_id],
            )
        },
    }
