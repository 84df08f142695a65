"""The server's configuration: one frozen :class:`Config`, loaded from three layers.

Precedence, lowest first: defaults < TOML file < ``MTSERVER_<FIELD>`` environment
variables < command-line overrides. Every value is checked where it is read, so a
:class:`ConfigError` names the exact place to fix::

    MTSERVER_PORT: expected an int in 1..65535, got 'abc'
    /etc/mtserver.toml: port: expected an int in 1..65535, got 0
    /etc/mtserver.toml: unknown key 'prot' (did you mean 'port'?)
    --port: expected an int in 1..65535, got 70000

Environment values are text: ints and numbers are parsed, ``api_id_allowlist`` is a
comma-separated list (``MTSERVER_API_ID_ALLOWLIST=611335,2040``), and an empty value
means "none" for the optional fields (``public_host``, ``public_port``, ``database``) and
an empty list for ``api_id_allowlist``. ``MTSERVER_CONFIG`` names the TOML file when no
path is given.
Unknown ``MTSERVER_*`` variables are errors, like unknown keys in the file: a typo must
not silently fall back to a default.

This module reads only what it is given (a path, a mapping, a dict); it does not touch
the data directory or set anything up.
"""

from __future__ import annotations

import difflib
import functools
import math
import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

ENV_PREFIX = "MTSERVER_"
CONFIG_FILE_ENV = "MTSERVER_CONFIG"
LOG_FORMATS = ("auto", "json", "console")
LOG_LEVELS = ("debug", "info", "warning", "error")
# Listening on every interface says nothing about where clients should connect; the
# loopback address is the one answer that works for a local first run.
_WILDCARD_HOSTS = frozenset({"0.0.0.0", "::"})
_LOOPBACK = "127.0.0.1"
_INT32_MAX = 2**31 - 1
DATABASE_SCHEMES = ("postgresql://", "postgres://", "sqlite://")


