"""docker-compose.yml, .env.example and the Dockerfile agree with the server and are safe.

No Docker engine runs here, so the files are checked as data: every MTSERVER_* variable
compose sets is one the server knows, the published ports are the ones it listens on
and tells clients, the server's dependencies are the services its URLs name, and the
Dockerfile copies every package the server imports. And the deployment is one an
operator can trust: images pinned to versions, secrets only in the env file (never in
the YAML), a healthcheck on every long-running service, media in MinIO through a
bucket an init step creates, two server replicas without a host-port clash, and
volumes for everything that keeps data.
"""

import re
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import yaml

from server.config import ENV_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
SERVERS = ("mtserver", "mtserver-2")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$", re.IGNORECASE)
REFERENCE = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")


def filled(value: str) -> str:
    """A value as compose would fill it in, each ${VAR...} becoming "VAR-FROM-ENV"."""
    return REFERENCE.sub(lambda m: f"{m.group(1)}-FROM-ENV", str(value))


def from_env(text: str | None) -> str | None:
    """The variable a filled-in part came from (None for a literal)."""
    return text[: -len("-FROM-ENV")] if text and text.endswith("-FROM-ENV") else None


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def services():
    return compose()["services"]


def server_env(name="mtserver"):
    return services()[name]["environment"]


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def long_running(name, service) -> bool:
    """Every service but one-shot init jobs (restart "no", waited for until they exit 0)."""
    waited = any(dep.get("condition") == "service_completed_successfully"
                 for other in services().values() for dep_name, dep in (other.get("depends_on") or {}).items()
                 if dep_name == name and isinstance(dep, dict))
    return not (waited and service.get("restart") == "no")


def test_every_variable_is_one_the_server_reads():
    for name in SERVERS:
        unknown = [variable for variable in server_env(name) if variable not in ENV_VARIABLES]
        assert unknown == [], name
    # .env goes to the servers whole (env_file): its MTSERVER_* names must be known too.
    assert [key for key in env_example() if key.startswith("MTSERVER_") and key not in ENV_VARIABLES] == []


def test_published_ports_are_the_listen_port_and_what_clients_are_told():
    host_ports = []
    for name in SERVERS:
        env = server_env(name)
        [published] = services()[name]["ports"]
        host, container = str(published).split(":")
        assert container == env["MTSERVER_PORT"], name
        assert host == env["MTSERVER_PUBLIC_PORT"], name  # clients are sent where they can connect
        host_ports.append(host)
    assert len(set(host_ports)) == len(SERVERS)  # two replicas, no host-port clash


def test_two_replicas_share_settings_key_and_backends():
    first, second = (services()[name] for name in SERVERS)
    assert first["image"] == second["image"] and first["build"] == second["build"]
    assert first["volumes"] == second["volumes"]  # the same server key
    same = {k: v for k, v in server_env("mtserver").items() if k != "MTSERVER_PUBLIC_PORT"}
    assert same == {k: v for k, v in server_env("mtserver-2").items() if k != "MTSERVER_PUBLIC_PORT"}
    assert same["MTSERVER_REDIS"] and same["MTSERVER_DATABASE"].startswith("postgresql://")  # the bus between them
    # The second waits for the first, which creates the key in the shared volume.
    assert second["depends_on"]["mtserver"]["condition"] == "service_healthy"


def test_urls_name_the_services_it_depends_on():
    env = server_env()
    for variable in ("MTSERVER_DATABASE", "MTSERVER_REDIS", "MTSERVER_MEDIA_URL"):
        host = urlparse(filled(env[variable])).hostname
        assert host in services(), variable
    db = services()["postgres"]["environment"]
    url = urlparse(filled(env["MTSERVER_DATABASE"]))
    assert (url.username, url.path.lstrip("/")) == (db["POSTGRES_USER"], db["POSTGRES_DB"])
    assert from_env(url.password) == "POSTGRES_PASSWORD"
    for name in SERVERS:
        depends = services()[name]["depends_on"]
        assert {"postgres", "redis"} <= set(depends) and all(
            depends[s]["condition"] == "service_healthy" for s in ("postgres", "redis")), name


