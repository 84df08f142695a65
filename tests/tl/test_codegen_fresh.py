"""tl/generated/ is exactly what the schema gives, and the layer diff tool reports."""

from tools.tlgen.__main__ import main, render_all, stale_files


def test_generated_code_is_up_to_date():
    assert stale_files(render_all()) == []


def test_check_command_passes(capsys):
    assert main(["--check"]) == 0


def test_layer_diff_lists_added_removed_and_changed(capsys):
    assert main(["diff", "228", "229"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Layer 228 → 229:")
    assert "Added:" in out and "Removed:" in out and "Changed:" in out
    assert "keyboardInlineButton#11c1a322" in out
