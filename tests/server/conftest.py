import pytest

from mtproto.crypto import ServerRsaKey
from storage import open_storage
from tests.logging_reset import _restore_logging  # noqa: F401  (autouse fixture)


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


@pytest.fixture
async def storage(tmp_path):
    """The embedded (SQLite) storage in the test's own directory."""
    opened = await open_storage(None, str(tmp_path))
    try:
        yield opened
    finally:
        await opened.close()
