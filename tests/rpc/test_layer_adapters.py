"""The TL codec does not change with what was imported: older layers' request and result
shapes (rpc/layer_adapters.py) take effect when install_layer_adapters() is called, and
the server's start path (server/app.py serve) calls it. Each check runs in a fresh
interpreter, since an earlier test of this process may have installed them already."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# messages.getDialogFilters answered Vector<DialogFilter> in layer 158; an older
# messages.report sent a ReportReason, now an option. Both are printed as the codec
# handles them: the bytes or request option, or the error's class.
PROBE = textwrap.dedent("""
    import struct
    import tl
    from tl import functions as F, types as T

    def probe():
        try:
            result = tl.encode_result(F.messages.GetDialogFilters(), T.messages.DialogFilters(filters=[]), 158).hex()
        except tl.TLError as exc:
            result = type(exc).__name__
        old_report = (struct.pack("<IIIii", 0x8953AB4E, 0x7DA07EC9, 0x1CB5C415, 1, 7)
                      + tl.encode(T.InputReportReasonSpam()) + bytes(4))
        return result, tl.decode(old_report, 158).option

    def show():
        print("probe", probe())
""")


def run(code: str) -> list[str]:
    """What each show() in `code` printed (the server's log lines are left out)."""
    done = subprocess.run([sys.executable, "-c", PROBE + textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [line.removeprefix("probe ") for line in done.stdout.splitlines() if line.startswith("probe ")]


INSTALLED = "('15c4b51c00000000', b'spam')"
NOT_INSTALLED = "('TLEncodeError', b'')"


def test_importing_rpc_changes_nothing_in_tl_and_the_install_call_does():
    assert run("show()") == [NOT_INSTALLED]  # tl alone
    assert run("""
        import rpc
        show()
        rpc.install_layer_adapters()
        show()
        rpc.install_layer_adapters()  # again: nothing changes
        show()
    """) == [NOT_INSTALLED, INSTALLED, INSTALLED]


def test_the_server_installs_them_as_it_starts():
    assert run("""
        import tempfile
        import trio
        from mtproto.crypto import ServerRsaKey
        from server.app import serve
        from server.config import Config

        async def main():
            show()
            with tempfile.TemporaryDirectory() as data_dir:
                config = Config(host="127.0.0.1", port=0, data_dir=data_dir)
                async with trio.open_nursery() as nursery:
                    await nursery.start(lambda task_status: serve(config, ServerRsaKey.generate(),
                                                                  task_status=task_status, handle_signals=False))
                    show()
                    nursery.cancel_scope.cancel()

        trio.run(main)
    """) == [NOT_INSTALLED, INSTALLED]
