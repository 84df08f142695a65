"""The bus's exceptions (kept apart so the subscription and both buses can share them)."""

from __future__ import annotations


class BusError(Exception):
    """Something went wrong on the bus; the message says what and where."""


class BusClosed(BusError):
    """The bus (or this subscription) was closed; nothing more can go through it."""


class BusUnavailable(BusError):
    """The bus's backend cannot be reached (e.g. Redis is down).

    The payload of a failed ``publish`` was not delivered. A caller whose change is
    already committed should log and carry on: readers catch up from the update log.
    """
