"""Allow-list contests: organizers list usernames (text or CSV); only those may join."""

from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import select

from quiz.accounts.models import Role
from quiz.contests.models import ContestInvite, Enrollment, Registration
from quiz.contests.services import enroll
from quiz.edge.client import Actor
from quiz.errors import Conflict, Forbidden, ValidationFailed
from quiz.extensions import db
from quiz.organizer import services
from tests.factories import log_in
from tests.organizer.conftest import audit_actions, count, zh


@pytest.fixture
def listed(world):
    contest = world["contest"]
    contest.registration = Registration.ALLOW_LIST
    db.session.commit()
    return contest


def test_listed_users_join_and_nobody_else(client, make, clock, organizer, listed):
    invited, outsider = make.user("Bat.Erdene"), make.user("stranger")
    log_in(client, organizer)
    response = client.post(
        f"/console/contests/{listed.id}/invites",
        data={"usernames": "bat.erdene\nnot-yet-registered, solongo"},
    )
    assert response.status_code == 302
    keys = set(db.session.scalars(select(ContestInvite.username_key)))
    assert keys == {"bat.erdene", "not-yet-registered", "solongo"}
    assert "contest.invites_add" in audit_actions(listed.id)

    enrollment, created = enroll(invited, listed, clock())  # "Bat.Erdene": case folded
    assert created and enrollment.user_id == invited.id
    with pytest.raises(Forbidden) as refused:
        enroll(outsider, listed, clock())
    assert refused.value.code == "not_invited"
    assert count(Enrollment) == 1

    # Whoever registers a listed name later is not admitted by it (issue 13) ...
    solongo = make.user("Solongo")
    with pytest.raises(Forbidden) as waiting:
        enroll(solongo, listed, clock())
    assert waiting.value.code == "not_invited"
    assert waiting.value.message._args[0].startswith("Your name is on the list, but")
    # ... until the organizer confirms this account on the list page.
    page = client.get(f"/console/contests/{listed.id}/invites").get_data(as_text=True)
    assert zh("no account yet") in page
    assert "solongo" in page and zh("Confirm") in page
    response = client.post(
        f"/console/contests/{listed.id}/invites/confirm", data={"username_key": "solongo"}
    )
    assert response.status_code == 302
    assert "contest.invite_confirm" in audit_actions(listed.id)
    assert enroll(solongo, listed, clock())[1] is True


