"""account.*: the profile, username and 2FA password (profile.py), notification settings,
the login email, the 2FA recovery email, and deleting the account (deletion.py).

Importing the package registers its handlers."""

from . import deletion, login_email, notify_settings, password_email, profile  # noqa: F401
