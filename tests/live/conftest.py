import pytest


@pytest.fixture
def config_overrides():
    # Long-polls of a few tenths of a second: the tests move the clock by hand.
    # Counts read afresh on every request, so a test sees its own answers at once.
    return {
        "QUIZ_LIVE_POLL_SECONDS": 0.2,
        "QUIZ_LIVE_HOST_POLL_SECONDS": 0.1,
        "QUIZ_LIVE_FACTS_SECONDS": 0,
    }
