"""The updates engine, and the updates.* methods.

One path for every live update (docs/request-path.md, "the update"):
- events.py: what can happen, one typed union carried on the bus;
- topics.py: the bus topics (a user's, a not-yet-logged-in key's);
- publish.py: `publish(...)`, with the origin rule (the acting session is answered
  directly, so its own event is not pushed back to it);
- render.py: one table from event to the Updates a viewer gets, whose update-log part
  (log_render.py) also answers updates.getDifference;
- stream.py: what a connection consumes (`async for updates in stream`): subscription,
  origin filtering, overflow → updatesTooLong;
- presence.py: online / offline, told to contacts.
difference.py holds the updates.getState / getDifference handlers.
"""

from . import difference  # noqa: F401  (registers the handlers)
