"""The science-literacy contest platform: ``create_app`` builds the Flask application."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from quiz.app import build_app

    return build_app(config)