def test_media_goes_to_minio_through_the_bucket_the_init_step_creates():
    env = server_env()
    media = urlparse(filled(env["MTSERVER_MEDIA_URL"]))
    assert media.scheme == "s3" and media.hostname == "minio" and media.port == 9000
    bucket = media.path.strip("/")
    assert (from_env(media.username), from_env(media.password)) == ("MEDIA_ACCESS_KEY", "MEDIA_SECRET_KEY")
    init = services()["minio-init"]
    assert init["image"].startswith("minio/mc:")
    script = "\n".join(init["entrypoint"])
    assert f"mc mb --ignore-existing local/{bucket}" in script
    assert 'mc admin user add local "$$MEDIA_ACCESS_KEY" "$$MEDIA_SECRET_KEY"' in script  # not the root key
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"
    for name in SERVERS:
        assert services()[name]["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"


def test_images_are_pinned_to_versions():
    for name, service in services().items():
        image = service.get("image")
        assert image, f"{name}: no image"
        repository, _, tag = image.rpartition(":") if "@" not in image else (image, "", "digest")
        # A full version (16.6, 7.4.1) or a dated release; "16" or "7" move with every patch release.
        assert repository and re.fullmatch(r"\d+\.\d+(\.\d+)?(-[\w.]+)?|RELEASE\.[\dT:-]+Z|digest", tag), \
            f"{name}: {image} is not pinned to a version"
    dockerfile = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^FROM (\S+)", dockerfile, re.M).group(1)
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base), base


def test_healthcheck_on_every_long_running_service():
    for name, service in services().items():
        if long_running(name, service):
            test = service.get("healthcheck", {}).get("test")
            assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name}: no healthcheck"
        else:
            assert "healthcheck" not in service  # a one-shot job is judged by its exit code
    assert not long_running("minio-init", services()["minio-init"])


def test_secrets_come_from_the_env_file_never_from_the_yaml():
    text = (ROOT / "docker-compose.yml").read_text()
    for name, service in services().items():
        environment = service.get("environment") or {}
        for key, value in environment.items():
            value = str(value)
            if SECRET_NAME.search(key):
                assert REFERENCE.fullmatch(value), f"{name}: {key} is written in the YAML"
            for url in re.findall(r"[a-z0-9+]+://\S+", filled(value)):
                password = urlparse(url).password
                assert password is None or from_env(password), f"{name}: {key} has a password literal"
        for key in ("POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "MINIO_ROOT_USER"):
            assert key not in environment, f"{name}: {key} belongs in .env"
    for name in ("postgres", "minio", "minio-init", *SERVERS):
        assert services()[name]["env_file"] == ".env", name
    # Every value compose must fill in is in the example, and the secrets there are blank.
    example = env_example()
    for variable in set(REFERENCE.findall(text)):
        assert variable in example, f"{variable} is missing from .env.example"
    for key, value in example.items():
        if SECRET_NAME.search(key) and key != "MEDIA_ACCESS_KEY":
            assert value == "", f".env.example gives {key} a value: every deployment must make its own"
    # Commands read secrets in the container ($$VAR), never interpolated by compose.
    for name, service in services().items():
        command = " ".join(service.get("entrypoint") or []) + " ".join(service.get("command") or [])
        assert not re.search(r"(?<!\$)\$\{?(MINIO_ROOT|MEDIA_SECRET|POSTGRES_PASSWORD)", command), name


def test_the_env_file_is_never_committed():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT).returncode == 0
    assert ignored
    tracked = subprocess.run(["git", "ls-files", ".env"], cwd=ROOT, capture_output=True, text=True).stdout
    assert tracked == ""


def test_data_lives_in_volumes():
    declared = set(compose()["volumes"])
    for name, mount in (("postgres", "/var/lib/postgresql/data"), ("minio", "/data"),
                        ("mtserver", server_env()["MTSERVER_DATA_DIR"]), ("mtserver-2", "/data")):
        volumes = services()[name]["volumes"]
        assert any(v.endswith(":" + mount) and v.split(":")[0] in declared for v in volumes), name


def test_dockerfile_copies_every_package():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("mtproto", "tl", "rpc", "storage", "server", "tools", "schema"):
        assert f"COPY {package} ./{package}" in dockerfile, package
    assert 'CMD ["mtserver", "run"]' in dockerfile
    assert "-c constraints.txt" in dockerfile  # the versions CI tested


def test_healthcheck_asks_the_ops_listener_which_is_not_published():
    for name in SERVERS:
        service = services()[name]
        host, _, port = service["environment"]["MTSERVER_HTTP"].rpartition(":")
        check = " ".join(service["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/healthz" in check
        assert host == "0.0.0.0"  # the container's loopback alone would hide it from Prometheus
        assert not any(str(p).split(":")[0] == port for p in service["ports"])  # not on the host
