"""A contest as the console sees it mid-season, built once through the services.

Two staff accounts, one reading Chinese and one Mongolian, organize the contest and teach
in its school: one open round with participants still playing and one closed and
published, with answers from participants of two leagues in both languages, a fast
(flagged) attempt, invites, a school with a class of pupils and an audit log with events.
Every console and school page then has something real to show.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from quiz.accounts.models import Role, User
from quiz.banks.models import Question, QuestionBank
from quiz.clock import utcnow
from quiz.contests.models import Contest, ContestOrganizer, League, Round
from quiz.contests.services import enroll
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.organizer import services as organizer
from quiz.play import services as play
from quiz.play.models import AttemptItem
from quiz.results import services as results
from quiz.schools import enrolling, roster
from quiz.schools import services as schools
from tests.browser.conftest import Site, draw_rule

STAFF_NAMES = {"zh": "王老师", "mn": "ᠪᠠᠲᠤ ᠪᠠᠭᠰᠢ"}
PLAYERS = (  # display name, county, language, questions right
    ("乌日娜", "150102", "zh", 4),
    ("ᠰᠠᠷᠠᠨᠭᠤᠸᠠ", "150102", "mn", 3),
    ("张伟", "150202", "zh", 1),
    ("ᠪᠠᠶᠠᠷ", "150202", "mn", 2),
    ("李娜", "150102", "zh", 0),
)
PUPILS = (("ᠲᠡᠮᠦᠵᠢᠨ", "S01", "mn"), ("刘洋", "S02", "zh"), ("ᠠᠨᠠᠷ", "S03", "mn"))


@dataclass
class ConsoleWorld:
    staff: dict[str, str]  # language -> username
    contest_id: int
    open_round_id: int
    closed_round_id: int
    bank_id: int
    question_id: int
    league_id: int
    school_id: int
    class_id: int
    student_id: int
    pages: list[tuple[str, str]] = field(default_factory=list)  # (name, url)


def _answer(user: User, round_: Round, language: str, right: int, finish: bool) -> None:
    attempt, _ = play.start_attempt(user, round_, language, utcnow())
    for no in range(1, attempt.question_count + 1):
        item = db.session.get(AttemptItem, (attempt.id, no))
        answer = db.session.get(Question, item.question_id).answer
        keys = sorted(play.display_key(item.option_order.index(key)) for key in answer)
        if no > right:
            keys = [k for k in "ABCD"[: len(item.option_order)] if k not in keys][:1]
        play.save_answer(attempt.id, user, no, keys, utcnow())
    if finish:
        play.finish_attempt(attempt, utcnow())
        db.session.commit()  # the edge commits (services flush)


def _roster_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(
        [["Name", "Student number", "Language"], *[list(row) for row in PUPILS]]
    )
    return out.getvalue().encode()


def build(site: Site) -> ConsoleWorld:
    make = site.make
    now = utcnow()
    with site.ctx():
        staff = {
            language: make.user(
                site.name(f"staff{language}"),
                roles=(Role.ORGANIZER, Role.TEACHER),
                language=language,
                display_name=STAFF_NAMES[language],
            )
            for language in ("zh", "mn")
        }
        bank = make.bank()
        contest = make.contest(
            organizer=staff["zh"],
            slug=site.name("console-"),
            title_zh="2026年内蒙古青少年科普知识竞赛",
            title_mn="ᠥᠪᠦᠷ ᠮᠣᠩᠭᠣᠯ ᠤᠨ ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ ᠤ ᠮᠡᠳᠡᠯᠭᠡ ᠶᠢᠨ ᠲᠡᠮᠴᠡᠭᠡᠨ",
            description_zh="面向全区中小学生的科学素养竞赛。",
            description_mn="ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ ᠤ ᠲᠡᠮᠴᠡᠭᠡᠨ",
        )
        db.session.add(ContestOrganizer(contest_id=contest.id, user_id=staff["mn"].id))
        rounds = {
            name: make.round(
                contest,
                bank,
                title_zh=title_zh,
                title_mn=title_mn,
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(days=1),
                draw_rule=draw_rule(2),
            )
            for name, title_zh, title_mn in (
                ("closed", "初赛", "ᠠᠩᠬᠠᠨ ᠤ ᠱᠠᠯᠭᠠᠯᠲᠠ"),
                ("open", "复赛", "ᠳᠠᠬᠢᠨ ᠱᠠᠯᠭᠠᠯᠲᠠ"),
            )
        }
        rounds["open"].focus_tracking = True
        db.session.commit()
        for index, (display, county, language, right) in enumerate(PLAYERS):
            user = make.user(
                site.name("player"), region_code=county, language=language, display_name=display
            )
            enroll(user, contest, utcnow())
            _answer(user, rounds["closed"], language, right, finish=True)
            _answer(user, rounds["open"], language, right, finish=index % 2 == 0)
        organizer.add_invites(
            contest, ["invited-one", "invited-two"], Actor.of(staff["zh"]), utcnow()
        )
        results.freeze(rounds["closed"], Actor.of(staff["zh"]), utcnow())
        results.close_round(rounds["closed"], Actor.of(staff["zh"]), utcnow())
        results.publish(rounds["closed"], Actor.of(staff["zh"]), utcnow())

        school = schools.create_school(
            Actor.of(staff["zh"]),
            name_zh="呼和浩特市第一中学",
            name_mn="ᠬᠥᠬᠡᠬᠣᠲᠠ ᠶᠢᠨ ᠨᠢᠭᠡᠳᠦᠭᠡᠷ ᠳᠤᠮᠳᠠ ᠰᠤᠷᠭᠠᠭᠤᠯᠢ",
            region_code="150102",
            now=utcnow(),
        )
        for user in staff.values():
            schools.add_teacher(
                Actor.of(staff["zh"]), school, now=utcnow(), existing_username=user.username
            )
        school_class = schools.create_class(
            Actor.of(staff["zh"]), school, grade=5, name="2", school_year=2026, now=utcnow()
        )
        db.session.commit()
        roster.import_roster(
            Actor.of(staff["zh"]), school_class.id, _roster_csv(), "list.csv", utcnow()
        )
        enrolling.enroll_class(Actor.of(staff["zh"]), school_class.id, contest.id, utcnow())
        students = schools.class_students(school_class)
        for _student, user in students[:2]:
            _answer(user, rounds["open"], user.language, 2, finish=True)
        league = db.session.scalar(
            select(League).where(League.contest_id == contest.id).order_by(League.position)
        )
        question = db.session.scalar(
            select(Question).where(Question.bank_id == bank.id).order_by(Question.id)
        )
        world = ConsoleWorld(
            staff={language: user.username for language, user in staff.items()},
            contest_id=contest.id,
            open_round_id=rounds["open"].id,
            closed_round_id=rounds["closed"].id,
            bank_id=bank.id,
            question_id=question.id,
            league_id=league.id,
            school_id=school.id,
            class_id=school_class.id,
            student_id=students[0][1].id,
        )
        assert db.session.get(QuestionBank, bank.id) and db.session.get(Contest, contest.id)
    return world


def console_pages(world: ConsoleWorld) -> list[tuple[str, str]]:
    """Every console and school page a GET shows: (a short name, its URL)."""
    c, ro, rc = world.contest_id, world.open_round_id, world.closed_round_id
    return [
        ("home", "/console"),
        ("contest-new", "/console/contests/new"),
        ("overview", f"/console/contests/{c}"),
        ("contest-edit", f"/console/contests/{c}/edit"),
        ("round-new", f"/console/contests/{c}/rounds/new"),
        ("round-edit", f"/console/rounds/{ro}/edit"),
        ("round-preview", f"/console/rounds/{ro}/preview"),
        ("leagues", f"/console/contests/{c}/leagues"),
        ("league-edit", f"/console/leagues/{world.league_id}/edit"),
        ("invites", f"/console/contests/{c}/invites"),
        ("organizers", f"/console/contests/{c}/organizers"),
        ("audit", f"/console/contests/{c}/audit"),
        ("banks", "/console/banks"),
        ("bank-new", "/console/banks/new"),
        ("bank", f"/console/banks/{world.bank_id}"),
        ("question", f"/console/banks/{world.bank_id}/questions/{world.question_id}"),
        ("bank-import", "/console/banks/import"),
        ("monitor-open", f"/console/rounds/{ro}/monitor"),
        ("monitor-closed", f"/console/rounds/{rc}/monitor"),
        ("flags", f"/console/rounds/{ro}/flags"),
        ("results", f"/console/rounds/{rc}/results"),
        ("items", f"/console/rounds/{rc}/items"),
        ("participation", f"/console/contests/{c}/participation?round={rc}"),
        ("schools", "/schools"),
        ("school", f"/schools/{world.school_id}"),
        ("class", f"/classes/{world.class_id}"),
        ("student", f"/students/{world.student_id}"),
        ("school-rankings", f"/contests/{c}/schools"),
    ]
