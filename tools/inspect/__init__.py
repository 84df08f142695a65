"""`mtserver inspect`: read protocol captures (server/capture/) and decode raw payloads.

- ``reader``: records from capture files or directories, in time order; ``--follow``;
- ``filters``: the command's filters (method, user, auth key, errors);
- ``timeline``: one readable line per message, answers with their latency;
- ``stats``: per-method counts, errors and latency percentiles;
- ``decode``: a hex or base64 payload read as TL of a given layer;
- ``cli``: the arguments.
"""
