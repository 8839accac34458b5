"""Schemathesis against ``/api/v1/openapi.json``, in-process on the WSGI app.

Every documented operation gets generated requests (valid and invalid ones) as a
participant with a bearer token, enrolled and with an attempt running, so ids 1, 2, ...
hit real objects as well as missing ones. Every response must be no server error and
must match the document: status code documented, body and headers as declared.
Bounded: a fixed number of examples per operation, well under a minute in all.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import ignored_auth, positive_data_acceptance
from schemathesis.core.failures import FailureGroup

from quiz.play import services as play
from tests.factories import issue_token

EXAMPLES = 25
# Why the one excluded check is left out: see ``run`` below.


def test_no_server_error_and_no_response_off_the_spec(app: Any, client: Any, make: Any, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    play.start_attempt(user, round_, "zh", clock())
    token, _ = issue_token(user, clock(), 1)
    headers = {"Authorization": f"Bearer {token}"}
    # Revoking tokens (DELETE /auth/token, /auth/tokens/{id}) runs as another account, so
    # the participant's token lives through the run; each such case gets a token of its own.
    revoker = make.user("revoker")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            auth = headers
            if case.method.upper() == "DELETE":
                auth = {"Authorization": f"Bearer {issue_token(revoker, clock(), 1)[0]}"}
            response = case.call(headers=auth)
            try:
                # Left out: schema-valid data may still break a business rule (a password
                # equal to the username, an unknown county), a documented 422; and
                # "ignored auth" re-sends with a made-up cookie *beside* our valid bearer
                # token, which rightly passes (either scheme suffices). Requests without
                # any credentials get 401 on every route: the access matrix proves it.
                case.validate_response(
                    response, excluded_checks=[positive_data_acceptance, ignored_auth]
                )
            except (AssertionError, FailureGroup) as exc:
                failures.append(f"{case.method} {case.formatted_path}: {exc}"[:2000])

        run()
    assert operations >= 10
    assert failures == [], "\n\n".join(failures[:5])


def test_ids_and_numbers_beyond_the_columns_are_refused_not_500(client, make, clock):
    """What the fuzzing found: huge ids overflowed the driver, "²" passed isdigit()."""
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    token, _ = issue_token(user, clock(), 1)
    bearer = {"Authorization": f"Bearer {token}"}
    huge = 2**63
    assert client.get(f"/api/v1/attempts/{huge}", headers=bearer).status_code == 404
    assert client.get(f"/contests/{huge}").status_code == 404
    enrol = client.post(
        f"/api/v1/contests/{contest.id}/enrollment", json={"league_id": huge}, headers=bearer
    )
    assert enrol.status_code == 422
    board = f"/api/v1/rounds/{round_.id}/leaderboard"
    assert client.get(board + "?limit=²", headers=bearer).status_code == 422
    assert client.get(board + "?league=²", headers=bearer).status_code == 422
    from tests.factories import log_in

    log_in(client, user)
    assert client.get(f"/rounds/{round_.id}/leaderboard?league=²").status_code == 200
