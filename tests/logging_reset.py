"""A fixture for tests that run code configuring logging process-wide (the admin CLI,
configure_logging): put the defaults back after each test, so later tests do not log
into a closed stream."""

import logging

import pytest
import structlog


@pytest.fixture(autouse=True)
def _restore_logging():
    yield
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.name == "mtserver"]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
