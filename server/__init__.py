"""The server process: configuration, keys on disk, the auth key store and logging.

This package is the outermost stage of the pipeline (ARCHITECTURE.md): it is the only
place that reads files, the environment and the clock for real and hands them to the
sans-IO protocol core in :mod:`mtproto`. It must not implement protocol rules itself.

One concept per module:

* :mod:`.config` -- :class:`~.config.Config` and :func:`~.config.load_config`
  (TOML file < ``MTSERVER_*`` environment < command line);
* :mod:`.keys` -- the server's RSA key in the data directory;
* :mod:`.auth_keys` -- the persistent store of auth keys (SQLite for now);
* :mod:`.logging` -- structlog set-up (JSON lines or console);
* :mod:`.metrics` -- the Prometheus metrics every layer records into;
* :mod:`.ops_http` -- the operators' HTTP listener (/metrics, /healthz, /readyz);
* :mod:`.health` -- the checks behind /healthz.

Submodules are imported on demand (``from server.config import load_config``) so that
importing one of them does not pull in the others' dependencies.
"""
