"""Getting in: login codes sent by auth.sendCode, and invite codes for signing up."""

from __future__ import annotations

from .db import Database, Row
from .interface import AlreadyExists
from .models import InviteRecord, PhoneCodeRecord

_CODE_COLUMNS = "phone, phone_code_hash, code, created_at, expires_at, attempts, verified"


class SqlPhoneCodes:
    """storage.interface.PhoneCodes. get() returns expired codes too: the caller tells
    PHONE_CODE_EXPIRED from PHONE_CODE_INVALID."""

    def __init__(self, db: Database):
        self._db = db

    async def put(self, record: PhoneCodeRecord) -> None:
        await self._db.execute(
            f"INSERT INTO phone_codes ({_CODE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (phone, phone_code_hash) DO UPDATE SET code = excluded.code,"
            " created_at = excluded.created_at, expires_at = excluded.expires_at, attempts = excluded.attempts,"
            " verified = excluded.verified",
            record.phone, record.phone_code_hash, record.code, record.created_at, record.expires_at, record.attempts,
            record.verified)

    async def get(self, phone: str, phone_code_hash: str) -> PhoneCodeRecord | None:
        row = await self._db.fetchrow(
            f"SELECT {_CODE_COLUMNS} FROM phone_codes WHERE phone = $1 AND phone_code_hash = $2",
            phone, phone_code_hash)
        return None if row is None else _code(row)

    async def claim_attempt(self, phone: str, phone_code_hash: str, *, now: int,
                            max_attempts: int) -> PhoneCodeRecord | None:
        """Counts one guess at the code, in the same statement that checks the code is
        still live (not expired, fewer than `max_attempts` guesses so far): the record as
        it now is, or None when no guess is left. One statement, so concurrent guesses
        (from any number of processes) can never check more than max_attempts codes."""
        row = await self._db.fetchrow(
            "UPDATE phone_codes SET attempts = attempts + 1 WHERE phone = $1 AND phone_code_hash = $2"
            f" AND attempts < $3 AND expires_at > $4 RETURNING {_CODE_COLUMNS}",
            phone, phone_code_hash, max_attempts, now)
        return None if row is None else _code(row)

    async def delete(self, phone: str, phone_code_hash: str) -> None:
        await self._db.execute("DELETE FROM phone_codes WHERE phone = $1 AND phone_code_hash = $2",
                               phone, phone_code_hash)

    async def delete_for_phone(self, phone: str) -> int:
        """Every pending code of the number (its account was deleted)."""
        return await self._db.execute("DELETE FROM phone_codes WHERE phone = $1", phone)

    async def delete_expired(self, now: int) -> int:
        """Removes codes with expires_at <= now; returns how many."""
        return await self._db.execute("DELETE FROM phone_codes WHERE expires_at <= $1", now)


class SqlInvites:
    """storage.interface.Invites: single-use codes."""

    def __init__(self, db: Database):
        self._db = db

    async def create(self, record: InviteRecord) -> None:
        """AlreadyExists if the code is taken."""
        try:
            await self._db.execute("INSERT INTO invites (code, created_at, used_by, used_at) VALUES ($1, $2, $3, $4)",
                                   record.code, record.created_at, record.used_by, record.used_at)
        except AlreadyExists as exc:
            raise AlreadyExists(f"invite {record.code!r} exists") from exc

    async def get(self, code: str) -> InviteRecord | None:
        row = await self._db.fetchrow("SELECT code, created_at, used_by, used_at FROM invites WHERE code = $1", code)
        return None if row is None else _invite(row)

    async def use(self, code: str, user_id: int, now: int) -> bool:
        # One statement: the row lock makes concurrent uses of one code queue, and the
        # used_by check is evaluated again by each after the previous one committed.
        changed = await self._db.execute(
            "UPDATE invites SET used_by = $1, used_at = $2 WHERE code = $3 AND used_by IS NULL", user_id, now, code)
        return changed == 1

    async def list(self) -> list[InviteRecord]:
        """Oldest first."""
        rows = await self._db.fetch("SELECT code, created_at, used_by, used_at FROM invites ORDER BY created_at, code")
        return [_invite(row) for row in rows]


def _code(row: Row) -> PhoneCodeRecord:
    return PhoneCodeRecord(phone=row[0], phone_code_hash=row[1], code=row[2], created_at=row[3], expires_at=row[4],
                           attempts=row[5], verified=bool(row[6]))


def _invite(row: Row) -> InviteRecord:
    return InviteRecord(code=row[0], created_at=row[1], used_by=row[2], used_at=row[3])
