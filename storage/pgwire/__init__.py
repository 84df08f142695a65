"""A PostgreSQL client on trio: the wire protocol (v3) spoken directly, no asyncio.

Why its own: the server is trio and asyncpg is asyncio. Through trio-asyncio each
statement was several asyncio callbacks bridged into trio's scheduler, and that bridge,
not PostgreSQL's work, was most of what a statement cost the server (bench/README.md,
"A PostgreSQL driver on trio"). What the repositories need is small (storage/db.py: five
calls and a transaction, rows read by position), so this package does exactly that:

- ``wire.py``: the frontend messages as bytes and a splitter of backend bytes into
  messages (sans-IO: no sockets);
- ``codecs.py``: binary codecs of the types the schema uses; text for any other;
- ``statement.py``: a prepared statement: its Bind bytes and its row decoder;
- ``auth.py``: cleartext, MD5 and SCRAM-SHA-256 logins;
- ``dsn.py``: ``postgresql://`` URLs and the libpq environment variables;
- ``connection.py``: one connection (trio stream, TLS when asked);
- ``pool.py``: a bounded, fair pool of connections.
"""

from .connection import Connection, connect
from .dsn import ConnectParams, parse_dsn
from .errors import ConnectionLost, PostgresError, ProtocolViolation
from .pool import Pool

__all__ = ["ConnectParams", "Connection", "ConnectionLost", "Pool", "PostgresError",
           "ProtocolViolation", "connect", "parse_dsn"]
