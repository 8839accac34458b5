"""Results console: monitor, freeze, close, publish, results, participation, items.

Every route is for the contest's organizers (``contest_organizer_required``: admins and
that contest's organizers). Routes parse the request and call one service; exports are
recorded in the audit log (they carry personal data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from question_bank.formats import spreadsheet
from quiz.accounts.access import login_required
from quiz.audit.services import record
from quiz.clock import now
from quiz.contests import services as contests
from quiz.contests.access import contest_organizer_required
from quiz.contests.models import Round, RoundState
from quiz.dates import format_moment, format_time
from quiz.edge.client import current_actor
from quiz.edge.downloads import download, file_name
from quiz.edge.forms import ButtonForm
from quiz.edge.params import MAX_ID, arg_int
from quiz.errors import NotFound, QuizError
from quiz.extensions import db
from quiz.i18n import LANGUAGE_NAMES, current_language
from quiz.results import certificates, item_analysis, monitor, participation, services
from quiz.results.forms import ConfirmForm

bp = Blueprint("results", __name__)
PAGE_SIZE = 200  # rows per results page; the exports hold every row


def _round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None:  # the decorator found it; a concurrent delete is the only way here
        raise NotFound(_("This round does not exist."), code="round_not_found")
    return round_


def _league_arg(contest: Any) -> int | None:
    league_id = arg_int("league", high=MAX_ID)
    return league_id if league_id in {lg.id for lg in contest.leagues} else None


def _local_minute(moment: datetime) -> str:
    return format_time(moment)


# Monitor ---------------------------------------------------------------------------------


def _monitor_json(round_: Round, moment: datetime) -> dict[str, Any]:
    snap = monitor.snapshot(round_, moment)
    body = snap.to_json()
    names = {lg.id: lg.name(current_language()) for lg in round_.contest.leagues}
    for league in body["leagues"]:
        league["name"] = names.get(league["league_id"], "")
    for point, (minute, _count) in zip(body["answers_per_minute"], snap.per_minute, strict=True):
        point["label"] = _local_minute(minute)
    body["state"] = str(round_.state(moment))
    frozen = services.frozen_at(round_.id)
    published = services.published_at(round_.id)
    body["frozen_at"] = frozen.isoformat() + "Z" if frozen else None
    body["published_at"] = published.isoformat() + "Z" if published else None
    return body


@bp.get("/console/rounds/<int:round_id>/monitor")
@contest_organizer_required
def monitor_page(round_id: int) -> Any:
    round_ = _round(round_id)
    moment = now()
    return render_template(
        "results/monitor.html",
        contest=g.contest,
        round=round_,
        data=_monitor_json(round_, moment),
        state=round_.state(moment),
        states=RoundState,
        frozen_at=services.frozen_at(round_.id),
        published_at=services.published_at(round_.id),
        action_form=ButtonForm(),
        confirm_form=ConfirmForm(),
    )


@bp.get("/console/rounds/<int:round_id>/monitor.json")
@contest_organizer_required
def monitor_data(round_id: int) -> Any:
    response = jsonify(_monitor_json(_round(round_id), now()))
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


# Round actions ---------------------------------------------------------------------------


def _back(round_: Round) -> Any:
    return redirect(url_for("results.monitor_page", round_id=round_.id))


def _act(round_id: int, form: Any, act: Any, done: str, already: str) -> Any:
    round_ = _round(round_id)
    if not form.validate_on_submit():
        flash(_("Your form expired. Please reload the page and try again."), "error")
        return _back(round_)
    if isinstance(form, ConfirmForm) and not form.confirm.data:
        flash(_("Tick the box to confirm."), "error")
        return _back(round_)
    try:
        changed = act(round_, current_actor(), now())
    except QuizError as exc:
        flash(exc.localized(), "error")
        return _back(round_)
    flash(done if changed is not False else already, "success" if changed is not False else "info")
    return _back(round_)


@bp.post("/console/rounds/<int:round_id>/freeze")
@contest_organizer_required
def freeze(round_id: int) -> Any:
    return _act(
        round_id,
        ButtonForm(),
        services.freeze,
        _("The public leaderboards are frozen."),
        _("The leaderboards were already frozen."),
    )


@bp.post("/console/rounds/<int:round_id>/unfreeze")
@contest_organizer_required
def unfreeze(round_id: int) -> Any:
    return _act(
        round_id,
        ButtonForm(),
        services.unfreeze,
        _("The public leaderboards are live again."),
        _("The leaderboards were not frozen."),
    )


@bp.post("/console/rounds/<int:round_id>/close")
@contest_organizer_required
def close(round_id: int) -> Any:
    return _act(
        round_id,
        ConfirmForm(),
        services.close_round,
        _("The round is closed; unfinished attempts were handed in."),
        "",
    )


@bp.post("/console/rounds/<int:round_id>/publish")
@contest_organizer_required
def publish(round_id: int) -> Any:
    return _act(
        round_id,
        ConfirmForm(),
        services.publish,
        _("The results are published."),
        _("The results were already published."),
    )


# Results ---------------------------------------------------------------------------------


def _result_table(round_: Round, league_id: int | None) -> tuple[list[str], list[list[Any]]]:
    language = current_language()
    leagues = {lg.id: lg.name(language) for lg in round_.contest.leagues}
    regions = services.region_names()
    header = [
        _("Rank"),
        _("Rank in league"),
        _("Username"),
        _("Display name"),
        _("League"),
        _("Banner, county or district"),
        _("Score"),
        _("Maximum score"),
        _("Correct answers"),
        _("Questions"),
        _("Time used (seconds)"),
        _("Finished at"),
        _("Language"),
    ]
    rows = []
    for r in services.round_results(round_, league_id):
        region = regions.get(r.region_code or "")
        rows.append(
            [
                r.rank,
                r.league_rank,
                r.username,
                r.display_name,
                leagues.get(r.league_id, ""),
                region.name(language) if region else "",
                r.points,
                r.max_points,
                r.correct_count,
                r.question_count,
                round(r.time_used_ms / 1000, 1),
                format_moment(r.finished_at, language, seconds=True),
                LANGUAGE_NAMES.get(r.language, r.language),
            ]
        )
    return header, rows


@bp.get("/console/rounds/<int:round_id>/results")
@contest_organizer_required
def results_page(round_id: int) -> Any:
    round_ = _round(round_id)
    league_id = _league_arg(g.contest)
    rows = services.round_results(round_, league_id)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(arg_int("page", 1, low=1), pages)
    language = current_language()
    return render_template(
        "results/results.html",
        contest=g.contest,
        round=round_,
        rows=rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        total=len(rows),
        page=page,
        pages=pages,
        league_id=league_id,
        leagues={lg.id: lg.name(language) for lg in g.contest.leagues},
        regions=services.region_names(),
        state=round_.state(now()),
        published_at=services.published_at(round_.id),
    )


def _download(body: bytes, mimetype: str, ascii_name: str, full_name: str) -> Response:
    """Results hold personal data: private, never stored by a cache."""
    response = download(body, mimetype, ascii_name, full_name)
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def _round_file(what: str, round_: Round, league_id: int | None, suffix: str) -> str:
    """E.g. ``成绩-初赛-呼和浩特市.xlsx``: what, the round, the league, in the reader's words."""
    language = current_language()
    league = next((lg for lg in g.contest.leagues if lg.id == league_id), None)
    return file_name(
        what, round_.title(language), league.name(language) if league else None, suffix=suffix
    )


