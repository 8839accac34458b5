"""Malformed input never ends in a 500: every page and console route, walked.

Every rule of ``app.url_map`` (the JSON API aside: schemathesis walks it from the OpenAPI
document, tests/security/test_api_fuzz.py) is requested by a role that can reach it,
with its path filled from the access matrix's world (real ids), and its query string or
form filled with what people and scripts send by mistake or on purpose: digits that
are not ASCII (``²``, ``١٢٣``, full-width ``７``), numbers thousands of digits long, ids
past 64 bits, dates in year 1 or 9999, empty and blank values, control characters,
then whatever hypothesis draws. The field names come from the page's own forms, the
matrix row, and the view's source (``request.args.get("…")``). Any 5xx fails, with the
request that caused it.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
from functools import partial
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.accounts.models import Role
from tests.factories import log_in
from tests.security.matrix import LOGIN, Case
from tests.security.scenario import ROLES, build
from tests.security.test_access_matrix import MATRIX

NASTY = [
    "²",
    "",
    " ",
    "١٢٣",
    "７",
    "-1",
    "0",
    "1e9",
    "9" * 5000,
    str(2**31),
    str(2**63),
    str(2**64 + 1),
    "-" + str(2**63 + 1),
    "0001-01-01",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2026-02-30T25:61",
    "\x00",
    "\u202e",
    "a" * 3000,
]
ESSENTIAL = ["١٢٣", "７", "9" * 5000, str(2**64 + 1), "0001-01-01T00:00"]
COSTLY_SECONDS = 0.1  # CPU seconds of one request
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=12),
    st.integers().map(str),
    st.dates().map(str),
)
# Roles tried first: the one who can reach a route (owner and organizer pages first).
PREFERENCE = ("organizer", "participant", "teacher", "admin", "other_organizer", "anonymous")
DENIED = {LOGIN, 401, 403, 404, 405}
# Ends the client's session; the access matrix covers it.
SKIPPED = {"static", "accounts.logout"}
SOURCE_FIELDS = re.compile(r"request\.(args|form|files)\.get(?:list)?\(\s*[\"'](\w+)[\"']")
EXAMPLES = 4


class _Forms(HTMLParser):
    """Every form of a page: (action path, method) -> field names."""

    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path = page_path
        self.forms: dict[tuple[str, str], set[str]] = {}
        self._current: set[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "form":
            action = urlsplit(attr.get("action") or self.page_path).path or self.page_path
            method = (attr.get("method") or "get").upper()
            self._current = self.forms.setdefault((action, method), set())
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            name = attr.get("name")
            if name and name != "csrf_token":
                self._current.add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _role_for(case: Case) -> str | None:
    for role in PREFERENCE:
        if case.expect[ROLES.index(role)] not in DENIED:
            return role
    return None


def _source_fields(app: Any, endpoint: str) -> dict[str, set[str]]:
    view = app.view_functions[endpoint]
    try:
        source = inspect.getsource(inspect.getmodule(view) or view)
        body = inspect.getsource(view)
    except (OSError, TypeError):
        return {}
    found: dict[str, set[str]] = {"args": set(), "form": set()}
    for where, name in SOURCE_FIELDS.findall(body):
        found["args" if where == "args" else "form"].add(name)
    # Helpers of the view's module that read the request (``_league_arg()`` and the like).
    for helper in re.findall(r"\b(_\w+)\(", body):
        match = re.search(rf"def {helper}\(.*?(?=\ndef |\Z)", source, re.S)
        if match:
            for where, name in SOURCE_FIELDS.findall(match.group(0)):
                found["args" if where == "args" else "form"].add(name)
    return found


def mixtures(fields: list[str]) -> Any:
    """A runner that calls ``send(values)`` with hypothesis's mixtures of ``fields``."""

    def run(send: Any) -> None:
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(values=st.fixed_dictionaries({}, optional=dict.fromkeys(fields, VALUES)))
        def mixed(values: dict[str, str]) -> None:
            send(values)

        mixed()

    return run


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    # Password resets hash new passwords on every request: a cheap hash keeps the walk short.
    return {"QUIZ_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"}


@pytest.fixture
def world(client, make, clock):
    return build(make, clock)


