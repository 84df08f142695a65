"""What the driver raises."""

from __future__ import annotations

# The fields of an ErrorResponse (https://www.postgresql.org/docs/current/protocol-error-fields.html)
_FIELDS = {"S": "severity", "V": "severity_nonlocalized", "C": "sqlstate", "M": "message", "D": "detail",
           "H": "hint", "n": "constraint_name", "t": "table_name", "c": "column_name", "s": "schema_name"}


class PostgresError(Exception):
    """The server refused a statement (or the login): ``sqlstate`` says why."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        self.sqlstate = fields.get("C", "")
        self.message = fields.get("M", "")
        self.detail = fields.get("D")
        self.constraint_name = fields.get("n")
        super().__init__(f"{self.message} (SQLSTATE {self.sqlstate})" + (f": {self.detail}" if self.detail else ""))

    @classmethod
    def from_payload(cls, payload: bytes) -> PostgresError:
        fields: dict[str, str] = {}
        for part in payload.split(b"\0"):
            if part:
                fields[chr(part[0])] = part[1:].decode("utf-8", "replace")
        return cls(fields)


class ConnectionLost(Exception):
    """The connection closed or broke; it is discarded."""


class ProtocolViolation(Exception):
    """The server sent something this client does not expect; the connection is discarded."""
