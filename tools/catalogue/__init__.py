"""Generated, checked-in lists of what the server answers (`python -m tools.catalogue`):
the method catalogue (docs/methods.md, docs/methods.csv) and the RPC error-name
constants (rpc/error_names.py). Inputs: schema/, the router's table (rpc/router.py),
and Telegram's lists copied into tools/catalogue/ (rpc-errors.csv, rpc-methods.csv).
"""
