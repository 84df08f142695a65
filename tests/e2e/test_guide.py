"""docs/clients.md stays true: its tested blocks run as written against a real server.

A block is tested when the line before its fence is ``<!-- guide-test: NAME -->``.
Shell blocks run in bash with ``mtserver`` and ``python`` meaning this checkout's
``python -m tools.cli`` and this interpreter, in a scratch directory, with the server's
data directory in ``MTSERVER_DATA_DIR``. The only thing a test changes in a block is the
example port 8443, which becomes the test server's.
"""

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.pubkey_formats import FORMATS

from .server_process import ROOT
from .test_accounts import CODE

GUIDE = ROOT / "docs" / "clients.md"
_BLOCK = re.compile(r"<!-- guide-test: (\S+) -->\n```\w*\n(.*?)^```", re.DOTALL | re.MULTILINE)


def guide_blocks() -> dict[str, str]:
    return {name: body for name, body in _BLOCK.findall(GUIDE.read_text())}


def run_shell(block: str, cwd: Path, data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess:
    prelude = (f"mtserver() {{ PYTHONPATH={shlex.quote(str(ROOT))} {shlex.quote(sys.executable)} -m tools.cli \"$@\"; }}\n"
               f"python() {{ {shlex.quote(sys.executable)} \"$@\"; }}\n")
    env = {**os.environ, "MTSERVER_DATA_DIR": str(data_dir), "MTSERVER_LOG_FORMAT": "json"}
    return subprocess.run(["bash", "-euo", "pipefail", "-c", prelude + block], cwd=cwd, env=env, input=stdin,
                          capture_output=True, text=True, timeout=180)


def test_the_guide_has_its_tested_blocks():
    assert set(guide_blocks()) >= {"pubkey-formats", "telethon-key", "telethon-login", "telethon-run",
                                   "tdlib-patch", "tdlib-patch-run"}


def test_every_pubkey_command_in_the_guide_runs_and_every_format_is_there(tmp_path):
    block = guide_blocks()["pubkey-formats"]
    named = set(re.findall(r"--format (\w+)", block))
    assert named | {"pem", "java"} == set(FORMATS)  # pem is the default; java is android's alias
    done = run_shell(block, tmp_path, tmp_path / "data")
    assert done.returncode == 0, done.stderr
    for shape in ("-----BEGIN RSA PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----", "fingerprint (signed int64): ",
                  '"-----END RSA PUBLIC KEY-----"', "serverPublicKeysFingerprints.push_back(0x",
                  ": PublicKey(", '_serverKeys.set("', "modulus: '"):
        assert shape in done.stdout


def test_telethon_script_signs_up_a_new_number_then_logs_in_again(messaging_server, tmp_path):
    blocks = guide_blocks()
    done = run_shell(blocks["telethon-key"], tmp_path, messaging_server.data_dir)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "server_pubkey.pem").read_text().startswith("-----BEGIN RSA PUBLIC KEY-----\n")
    (tmp_path / "login.py").write_text(blocks["telethon-login"])
    command = blocks["telethon-run"].replace(" 8443 ", f" {messaging_server.port} ")
    assert f"python login.py {messaging_server.host} {messaging_server.port} " in command

    signed_up = run_shell(command, tmp_path, messaging_server.data_dir, stdin=f"{CODE}\n")
    assert signed_up.returncode == 0, signed_up.stderr[-4000:]
    assert re.search(r"logged in as \d+ Ann", signed_up.stdout), signed_up.stdout
    logged_in = run_shell(command, tmp_path, messaging_server.data_dir, stdin=f"{CODE}\n")
    assert logged_in.returncode == 0, logged_in.stderr[-4000:]
    assert logged_in.stdout.split("logged in as ")[1] == signed_up.stdout.split("logged in as ")[1]


def test_tdlib_patch_script_swaps_keys_and_addresses_in_a_built_tdjson(tmp_path):
    spec = importlib.util.find_spec("tdjson")
    if spec is None or spec.origin is None:
        pytest.skip("the tdjson wheel (a built TDLib) is not installed")
    built = next((Path(spec.origin).parent.parent / "tdjson.libs").glob("libtdjson*"), None)
    if built is None:
        pytest.skip("no libtdjson in the tdjson wheel")
    blocks = guide_blocks()
    shutil.copyfile(built, tmp_path / "libtdjson.so")
    (tmp_path / "patch_tdlib.py").write_text(blocks["tdlib-patch"])

    done = run_shell(blocks["tdlib-patch-run"], tmp_path, tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert "replaced 2 keys" in done.stdout  # TDLib's production and test keys
    original, patched = built.read_bytes(), (tmp_path / "libtdjson.so").read_bytes()
    assert len(patched) == len(original)
    pem = (tmp_path / "server_pubkey.pem").read_bytes().rstrip(b"\n")
    assert patched.count(pem + b"\0") == 2
    for dc in (b"149.154.175.50", b"149.154.167.51", b"149.154.175.100", b"149.154.167.91", b"149.154.171.5"):
        assert dc + b"\0" in original and dc + b"\0" not in patched
        assert b"127" + dc[3:] + b"\0" in patched
