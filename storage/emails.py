"""Email addresses of accounts: codes sent to them (one per purpose, until used, replaced
or expired) and the login email of each account. The purposes and rules are in
rpc/services/email_codes.py; the schema comment in migration 0009 lists them."""

from __future__ import annotations

from .db import Database, Row, like_escape
from .models import EmailCodeRecord

_CODE_COLUMNS = "purpose, email, code, created_at, expires_at, attempts"


class SqlEmailCodes:
    """storage.interface.EmailCodes. get() returns expired codes too: the caller names
    the error."""

    def __init__(self, db: Database):
        self._db = db

    async def put(self, record: EmailCodeRecord) -> None:
        """Replaces the code of the same purpose (attempts start again)."""
        await self._db.execute(
            f"INSERT INTO email_codes ({_CODE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (purpose) DO UPDATE SET email = excluded.email, code = excluded.code,"
            " created_at = excluded.created_at, expires_at = excluded.expires_at, attempts = excluded.attempts",
            record.purpose, record.email, record.code, record.created_at, record.expires_at, record.attempts)

    async def get(self, purpose: str) -> EmailCodeRecord | None:
        row = await self._db.fetchrow(f"SELECT {_CODE_COLUMNS} FROM email_codes WHERE purpose = $1", purpose)
        return None if row is None else _code(row)

    async def claim_attempt(self, purpose: str, *, now: int, max_attempts: int) -> EmailCodeRecord | None:
        """Counts one guess in the same statement that checks the code is live (not
        expired, fewer than `max_attempts` guesses): the record as it now is, or None.
        Concurrent guesses can never check more than max_attempts codes."""
        row = await self._db.fetchrow(
            "UPDATE email_codes SET attempts = attempts + 1 WHERE purpose = $1 AND attempts < $2 AND expires_at > $3"
            f" RETURNING {_CODE_COLUMNS}", purpose, max_attempts, now)
        return None if row is None else _code(row)

    async def delete(self, purpose: str) -> bool:
        return await self._db.execute("DELETE FROM email_codes WHERE purpose = $1", purpose) > 0

    async def delete_expired(self, now: int) -> int:
        return await self._db.execute("DELETE FROM email_codes WHERE expires_at <= $1", now)

    async def delete_for_account(self, user_id: int, phone: str) -> int:
        """Every code of one account (a deleted one): those kept by its user id, and
        those of a login email being set up for its phone (purposes: migration 0009)."""
        count = 0
        for kind in ("login_change", "password_email", "recovery"):
            count += await self._db.execute("DELETE FROM email_codes WHERE purpose = $1", f"{kind}:{user_id}")
        if phone:
            for kind in ("login_setup", "login_setup_done"):
                count += await self._db.execute("DELETE FROM email_codes WHERE purpose LIKE $1 ESCAPE '\\'",
                                                like_escape(f"{kind}:{phone}:") + "%")
        return count


class SqlLoginEmails:
    """storage.interface.LoginEmails: one login email per account."""

    def __init__(self, db: Database):
        self._db = db

    async def get(self, user_id: int) -> str | None:
        return await self._db.fetchval("SELECT email FROM login_emails WHERE user_id = $1", user_id)

    async def set(self, user_id: int, email: str, now: int) -> None:
        await self._db.execute(
            "INSERT INTO login_emails (user_id, email, set_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, set_at = excluded.set_at",
            user_id, email, now)

    async def delete(self, user_id: int) -> bool:
        return await self._db.execute("DELETE FROM login_emails WHERE user_id = $1", user_id) > 0


def _code(row: Row) -> EmailCodeRecord:
    return EmailCodeRecord(purpose=row[0], email=row[1], code=row[2], created_at=row[3], expires_at=row[4],
                           attempts=row[5])
