"""contacts.*: the contact list, blocking, resolving usernames, search.

Importing the package registers its handlers."""

from . import contacts  # noqa: F401
