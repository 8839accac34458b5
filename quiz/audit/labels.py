"""What the audit log pages show instead of the stored names: the reader's words.

Events are stored with stable machine names (``round.update``, ``certificates.export``)
and snapshots with field names (``frozen_at``); people read them through this catalog.
Every event name the code records must have a label here, and every field name a
snapshot can hold: ``tests/audit/test_labels.py`` reads the code for both.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from quiz.dates import format_moment
from quiz.i18n import current_language

ACTIONS = {
    # Contests, leagues, rounds (the organizer console)
    "contest.create": _l("Contest created"),
    "contest.update": _l("Contest changed"),
    "contest.join_code": _l("New join code"),
    "contest.organizer_add": _l("Organizer added"),
    "contest.organizer_remove": _l("Organizer removed"),
    "contest.invites_add": _l("Names added to the list"),
    "contest.invite_remove": _l("Name taken off the list"),
    "contest.invite_confirm": _l("Invited account confirmed"),
    "league.create": _l("League added"),
    "league.update": _l("League changed"),
    "league.delete": _l("League removed"),
    "league.preset": _l("Ready-made leagues added"),
    "round.create": _l("Round created"),
    "round.update": _l("Round changed"),
    "round.mode": _l("How the round is played changed"),
    "round.fair_play": _l("Fair-play settings changed"),
    "round.freeze": _l("Leaderboards frozen"),
    "round.unfreeze": _l("Leaderboards unfrozen"),
    "round.close": _l("Round closed"),
    "round.extra_time_grant": _l("Extra time granted"),
    "round.extra_time_revoke": _l("Extra time taken back"),
    "round.publish": _l("Results published"),
    # Exports (quiz/results/routes.py: "<what>.export")
    "results.export": _l("Results exported"),
    "participation.export": _l("Participation exported"),
    "certificates.export": _l("Certificates printed"),
    # Live games
    "live.create": _l("Live game created"),
    "live.advance": _l("Live game: next step"),
    "live.pause": _l("Live game paused"),
    "live.resume": _l("Live game resumed"),
    "live.skip": _l("Live game: question skipped"),
    "live.end": _l("Live game ended"),
    # Question banks
    "bank.create": _l("Question bank created"),
    "bank.import": _l("Questions imported"),
    "question.update": _l("Question changed"),
    "question.retire": _l("Question retired"),
    "question.unretire": _l("Question brought back"),
    "question.reserve": _l("Question reserved for contests"),
    "question.unreserve": _l("Question released for practice"),
    "question.picture_add": _l("Picture added to a question"),
    "question.picture_remove": _l("Picture removed from a question"),
    # Schools
    "school.create": _l("School created"),
    "school.teacher_add": _l("Teacher added"),
    "school.class_create": _l("Class created"),
    "school.roster_import": _l("Class list imported"),
    "school.class_enroll": _l("Class enrolled in a contest"),
    "school.class_passwords_reset": _l("Passwords of a class reset"),
    "student.password_reset": _l("Student's password reset"),
    "student.delete_data": _l("Student's data deleted"),
    # Accounts and administration
    "user.create": _l("Account created"),
    "user.role_grant": _l("Role granted"),
    "user.role_revoke": _l("Role revoked"),
    "user.enable": _l("Account enabled"),
    "user.disable": _l("Account disabled"),
    "user.password_reset": _l("Password reset"),
    "user.password_reset_by_mail": _l("Password reset by e-mail"),
    "region.update": _l("Region name changed"),
    "settings.two_factor_roles": _l("Two-factor login requirement changed"),
}

OBJECT_TYPES = {
    "contest": _l("Contest"),
    "league": _l("League"),
    "round": _l("Round"),
    "live_game": _l("Live game"),
    "bank": _l("Question bank"),
    "question": _l("Question"),
    "school": _l("School"),
    "school_class": _l("Class"),
    "user": _l("Account"),
    "region": _l("Region"),
    "setting": _l("Setting"),
}

FIELDS = {
    # Contests
    "slug": _l("Short name for links"),
    "title_zh": _l("Chinese title"),
    "title_mn": _l("Mongolian title"),
    "description_zh": _l("Description (Chinese)"),
    "description_mn": _l("Description (Mongolian)"),
    "starts_at": _l("Starts at"),
    "published": _l("Published"),
    "league_scheme": _l("Leagues"),
    "registration": _l("Who may join"),
    "join_code": _l("Join code"),
    "organizer": _l("Organizer"),
    "added": _l("Added"),
    "usernames": _l("Usernames"),
    "username": _l("Username"),
    # Leagues
    "code": _l("Code"),
    "kind": _l("Kind"),
    "name_zh": _l("Chinese name"),
    "name_mn": _l("Mongolian name"),
    "region_code": _l("Region"),
    "school_id": _l("School"),
    "position": _l("Position"),
    "preset": _l("Ready-made set"),
    "codes": _l("Codes"),
    # Rounds
    "stage": _l("Stage"),
    "opens_at": _l("Opens at"),
    "closes_at": _l("Closes at"),
    "time_limit_seconds": _l("Time limit (seconds)"),
    "bank_id": _l("Question bank"),
    "draw_rule": _l("Questions to draw"),
    "languages": _l("Languages"),
    "max_attempts": _l("Attempts allowed"),
    "review_policy": _l("Show answers and explanations"),
    "partial_credit": _l("Partial credit for multiple choice"),
    "live_scores": _l("Live scores (answers are final once given)"),
    "points_by_difficulty": _l("Points by difficulty"),
    "speed_bonus": _l("Speed bonus"),
    "certificate_min_points": _l("Minimum score for a certificate"),
    "mode": _l("How the round is played"),
    "question_seconds": _l("Seconds per question"),
    "extra_minutes": _l("Extra minutes"),
    "reason": _l("Reason"),
    "focus_tracking": _l("Count leaving the page"),
    "focus_limit": _l("Times leaving the page allowed"),
    "focus_auto_finish": _l("Finish the attempt at that limit"),
    "flag_median_seconds": _l("Median seconds"),
    "flag_fast_answers": _l("Fast answers"),
    "frozen_at": _l("Leaderboards frozen at"),
    "closed_at": _l("Closed at"),
    "published_at": _l("Results published at"),
    # Exports
    "format": _l("Format"),
    "league_id": _l("League"),
    "round_id": _l("Round"),
    "rows": _l("Rows"),
    "top": _l("Top places per league"),
    # Live games
    "questions": _l("Questions"),
    "speed_points": _l("Speed points"),
    "streaks": _l("Streaks"),
    "teams": _l("Teams"),
    "podium": _l("Places on the podium"),
    "allow_guests": _l("Guests allowed"),
    "seconds": _l("Seconds per question"),
    "phase": _l("State"),
    "question_no": _l("Question number"),
    "voided": _l("Question skipped"),
    # Question banks
    "bank": _l("Question bank"),
    "file": _l("File"),
    "sha256": _l("File fingerprint (SHA-256)"),
    "updated": _l("Updated"),
    "skipped": _l("Skipped"),
    "revision": _l("Revision"),
    "category": _l("Category"),
    "difficulty": _l("Difficulty"),
    "answer": _l("Correct answer"),
    "option_keys": _l("Options"),
    "retired": _l("Retired"),
    "zh": _l("Chinese"),
    "mn": _l("Mongolian"),
    # Schools
    "created": _l("Created"),
    "unchanged": _l("Unchanged"),
    "new_account": _l("New account"),
    "grade": _l("Grade"),
    "name": _l("Name"),
    "school_year": _l("School year"),
    "count": _l("Count"),
    "contests": _l("Contests"),
    "enrolled": _l("Enrolled"),
    "already": _l("Enrolled before"),
    # Accounts and administration
    "roles": _l("Roles"),
    "one_time": _l("One-time password"),
    "active": _l("Active"),
    "mn_reviewed": _l("Reviewed by a native speaker"),
    "user_id": _l("Account"),
    # Question banks: imports that change stored questions, pictures
    "changed": _l("Changed questions"),
    "declined": _l("Changes not taken"),
    "picture": _l("Picture"),
    "option": _l("Option"),
    "alt": _l("Alternative text"),
}


def action_label(action: str) -> str:
    """An event's name for people; an unknown one (a bug the tests catch) shows as stored."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def object_label(object_type: str) -> str:
    label = OBJECT_TYPES.get(object_type)
    return str(label) if label is not None else object_type


def field_label(name: str) -> str:
    label = FIELDS.get(name)
    return str(label) if label is not None else name


def value_text(value: Any) -> str:
    """A snapshot value for people: yes/no, lists, moments in the contests' zone."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str):
        return format_moment(value)  # a moment (kept as ISO text) in the contests' zone
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        separator = "᠂ " if current_language() == "mn" else "、"
        return separator.join(value_text(v) for v in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