def _audit_export(what: str, object_type: str, object_id: int, fmt: str, **after: Any) -> None:
    record(
        current_actor(),
        action=f"{what}.export",
        object_type=object_type,
        object_id=object_id,
        contest_id=g.contest.id,
        now=now(),
        after={"format": fmt, **after},
    )  # the request commits it with the download it answers


@bp.get("/console/rounds/<int:round_id>/results.<any(csv, xlsx):fmt>")
@contest_organizer_required
def results_export(round_id: int, fmt: str) -> Any:
    round_ = _round(round_id)
    league_id = _league_arg(g.contest)
    header, rows = _result_table(round_, league_id)
    name = f"results-round{round_.id}" + (f"-league{league_id}" if league_id else "")
    full = _round_file(_("Results"), round_, league_id, f".{fmt}")
    _audit_export("results", "round", round_.id, fmt, league_id=league_id, rows=len(rows))
    if fmt == "csv":
        return _download(
            spreadsheet.csv_table(header, rows), spreadsheet.CSV_MIMETYPE, f"{name}.csv", full
        )
    return _download(
        spreadsheet.xlsx_table(_("Results"), header, rows),
        spreadsheet.XLSX_MIMETYPE,
        f"{name}.xlsx",
        full,
    )


# Participation ---------------------------------------------------------------------------


