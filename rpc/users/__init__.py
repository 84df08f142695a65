"""users.*: users and their full profiles.

Importing the package registers its handlers."""

from . import users  # noqa: F401
