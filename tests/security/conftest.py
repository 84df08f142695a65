"""The security tests drive real server processes with unmodified clients, as the
end-to-end tests do, and reuse their fixtures."""

from tests.e2e.conftest import backend_server, run  # noqa: F401  (pytest fixtures)
