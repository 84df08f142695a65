"""The mtserver command line: `pubkey` prints what clients embed, `run` prepares and hands over."""

import os
import stat
import subprocess
import sys
import types
from pathlib import Path

import pytest
import rsa
from telethon.crypto import rsa as telethon_rsa

from mtproto.crypto import ServerRsaKey
from server.config import Config
from server.keys import KEY_FILENAME
from tools.cli import build_parser, main, prepare_run

REPO = Path(__file__).resolve().parents[2]


def pubkey(capsys, data_dir) -> str:
    assert main(["pubkey", "--data-dir", str(data_dir)], env={}) == 0
    return capsys.readouterr().out


def test_pubkey_prints_a_pem_telethon_accepts_with_telethons_fingerprint(tmp_path, capsys):
    out = pubkey(capsys, tmp_path)
    assert out.startswith("-----BEGIN RSA PUBLIC KEY-----\n")
    public = rsa.PublicKey.load_pkcs1(out.encode())
    telethon_fingerprint = telethon_rsa._compute_fingerprint(public)
    assert f"fingerprint: {telethon_fingerprint % 2**64:016x}\n" in out
    assert f"fingerprint (signed int64): {telethon_fingerprint}\n" in out
    telethon_rsa.add_key(out, old=False)
    try:
        assert telethon_rsa._server_keys[telethon_fingerprint][0] == public
    finally:
        telethon_rsa._server_keys.pop(telethon_fingerprint, None)


def test_pubkey_creates_the_key_file_with_mode_0600_and_then_reuses_it(tmp_path, capsys, fast_keygen):
    data_dir = tmp_path / "data"
    first = pubkey(capsys, data_dir)
    assert stat.S_IMODE(os.stat(data_dir / KEY_FILENAME).st_mode) == 0o600
    assert pubkey(capsys, data_dir) == first
    assert len(fast_keygen) == 1


def test_pubkey_stdout_holds_only_the_key_and_fingerprints(tmp_path, capsys, fast_keygen, rsa_key):
    assert pubkey(capsys, tmp_path) == (rsa_key.public_pem().decode()
                                        + f"fingerprint: {rsa_key.fingerprint_hex}\n"
                                        + f"fingerprint (signed int64): {rsa_key.fingerprint}\n")


def test_pubkey_honours_the_data_dir_from_the_environment(tmp_path, capsys, fast_keygen):
    assert main(["pubkey"], env={"MTSERVER_DATA_DIR": str(tmp_path / "env")}) == 0
    assert (tmp_path / "env" / KEY_FILENAME).exists()


def test_python_m_tools_cli_works_without_installing(tmp_path, rsa_key):
    (tmp_path / KEY_FILENAME).write_bytes(rsa_key.private_pem())
    (tmp_path / KEY_FILENAME).chmod(0o600)
    done = subprocess.run([sys.executable, "-m", "tools.cli", "pubkey", "--data-dir", str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if not k.startswith("MTSERVER_")})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(rsa_key.public_pem().decode())
    assert rsa_key.fingerprint_hex in done.stdout


def test_run_prepares_config_data_dir_logging_and_key(tmp_path, capsys, fast_keygen, rsa_key):
    data_dir = tmp_path / "data"
    args = build_parser().parse_args(["run", "--data-dir", str(data_dir), "--port", "9443",
                                      "--public-host", "mt.example.org", "--log-format", "json"])
    config, key = prepare_run(args, {})
    assert config == Config(port=9443, public_host="mt.example.org", data_dir=str(data_dir), log_format="json")
    assert key.fingerprint == rsa_key.fingerprint and (data_dir / KEY_FILENAME).exists()
    assert '"event": "server_prepared"' in capsys.readouterr().out


@pytest.fixture
def fake_app(monkeypatch):
    calls = []
    module = types.ModuleType("server.app")
    module.serve = lambda config, key, **options: calls.append((config, key))
    monkeypatch.setitem(sys.modules, "server.app", module)
    return module, calls


def test_run_takes_the_config_file_then_environment_then_flags(tmp_path, fake_app, fast_keygen):
    _, calls = fake_app
    config_file = tmp_path / "mtserver.toml"
    config_file.write_text(f'host = "10.0.0.1"\nport = 1000\ndc_id = 3\ndata_dir = "{tmp_path / "file"}"\n')
    env = {"MTSERVER_PORT": "2000", "MTSERVER_HOST": "10.0.0.2", "MTSERVER_LOG_FORMAT": "json"}
    assert main(["run", "--config", str(config_file), "--port", "3000"], env=env) == 0
    [(config, key)] = calls
    assert (config.host, config.port, config.dc_id, config.data_dir) == ("10.0.0.2", 3000, 3, str(tmp_path / "file"))
    assert (config.public_host, config.public_port) == ("10.0.0.2", 3000)
    assert isinstance(key, ServerRsaKey)


