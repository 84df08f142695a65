"""Connection settings from a ``postgresql://`` URL, with libpq's environment defaults."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


@dataclass(frozen=True)
class ConnectParams:
    host: str = "localhost"      # a path (starting with '/') is a Unix socket directory
    port: int = 5432
    user: str = ""
    password: str | None = field(default=None, repr=False)
    database: str = ""
    sslmode: str = "prefer"
    sslrootcert: str | None = None
    server_settings: tuple[tuple[str, str], ...] = ()

    @property
    def unix_socket(self) -> str | None:
        return f"{self.host}/.s.PGSQL.{self.port}" if self.host.startswith("/") else None


def parse_dsn(dsn: str) -> ConnectParams:
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"not a postgresql:// URL: scheme {parts.scheme!r}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    env = os.environ
    host = unquote(parts.hostname or "") if parts.netloc.rpartition("@")[2] else ""
    host = query.pop("host", None) or host or env.get("PGHOST") or "localhost"
    try:
        port = int(query.pop("port", None) or parts.port or env.get("PGPORT") or 5432)
    except ValueError as exc:
        raise ValueError("the port must be a number") from exc
    user = unquote(parts.username or "") or query.pop("user", None) or env.get("PGUSER") or getpass.getuser()
    password = unquote(parts.password) if parts.password is not None else (
        query.pop("password", None) or env.get("PGPASSWORD"))
    database = unquote(parts.path.lstrip("/")) or query.pop("dbname", None) or env.get("PGDATABASE") or user
    sslmode = query.pop("sslmode", None) or env.get("PGSSLMODE") or "prefer"
    if sslmode not in SSL_MODES:
        raise ValueError(f"sslmode must be one of {', '.join(SSL_MODES)}")
    sslrootcert = query.pop("sslrootcert", None) or env.get("PGSSLROOTCERT")
    settings = tuple(sorted((k, v) for k, v in query.items() if k in ("application_name", "options")))
    return ConnectParams(host=host, port=port, user=user, password=password, database=database,
                         sslmode=sslmode, sslrootcert=sslrootcert, server_settings=settings)
