"""Load the demo accounts, bank and contest (idempotent: safe to run on every start)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

import question_bank
from quiz.accounts.models import Role, User
from quiz.accounts.services import register_user, username_key
from quiz.banks.models import QuestionBank
from quiz.banks.services import import_bank
from quiz.contests.models import Contest, ReviewPolicy, RoundMode, Stage
from quiz.contests.services import add_round, create_contest
from quiz.extensions import db
from quiz.regions.services import sync_regions
from quiz.schools.models import School, SchoolClass, SchoolStudent, SchoolTeacher

DEMO_PASSWORD = "demo-password"
BANK_FILE = Path(question_bank.__file__).parent / "banks" / "science-literacy.yaml"
CONTEST_SLUG = "demo-science-literacy"
CATEGORIES = (
    "life-health",
    "earth-environment",
    "physics-energy",
    "technology-information",
    "scientific-method",
    "safety-emergency",
    "agriculture-herding",
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    roles: tuple[Role, ...]
    language: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "系统管理员", (Role.ADMIN,), "zh"),
    DemoAccount("organizer", "赛事组织者", (Role.ORGANIZER,), "zh"),
    DemoAccount("teacher", "科学老师", (Role.TEACHER,), "zh"),
    DemoAccount("student", "巴特尔", (Role.PARTICIPANT,), "mn"),
)


def load_demo(now: datetime) -> list[DemoAccount]:
    sync_regions(db.session.connection())
    db.session.flush()
    school = db.session.scalar(select(School).where(School.name_zh == "呼和浩特市第一中学"))
    if school is None:
        school = School(
            name_zh="呼和浩特市第一中学",
            name_mn="ᠬᠥᠬᠡᠬᠣᠲᠠ ᠶᠢᠨ ᠨᠢᠭᠡᠳᠦᠭᠡᠷ ᠳᠤᠮᠳᠠ ᠰᠤᠷᠭᠠᠭᠤᠯᠢ",
            region_code="150102",
        )
        db.session.add(school)
        db.session.flush()
    users = {}
    for account in DEMO_ACCOUNTS:
        user = db.session.scalar(
            select(User).where(User.username_key == username_key(account.username))
        )
        if user is None:
            user = register_user(
                username=account.username,
                password=DEMO_PASSWORD,
                display_name=account.display_name,
                region_code="150102",
                language=account.language,
                now=now,
                roles=account.roles,
            )
            if account.username in ("teacher", "student"):  # members: see _demo_class
                user.school_id = school.id
        users[account.username] = user
    _demo_class(school, users["teacher"], users["student"], now)
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "science-literacy"))
    if bank is None:
        bank, _, _ = import_bank(question_bank.load_bank(BANK_FILE), now)
    if db.session.scalar(select(Contest.id).where(Contest.slug == CONTEST_SLUG)) is None:
        contest = create_contest(
            slug=CONTEST_SLUG,
            title_zh="内蒙古公民科学素质大赛（演示）",
            title_mn="ᠥᠪᠦᠷ ᠮᠣᠩᠭᠣᠯ ᠤᠨ ᠢᠷᠭᠡᠳ ᠦᠨ ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ ᠤ ᠴᠢᠳᠠᠪᠤᠷᠢ ᠶᠢᠨ ᠲᠡᠮᠴᠡᠭᠡᠨ",
            description_zh="演示赛事：任何注册用户都可参加初赛，按盟市分组排名。",
            description_mn="ᠵᠢᠱᠢᠶ᠎ᠡ ᠲᠡᠮᠴᠡᠭᠡᠨ",
            starts_at=now - timedelta(days=1),
            now=now,
            created_by=users["organizer"],
        )
        add_round(
            contest,
            title_zh="初赛",
            title_mn="ᠠᠩᠬᠠᠨ ᠤ ᠱᠠᠯᠭᠠᠷᠠᠯᠲᠠ",
            stage=Stage.PRELIMINARY,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=60),
            time_limit_seconds=15 * 60,
            bank_id=bank.id,
            languages=["zh", "mn"],
            draw_rule=[{"count": 2, "category": c, "points": 10} for c in CATEGORIES],
            review_policy=ReviewPolicy.AFTER_FINISH,
        )
        add_round(
            contest,
            title_zh="复赛",
            title_mn="ᠳᠠᠬᠢᠨ ᠱᠠᠯᠭᠠᠷᠠᠯᠲᠠ",
            stage=Stage.SEMIFINAL,
            opens_at=now + timedelta(days=60),
            closes_at=now + timedelta(days=61),
            time_limit_seconds=20 * 60,
            bank_id=bank.id,
            languages=["zh"],
            draw_rule=[{"count": 3, "category": c, "points": 10} for c in CATEGORIES],
            review_policy=ReviewPolicy.AFTER_CLOSE,
        )
    _demo_live_round(now)
    return list(DEMO_ACCOUNTS)


LIVE_ROUND_TITLE = "现场赛"


def _demo_live_round(now: datetime) -> None:
    """A live round in the demo contest, ready for the demo organizer to host
    (console → the contest → 现场赛 → Live games); added to older demo data too."""
    contest = db.session.scalar(select(Contest).where(Contest.slug == CONTEST_SLUG))
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "science-literacy"))
    if contest is None or bank is None:
        return
    if any(r.mode == RoundMode.LIVE for r in contest.rounds):
        return
    round_ = add_round(
        contest,
        title_zh=LIVE_ROUND_TITLE,
        title_mn="ᠱᠤᠳᠤ ᠲᠡᠮᠴᠡᠭᠡᠨ",
        stage=Stage.FINAL,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=60),
        time_limit_seconds=30 * 60,
        bank_id=bank.id,
        languages=["zh", "mn"],
        draw_rule=[{"count": 2, "category": c, "points": 10} for c in CATEGORIES[:5]],
        review_policy=ReviewPolicy.AFTER_FINISH,
    )
    round_.mode = RoundMode.LIVE
    round_.question_seconds = 20
    db.session.flush()


def _demo_class(school: School, teacher: User, student: User, now: datetime) -> None:
    """The demo teacher teaches the demo student's class, so the school pages have data."""
    if db.session.get(SchoolTeacher, (school.id, teacher.id)) is None:
        db.session.add(SchoolTeacher(school_id=school.id, user_id=teacher.id, added_at=now))
    school_class = db.session.scalar(select(SchoolClass).where(SchoolClass.school_id == school.id))
    if school_class is None:
        school_class = SchoolClass(
            school_id=school.id, grade=8, name="2班", school_year=now.year, created_at=now
        )
        db.session.add(school_class)
        db.session.flush()
    if db.session.get(SchoolStudent, student.id) is None:
        db.session.add(
            SchoolStudent(
                user_id=student.id,
                school_id=school.id,
                class_id=school_class.id,
                student_number="2026001",
                created_at=now,
            )
        )
    db.session.flush()
