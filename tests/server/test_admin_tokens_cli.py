"""`mtserver admin token create|list|revoke` (tools/admin_tokens.py)."""

import re

from tools.cli import main


def admin(tmp_path, capsys, *args):
    code = main(["admin", "--data-dir", str(tmp_path), *args], env={})
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_token_is_shown_once_listed_by_name_and_revoked(tmp_path, capsys):
    code, out, err = admin(tmp_path, capsys, "token", "create", "--name", "alice")
    token = out.strip()
    assert code == 0 and re.fullmatch(r"mta_[A-Za-z0-9_-]{43}", token) and "shown once" in err
    token_id = re.search(r"admin token (\d+)", err).group(1)
    code, out, _ = admin(tmp_path, capsys, "token", "list")
    assert code == 0 and out.splitlines()[0].split() == ["ID", "NAME", "CREATED", "LAST_USED", "STATE"]
    assert re.search(rf"^{token_id}\s+alice\s+\S+ \S+\s+-\s+active$", out, re.M) and token not in out
    code, out, _ = admin(tmp_path, capsys, "token", "revoke", token_id)
    assert code == 0 and f"revoked admin token {token_id}" in out
    code, _, err = admin(tmp_path, capsys, "token", "revoke", token_id)
    assert code == 1 and "no active token" in err
    assert "revoked" in admin(tmp_path, capsys, "token", "list")[1]
    code, _, err = admin(tmp_path, capsys, "token", "create", "--name", " ")
    assert code == 1 and "name" in err
