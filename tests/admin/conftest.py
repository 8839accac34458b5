"""Fixtures of the admin console tests."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from quiz.extensions import db
from quiz.regions.models import Region
from quiz.regions.services import sync_regions


@pytest.fixture
def restore_regions(app):
    """Regions are reference data the tests keep: put back the bundled names after."""
    yield
    db.session.rollback()
    db.session.execute(update(Region).values(mn_edited_at=None))
    sync_regions(db.session.connection())
    db.session.commit()
