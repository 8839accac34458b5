"""Pictures of a question and of an option on a 360×640 phone, in vertical Mongolian and
in Chinese: loaded (served by /media/), inside the first screen, the page no wider
(Chinese) or taller (Mongolian) than it should be. Screenshots: tests/artifacts/."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest
from PIL import Image, ImageDraw

from question_bank import Media
from tests.browser.conftest import join, log_in, start
from tests.browser.test_phone_screens import ON_SCREEN, PAGE
from tests.factories import sample_bank

pytestmark = pytest.mark.browser


def _circuit(size: tuple[int, int]) -> bytes:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([20, 20, size[0] - 20, size[1] - 20], outline="black", width=8)
    draw.ellipse([size[0] // 3, size[1] // 3, size[0] // 2, size[1] // 2], fill="orange")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _round_with_pictures(site: Any) -> tuple[int, int]:
    bank = sample_bank(per_cell=1, bank_id=site.name("pictures-"))
    first = bank.questions[0]  # multiple choice, options A-D, life-health, difficulty 1
    pictured = replace(
        first,
        media=(Media(data=_circuit((1600, 1200)), mime="image/png", alt="电路图"),),
        option_media={"B": (Media(data=_circuit((300, 300)), mime="image/png", alt="灯泡"),)},
    )
    bank = replace(bank, questions=(pictured, *bank.questions[1:]))
    rule = [{"count": 1, "category": "life-health", "difficulty": 1}]
    return site.round_over(bank, rule, "ᠵᠢᠷᠤᠭ")


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_question_pictures_on_a_phone(site, new_context, shot, language):
    contest_id, round_id = _round_with_pictures(site)
    username = site.user(language=language)
    page = new_context("phone", language).new_page()
    log_in(page, username)
    join(page, contest_id)
    start(page, round_id, language)
    pictures = page.locator(".question-pictures img")
    assert pictures.count() == 1
    pictures.first.wait_for(state="visible")
    page.wait_for_function(
        "() => [...document.images].filter(i => i.closest('.pictures'))"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert pictures.first.get_attribute("alt") == "电路图"
    assert pictures.first.get_attribute("src").startswith("/media/")
    shot(page)
    place = pictures.first.evaluate(ON_SCREEN)
    assert place["inside"], place
    option_picture = page.locator(".option-pictures img")
    assert option_picture.count() == 1 and option_picture.first.get_attribute("alt") == "灯泡"
    size = page.evaluate(PAGE)
    if language == "mn":
        assert size["height"] <= size["innerHeight"] + 1, size  # sideways, never downwards
    else:
        assert size["width"] <= size["innerWidth"] + 1, size  # downwards, never sideways
