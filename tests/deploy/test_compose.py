"""docker-compose.yml and the Dockerfile agree with the server's settings.

No Docker engine runs here, so the files are checked as data: every MTSERVER_* variable
compose sets is one the server knows, the published port is the one it listens on,
the server's dependencies are the services its URLs name, and the Dockerfile copies
every package the server imports.
"""

from pathlib import Path
from urllib.parse import urlparse

import yaml

from server.config import ENV_VARIABLES

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def server_env():
    return compose()["services"]["mtserver"]["environment"]


def test_every_variable_is_one_the_server_reads():
    unknown = [name for name in server_env() if name not in ENV_VARIABLES]
    assert unknown == []


def test_published_port_is_the_listen_port():
    env = server_env()
    ports = compose()["services"]["mtserver"]["ports"]
    assert f"{env['MTSERVER_PORT']}:{env['MTSERVER_PORT']}" in ports
    assert env["MTSERVER_PUBLIC_PORT"] == env["MTSERVER_PORT"]


def test_urls_name_the_services_it_depends_on():
    services = compose()["services"]
    env = server_env()
    for variable in ("MTSERVER_DATABASE", "MTSERVER_REDIS"):
        host = urlparse(env[variable]).hostname
        assert host in services and host in services["mtserver"]["depends_on"], variable
    db = services["postgres"]["environment"]
    url = urlparse(env["MTSERVER_DATABASE"])
    assert (url.username, url.password, url.path.lstrip("/")) == (db["POSTGRES_USER"], db["POSTGRES_PASSWORD"], db["POSTGRES_DB"])


def test_data_dir_is_a_volume():
    service = compose()["services"]["mtserver"]
    assert any(v.endswith(":" + service["environment"]["MTSERVER_DATA_DIR"]) for v in service["volumes"])


def test_dockerfile_copies_every_package():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("mtproto", "tl", "rpc", "storage", "server", "tools", "schema"):
        assert f"COPY {package} ./{package}" in dockerfile, package
    assert 'CMD ["mtserver", "run"]' in dockerfile


def test_healthcheck_asks_the_ops_listener_which_is_not_published():
    service = compose()["services"]["mtserver"]
    host, _, port = service["environment"]["MTSERVER_HTTP"].rpartition(":")
    check = " ".join(service["healthcheck"]["test"])
    assert f"127.0.0.1:{port}/healthz" in check
    assert host == "0.0.0.0"  # the container's loopback alone would hide it from Prometheus
    assert not any(str(p).split(":")[-1] == port for p in service["ports"])  # not on the host
