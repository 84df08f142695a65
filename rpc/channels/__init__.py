"""Supergroups and broadcast channels (channels.* and the messages.* methods on them).

Creating, reading, posting and syncing: create, info, history, post, edit, read, sync.
Membership and administration: members, invites, join_requests, participants, admins,
settings, usernames. Discussion groups and threads: discussion (linking), comments
(reading a thread), threads.py (shared). Forum topics: topics_methods, topics_replies
(rules, view: topics_rules, topics_view). Shared: view.py, access.py, rights.py,
messages_view.py, posting.py.
"""

from . import create, edit, history, info, post, read, sync  # noqa: F401  (registers the handlers)
from . import comments, discussion  # noqa: F401
from . import admin_log_view, admins, invites, join_requests, members, participants, settings, usernames  # noqa: F401
from . import topics_methods, topics_replies  # noqa: F401
