"""The server RSA key in the data directory: created once, 0600, then always the same."""

import os
import stat

import pytest
from structlog.testing import capture_logs

from mtproto.crypto import ServerRsaKey, fingerprint_is_safe
from server.keys import KEY_FILENAME, load_or_create_server_key, server_key_path


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_first_start_generates_a_safe_key_into_the_data_dir_with_mode_0600(tmp_path):
    key = load_or_create_server_key(tmp_path)
    path = tmp_path / KEY_FILENAME
    assert server_key_path(tmp_path) == path
    assert mode(path) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert ServerRsaKey.from_pem(path.read_bytes()).fingerprint == key.fingerprint
    assert fingerprint_is_safe(key.fingerprint)


def test_later_starts_load_the_stored_key_instead_of_generating(tmp_path, fast_keygen):
    first = load_or_create_server_key(tmp_path)
    second = load_or_create_server_key(tmp_path)
    assert len(fast_keygen) == 1
    assert second.fingerprint == first.fingerprint and second.n == first.n


def test_missing_data_dir_is_created_owner_only(tmp_path, fast_keygen):
    data_dir = tmp_path / "a" / "b"
    load_or_create_server_key(data_dir)
    assert (data_dir / KEY_FILENAME).exists()
    assert mode(data_dir) == 0o700


def test_a_permissive_umask_does_not_loosen_the_key_file(tmp_path, fast_keygen):
    old = os.umask(0)
    try:
        load_or_create_server_key(tmp_path)
    finally:
        os.umask(old)
    assert mode(tmp_path / KEY_FILENAME) == 0o600


def test_no_temporary_files_are_left_behind(tmp_path, fast_keygen):
    load_or_create_server_key(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_FILENAME]


def test_a_key_written_by_a_concurrent_start_wins(tmp_path, monkeypatch, rsa_key):
    theirs = ServerRsaKey.generate()

    def generate_while_another_process_publishes(cls, **kwargs):
        (tmp_path / KEY_FILENAME).write_bytes(theirs.private_pem())
        return rsa_key

    monkeypatch.setattr(ServerRsaKey, "generate", classmethod(generate_while_another_process_publishes))
    assert load_or_create_server_key(tmp_path).fingerprint == theirs.fingerprint
    assert ServerRsaKey.from_pem((tmp_path / KEY_FILENAME).read_bytes()).fingerprint == theirs.fingerprint


def test_a_corrupt_key_file_is_reported_with_its_path(tmp_path):
    (tmp_path / KEY_FILENAME).write_text("not a key")
    with pytest.raises(ValueError, match=KEY_FILENAME):
        load_or_create_server_key(tmp_path)
    assert (tmp_path / KEY_FILENAME).read_text() == "not a key"  # never replaced


def test_a_key_file_readable_by_others_is_loaded_with_a_warning(tmp_path, rsa_key):
    path = tmp_path / KEY_FILENAME
    path.write_bytes(rsa_key.private_pem())
    path.chmod(0o644)
    with capture_logs() as events:
        assert load_or_create_server_key(tmp_path).fingerprint == rsa_key.fingerprint
    assert [e["event"] for e in events] == ["server_key_readable_by_others"]
    assert events[0]["mode"] == "0644"


def test_creating_the_key_is_logged_with_its_fingerprint(tmp_path, fast_keygen, rsa_key):
    with capture_logs() as events:
        load_or_create_server_key(tmp_path)
    assert events[0]["event"] == "server_key_created"
    assert events[0]["fingerprint"] == rsa_key.fingerprint_hex
