"""The method router (rpc/router.py): one handler per method, declared access rules,
applied before the handler runs with Telegram's errors."""

import pytest
import trio

import rpc  # noqa: F401  (registers the handlers)
import tl
from rpc.context import RequestContext
from rpc.dispatch import dispatch
from rpc.errors import RpcError
from rpc.router import ROUTES, Access, DuplicateRoute, Router, admit, handler
from tl import functions as F, types as T

# Every method a key may call without being logged in, reviewed: adding one is a
# security decision, so it is listed here by hand.
WITHOUT_LOGIN = {
    "auth.sendCode", "auth.resendCode", "auth.cancelCode", "auth.signIn", "auth.signUp", "auth.checkPassword",
    "auth.importAuthorization", "auth.requestPasswordRecovery", "auth.checkRecoveryPassword",
    "auth.recoverPassword", "auth.bindTempAuthKey", "auth.exportLoginToken", "auth.importLoginToken",
    "account.getPassword", "account.sendVerifyEmailCode", "account.verifyEmail",
    "help.getConfig", "help.getNearestDc", "help.getInviteText", "help.getAppConfig", "help.getCountriesList",
    "help.getTermsOfServiceUpdate", "help.getPromoData", "help.getPeerColors", "help.getPeerProfileColors",
    "help.getTimezonesList", "help.getRecentMeUrls", "help.saveAppLog", "help.getCdnConfig",
    "langpack.getLangPack", "langpack.getDifference", "langpack.getStrings", "langpack.getLanguages",
    "langpack.getLanguage",
    "ping", "ping_delay_disconnect", "get_future_salts", "destroy_session", "rpc_drop_answer", "destroy_auth_key",
}


def test_a_method_registered_twice_fails_at_registration():
    router = Router()

    @router.handler(F.messages.SendMessage, access=Access.USER)
    async def first(request, ctx):
        return None

    with pytest.raises(DuplicateRoute, match="messages.sendMessage"):
        @router.handler(F.messages.SendMessage, access=Access.USER)
        async def second(request, ctx):
            return None

    assert router.routes[F.messages.SendMessage].fn is first


def test_a_second_module_answering_a_routed_method_cannot_be_imported():
    before = ROUTES[F.messages.SendMessage]
    with pytest.raises(DuplicateRoute):
        @handler(F.messages.SendMessage, access=Access.USER)
        async def another_send_message(request, ctx):
            return None
    assert ROUTES[F.messages.SendMessage] is before


def test_access_must_be_declared():
    with pytest.raises(TypeError):
        Router().handler(F.messages.SendMessage)
    with pytest.raises(TypeError):
        Router().handler(F.messages.SendMessage, access="user")


def test_methods_callable_without_login_are_the_reviewed_ones():
    open_ = {cls.QUALNAME for cls, route in ROUTES.items() if route.rule is not Access.USER}
    assert open_ == WITHOUT_LOGIN


def _ctx(**identity) -> RequestContext:
    return RequestContext(auth_key_id=1, session_id=1, msg_id=1, layer=tl.LAYER, config=None, **identity)


def _error(access: Access, ctx: RequestContext) -> tuple[int, str] | None:
    try:
        admit(access, ctx)
    except RpcError as exc:
        return exc.code, exc.message
    return None


@pytest.mark.parametrize("access, nobody, unbound, pending, user", [
    (Access.ANYONE, None, None, None, None),
    (Access.PERM_KEY, (401, "AUTH_KEY_PERM_EMPTY"), (401, "AUTH_KEY_PERM_EMPTY"), None, None),
    (Access.PASSWORD_PENDING, (400, "AUTH_KEY_UNREGISTERED"), (400, "AUTH_KEY_UNREGISTERED"), None,
     (400, "PASSWORD_HASH_INVALID")),
    (Access.PASSWORD_OR_USER, (401, "AUTH_KEY_UNREGISTERED"), (401, "AUTH_KEY_UNREGISTERED"), None, None),
    (Access.USER, (401, "AUTH_KEY_UNREGISTERED"), (401, "AUTH_KEY_UNREGISTERED"), (401, "AUTH_KEY_UNREGISTERED"),
     None),
])
def test_each_rule_admits_and_refuses_with_telegrams_errors(access, nobody, unbound, pending, user):
    assert _error(access, _ctx()) == nobody
    assert _error(access, _ctx(perm_key_id=None)) == unbound
    assert _error(access, _ctx(perm_key_id=7, pending_user_id=5)) == pending
    assert _error(access, _ctx(perm_key_id=7, user_id=5)) == user


def test_identity_the_rules_hand_over():
    assert _ctx(perm_key_id=7, pending_user_id=5).account_id == 5
    assert _ctx(perm_key_id=7, user_id=6).account_id == 6
    assert _ctx().account_id is None


def _dispatch_error(request, ctx) -> tuple[int, str]:
    with pytest.raises(RpcError) as info:
        trio.run(dispatch, request, ctx)
    return info.value.code, info.value.message


def test_rules_run_before_the_handler():
    # No services at all: the refusal comes before a handler could touch them.
    assert _dispatch_error(F.messages.GetDialogFilters(), _ctx()) == (401, "AUTH_KEY_UNREGISTERED")
    assert _dispatch_error(F.help.GetSupport(), _ctx(perm_key_id=7)) == (401, "AUTH_KEY_UNREGISTERED")
    sign_in = F.auth.SignIn(phone_number="15550000001", phone_code_hash="x", phone_code="1")
    assert _dispatch_error(sign_in, _ctx()) == (401, "AUTH_KEY_PERM_EMPTY")
    check = F.auth.CheckPassword(password=T.InputCheckPasswordEmpty())
    assert _dispatch_error(check, _ctx(perm_key_id=7, user_id=5)) == (400, "PASSWORD_HASH_INVALID")
    assert _dispatch_error(F.account.GetPassword(), _ctx(perm_key_id=7)) == (401, "AUTH_KEY_UNREGISTERED")


def test_a_rule_may_depend_on_the_request():
    change = F.account.SendVerifyEmailCode(purpose=T.EmailVerifyPurposeLoginChange(), email="a@example.org")
    assert ROUTES[F.account.SendVerifyEmailCode].access(change) is Access.USER
    setup = F.account.SendVerifyEmailCode(purpose=T.EmailVerifyPurposeLoginSetup(phone_number="1", phone_code_hash="h"),
                                          email="a@example.org")
    assert ROUTES[F.account.SendVerifyEmailCode].access(setup) is Access.ANYONE
    assert _dispatch_error(change, _ctx(perm_key_id=7)) == (401, "AUTH_KEY_UNREGISTERED")


def test_methods_nobody_handles():
    # Outside the login namespaces: log in first; inside them: not implemented.
    assert _dispatch_error(F.phone.GetCallConfig(), _ctx()) == (401, "AUTH_KEY_UNREGISTERED")
    assert _dispatch_error(F.phone.GetCallConfig(), _ctx(user_id=5)) == (400, "METHOD_NOT_IMPLEMENTED")
    assert _dispatch_error(F.help.GetPremiumPromo(), _ctx()) == (400, "METHOD_NOT_IMPLEMENTED")
