"""server/shared_client_info.py: equal app descriptions share one dict and its strings;
the table is bounded."""

from server import shared_client_info
from server.shared_client_info import shared


def _info(device: str) -> dict:
    # Built at run time, so that equal strings are distinct objects, as decoded ones are.
    return {"api_id": 1, "device_model": "".join(["Pixel ", device]), "app_version": "".join(["10.", "1"]),
            "lang_code": "en"}


def test_equal_descriptions_share_one_dict_and_its_strings():
    first, second = shared(_info("7")), shared(_info("7"))
    assert first is second and first == _info("7")
    other = shared(_info("8"))
    assert other is not first and other["app_version"] is first["app_version"]


def test_the_table_is_bounded(monkeypatch):
    monkeypatch.setattr(shared_client_info, "MAX_KEPT", 3)
    monkeypatch.setattr(shared_client_info, "_kept", {})
    for n in range(10):
        assert shared(_info(str(n))) == _info(str(n))
        assert len(shared_client_info._kept) <= 3


def test_an_unhashable_value_is_left_as_it_is():
    odd = {"api_id": 1, "extra": [1, 2]}
    assert shared(odd) is odd