def test_no_route_answers_malformed_input_with_a_server_error(app, world, caplog):
    caplog.set_level(logging.ERROR, logger="quiz")
    browsers: dict[str, Any] = {}

    def browser(role: str) -> Any:
        if role not in browsers:
            browsers[role] = app.test_client()
            if role != "anonymous":
                log_in(browsers[role], world.users[role])
        return browsers[role]

    cases: list[tuple[str, Case, str]] = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED or rule.rule.startswith("/api/"):
            continue
        rows = MATRIX.get(rule.endpoint)
        assert rows, f"{rule.endpoint}: no row in the access matrix to take a path from"
        for case in rows:
            role = _role_for(case)
            if role is not None and case.method in rule.methods:
                cases.append((rule.endpoint, case, role))
    # Pages first (their forms name the fields), then what changes things.
    cases.sort(key=lambda item: item[1].method != "GET")
    assert len(cases) > 100

    forms: dict[tuple[str, str], set[str]] = {}
    failures: list[str] = []

    def send(endpoint: str, case: Case, role: str, path: str, values: dict[str, str]) -> Any:
        client = browser(role)
        if "?" in path:  # the matrix row's own query string, under the fuzzed values
            path, query = path.split("?", 1)
            values = {**dict(parse_qsl(query)), **values} if case.method == "GET" else values
            if case.method != "GET":
                path = f"{path}?{query}"
        if case.method == "GET":
            response = client.get(path, query_string=values)
        else:
            response = client.open(path, method=case.method, data=values)
        if (
            response.status_code == 302
            and response.location.startswith("/login")
            and role != "anonymous"
            and case.expect[ROLES.index(role)] != LOGIN
        ):
            # Something logged this role out (a revoked session): back in, once more.
            browsers.pop(role)
            response = browser(role).open(
                path,
                method=case.method,
                **({"query_string": values} if case.method == "GET" else {"data": values}),
            )
        if response.status_code >= 500:
            crash = next(
                (r for r in reversed(caplog.records) if r.exc_info),
                None,
            )
            why = ""
            if crash is not None and crash.exc_info[1] is not None:
                why = f" {type(crash.exc_info[1]).__name__}: {str(crash.exc_info[1])[:200]}"
            shown = {k: (v[:20] + "…" if len(v) > 20 else v) for k, v in values.items()}
            failures.append(
                f"{endpoint} {case.method} {path} as {role} {shown} -> {response.status_code}{why}"
            )
        return response

    spent: dict[str, float] = {}
    for endpoint, case, role in cases:
        started = time.process_time()
        path = world.path(case.path)
        if case.method == "GET":
            page = send(endpoint, case, role, path, {})
            if page.mimetype == "text/html":
                parser = _Forms(path)
                parser.feed(page.get_data(as_text=True))
                for key, names in parser.forms.items():
                    forms.setdefault(key, set()).update(names)
        source = _source_fields(app, endpoint)
        if case.method == "GET":
            fields = source.get("args", set()) | forms.get((path, "GET"), set())
        else:
            fields = (
                source.get("form", set())
                | forms.get((path, case.method), set())
                | forms.get((path, "POST"), set())
                | set(case.form)
            )
        fields = sorted(fields)
        if not fields:
            if case.method != "GET":
                send(endpoint, case, role, path, {})
            continue
        # Every nasty value in every field at once, then hypothesis's mixtures; a route
        # whose answer is costly (a PDF) gets the essential values only.
        tick = time.process_time()
        send(endpoint, case, role, path, dict.fromkeys(fields, NASTY[0]))
        costly = time.process_time() - tick > COSTLY_SECONDS
        if costly:  # one more request, the essential values spread over the fields
            spread = {f: ESSENTIAL[i % len(ESSENTIAL)] for i, f in enumerate(fields)}
            send(endpoint, case, role, path, spread)
        else:
            for value in NASTY[1:]:
                send(endpoint, case, role, path, dict.fromkeys(fields, value))
            mixtures(fields)(partial(send, endpoint, case, role, path))
        spent[endpoint] = spent.get(endpoint, 0.0) + time.process_time() - started
    slowest = sorted(spent.items(), key=lambda item: -item[1])[:8]
    print("slowest routes (CPU):", ", ".join(f"{e} {t:.1f}s" for e, t in slowest))
    assert failures == [], f"{len(failures)} server errors:\n" + "\n".join(failures[:40])


