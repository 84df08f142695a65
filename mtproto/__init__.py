"""mtproto package."""
