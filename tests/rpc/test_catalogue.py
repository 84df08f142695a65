"""The checked-in method catalogue (docs/methods.md, docs/methods.csv) and the error-name
constants (rpc/error_names.py) are what `python -m tools.catalogue` writes now."""

import rpc  # noqa: F401  (registers the handlers)
from rpc.router import ROUTES
from tools import catalogue  # noqa: F401
from tools.catalogue import __main__ as generator
from tools.catalogue import methods


def test_generated_files_are_fresh():
    assert generator.stale() == [], "run: python -m tools.catalogue"


def test_every_route_is_in_the_catalogue_with_its_module():
    layer, entries, outside = methods.catalogue()
    listed = {e.method: e for e in entries + outside}
    for cls, route in ROUTES.items():
        entry = listed[cls.QUALNAME]
        assert entry.status in (methods.HANDLED, methods.DEFAULT)
        assert entry.where == route.module.replace(".", "/") + ".py"
    assert {e.method for e in entries if e.status in (methods.HANDLED, methods.DEFAULT)} | {e.method for e in outside} \
        == {cls.QUALNAME for cls in ROUTES}


def test_wrappers_and_the_rest():
    _, entries, _ = methods.catalogue()
    status = {e.method: e.status for e in entries}
    assert status["invokeWithLayer"] == status["initConnection"] == methods.WRAPPER
    assert status["messages.sendMessage"] == methods.HANDLED
    assert status["help.getCdnConfig"] == methods.DEFAULT
    assert status["phone.requestCall"] == methods.MISSING
