"""auth.*: logging in by phone code (login.py), by QR code, across DCs (transfer.py), and
temporary keys bound to permanent ones (temp_keys.py).

Importing the package registers its handlers."""

from . import login, qr_login, temp_keys, transfer  # noqa: F401