def _round_arg(contest: Any) -> Round | None:
    raw = request.args.get("round", "")
    return next((r for r in contest.rounds if str(r.id) == raw), None)


@bp.get("/console/contests/<int:contest_id>/participation")
@contest_organizer_required
def participation_page(contest_id: int) -> Any:
    round_ = _round_arg(g.contest)
    data = participation.by_region(g.contest.id, round_.id if round_ else None, now())
    return render_template("results/participation.html", contest=g.contest, round=round_, data=data)


@bp.get("/console/contests/<int:contest_id>/participation.<any(csv, xlsx):fmt>")
@contest_organizer_required
def participation_export(contest_id: int, fmt: str) -> Any:
    round_ = _round_arg(g.contest)
    data = participation.by_region(g.contest.id, round_.id if round_ else None, now())
    header = [
        _("Code"),
        _("Level"),
        _("Name (Chinese)"),
        _("Name (Mongolian)"),
        _("Enrolled"),
        _("Started"),
        _("Finished"),
        _("Average score"),
    ]
    levels = {"league": _("League or city"), "county": _("Banner, county or district")}
    rows = [
        [
            r.code or "",
            levels.get(r.level, _("No region")),
            r.name_zh,
            r.name_mn,
            r.enrolled,
            r.started,
            r.finished,
            r.average,
        ]
        for r in [*data.rows, data.total]
    ]
    rows[-1][1] = _("Total")
    name = f"participation-contest{contest_id}" + (f"-round{round_.id}" if round_ else "")
    language = current_language()
    full = file_name(
        _("Participation"),
        g.contest.title(language),
        round_.title(language) if round_ else None,
        suffix=f".{fmt}",
    )
    _audit_export(
        "participation", "contest", contest_id, fmt, round_id=round_.id if round_ else None
    )
    if fmt == "csv":
        return _download(
            spreadsheet.csv_table(header, rows), spreadsheet.CSV_MIMETYPE, f"{name}.csv", full
        )
    return _download(
        spreadsheet.xlsx_table(_("Participation"), header, rows),
        spreadsheet.XLSX_MIMETYPE,
        f"{name}.xlsx",
        full,
    )


# Item analysis ---------------------------------------------------------------------------


@bp.get("/console/rounds/<int:round_id>/items")
@contest_organizer_required
def items_page(round_id: int) -> Any:
    round_ = _round(round_id)
    closed = round_.state(now()) is RoundState.CLOSED
    items = item_analysis.analyse(round_.id) if closed else []
    return render_template(
        "results/items.html",
        contest=g.contest,
        round=round_,
        closed=closed,
        items=items,
        all_languages=item_analysis.ALL,
        low=item_analysis.LOW_FACILITY,
        high=item_analysis.HIGH_FACILITY,
    )


# Certificates ----------------------------------------------------------------------------


@bp.app_template_global()
def results_published(round_id: int) -> bool:
    """For participant pages (play/result.html): is there a certificate to offer?"""
    return services.published_at(round_id) is not None


def _pdf(body: bytes, ascii_name: str, full_name: str) -> Response:
    return _download(body, "application/pdf", ascii_name, full_name)


@bp.get("/console/rounds/<int:round_id>/certificates.pdf")
@contest_organizer_required
def certificates_top(round_id: int) -> Any:
    """The top N (``?top=``, default 3, at most 10) of each league, or of ``?league=``."""
    round_ = _round(round_id)
    top = arg_int("top", 3)
    league_id = _league_arg(g.contest)
    body = certificates.top_certificates(round_, top, league_id, now())
    _audit_export("certificates", "round", round_.id, "pdf", top=top, league_id=league_id)
    full = _round_file(_("Certificates"), round_, league_id, ".pdf")
    return _pdf(body, f"certificates-round{round_.id}.pdf", full)


@bp.get("/rounds/<int:round_id>/certificate.pdf")
@login_required
def own_certificate(round_id: int) -> Any:
    """A participant's own certificate, once the round's results are published."""
    round_ = contests.get_visible_round(round_id, current_user)
    body = certificates.own_certificate(round_, current_user, now())
    language = current_language()
    full = file_name(_("Certificate"), round_.title(language), suffix=".pdf")
    return _pdf(body, f"certificate-round{round_.id}.pdf", full)
