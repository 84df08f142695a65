"""help.*: configuration and the like.

Importing the package registers its handlers."""

from . import help  # noqa: F401
