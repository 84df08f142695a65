"""Each user's common message box state (updates.getState): pts, qts, seq, date.

pts starts at 1 (PROTOCOL.md rule 27). The state is created with the user
(storage/users.py) or on first use, whichever comes first. The update log that moves
pts forward will live beside it.
"""

from __future__ import annotations

from .db import Database
from .models import UpdateStateRecord

CREATE_STATE = "INSERT INTO update_state (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING"
_SELECT = "SELECT user_id, pts, qts, seq, date FROM update_state WHERE user_id = $1"


class SqlUpdateStates:
    """storage.interface.UpdateStates."""

    def __init__(self, db: Database):
        self._db = db

    async def get(self, user_id: int) -> UpdateStateRecord:
        row = await self._db.fetchrow(_SELECT, user_id)
        if row is None:
            # Two tasks may both get here: the insert is a no-op for the second.
            await self._db.execute(CREATE_STATE, user_id)
            row = await self._db.fetchrow(_SELECT, user_id)
        return UpdateStateRecord(user_id=row[0], pts=row[1], qts=row[2], seq=row[3], date=row[4])
