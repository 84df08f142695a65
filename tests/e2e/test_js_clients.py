"""JavaScript clients, unmodified: GramJS 2.26.22 (npm `telegram`, layer 198) signs up,
mtcute 0.30.3 (@mtcute/node, layer 227, RSA_PAD in its handshake) logs in.

GramJS always dials port 80 (443 with WSS), whatever port its session names, so these
servers listen on port 80 of a loopback address of their own (127.0.x.y): that needs
root, as CI and this project's machines have. The scripts in tests/e2e/js/ add our RSA
key and address through each library's own hooks at run time.
"""

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from .server_process import ServerProcess

JS = Path(__file__).resolve().parent / "js"
CODE = "12345"


def need(package: str) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (JS / "node_modules" / package).exists():
        pytest.skip(f"run `npm ci --prefix tests/e2e/js` (CI does) to test {package}")


def run_node(script: str, *args: str) -> dict:
    result = subprocess.run(["node", str(JS / script), *args], cwd=JS, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def server_on_port_80(tmp_path):
    need("telegram")
    if os.geteuid() != 0:
        pytest.skip("GramJS only dials port 80, which needs root")
    host = f"127.0.{random.randint(1, 250)}.{random.randint(2, 250)}"
    proc = ServerProcess(tmp_path / "data", port=80, env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}"})
    proc.host = host
    proc.start()
    yield proc
    proc.stop()


def test_gramjs_signs_up_and_gets_config(server_on_port_80, tmp_path):
    pem_file = tmp_path / "server.pem"
    pem_file.write_text(server_on_port_80.public_key()[0])
    me = run_node("gramjs_login.js", server_on_port_80.host, "80", str(pem_file), "+15559990001", CODE)
    assert me["first_name"] == "Gram" and me["phone"] == "15559990001"
    assert me["this_dc"] == 1 and me["pts"] >= 1
    assert '"handshake_done"' in server_on_port_80.log()


def test_mtcute_logs_in_to_an_account(tmp_path):
    from .server_process import mtserver

    need("@mtcute/node")
    server = ServerProcess(tmp_path / "data", env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}"}).start()
    try:
        # mtcute will not sign up ("no longer supported for non-official clients"):
        # the operator creates the account.
        created = mtserver("admin", "--data-dir", str(server.data_dir), "users", "create", "+15559990002", "Mt")
        assert created.returncode == 0, created.stderr
        pem_file = tmp_path / "server.pem"
        pem_file.write_text(server.public_key()[0])
        me = run_node("mtcute_login.mjs", server.host, str(server.port), str(pem_file), "+15559990002", CODE)
        assert me["first_name"] == "Mt" and me["this_dc"] == 1 and me["pts"] >= 1
        assert '"bad_msg"' not in server.log()
    finally:
        server.stop()
