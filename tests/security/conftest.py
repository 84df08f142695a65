"""The security tests drive real server processes with unmodified clients, as the
end-to-end tests do, and reuse their fixtures."""

import logging

import pytest
import structlog

from tests.e2e.conftest import backend_server, run  # noqa: F401  (pytest fixtures)


@pytest.fixture(autouse=True)
def _restore_logging():
    """configure_logging() (also run by `mtserver admin`) changes process-wide state; put
    the defaults back after each test, so later tests do not log into a closed stream."""
    yield
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.name == "mtserver"]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
