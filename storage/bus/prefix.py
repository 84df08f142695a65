"""The channel prefix that keeps one deployment's bus apart from another's on a shared Redis.

Redis pub/sub channels are global to the Redis server (SELECT's database number does
not apply), so two deployments that share a Redis would deliver each other's events to
users with the same id. Every process of one deployment shares its database, so the
default prefix comes from a random id kept there (storage.secrets): the same for all of
them, different for any other deployment. An operator may set it instead
(MTSERVER_REDIS_PREFIX), e.g. to keep a prefix across a database move.

Must not: derive the prefix from anything per process (host, pid, data dir).
"""

from __future__ import annotations

DEPLOYMENT_ID = "deployment_id"


async def deployment_prefix(storage, configured: str | None = None) -> str:
    """`configured` when set, else "mtserver:<16 hex digits>:" from the database."""
    if configured:
        return configured
    deployment = await storage.secrets.get_or_create(DEPLOYMENT_ID, size=8)
    return f"mtserver:{deployment.hex()}:"
