"""account.*: the profile, username and 2FA password (profile.py), notification settings,
the login email and the 2FA recovery email.

Importing the package registers its handlers."""

from . import login_email, notify_settings, password_email, profile  # noqa: F401
