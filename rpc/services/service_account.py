"""The built-in service account's fixed identity (its messages: notifications.py).

Id 777000 is Telegram's notifications account, which official apps already treat as
the sender of login codes; it is below the user id sequence (1000000 on), so no real
account can get it.
"""

SERVICE_USER_ID = 777000
SERVICE_PHONE = "42777"  # Telegram's service number; never a real subscriber's