class ConfigError(ValueError):
    """A configuration value is missing, malformed or out of range.

    ``source`` is where it came from (an environment variable, ``<file>: <key>`` or a
    ``--flag``), ``field`` the :class:`Config` field (None for file-level problems).
    """

    def __init__(self, source: str, field: str | None, problem: str):
        self.source = source
        self.field = field
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Settings of one server process. Build it with :func:`load_config`.

    Constructing it directly does not validate values (msgspec structs only check types
    when decoding); :func:`load_config` does. ``public_host`` / ``public_port`` are what
    clients are told to connect to (help.getConfig's dc_options); when left as None they
    are resolved here: the listening host (127.0.0.1 for a wildcard address such as
    0.0.0.0) and the listening port.
    """

    host: str = "0.0.0.0"
    port: int = 8443
    public_host: str | None = None
    public_port: int | None = None
    data_dir: str = "./data"
    # None: SQLite in the data dir. "postgresql://user:password@host:port/db" (or
    # postgres://) for PostgreSQL, "sqlite:///path/file.db" for SQLite elsewhere.
    database: str | None = None
    # Empty: any api_id is accepted.
    api_id_allowlist: list[int] = []
    # Seconds without any bytes from a client before its connection is closed.
    idle_timeout: float = 300.0
    max_connections: int = 10000
    log_format: Literal["auto", "json", "console"] = "auto"
    # The least severe events written: debug, info, warning or error.
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # The DC id a client is told it is on when its transport does not say which DC it
    # dialled (obfuscated2 carries it). 2 is where most client libraries start. Every
    # id 1-5 (and this one) is listed in help.getConfig at the public address.
    dc_id: int = 2
    # help.getNearestDc's country (ISO 3166-1 alpha-2): apps pick the phone-number
    # prefix of the login screen from it.
    country: str = "US"
    # A JSON file of keys added to (or replacing) help.getAppConfig's defaults
    # (rpc/services/app_config.py).
    app_config_file: str | None = None
    # The bus between server processes (updates, presence); None: in-process only.
    redis: str | None = None
    # What every Redis channel name of this deployment starts with (pub/sub ignores the
    # database number); None: "mtserver:<id>:", the id kept in this deployment's database.
    redis_prefix: str | None = None
    # Where login codes go: "log", "fixed:CODE" or "webhook:URL" (rpc/services/code_senders.py).
    code_sender: str = "log"
    # Who may create an account: "open", "allowlist" (registration_allowlist: numbers or
    # prefixes ending in *) or "invite" (codes from `mtserver admin invites create`).
    registration: Literal["open", "allowlist", "invite"] = "open"
    registration_allowlist: list[str] = []
    # The built-in service account (id 777000) that sends login codes, new-login alerts
    # and operator broadcasts (rpc/services/notifications.py): its display name.
    service_name: str = "Notifications"
    # Days of per-user update log kept for updates.getDifference; a client away longer
    # gets differenceTooLong and reloads its dialogs.
    update_log_days: int = 30
    # Members a basic group may have (help.getConfig chat_size_max); adding one more
    # upgrades it to a supergroup first (rpc/chats/migrate.py), as Telegram does.
    chat_size_max: int = 200
    # Permanent auth keys that never logged in are removed after this many days.
    auth_key_unused_days: int = 7
    # New auth keys one client address may make per minute (0: no limit); the handshake
    # is the costliest thing an anonymous peer can ask for (RSA and two 2048-bit powers).
    auth_keys_per_minute: int = 30
    # auth.sendCode per client address, and per server process, per hour: codes may go
    # through a paid SMS gateway.
    send_code_per_address_per_hour: int = 20
    send_code_per_hour: int = 1000
    # Connections one client address may hold (then transport error -429).
    max_connections_per_address: int = 500
    # Seconds a frame may take to arrive once its first byte came (plus a second per 4 KB
    # of it): a peer trickling bytes cannot hold a connection and its buffer for ever.
    frame_timeout: float = 30.0
    # MiB of incomplete frames all connections together may hold; the connection that
    # would go over is closed with -429.
    buffer_budget_mb: int = 1024
    # Client addresses the per-address limits do not apply to: by default loopback, where
    # only the operator's own proxies (a TLS or WebSocket front) and tools connect.
    limits_exempt: list[str] = msgspec.field(default_factory=lambda: ["127.0.0.0/8", "::1/128"])
    # Where file bytes go (storage/objects): None: <data_dir>/media; "file:///dir";
    # "s3://ACCESS:SECRET@host:port/bucket" (s3s:// for TLS) for S3 or MinIO.
    media_url: str | None = None
    # "required": every account signs in with a code sent to its login email, set up on
    # its first login (auth.sentCodeTypeSetUpEmailRequired); "off": no login email.
    login_email: Literal["off", "required"] = "off"
    # Where email codes go (login email, 2FA recovery email): "log", "fixed:CODE",
    # "smtp://user:password@host:port" (STARTTLS when offered) or "smtps://..." (TLS)
    # (rpc/services/email_senders.py), from the address email_from.
    email_sender: str = "log"
    email_from: str = "mtserver@localhost"
    # A second port for browsers and restrictive networks: WebSocket (/apiws) and the
    # HTTP transport (/api) only; None: off (the main port serves them too).
    ws_port: int | None = None
    # PEM certificate chain and key: the ws_port then speaks TLS (wss://, https://).
    tls_cert: str | None = None
    tls_key: str | None = None
    # The operators' HTTP listener (server/ops_http.py: /metrics, /healthz, /readyz),
    # "HOST:PORT" ("[::1]:9090" for IPv6); None: off.
    http: str | None = None
    # Protocol capture (server/capture/): every decrypted message of the clients the
    # filters select, both ways, as JSON lines in this directory; None: off. On/off and
    # the filters can change at run time through <capture_dir>/control.json.
    capture_dir: str | None = None
    # One file per UTC day ("day") or per auth key ("auth_key"), each rotated at this size;
    # past capture_keep_files files the oldest go (0: keep all).
    capture_split: Literal["day", "auth_key"] = "day"
    capture_rotate_bytes: int = 64 * 1024 * 1024
    capture_keep_files: int = 100
    # Filters (empty: everyone, every method): users by id or phone, auth key ids, and
    # method name patterns (fnmatch, "messages.*").
    capture_users: list[int] = []
    capture_phones: list[str] = []
    capture_auth_keys: list[int] = []
    capture_methods: list[str] = []
    # Message text as "[text: N chars]"; secrets and file bytes are redacted unless
    # capture_redact is false.
    capture_mask_text: bool = False
    capture_redact: bool = True

    def __post_init__(self) -> None:
        if self.public_host is None:
            public = _LOOPBACK if self.host in _WILDCARD_HOSTS else self.host
            msgspec.structs.force_setattr(self, "public_host", public)
        if self.public_port is None:
            msgspec.structs.force_setattr(self, "public_port", self.port)

    def limits_apply_to(self, address: str) -> bool:
        """False for a client address in limits_exempt (or not an IP address at all)."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return not any(ip in net for net in _networks(tuple(self.limits_exempt)))

    def accepts_api_id(self, api_id: int) -> bool:
        """True when clients with this api_id may connect (initConnection)."""
        return not self.api_id_allowlist or api_id in self.api_id_allowlist


# -- per-field rules --------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    expected: str  # completes "expected ..., got <value>"
    parse: Callable[[str], Any]  # environment text -> value; raises ValueError
    valid: Callable[[Any], bool]  # typed value (from TOML, overrides or parse) -> ok?
    optional: bool = False
    normalize: Callable[[Any], Any] = lambda value: value
    display: Callable[[Any], Any] = lambda value: value  # how a bad value is shown in errors


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_in(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: _is_int(value) and low <= value <= high


def _non_empty_str(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _positive_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value) and value > 0


def _parse_int(text: str) -> int:
    return int(text.strip(), 10)


def _parse_int_list(text: str) -> list[int]:
    return [_parse_int(part) for part in text.split(",") if part.strip()]


def _database_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    scheme, separator, rest = value.strip().partition("://")
    return scheme + separator in DATABASE_SCHEMES and rest.strip("/") != ""


def _without_password(value: Any) -> Any:
    """A database URL as it may appear in an error message: ``user:***@host``."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", value) if isinstance(value, str) else value


def _redis_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    from storage.bus.redis_url import parse_redis_url  # the bus's own reading of it

    try:
        parse_redis_url(value.strip())
    except ValueError:
        return False
    return True


def _media_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    from storage.objects import ObjectStoreError, open_object_store

    try:
        open_object_store(value.strip(), ".")
    except (ObjectStoreError, ValueError):
        return False
    return True


def parse_http_address(value: str) -> tuple[str, int]:
    """"HOST:PORT" or "[IPv6]:PORT" → (host, port); ValueError if it is neither."""
    host, separator, port = value.strip().rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ValueError("an IPv6 address goes in brackets: [::1]:9090")
    if not separator or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"not a HOST:PORT address: {value!r}")
    return host, int(port)


def _http_address(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_http_address(value)
    except ValueError:
        return False
    return True


def _code_sender(value: Any) -> bool:
    from rpc.services.code_senders import parse_code_sender

    try:
        parse_code_sender(value)
    except (ValueError, TypeError):
        return False
    return True


def _email_sender(value: Any) -> bool:
    from rpc.services.email_senders import parse_email_sender

    try:
        parse_email_sender(value, "mtserver@localhost")
    except (ValueError, TypeError):
        return False
    return True


def _parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError(word)


def _parse_csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _int64_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_int(item) and -2**63 <= item < 2**63 for item in value)


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)


def _int_list(value: Any) -> bool:
    return isinstance(value, list) and all(_int_in(1, _INT32_MAX)(item) for item in value)


def _networks(value: Any) -> bool:
    if not isinstance(value, list):
        return False
    try:
        for item in value:
            ipaddress.ip_network(item, strict=False)
    except (TypeError, ValueError):
        return False
    return True


def _json_object_file(value: Any) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        with open(value.strip(), "rb") as file:
            return isinstance(msgspec.json.decode(file.read()), dict)
    except (OSError, msgspec.DecodeError):
        return False


_PORT = _Rule("an int in 1..65535", _parse_int, _int_in(1, 65535))
_HOST = _Rule("a non-empty string", str.strip, _non_empty_str)

_RULES: dict[str, _Rule] = {
    "host": _HOST,
    "port": _PORT,
    "public_host": _Rule(_HOST.expected, _HOST.parse, _HOST.valid, optional=True),
    "public_port": _Rule(_PORT.expected, _PORT.parse, _PORT.valid, optional=True),
    "data_dir": _HOST,
    "database": _Rule("a postgresql://, postgres:// or sqlite:/// URL", str.strip, _database_url, optional=True,
                      normalize=str.strip, display=_without_password),
    "api_id_allowlist": _Rule(
        "a list of positive ints (comma-separated in the environment)", _parse_int_list, _int_list,
        normalize=list,
    ),
    "idle_timeout": _Rule("a positive number of seconds", float, _positive_number, normalize=float),
    "max_connections": _Rule(f"an int in 1..{_INT32_MAX}", _parse_int, _int_in(1, _INT32_MAX)),
    "log_format": _Rule(
        "one of " + ", ".join(map(repr, LOG_FORMATS)), lambda text: text.strip().lower(),
        lambda value: value in LOG_FORMATS,
    ),
    "log_level": _Rule(
        "one of " + ", ".join(map(repr, LOG_LEVELS)), lambda text: text.strip().lower(),
        lambda value: value in LOG_LEVELS,
    ),
    # The obfuscated2 header carries a DC id in 16 signed bits.
    "dc_id": _Rule("an int in 1..32767", _parse_int, _int_in(1, 32767)),
    "app_config_file": _Rule("a readable file holding a JSON object", str.strip, _json_object_file, optional=True,
                             normalize=str.strip),
    "country": _Rule("a two-letter ISO 3166-1 country code, such as US or DE", lambda text: text.strip().upper(),
                     lambda v: isinstance(v, str) and len(v) == 2 and v.isascii() and v.isalpha() and v.isupper()),
    "redis": _Rule("a redis://, rediss:// or unix:// URL", str.strip, _redis_url, optional=True,
                   normalize=str.strip, display=_without_password),
    "redis_prefix": _Rule("1 to 64 printable ASCII characters without spaces", str.strip,
                          lambda v: isinstance(v, str) and re.fullmatch(r"[!-~]{1,64}", v) is not None,
                          optional=True, normalize=str.strip),
    "media_url": _Rule("a file:///dir or s3://ACCESS:SECRET@host:port/bucket URL", str.strip, _media_url,
                       optional=True, normalize=str.strip, display=_without_password),
    "code_sender": _Rule("log, fixed:CODE (4-8 digits) or webhook:http(s)://URL", str.strip, _code_sender,
                         normalize=str.strip),
    "registration": _Rule(
        "one of 'open', 'allowlist', 'invite'", lambda text: text.strip().lower(),
        lambda value: value in ("open", "allowlist", "invite"),
    ),
    "registration_allowlist": _Rule(
        "a list of phone numbers or prefixes ending in * (comma-separated in the environment)",
        lambda text: [part.strip() for part in text.split(",") if part.strip()], _str_list, normalize=list,
    ),
    "service_name": _Rule("a name of 1 to 64 characters", str.strip, lambda v: isinstance(v, str) and 0 < len(v.strip()) <= 64,
                          normalize=str.strip),
    "ws_port": _Rule(_PORT.expected, _PORT.parse, _PORT.valid, optional=True),
    "tls_cert": _Rule("a path to a PEM file", str.strip, _non_empty_str, optional=True, normalize=str.strip),
    "tls_key": _Rule("a path to a PEM file", str.strip, _non_empty_str, optional=True, normalize=str.strip),
    "chat_size_max": _Rule("an int in 2..200000", _parse_int, _int_in(2, 200_000)),
    "update_log_days": _Rule(f"an int in 1..{_INT32_MAX}", _parse_int, _int_in(1, _INT32_MAX)),
    "auth_key_unused_days": _Rule(f"an int in 1..{_INT32_MAX}", _parse_int, _int_in(1, _INT32_MAX)),
    "limits_exempt": _Rule("a list of addresses or networks such as 10.0.0.0/8 (comma-separated in the environment)",
                           lambda text: [part.strip() for part in text.split(",") if part.strip()], _networks,
                           normalize=list),
    "send_code_per_address_per_hour": _Rule(f"an int in 1..{_INT32_MAX}", _parse_int, _int_in(1, _INT32_MAX)),
    "send_code_per_hour": _Rule(f"an int in 1..{_INT32_MAX}", _parse_int, _int_in(1, _INT32_MAX)),
    "max_connections_per_address": _Rule(f"an int in 1..{_INT32_MAX}", _parse_int, _int_in(1, _INT32_MAX)),
    "frame_timeout": _Rule("a positive number of seconds", float, _positive_number, normalize=float),
    "buffer_budget_mb": _Rule(f"an int in 1..{_INT32_MAX}", _parse_int, _int_in(1, _INT32_MAX)),
    "auth_keys_per_minute": _Rule(f"an int in 0..{_INT32_MAX} (0: no limit)", _parse_int, _int_in(0, _INT32_MAX)),
    "login_email": _Rule("one of 'off', 'required'", lambda text: text.strip().lower(),
                         lambda value: value in ("off", "required")),
    "email_sender": _Rule("log, fixed:CODE (4-8 digits), smtp://user:password@host:port or smtps://...", str.strip,
                          _email_sender, normalize=str.strip, display=_without_password),
    "email_from": _Rule("an email address", str.strip,
                        lambda v: isinstance(v, str) and re.fullmatch(r"[^@\s]+@[^@\s]+", v.strip()) is not None,
                        normalize=str.strip),
    "http": _Rule("HOST:PORT, such as 127.0.0.1:9090 ([::1]:9090 for IPv6)", str.strip, _http_address,
                  optional=True, normalize=str.strip),
    "capture_dir": _Rule("a directory path", str.strip, _non_empty_str, optional=True, normalize=str.strip),
    "capture_split": _Rule("one of 'day', 'auth_key'", lambda text: text.strip().lower(),
                           lambda value: value in ("day", "auth_key")),
    "capture_rotate_bytes": _Rule(f"an int in 1024..{2**40}", _parse_int, _int_in(1024, 2**40)),
    "capture_keep_files": _Rule(f"an int in 0..{_INT32_MAX} (0: keep all)", _parse_int, _int_in(0, _INT32_MAX)),
    "capture_users": _Rule("a list of user ids (comma-separated in the environment)", _parse_int_list,
                           lambda v: _int64_list(v) and all(item > 0 for item in v),
                           normalize=list),
    "capture_phones": _Rule("a list of phone numbers (comma-separated in the environment)", _parse_csv, _str_list,
                            normalize=list),
    "capture_auth_keys": _Rule("a list of auth key ids, signed 64-bit (comma-separated in the environment)",
                               lambda text: [int(part.strip(), 0) for part in text.split(",") if part.strip()],
                               _int64_list, normalize=list),
    "capture_methods": _Rule("a list of method names or patterns such as messages.* (comma-separated in the "
                             "environment)", _parse_csv, _str_list, normalize=list),
    "capture_mask_text": _Rule("true or false", _parse_bool, lambda value: isinstance(value, bool)),
    "capture_redact": _Rule("true or false", _parse_bool, lambda value: isinstance(value, bool)),
}

FIELDS: tuple[str, ...] = Config.__struct_fields__


def env_name(field: str) -> str:
    """The environment variable for a :class:`Config` field: ``port`` -> ``MTSERVER_PORT``."""
    return ENV_PREFIX + field.upper()


# Every environment variable the server reads; deployment files are checked against it.
ENV_VARIABLES: tuple[str, ...] = (CONFIG_FILE_ENV, *(env_name(field) for field in FIELDS))


# -- loading -----------------------------------------------------------------------------


def load_config(
    path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Defaults < TOML file at ``path`` < ``env`` < ``overrides``, validated.

    ``path`` None means ``env["MTSERVER_CONFIG"]`` if set, else no file. ``env`` None
    means ``os.environ``. ``overrides`` maps field names to values (typed, or text parsed
    like the environment); None values are skipped, so argparse results can be passed
    as they are. Raises :class:`ConfigError`.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    if path is None and env.get(CONFIG_FILE_ENV):
        path = env[CONFIG_FILE_ENV]
    if path is not None:
        values.update(_from_file(os.fspath(path)))
    values.update(_from_env(env))
    values.update(_from_overrides(overrides or {}))
    _check_tls(values)
    return Config(**values)


def _check_tls(values: dict[str, Any]) -> None:
    cert, key = values.get("tls_cert"), values.get("tls_key")
    if (cert or key) and values.get("ws_port") is None:
        raise ConfigError(env_name("tls_cert"), "tls_cert", f"TLS is served on {env_name('ws_port')}; set it too")
    if bool(cert) != bool(key):
        missing = "tls_key" if cert else "tls_cert"
        raise ConfigError(env_name(missing), missing, "a TLS certificate and its key go together; set both")


def _from_file(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as file:
            document = tomllib.load(file)
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read the config file: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"not valid TOML: {exc}") from exc
    values = {}
    for key, value in document.items():
        if key not in _RULES:
            raise ConfigError(path, key, f"unknown key {key!r}{_suggestion(key, FIELDS)}")
        values[key] = _check(key, value, f"{path}: {key}")
    return values


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values = {}
    for name, text in env.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_FILE_ENV:
            continue
        field = name[len(ENV_PREFIX):].lower()
        if field not in _RULES:
            raise ConfigError(name, None, f"unknown setting{_suggestion(name, ENV_VARIABLES)}")
        values[field] = _parse(field, text, name)
    return values


def _from_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    values = {}
    for field, value in overrides.items():
        source = "--" + field.replace("_", "-")
        if field not in _RULES:
            raise ConfigError(source, None, f"unknown setting{_suggestion(field, FIELDS)}")
        if value is None:
            continue
        values[field] = _parse(field, value, source) if isinstance(value, str) else _check(field, value, source)
    return values


def check_value(field: str, value: Any, source: str) -> Any:
    """One field's typed value (as JSON or TOML gives it) checked and normalized, as the
    file's would be (server/runtime_settings.py changes settings at run time with it).
    ConfigError naming ``source``."""
    if field not in _RULES:
        raise ConfigError(source, None, f"unknown setting{_suggestion(field, FIELDS)}")
    if value is None and not _RULES[field].optional:
        raise ConfigError(source, field, f"expected {_RULES[field].expected}, got None")
    return _check(field, value, source)


def _parse(field: str, text: str, source: str) -> Any:
    rule = _RULES[field]
    if rule.optional and text.strip() == "":
        return None
    try:
        value = rule.parse(text)
    except ValueError:
        raise ConfigError(source, field, f"expected {rule.expected}, got {rule.display(text)!r}") from None
    return _check(field, value, source, shown=text)


def _check(field: str, value: Any, source: str, shown: Any = None) -> Any:
    rule = _RULES[field]
    if value is None and rule.optional:
        return None
    if not rule.valid(value):
        shown = rule.display(value if shown is None else shown)
        raise ConfigError(source, field, f"expected {rule.expected}, got {shown!r}")
    return rule.normalize(value)


def _suggestion(name: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"


@functools.lru_cache(maxsize=8)
def _networks(spelled: tuple[str, ...]) -> tuple:
    # Parsed once per setting, not on every connection and handshake (limits_apply_to).
    return tuple(ipaddress.ip_network(net, strict=False) for net in spelled)
