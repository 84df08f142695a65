import logging

import pytest
import structlog

from mtproto.crypto import ServerRsaKey


@pytest.fixture(scope="session")
def rsa_key() -> ServerRsaKey:
    """One generated key for tests that need a key but not its creation (generation is slow)."""
    return ServerRsaKey.generate()


@pytest.fixture
def fast_keygen(monkeypatch, rsa_key):
    """ServerRsaKey.generate() returns the session key instead of making a new one."""
    calls = []

    def generate(cls, **kwargs):
        calls.append(kwargs)
        return rsa_key

    monkeypatch.setattr(ServerRsaKey, "generate", classmethod(generate))
    return calls


@pytest.fixture(autouse=True)
def _restore_logging():
    """configure_logging() changes process-wide state; put the defaults back after each test."""
    yield
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.name == "mtserver"]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
