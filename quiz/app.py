"""Application assembly: settings, extensions, blueprints, error handlers, CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g, request, session

from quiz.config import load_config
from quiz.extensions import (
    babel,
    configure_sqlite,
    csrf,
    db,
    login_manager,
    migrate,
    ping_idle_connections,
    redis_store,
)
from quiz.settings import JSON_SORT_KEYS

ROOT = Path(__file__).resolve().parent.parent


def _asset_folder(name: str) -> str:
    """templates/ and static/ sit at the top of a checkout and inside quiz/ in a wheel."""
    in_checkout = ROOT / name
    return str(in_checkout if in_checkout.is_dir() else Path(__file__).parent / name)


def build_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        "quiz",
        template_folder=_asset_folder("templates"),
        static_folder=_asset_folder("static"),
        instance_relative_config=True,
        # Tests keep each app's instance files (the development key) in a temporary folder.
        instance_path=(config or {}).get("QUIZ_INSTANCE_PATH"),
    )
    app.config.update(load_config(app.instance_path, config))
    from quiz.edge.params import StrictJSONProvider

    app.json = StrictJSONProvider(app)
    # API bodies keep their keys sorted, as they always were (Flask 3 ignores the old
    # JSON_SORT_KEYS config; the provider's attribute decides): quiz/settings.py.
    app.json.sort_keys = JSON_SORT_KEYS
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    import quiz.models  # noqa: F401  (register every table)

    db.init_app(app)
    from quiz.unit_of_work import commit_request

    # The request is the unit of work: services flush, this commits a success (or rolls
    # back an error answer). Registered first, so it runs after every other hook.
    app.after_request(commit_request)
    with app.app_context():
        configure_sqlite(db.engine)
        ping_idle_connections(db.engine)
    # First of the request hooks: the request id and the clock start before anything
    # (CSRF, sessions, rate limits) can refuse the request.
    from quiz.ops.routes import init_app as init_ops

    init_ops(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    redis_store.init_app(app)
    _init_login(app)
    _init_babel(app)

    from quiz.errors import register_error_handlers

    register_error_handlers(app)
    _bounded_ids(app)
    _register_blueprints(app)
    _connect_signals(app)
    _init_templates(app)
    # Inside the proxy fix (installed by _init_security), so the lanes see the client's
    # address as Flask does (quiz/api/lane.py).
    from quiz.api.answer_lane import install as install_answer_lane
    from quiz.api.board_lane import install as install_board_lane
    from quiz.api.live_lane import install as install_live_lane
    from quiz.api.practice_lane import install as install_practice_lane
    from quiz.api.start_lane import install as install_start_lane

    install_answer_lane(app)
    install_board_lane(app)
    install_start_lane(app)
    install_practice_lane(app)
    install_live_lane(app)
    _init_security(app)
    _security_headers(app)

    from quiz.cli import register_commands

    register_commands(app)
    return app


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from quiz.accounts.access import bearer_user
    from quiz.accounts.services import load_session_user
    from quiz.accounts.sessions import SESSION_KEY
    from quiz.clock import now

    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"

    def session_user(session_id: str) -> Any:
        # A request that names a bearer token is that token's, never the cookie's: else a
        # cookie-authenticated request could skip the CSRF check (which bearer requests do
        # not need) by adding any Authorization header.
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            return None
        return load_session_user(session_id, session.get(SESSION_KEY), now())

    login_manager.user_loader(session_user)
    login_manager.request_loader(lambda _request: bearer_user())

    @login_manager.unauthorized_handler
    def _unauthorized() -> Any:
        from flask import flash, redirect, url_for

        from quiz.errors import _render, wants_json

        if wants_json():
            return _render(401, "unauthorized", str(_l("Please log in first.")))
        flash(str(login_manager.login_message), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _init_babel(app: Flask) -> None:
    from quiz.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)


def _bounded_ids(app: Flask) -> None:
    """``<int:…>`` in every URL stops at the largest id a column can hold.

    A larger number is simply "not found" (404) instead of reaching the database, where
    it overflowed the driver (500); schemathesis found it (tests/security/test_api_fuzz.py).
    """
    from werkzeug.routing import IntegerConverter

    from quiz.edge.params import MAX_ID

    class BoundedInt(IntegerConverter):
        def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("max", MAX_ID)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = BoundedInt


def _register_blueprints(app: Flask) -> None:
    from quiz.accounts.routes import bp as accounts_bp
    from quiz.api import bp as api_bp
    from quiz.contests.routes import bp as contests_bp
    from quiz.leaderboards.routes import bp as leaderboards_bp
    from quiz.play.fairplay_routes import bp as fairplay_bp
    from quiz.play.routes import bp as play_bp
    from quiz.results.routes import bp as results_bp
    from quiz.schools.routes import bp as schools_bp

    app.register_blueprint(contests_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(play_bp)
    app.register_blueprint(leaderboards_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(schools_bp)
    app.register_blueprint(results_bp)

    from quiz.banks.routes import bp as banks_bp

    app.register_blueprint(banks_bp)
    from quiz.organizer.routes import bp as organizer_bp

    app.register_blueprint(organizer_bp)
    app.register_blueprint(fairplay_bp)
    from quiz.live.routes import bp as live_bp

    app.register_blueprint(live_bp)
    from quiz.admin.routes import bp as admin_bp
    from quiz.banks.media_routes import bp as media_bp

    app.register_blueprint(media_bp)

    app.register_blueprint(admin_bp)
    from quiz.practice import dashboard_routes  # noqa: F401  (the literacy dashboard)
    from quiz.practice.routes import bp as practice_bp

    app.register_blueprint(practice_bp)


def _connect_signals(app: Flask) -> None:
    """Each higher layer listens to the signals of the lower ones (quiz/signals.py)."""
    from quiz.contests.bank_usage import init_app as init_contests_bank_usage
    from quiz.leaderboards.services import init_app as init_boards
    from quiz.play.bank_usage import init_app as init_play_bank_usage
    from quiz.schools.rankings import init_app as init_school_rankings

    init_contests_bank_usage(app)  # the bank console asks who draws from a bank
    init_play_bank_usage(app)
    init_boards(app)
    init_school_rankings(app)


def _init_templates(app: Flask) -> None:
    from quiz.i18n import (
        HTML_LANG,
        LANGUAGE_NAMES,
        LANGUAGES,
        current_language,
        lang_attrs,
        mongolian_warnings,
    )

    app.jinja_env.globals.update(
        html_langs=HTML_LANG,
        language_names=LANGUAGE_NAMES,
        lang_attrs=lang_attrs,
        mongolian_warnings=mongolian_warnings,
    )

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from quiz.accounts.comfort import TEXT_SIZES, current_text_size

        language = current_language()
        return {
            "language": language,
            "html_lang": HTML_LANG[language],
            "languages": LANGUAGES,
            "text_size": current_text_size(),
            "text_sizes": TEXT_SIZES,
        }

    @app.template_filter("answer")
    def _answer(keys: Any, kind: str) -> str:
        """Answer keys in the page's language: 正确/错误 for true/false, never T/F."""
        from question_bank import shown_answer

        return shown_answer(list(keys), kind, current_language())

    @app.template_filter("duration")
    def _duration(ms: int | None) -> str:
        if ms is None:
            return "–"
        seconds, millis = divmod(int(ms), 1000)
        minutes, seconds = divmod(seconds, 60)
        return f"{minutes}:{seconds:02d}.{millis // 100}"

    @app.template_filter("clock")
    def _clock(seconds: int) -> str:
        """mm:ss or h:mm:ss, as static/js/countdown.js writes it."""
        hours, rest = divmod(max(0, int(seconds)), 3600)
        minutes, secs = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"

    from quiz.dates import format_moment, time_zone_hint

    # Every moment a page shows: the contests' zone, the reader's language (quiz/dates.py).
    app.add_template_filter(format_moment, "localtime")
    app.jinja_env.globals["time_zone_hint"] = time_zone_hint
    from question_bank import human_size

    app.add_template_filter(human_size, "filesize")  # "8 MB", never "8388608 bytes"