# The named cases, each with the message the person reads ---------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "format: quiz-bank/1\nquestions: " + "[" * 5000 + "]" * 5000 + "\n",
        "format: quiz-bank/1\nquestions:\n" + "".join("  " * i + "- \n" for i in range(400)),
        "format: quiz-bank/1\nbank: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    ],
    ids=["flow-5000", "block-400", "mapping-3000"],
)
def test_yaml_nested_thousands_deep_in_an_upload_preview_is_a_located_problem(app, make, text):
    from question_bank import messages as m
    from tests.banks.console_helpers import organizer_client, token_of, translated_head, upload

    browser = organizer_client(app, make, language="mn")
    token = token_of(upload(browser, text.encode(), "deep.yaml", fmt="yaml"))
    page = browser.get(f"/console/banks/import/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert translated_head("mn", m.YAML_SYNTAX) in html
    assert "nested more than 20 levels deep" in html
    assert 'name="digest"' not in html  # nothing to confirm


def test_a_deep_json_cell_in_a_spreadsheet_upload_is_text_not_a_crash():
    from question_bank.formats import read_bank

    header = "id,kind,category,difficulty,answer,tags,zh_text,zh_A,zh_B\n"
    row = "q1,single,c,1,B," + '"' + "[" * 5000 + '"' + ",题,甲,乙\n"
    result = read_bank((header + row).encode(), "deep.csv")
    assert result is not None  # a result with problems or a bank: never an exception


@pytest.mark.parametrize(
    ("value", "language"),
    [("７", "mn"), ("١٢٣", "zh"), ("²", "mn"), ("9" * 5000, "zh"), (str(2**64), "mn")],
)
def test_numbers_that_are_not_ascii_digits_or_too_long_get_a_localized_message(
    app, client, make, value, language
):
    from tests.banks.console_helpers import translated

    organizer = make.user("org2", roles=(Role.ORGANIZER,), language=language)
    contest = make.contest(organizer=organizer)
    log_in(client, organizer)
    form = {
        "title_zh": "初赛",
        "opens_at": "2026-09-15T09:00",
        "closes_at": "2026-09-15T18:00",
        "time_limit_minutes": value,
        "max_attempts": "1",
        "languages": ["zh"],
    }
    response = client.post(f"/console/contests/{contest.id}/rounds/new", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert translated(language, "Give a whole number.") in html
    assert "Not a valid" not in html and "Give a whole" not in html  # nothing in English


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "1899-12-31T08:00"])
def test_dates_out_of_any_contest_get_a_localized_message(app, client, make, value):
    from tests.banks.console_helpers import translated

    organizer = make.user("org3", roles=(Role.ORGANIZER,), language="mn")
    log_in(client, organizer)
    response = client.post(
        "/console/contests/new",
        data={"title_zh": "比赛", "slug": "c-dates", "starts_at": value, "league_scheme": "region"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert translated("mn", "Give a date and time.") in html
    assert "Give a date" not in html and "Not a valid" not in html  # nothing left in English


def test_ids_past_64_bits_in_query_strings_and_forms_are_ignored_or_refused(app, client, make):
    from quiz.edge.params import whole_number

    for raw in ("²", "١٢٣", "７", "9" * 5000, str(2**64), "-1", " 12 ", "+3", "1_000", "0x10"):
        assert whole_number(raw) in (None, 12), raw
    assert whole_number("12") == 12 and whole_number(" 12 ") == 12
    assert whole_number(str(2**31)) is None and whole_number(str(2**31 - 1)) == 2**31 - 1
    assert whole_number("-5", low=-10) == -5 and whole_number("-5") is None


def test_nul_in_a_form_or_query_is_refused_in_the_readers_language(app, client, make):
    """PostgreSQL text cannot hold NUL: refused at the edge (422), never a 500."""
    from tests.banks.console_helpers import translated

    user = make.user("nul1", language="mn")
    log_in(client, user)
    response = client.post("/profile", data={"display_name": "Bat\x00"})
    assert response.status_code == 422
    assert translated("mn", "Must be text.") in response.get_data(as_text=True)
    assert client.get("/?q=a\x00").status_code == 422