def test_run_reads_the_config_file_named_by_mtserver_config(tmp_path, fake_app, fast_keygen):
    _, calls = fake_app
    config_file = tmp_path / "mtserver.toml"
    config_file.write_text(f'port = 1234\ndata_dir = "{tmp_path}"\nlog_format = "json"\n')
    assert main(["run"], env={"MTSERVER_CONFIG": str(config_file)}) == 0
    assert calls[0][0].port == 1234


def test_run_starts_an_async_serve_under_trio(tmp_path, fake_app, fast_keygen):
    import trio

    module, calls = fake_app

    async def serve(config, key, **options):
        await trio.sleep(0)
        calls.append(options)

    module.serve = serve
    assert main(["run", "--data-dir", str(tmp_path), "--log-format", "json"], env={}) == 0
    # The process is the server's own: it freezes its startup heap (server/collector.py).
    assert calls == [{"freeze_heap": True}]


def test_run_without_server_app_says_it_is_not_available_yet(tmp_path, capsys, monkeypatch, fast_keygen):
    monkeypatch.setitem(sys.modules, "server.app", None)  # importing it raises ModuleNotFoundError
    assert main(["run", "--data-dir", str(tmp_path), "--log-format", "json"], env={}) == 1
    assert "server.app is not available yet" in capsys.readouterr().err
    assert (tmp_path / KEY_FILENAME).exists()  # everything before serving was done


def test_bad_flag_value_exits_2_naming_the_flag_before_creating_anything(tmp_path, capsys):
    data_dir = tmp_path / "data"
    assert main(["run", "--port", "abc", "--data-dir", str(data_dir)], env={}) == 2
    assert "--port: expected an int in 1..65535, got 'abc'" in capsys.readouterr().err
    assert not data_dir.exists()


def test_bad_environment_value_exits_2_naming_the_variable(tmp_path, capsys):
    assert main(["pubkey", "--data-dir", str(tmp_path)], env={"MTSERVER_LOG_FORMAT": "xml"}) == 2
    assert "MTSERVER_LOG_FORMAT: expected one of 'auto', 'json', 'console', got 'xml'" in capsys.readouterr().err


def test_a_corrupt_key_file_exits_1_with_its_path(tmp_path, capsys):
    (tmp_path / KEY_FILENAME).write_text("garbage")
    assert main(["pubkey", "--data-dir", str(tmp_path)], env={}) == 1
    assert KEY_FILENAME in capsys.readouterr().err


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as info:
        main([], env={})
    assert info.value.code == 2


def test_migrate_creates_the_database_in_the_data_dir_and_prints_its_version(tmp_path, capsys):
    from storage.migrations import latest
    from storage.sqlite import FILENAME

    data_dir = tmp_path / "data"
    for _ in range(2):  # the second run finds nothing to do
        assert main(["migrate", "--data-dir", str(data_dir)], env={"MTSERVER_LOG_FORMAT": "json"}) == 0
        assert capsys.readouterr().out == f"schema version {latest('sqlite')}\n"
    assert (data_dir / FILENAME).exists()
    assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700


def test_migrate_uses_the_database_flag(tmp_path, capsys):
    path = tmp_path / "elsewhere.db"
    assert main(["migrate", "--data-dir", str(tmp_path / "data"), "--database", f"sqlite://{path}"], env={}) == 0
    assert capsys.readouterr().out.startswith("schema version ")
    assert path.exists() and not (tmp_path / "data").exists()


def test_migrate_reports_an_unreachable_database_without_its_password(capsys):
    assert main(["migrate", "--database", "postgresql://mt:hunter2@127.0.0.1:1/mt"], env={}) == 1
    err = capsys.readouterr().err
    assert "cannot connect to PostgreSQL" in err and "hunter2" not in err


def test_run_takes_the_database_from_the_flag_or_the_environment(tmp_path, fake_app, fast_keygen):
    _, calls = fake_app
    env = {"MTSERVER_LOG_FORMAT": "json", "MTSERVER_DATABASE": "postgresql://env@db/mt"}
    assert main(["run", "--data-dir", str(tmp_path)], env=env) == 0
    assert main(["run", "--data-dir", str(tmp_path), "--database", "postgres://flag@db/mt"], env=env) == 0
    assert [config.database for config, _ in calls] == ["postgresql://env@db/mt", "postgres://flag@db/mt"]