def _init_security(app: Flask) -> None:
    """Proxy headers, trusted hosts, request size, session lifetime, rate limits.

    ``TRUSTED_HOSTS`` (from ``QUIZ_TRUSTED_HOSTS``) is checked by Flask itself while
    routing. The order of the request hooks matters: an oversized body is refused before
    anything reads it, and an expired session is logged out before a rate limit or a
    view looks at the user.
    """
    from werkzeug.exceptions import RequestEntityTooLarge
    from werkzeug.middleware.proxy_fix import ProxyFix

    from quiz.accounts import ratelimits, sessions

    proxies = int(app.config.get("QUIZ_PROXY_FIX") or 0)
    if proxies > 0:
        # Trust exactly this many proxies' X-Forwarded-For/-Proto: the client address
        # then keys the rate limits, and url_for builds https:// links.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    @app.before_request
    def _refuse_oversized_bodies() -> None:
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()

    from quiz.edge.params import refuse_unstorable_text

    app.before_request(refuse_unstorable_text)
    sessions.init_app(app)
    app.session_interface = sessions.CookieSessions()
    ratelimits.init_app(app)


def _security_headers(app: Flask) -> None:
    """A strict CSP (no inline script or style) and the usual hardening headers.

    The header list is built once per app, not per response (every API call pays for
    this hook).
    """
    headers = [
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; "
            "base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]
    if app.config.get("SESSION_COOKIE_SECURE"):
        # Served over HTTPS (Secure cookies): browsers must never fall back to HTTP.
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    fixed = tuple(headers)
    app.extensions["quiz_security_headers"] = fixed  # the lanes send them too

    @app.after_request
    def _headers(response: Any) -> Any:
        present = response.headers
        for name, value in fixed:
            if name not in present:
                present[name] = value
        if getattr(g, "no_store", False):
            present["Cache-Control"] = "no-store"
        return response
