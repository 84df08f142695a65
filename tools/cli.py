"""The ``mtserver`` command: start the server, print the public key clients embed, migrate.

    mtserver run [--config FILE] [--host H] [--port P] [--public-host H] [--public-port P]
                 [--data-dir D] [--database URL] [--log-format auto|json|console]
                 [--log-level debug|info|warning|error] ...
    mtserver pubkey [--config FILE] [--data-dir D] [--format pem|pkcs1|spki|fingerprint|c|android|pyrogram|gramjs|webk]
    mtserver migrate [--config FILE] [--data-dir D] [--database URL]
    mtserver migrate-db --from sqlite:///... --to postgresql://...   (tools/migrate_db.py)
    mtserver admin ...                 (tools/admin.py)
    mtserver loadgen ...               (tools/loadgen/cli.py: delivery load against a running server)
    mtserver inspect ...               (tools/inspect/cli.py: read protocol captures, decode payloads)
    python -m tools.cli ...            (the same, without installing)

Settings come from the TOML file (``--config`` or ``MTSERVER_CONFIG``), then the
``MTSERVER_*`` environment, then these flags (server/config.py). ``run`` prepares
everything the server needs -- configuration, data directory, logging, RSA key -- and
hands over to ``server.app.serve(config, key, freeze_heap=True)``; :func:`prepare_run` is that first half,
separately testable. ``migrate`` opens the storage (which applies pending migrations),
prints the schema version and exits; ``run`` migrates the same way when it starts. This
module parses arguments and reports errors; it holds no server logic.

Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error, 130 Ctrl-C.
A server that cannot start for a common reason (a port in use, the database or Redis
unreachable) says so in one line on stderr (server/startup_errors.py), exit code 1.

Imports of what a command needs (the key, trio, storage, TL classes) happen when it
runs, so that `--help` and the admin commands start quickly (bench/README.md).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from server.config import LOG_FORMATS, LOG_LEVELS, Config, ConfigError, load_config
from tools.admin import add_admin_parser
from tools.inspect.cli import add_inspect_parser
from tools.loadgen.cli import add_loadgen_parser
from tools.migrate_db import add_migrate_db_parser
from tools.pubkey_formats import FORMATS as PUBKEY_FORMATS


def configure_logging(*args, **kwargs):
    """server.logging.configure_logging, imported when a command sets up its logging."""
    from server.logging import configure_logging

    return configure_logging(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mtserver", description="A Telegram-compatible MTProto server.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="start the server")
    _add_common(run)
    # Values stay text: server.config parses and checks them, naming the flag on error.
    run.add_argument("--host", help="address to listen on (default 0.0.0.0)")
    run.add_argument("--port", help="port to listen on (default 8443)")
    run.add_argument("--public-host", help="address clients are told to use (default: --host, or 127.0.0.1)")
    run.add_argument("--public-port", help="port clients are told to use (default: --port)")
    run.add_argument("--log-format", choices=LOG_FORMATS, help="default auto: console on a terminal, else JSON")
    run.add_argument("--log-level", choices=LOG_LEVELS, help="least severe events written (default info)")
    run.add_argument("--redis", metavar="URL", help="Redis bus between server processes (default: none, one process)")
    run.add_argument("--code-sender", metavar="SPEC", help="where login codes go: log (default), fixed:CODE, webhook:URL")
    run.add_argument("--registration", choices=("open", "allowlist", "invite"), help="who may sign up (default open)")
    _add_database(run)
    run.add_argument("--media-url", metavar="URL",
                     help="where files go: file:///dir or s3://ACCESS:SECRET@host:port/bucket (default: data dir)")
    run.add_argument("--http", metavar="HOST:PORT",
                     help="operators' HTTP listener: /metrics, /healthz, /readyz (default: off)")
    run.add_argument("--capture", dest="capture_dir", metavar="DIR",
                     help="record every decrypted message, both ways, as JSON lines in DIR (default: off; "
                          "filters and on/off at run time: DIR/control.json)")

    pubkey = commands.add_parser(
        "pubkey", help="print the server's public RSA key (PKCS#1 PEM) and fingerprint, creating the key if missing")
    _add_common(pubkey)
    pubkey.add_argument("--format", choices=PUBKEY_FORMATS, default="pem",
                        help="pem (default: PKCS#1 PEM and fingerprint), pkcs1, spki, fingerprint, c, "
                             "android (alias java), pyrogram, gramjs, webk: where each goes, docs/clients.md")

    migrate = commands.add_parser("migrate", help="apply pending database migrations and print the schema version")
    _add_common(migrate)
    _add_database(migrate)

    add_migrate_db_parser(commands)
    add_admin_parser(commands)
    add_loadgen_parser(commands)
    add_inspect_parser(commands)
    return parser


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="TOML settings file (default: $MTSERVER_CONFIG)")
    parser.add_argument("--data-dir", metavar="DIR", help="where keys and data live (default ./data)")


def _add_database(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="URL",
                        help="postgresql://user:password@host:port/db, or sqlite:///path "
                             "(default: SQLite in the data dir)")


def _overrides(args: argparse.Namespace) -> dict[str, str | None]:
    names = ("host", "port", "public_host", "public_port", "data_dir", "database", "log_format", "log_level", "redis",
             "code_sender", "registration", "media_url", "http", "capture_dir")
    return {name: getattr(args, name) for name in names if hasattr(args, name)}


def prepare_run(args: argparse.Namespace, env: Mapping[str, str]):
    """Everything ``run`` does before serving; returns ``(config, server_key)``.

    Order: configuration (fails fast, before any file is created), logging (so creating
    the key is logged in the chosen format), data directory, key.
    """
    from server.keys import DATA_DIR_MODE, load_or_create_server_key
    from server.logging import get_logger
    from server.startup_checks import log_startup_warnings

    config = load_config(args.config, env, _overrides(args))
    configure_logging(config.log_format, level=config.log_level)
    Path(config.data_dir).mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
    key = load_or_create_server_key(config.data_dir)
    log = get_logger(__name__)
    log.info("server_prepared", listen=f"{config.host}:{config.port}",
             public=f"{config.public_host}:{config.public_port}", data_dir=os.path.abspath(config.data_dir),
             dc_id=config.dc_id, key_fingerprint=key.fingerprint_hex)
    log_startup_warnings(config)
    return config, key


def _start(config: Config, key) -> int:
    try:
        app = importlib.import_module("server.app")
    except ModuleNotFoundError as exc:
        if exc.name != "server.app":  # server.app exists but something it imports does not
            raise
        print("mtserver: server.app is not available yet: configuration, data directory and "
              f"key ({key.fingerprint_hex}) are ready, but there is no server loop to start",
              file=sys.stderr)
        return 1
    return _serve(app.serve, config, key)


def _serve(serve, config: Config, key) -> int:
    # serve may be a trio entry point (async) or a blocking function that runs trio itself.
    # This process is the server's own: what it holds once started is frozen
    # (server/collector.py).
    if inspect.iscoroutinefunction(serve):
        import trio

        from storage.groups import single_errors

        with single_errors():
            trio.run(functools.partial(serve, freeze_heap=True), config, key)
    else:
        serve(config, key, freeze_heap=True)
    return 0


def _pubkey(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from server.keys import load_or_create_server_key
    from tools.pubkey_formats import render as render_public_key

    config = load_config(args.config, env, _overrides(args))
    # Standard output carries only the key; log events (such as key creation) go to stderr.
    configure_logging(config.log_format, stream=sys.stderr, level=config.log_level)
    key = load_or_create_server_key(config.data_dir)
    sys.stdout.write(render_public_key(key.private_key.public_key(), args.format))
    return 0


def _migrate(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    config = load_config(args.config, env, _overrides(args))
    configure_logging(config.log_format, stream=sys.stderr, level=config.log_level)
    if not config.database:
        from server.keys import DATA_DIR_MODE

        Path(config.data_dir).mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
    import trio

    from storage import StorageError
    from storage.groups import single_errors

    try:
        with single_errors():
            version = trio.run(_open_and_migrate, config)
    except StorageError as exc:
        print(f"mtserver: {exc}", file=sys.stderr)
        return 1
    print(f"schema version {version}")
    return 0


async def _open_and_migrate(config: Config) -> int:

    from storage import open_storage

    storage = await open_storage(config.database, config.data_dir)  # applies the migrations
    await storage.close()
    return storage.schema_version


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    env = os.environ if env is None else env
    if args.command == "inspect":  # reads files only: no settings, no logging set-up
        from tools.inspect.cli import run_inspect

        return run_inspect(args)
    try:
        if args.command == "pubkey":
            return _pubkey(args, env)
        if args.command == "migrate":
            return _migrate(args, env)
        if args.command == "migrate-db":
            from tools.migrate_db import run_migrate_db

            return run_migrate_db(args)
        if args.command == "admin":
            from tools.admin import run_admin

            config = load_config(args.config, env, _overrides(args))
            configure_logging(config.log_format, stream=sys.stderr, level=config.log_level)
            return run_admin(args, config)
        if args.command == "loadgen":
            from tools.loadgen.cli import run_loadgen

            config = load_config(args.config, env, _overrides(args))
            configure_logging(config.log_format, stream=sys.stderr, level=config.log_level)
            return run_loadgen(args, config)
        config, key = prepare_run(args, env)
    except ConfigError as exc:
        print(f"mtserver: configuration error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:  # unwritable data directory, corrupt key file, ...
        print(f"mtserver: {exc}", file=sys.stderr)
        return 1
    try:
        return _start(config, key)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from server.startup_errors import explain

        message = explain(exc, config)
        if message is None:
            raise
        print(f"mtserver: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
