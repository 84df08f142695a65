"""The Redis URL forms the bus accepts (those redis-py's ``from_url`` read before):

- ``redis://[[user]:password@]host[:port][/db]``: TCP, port 6379 by default;
- ``rediss://...``: the same over TLS (the server's certificate checked against the
  system's CAs unless ``ssl_cert_reqs`` / ``ssl_ca_certs`` say otherwise);
- ``unix://[[user]:password@]/path/to/redis.sock``: a unix socket.

Query options: ``db`` (instead of the path; the only way for ``unix://``),
``username``, ``password`` (the URL's own user:password win), ``socket_timeout`` /
``socket_connect_timeout`` (seconds), and for TLS ``ssl_cert_reqs``
(none/optional/required), ``ssl_ca_certs``, ``ssl_certfile``, ``ssl_keyfile``,
``ssl_check_hostname``. Anything else is refused rather than silently ignored.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlparse

DEFAULT_PORT = 6379
_TRUE = ("1", "yes", "true", "on", "y")
_FALSE = ("0", "no", "false", "off", "n", "")
_CERT_REQS = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}
_OPTIONS = {
    "db", "username", "password", "socket_timeout", "socket_connect_timeout",
    "ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_check_hostname",
}  # fmt: skip


@dataclass(frozen=True)
class RedisAddress:
    host: str | None = None  # TCP (and TLS)
    port: int = DEFAULT_PORT
    path: str | None = None  # unix socket
    tls: bool = False
    username: str | None = None
    password: str | None = None
    db: int = 0
    timeout: float | None = None  # from the URL: overrides the bus's socket_timeout
    ssl_cert_reqs: ssl.VerifyMode = ssl.CERT_REQUIRED
    ssl_ca_certs: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_check_hostname: bool = True

    def __repr__(self) -> str:  # never the password
        where = self.path if self.path is not None else f"{self.host}:{self.port}"
        return f"<RedisAddress {'tls ' if self.tls else ''}{where} db={self.db}>"

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ssl_ca_certs)
        context.check_hostname = self.ssl_check_hostname and self.ssl_cert_reqs != ssl.CERT_NONE
        context.verify_mode = self.ssl_cert_reqs
        if self.ssl_certfile:
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        return context


def parse_redis_url(url: str) -> RedisAddress:
    """Raises ValueError (without the password in its message) for a URL it cannot use."""
    scheme = url.partition("://")[0].lower()
    if "://" not in url or scheme not in ("redis", "rediss", "unix"):
        raise ValueError("a Redis URL starts with redis://, rediss:// or unix://")
    parsed = urlparse(url)
    options: dict[str, str] = {}
    for name, values in parse_qs(parsed.query, keep_blank_values=True).items():
        if name not in _OPTIONS:
            raise ValueError(f"unsupported Redis URL option {name!r}")
        options[name] = values[0]
    fields: dict[str, object] = {}
    try:
        username = unquote(parsed.username) if parsed.username else options.get("username")
        password = unquote(parsed.password) if parsed.password else options.get("password")
        fields.update(username=username or None, password=password or None)
        if scheme == "unix":
            if not parsed.path:
                raise ValueError("a unix:// Redis URL needs the socket's path")
            fields["path"] = unquote(parsed.path)
        else:
            if not parsed.hostname:
                raise ValueError("a Redis URL needs a host")
            fields["host"] = unquote(parsed.hostname)
            fields["port"] = parsed.port or DEFAULT_PORT
            fields["tls"] = scheme == "rediss"
            db = unquote(parsed.path).replace("/", "")
            if db and "db" not in options:
                fields["db"] = int(db)
        if "db" in options:
            fields["db"] = int(options["db"])
        timeout = options.get("socket_timeout") or options.get("socket_connect_timeout")
        if timeout:
            fields["timeout"] = float(timeout)
        if "ssl_cert_reqs" in options:
            fields["ssl_cert_reqs"] = _CERT_REQS[options["ssl_cert_reqs"].lower()]
        for name in ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile"):
            if options.get(name):
                fields[name] = options[name]
        if "ssl_check_hostname" in options:
            fields["ssl_check_hostname"] = _boolean(options["ssl_check_hostname"])
    except (KeyError, ValueError) as exc:
        # (urlparse's port check and int() quote the URL part; none holds the password.)
        raise ValueError(f"bad Redis URL: {exc}") from None
    if int(fields.get("db", 0)) < 0:  # type: ignore[call-overload]
        raise ValueError("bad Redis URL: a negative database number")
    return RedisAddress(**fields)  # type: ignore[arg-type]


def _boolean(value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")
