"""The self-test through the HTML pages, as a phone without JavaScript, in both
languages: the start page's notice, no key before finishing, the result page, history,
and a language the bank does not cover."""

from __future__ import annotations

import re

import pytest

from quiz.extensions import db
from quiz.practice.models import Assessment, Mistake
from tests.factories import log_in
from tests.practice.literacy_bank import import_literacy_bank
from tests.practice.test_assessment_services import right_keys, wrong_keys
from tests.practice.test_pages import HTML_LANG, _html


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_the_self_test_on_pages(client, make, clock, language):
    import_literacy_bank(clock())
    make.user("bat", language=language)
    log_in(client, "bat")
    assert "/self-test" in _html(client.get("/practice"))
    home = client.get("/self-test")
    html = _html(home)
    assert home.status_code == 200 and f'lang="{HTML_LANG[language]}"' in html
    assert "data-selftest-notice" in html and 'value="70+"' in html

    started = client.post("/self-test/start", data={"age_group": "50-59"})
    assert started.status_code == 302
    test_id = int(re.search(r"/self-test/(\d+)/q/1", started.headers["Location"]).group(1))
    test = db.session.get(Assessment, test_id)
    assert test.age_group == "50-59" and test.language == language
    page = _html(client.get(f"/self-test/{test_id}/q/1"))
    assert "1 / 50" in page and "data-time-left" in page
    assert "解释" not in page and "ᠲᠠᠶᠢᠯᠪᠤᠷᠢ" not in page and 'li class="correct"' not in page
    # Not finished: the result page sends back to the questions.
    assert client.get(f"/self-test/{test_id}").status_code == 302

    saved = client.post(
        f"/self-test/{test_id}/q/1", data={"choice": right_keys(test_id, 1), "go": "next"}
    )
    assert saved.headers["Location"].endswith(f"/self-test/{test_id}/q/2")
    client.post(f"/self-test/{test_id}/q/2", data={"choice": wrong_keys(test_id, 2)})
    back = client.post(f"/self-test/{test_id}/q/3", data={"go": "back"})
    assert back.headers["Location"].endswith(f"/self-test/{test_id}/q/2")

    finished = client.post(f"/self-test/{test_id}/finish")
    assert finished.headers["Location"].endswith(f"/self-test/{test_id}")
    result = _html(client.get(f"/self-test/{test_id}"))
    assert 'data-selftest-score="2.0"' in result and 'data-selftest-band="low"' in result
    assert result.count("<meter") == 4 and result.count("data-weak-benchmark=") == 3
    assert result.count('class="explanation"') == 50
    assert 'name="benchmark"' in result
    assert db.session.query(Mistake).count() == 49
    # Once finished, a question page shows the result.
    assert (
        client.get(f"/self-test/{test_id}/q/1")
        .headers["Location"]
        .endswith(f"/self-test/{test_id}")
    )
    assert f'data-history-selftest="{test_id}"' in _html(client.get("/me/history"))

    practise = client.post(
        "/practice/start", data={"source": "practice", "language": language, "benchmark": "B05"}
    )
    assert re.search(r"/practice/\d+$", practise.headers["Location"])


def test_the_start_page_says_when_the_language_is_not_covered(client, make, clock):
    import_literacy_bank(clock(), with_mn=False)
    make.user("bat", language="mn")
    log_in(client, "bat")
    assert "data-selftest-unavailable" in _html(client.get("/self-test"))
    refused = client.post("/self-test/start", data={})
    assert refused.headers["Location"].endswith("/self-test")


def test_others_cannot_see_a_self_test(client, make, clock):
    import_literacy_bank(clock())
    make.user("bat")
    make.user("dorj")
    log_in(client, "bat")
    started = client.post("/self-test/start", data={})
    path = started.headers["Location"]
    client.post("/logout")
    log_in(client, "dorj")
    assert client.get(path).status_code == 404
