"""messages.report in every shipped layer: layers before ReportResult (158-170) send a
ReportReason and are answered Bool; newer ones choose an option and get ReportResult."""

import struct

import pytest

import tl
from rpc.messages.reports import reason_name
from tl import functions as F, types as T

pytestmark = pytest.mark.usefixtures("layer_adapters")

OLD_REPORT = 0x8953AB4E  # messages.report#8953ab4e peer id reason message = Bool (layers 158-170)
INPUT_PEER_SELF = 0x7DA07EC9
VECTOR = 0x1CB5C415


def _tl_string(text: bytes) -> bytes:
    data = bytes([len(text)]) + text
    return data + b"\0" * (-len(data) % 4)


def old_report(reason) -> bytes:
    return (struct.pack("<III", OLD_REPORT, INPUT_PEER_SELF, VECTOR) + struct.pack("<ii", 1, 7)
            + tl.encode(reason) + _tl_string(b""))


def old_layers() -> list[int]:
    return [layer for layer in tl.SHIPPED_LAYERS if layer < 189]


def test_an_old_layers_reason_becomes_the_option_and_bool_is_its_answer():
    assert old_layers(), "no shipped layer before ReportResult: this test has nothing left to check"
    for layer in old_layers():
        request = tl.decode(old_report(T.InputReportReasonSpam()), layer)
        assert isinstance(request, F.messages.Report)
        assert request.option == b"spam" and list(request.id) == [7]
        assert tl.decode_result(request, tl.encode_result(request, T.ReportResultReported(), layer), layer) is True
        # A reason without a menu entry is "other", with its name as the comment.
        other = tl.decode(old_report(T.InputReportReasonGeoIrrelevant()), layer)
        assert other.option == b"other" and other.message == "geo_irrelevant"


def test_newer_layers_get_the_report_result():
    request = F.messages.Report(peer=T.InputPeerSelf(), id=[1], option=b"", message="")
    for layer in tl.SHIPPED_LAYERS:
        if layer < 189:
            continue
        for result in (T.ReportResultReported(), T.ReportResultAddComment(optional=False, option=b"other"),
                       T.ReportResultChooseOption(title="Report", options=[T.MessageReportOption(text="Spam",
                                                                                                 option=b"spam")])):
            back = tl.decode_result(request, tl.encode_result(request, result, layer), layer)
            assert back == result, layer


def test_reason_names():
    assert reason_name(T.InputReportReasonChildAbuse()) == "child_abuse"
    assert reason_name(T.InputReportReasonSpam()) == "spam"
