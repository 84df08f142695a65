"""tl/generated/ is exactly what the schema gives, and the layer diff tool reports."""

from tools.tlgen.__main__ import main, render_all, shipped_layers, stale_files


def test_generated_code_is_up_to_date():
    assert stale_files(render_all()) == []


def test_check_command_passes(capsys):
    assert main(["--check"]) == 0


def test_layer_diff_of_the_two_newest_layers_prints(capsys):
    old, new = list(shipped_layers())[-2:]
    assert main(["diff", str(old), str(new), "--no-usage"]) == 0
    assert capsys.readouterr().out.startswith(f"Layer {old} → {new}: ")
