"""GramJS 2.26.22 (npm `telegram`, layer 198), unmodified, signs up against our server.

GramJS always dials port 80 (443 with WSS), whatever port its session names, so this
server listens on port 80 of a loopback address of its own (127.0.0.x): that needs
root, as CI and this project's machines have. The client script
(tests/e2e/js/gramjs_login.js) adds our RSA key to GramJS's key table at run time and
names our address through its session API.
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


@pytest.fixture
def server_on_port_80(tmp_path):
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (JS / "node_modules" / "telegram").exists():
        pytest.skip("run `npm ci --prefix tests/e2e/js` (CI does) to test GramJS")
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
    result = subprocess.run(
        ["node", str(JS / "gramjs_login.js"), server_on_port_80.host, "80", str(pem_file), "+15559990001", CODE],
        cwd=JS, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + server_on_port_80.log()[-3000:]
    me = json.loads(result.stdout.strip().splitlines()[-1])
    assert me["first_name"] == "Gram" and me["phone"] == "15559990001"
    assert me["this_dc"] == 1 and me["pts"] >= 1
    assert '"handshake_done"' in server_on_port_80.log()
