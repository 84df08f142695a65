"""The security tests drive real server processes with unmodified clients, as the
end-to-end tests do, and reuse their fixtures."""

from tests.e2e.conftest import backend_server, run  # noqa: F401  (pytest fixtures)
from tests.logging_reset import _restore_logging  # noqa: F401  (autouse fixture)
