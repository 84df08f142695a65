"""photos.*: profile photos.

Importing the package registers its handlers."""

from . import photos  # noqa: F401
