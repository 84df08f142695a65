"""What the server hands every handler as `ctx.services`: the shared, long-lived parts.

server.app.ServerState provides these (and more that only the server itself uses:
RSA keys, connections, listeners); a test may give any object with the attributes it
needs. Handlers and rpc/services/ read only what is listed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mtproto.salts import SaltPolicy
    from mtproto.session import SessionState
    from server.config import Config
    from storage import Storage
    from storage.bus.interface import Bus
    from storage.objects import ObjectStore

    from .services.code_senders import CodeSender
    from .services.email_senders import EmailSender
    from .services.limits import AccountLimits
    from .services.srp import Algo, SrpChallenge


class Services(Protocol):
    config: Config
    storage: Storage
    # Live updates between processes (None in-process tests: nothing is pushed).
    bus: Bus | None
    # File bytes: uploads, photos, documents (a directory or an S3 bucket).
    objects: ObjectStore
    code_sender: CodeSender  # login codes by SMS (MTSERVER_CODE_SENDER)
    email_sender: EmailSender  # login and recovery codes by email (MTSERVER_EMAIL_SENDER)
    limits: AccountLimits  # per-account and per-key rate limits
    # account.getPassword's SRP challenge per permanent key, used up by the next check;
    # the new_algo each account was last offered.
    srp_challenges: dict[int, SrpChallenge]
    srp_offers: dict[int, Algo]
    salts: SaltPolicy  # server salts (get_future_salts inside a wrapper)
    # auth_key_id → session_id → state (destroy_session, rpc_drop_answer inside a wrapper).
    sessions: dict[int, dict[int, SessionState]]
