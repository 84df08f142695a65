"""One line, instead of a traceback, for the ways a server commonly fails to start.

``mtserver run`` passes what escaped ``server.app.serve`` to :func:`explain`; a known
failure becomes one sentence saying what failed and what to do, printed on stderr with
exit code 1. Anything else is a bug and keeps its traceback.

- a port in use (or below 1024 without the right to bind it): which setting names it;
- PostgreSQL unreachable, refusing the login or without the database (``StorageError``,
  whose text already hides the password);
- Redis unreachable (``BusUnavailable``);
- the media store unusable (``ObjectStoreError``);
- the TLS certificate or key unreadable.

A malformed setting (a media URL that is not ``file://`` or ``s3://``, a bad port, ...)
never gets here: the configuration stops the server first, naming the setting (exit 2).
A media store that cannot be reached is no start-up failure: the server runs without
it and warns (server/health.py ``probe_objects_at_startup``).
"""

from __future__ import annotations

import errno
import socket
import ssl

from storage.bus.errors import BusUnavailable
from storage.interface import StorageError
from storage.objects import ObjectStoreError

from .config import Config, env_name, parse_http_address


def _listeners(config: Config) -> list[tuple[str, str, int]]:
    """(setting, host, port) of every port the server opens."""
    found = [(f"{env_name('port')} (--port)", config.host, config.port)]
    if config.ws_port is not None:
        found.append((env_name("ws_port"), config.host, config.ws_port))
    if config.http:
        host, port = parse_http_address(config.http)
        found.append((f"{env_name('http')} (--http)", host, port))
    return found


def _taken(host: str, port: int) -> bool:
    """Binding (host, port) fails the way the server's bind did."""
    try:
        infos = socket.getaddrinfo(None if host in ("", "0.0.0.0", "::") else host, port,
                                   type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError:
        return False
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError:
                return True
    return False


def _bind_failure(exc: OSError, config: Config) -> str:
    culprits = [(name, host, port) for name, host, port in _listeners(config) if port and _taken(host, port)]
    if exc.errno == errno.EADDRINUSE:
        if culprits:
            name, host, port = culprits[0]
            where = f"{host}:{port} ({name})"
        else:
            where = " or ".join(f"{host}:{port} ({name})" for name, host, port in _listeners(config))
        return (f"cannot listen on {where}: the address is already in use. Stop the program "
                f"that holds it (another mtserver?) or choose another port.")
    ports = ", ".join(f"{port} ({name})" for name, _, port in _listeners(config))
    return (f"cannot listen on port {ports}: permission denied. Ports below 1024 need root or "
            f"CAP_NET_BIND_SERVICE; choose a port above 1023 or grant the capability.")


def explain(exc: BaseException, config: Config) -> str | None:
    """One line for a known start-up failure; None for anything else."""
    if isinstance(exc, StorageError):
        if not str(exc).startswith("cannot connect"):
            return f"{exc}"  # a schema newer than this server, a failed migration: its own words say what to do
        return (f"{exc}. Check {env_name('database')} (--database) and that the database server "
                f"is running, reachable from here and has that database and user.")
    if isinstance(exc, BusUnavailable):
        return (f"{exc}. Check {env_name('redis')} (--redis) and that Redis is running and reachable "
                f"from here.")
    if isinstance(exc, ObjectStoreError):
        return f"media store: {exc}. Check {env_name('media_url')} (--media-url)."
    if isinstance(exc, ssl.SSLError) or (isinstance(exc, OSError) and exc.filename in
                                         (config.tls_cert, config.tls_key) and exc.filename):
        return (f"cannot load the TLS certificate {config.tls_cert} and key {config.tls_key}: "
                f"{getattr(exc, 'strerror', None) or exc}. Check {env_name('tls_cert')} and "
                f"{env_name('tls_key')} (PEM files readable by the server).")
    if isinstance(exc, OSError) and exc.errno in (errno.EADDRINUSE, errno.EACCES) and exc.filename is None:
        return _bind_failure(exc, config)
    if isinstance(exc, OSError) and exc.errno == errno.EADDRNOTAVAIL:
        return (f"cannot listen on {config.host}: no interface of this machine has that address. "
                f"Check {env_name('host')} (--host).")
    return None
