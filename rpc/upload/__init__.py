"""upload.*: file parts in, files out.

Importing the package registers its handlers."""

from . import upload  # noqa: F401
