"""The updates engine, and the updates.* methods.

One path for every live update (docs/request-path.md, "the update"):
- events.py: what can happen, one typed union carried on the bus;
- topics.py: the bus topics (a user's, a channel's, a not-yet-logged-in key's);
- publish.py: `publish(...)` and `publish_to_channel(...)`, with the origin rule (the
  acting session is answered directly, so its own event is not pushed back to it);
- render.py: one table from event to the Updates a viewer gets; update-log rows render
  through log_render.py (a user's box) and channel_log_render.py (a channel's log), the
  same tables updates.getDifference and getChannelDifference use;
- stream.py: what a connection consumes (`async for push in stream`): subscription to
  the user's topic and their channels', origin filtering, overflow → updatesTooLong;
- presence.py: online / offline, told to contacts; profile.py: profile changes.
difference.py holds the updates.getState / getDifference handlers; state.py the box
state that answers carry.
"""

from . import difference  # noqa: F401  (registers the handlers)