def test_csv_upload_and_removal(client, make, clock, organizer, listed):
    log_in(client, organizer)
    csv_file = io.BytesIO("\ufeffusername\nnaran\ntuya\n\n".encode())
    response = client.post(
        f"/console/contests/{listed.id}/invites",
        data={"usernames": "", "file": (csv_file, "names.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert {i.username_key for i in services.invites(listed)} == {"naran", "tuya"}

    # Taken off the list: refused from then on.
    client.post(f"/console/contests/{listed.id}/invites/remove", data={"username_key": "tuya"})
    tuya = make.user("tuya")
    with pytest.raises(Forbidden):
        enroll(tuya, listed, clock())
    assert "contest.invite_remove" in audit_actions(listed.id)


def test_bad_names_are_refused_and_nothing_is_stored(client, organizer, listed):
    log_in(client, organizer)
    response = client.post(
        f"/console/contests/{listed.id}/invites", data={"usernames": "good-name\nbad name!\nx"}
    )
    assert response.status_code == 422
    assert "bad" in response.get_data(as_text=True)
    assert count(ContestInvite) == 0
    response = client.post(
        f"/console/contests/{listed.id}/invites",
        data={"file": (io.BytesIO(b"\xff\xfe\x00bad"), "names.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert count(ContestInvite) == 0
    with pytest.raises(ValidationFailed):
        services.add_invites(listed, [], Actor.of(organizer), listed.created_at)


def test_listing_twice_counts_once(organizer, clock, listed):
    first = services.add_invites(listed, ["naran", "Naran", "tuya"], Actor.of(organizer), clock())
    again = services.add_invites(listed, ["naran", "solongo"], Actor.of(organizer), clock())
    assert (first.added, first.already, first.without_account) == (2, 0, 2)
    assert (again.added, again.already) == (1, 1)
    assert count(ContestInvite) == 3


def test_an_open_contest_ignores_the_list(make, clock, world):
    contest = world["contest"]  # registration is open
    assert enroll(make.user("anyone"), contest, clock())[1] is True


def test_concurrent_joins_of_an_invited_user_make_one_enrollment(app, make, clock, listed):
    user = make.user("naran")
    services.add_invites(listed, ["naran"], Actor.of(user), clock())
    db.session.commit()  # the edge commits (services flush)
    user_id, contest_id = user.id, listed.id
    db.session.remove()
    barrier = threading.Barrier(8)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        with app.app_context():
            try:
                from quiz.accounts.models import User
                from quiz.contests.models import Contest

                me, contest = db.session.get(User, user_id), db.session.get(Contest, contest_id)
                contest.leagues  # noqa: B018 - load before the race
                db.session.commit()
                barrier.wait(timeout=30)
                enrollment, created = enroll(me, contest, clock())
                db.session.commit()  # the edge commits (here the thread)
                results.append((enrollment.id, created))
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len({enrollment_id for enrollment_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert count(Enrollment) == 1


def test_an_invite_withdrawn_before_the_insert_admits_nobody(make, clock, listed):
    """The invite check is part of the INSERT: the SQL alone refuses an unlisted user."""
    from quiz.contests.services import _enroll_if_invited

    user = make.user("naran")
    league = listed.leagues[0]
    assert db.session.scalar(_enroll_if_invited(user, listed, league.id, clock())) is None
    db.session.commit()
    assert count(Enrollment) == 0
    services.add_invites(listed, ["naran"], Actor.of(user), clock())
    assert db.session.scalar(_enroll_if_invited(user, listed, league.id, clock())) is not None
    db.session.commit()
    assert count(Enrollment) == 1


def test_an_invite_binds_the_account_that_had_the_name_when_listed(
    client, make, clock, organizer, listed
):
    """Issue 13: an invitation by username went to whoever registered that name later."""
    services.add_invites(listed, ["naran", "tuya"], Actor.of(organizer), clock())
    naran = make.user("naran")  # registered after the listing
    with pytest.raises(Forbidden):
        enroll(naran, listed, clock())
    tuya_invite = db.session.get(ContestInvite, (listed.id, "tuya"))
    assert tuya_invite.user_id is None

    # An account that exists when listed is bound at once; deleting it and registering
    # the name again does not carry the invitation over.
    bat = make.user("bat")
    services.add_invites(listed, ["bat"], Actor.of(organizer), clock())
    assert db.session.get(ContestInvite, (listed.id, "bat")).user_id == bat.id
    bat.username, bat.username_key = "deleted-x", "deleted-x"
    db.session.commit()
    impostor = make.user("Bat")
    with pytest.raises(Forbidden):
        enroll(impostor, listed, clock())
    assert enroll(bat, listed, clock())[1] is True

    # Confirming needs an account registered after the listing; nothing else.
    with pytest.raises(Conflict) as nothing:
        services.confirm_invite(listed, "tuya", Actor.of(organizer), clock())  # no account yet
    assert nothing.value.code == "nothing_to_confirm"
    with pytest.raises(Conflict):
        services.confirm_invite(listed, "bat", Actor.of(organizer), clock())  # bound already
    with pytest.raises(Conflict):
        services.confirm_invite(listed, "nobody", Actor.of(organizer), clock())  # not listed


def test_only_the_contests_organizers_confirm(client, make, clock, organizer, listed):
    services.add_invites(listed, ["naran"], Actor.of(organizer), clock())
    make.user("naran")
    for role in (Role.PARTICIPANT, Role.TEACHER, Role.ORGANIZER):  # not of this contest
        other = make.user(f"other-{role}", roles=(role,))
        log_in(client, other)
        response = client.post(
            f"/console/contests/{listed.id}/invites/confirm", data={"username_key": "naran"}
        )
        assert response.status_code == 403
        client.post("/logout")
    assert db.session.get(ContestInvite, (listed.id, "naran")).user_id is None
    client.post("/logout")
    response = client.post(
        f"/console/contests/{listed.id}/invites/confirm", data={"username_key": "naran"}
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
