"""`mtserver pubkey --format ...`: each client's shape of the key carries the same key and fingerprint."""

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import rsa as python_rsa
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from telethon.crypto import rsa as telethon_rsa

from mtproto.crypto import fingerprint_hex
from tools.cli import main
from tools.pubkey_formats import FORMATS, fingerprint_of, pkcs1_pem, render

JS_DIR = Path(__file__).resolve().parents[1] / "e2e" / "js"
PKCS1_PEM_LENGTH_2048 = 426  # 425 without the final line break, as clients embed it


@pytest.fixture
def public_key(rsa_key):
    return rsa_key.private_key.public_key()


def c_string_value(literals: str) -> str:
    """The value of adjacent C string literals that use no escape but \\n (what PEM needs)."""
    return "".join(ast.literal_eval(token) for token in re.findall(r'"[^"]*"', literals))


def test_fingerprint_is_the_one_the_handshake_offers_and_telethon_computes(rsa_key, public_key):
    # The handshake keys its table by ServerRsaKey.fingerprint (mtproto/handshake.py).
    telethon_fingerprint = telethon_rsa._compute_fingerprint(python_rsa.PublicKey.load_pkcs1(pkcs1_pem(public_key)))
    assert fingerprint_of(public_key) == rsa_key.fingerprint == telethon_fingerprint
    assert render(public_key, "fingerprint") == (f"fingerprint: {fingerprint_hex(rsa_key.fingerprint)}\n"
                                                 f"fingerprint (signed int64): {rsa_key.fingerprint}\n")


def test_default_pem_format_is_the_pkcs1_pem_followed_by_the_fingerprint(public_key):
    assert render(public_key) == render(public_key, "pkcs1") + render(public_key, "fingerprint")


@pytest.mark.parametrize(("fmt", "armour"), [("pkcs1", "RSA PUBLIC KEY"), ("spki", "PUBLIC KEY")])
def test_pems_parse_back_to_the_same_key(public_key, fmt, armour):
    pem = render(public_key, fmt)
    assert pem.startswith(f"-----BEGIN {armour}-----\n") and pem.endswith(f"-----END {armour}-----\n")
    assert load_pem_public_key(pem.encode()).public_numbers() == public_key.public_numbers()


@pytest.mark.parametrize("n", [(1 << 2047) + 1, (1 << 2048) - 1], ids=["smallest", "largest"])
def test_every_2048_bit_key_has_a_pkcs1_pem_of_the_same_length(n):
    # Equal length is what lets the key replace Telegram's inside a built client.
    key = rsa.RSAPublicNumbers(65537, n).public_key()
    assert len(pkcs1_pem(key)) == PKCS1_PEM_LENGTH_2048


def test_generated_key_pkcs1_pem_has_the_length_of_telegrams(public_key):
    telegram_main_key = ("-----BEGIN RSA PUBLIC KEY-----\n"  # TDLib's PublicRsaKeySharedMain.cpp, production
                         "MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g\n"
                         "5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO\n"
                         "62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/\n"
                         "+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9\n"
                         "t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs\n"
                         "5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB\n"
                         "-----END RSA PUBLIC KEY-----")
    assert fingerprint_hex(fingerprint_of(load_pem_public_key(telegram_main_key.encode()))) == "d09d1d85de64fd85"
    assert len(render(public_key, "pkcs1").rstrip("\n")) == len(telegram_main_key)


def test_c_literal_is_the_pkcs1_pem_without_its_final_line_break(public_key):
    out = render(public_key, "c")
    assert c_string_value(out) == render(public_key, "pkcs1").rstrip("\n")
    assert out.splitlines()[-1] == '"-----END RSA PUBLIC KEY-----"'


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_c_literal_compiles_to_the_pem(public_key, tmp_path):
    source = tmp_path / "key.c"
    source.write_text("#include <stdio.h>\nstatic const char *key =\n" + render(public_key, "c")
                      + ";\nint main(void) { fputs(key, stdout); return 0; }\n")
    subprocess.run(["cc", "-o", str(tmp_path / "key"), str(source)], check=True, timeout=60)
    printed = subprocess.run([str(tmp_path / "key")], capture_output=True, text=True, check=True, timeout=10).stdout
    assert printed == render(public_key, "pkcs1").rstrip("\n")


def test_android_snippet_adds_the_key_and_its_unsigned_fingerprint(public_key):
    out = render(public_key, "android")
    assert render(public_key, "java") == out
    key_statement, fingerprint_statement = out.split(";\n")[:2]
    assert key_statement.startswith("serverPublicKeys.emplace_back(") and key_statement.endswith(")")
    assert c_string_value(key_statement) == render(public_key, "pkcs1").rstrip("\n")
    assert fingerprint_statement == (
        f"serverPublicKeysFingerprints.push_back(0x{fingerprint_hex(fingerprint_of(public_key))})")


def test_pyrogram_entry_fits_pyrograms_key_table(public_key):
    # Pyrogram's key table module alone: importing the pyrogram package wants an asyncio
    # event loop in this thread, which depends on what other tests ran before.
    import importlib.util

    spec = importlib.util.find_spec("pyrogram")
    path = spec.submodule_search_locations[0] + "/crypto/rsa.py"
    pyrogram_rsa = importlib.util.module_from_spec(importlib.util.spec_from_file_location("pyrogram_rsa", path))
    pyrogram_rsa.__spec__.loader.exec_module(pyrogram_rsa)

    table = eval("{\n" + render(public_key, "pyrogram") + "}", {"PublicKey": pyrogram_rsa.PublicKey})  # noqa: S307
    numbers = public_key.public_numbers()
    assert table == {fingerprint_of(public_key): pyrogram_rsa.PublicKey(numbers.n, numbers.e)}


@pytest.mark.skipif(shutil.which("node") is None or not (JS_DIR / "node_modules" / "telegram").exists(),
                    reason="node or GramJS missing")
def test_gramjs_statement_registers_the_key_in_gramjs(public_key):
    script = render(public_key, "gramjs") + (
        'const keys = require("telegram/crypto/RSA")._serverKeys;\n'
        "console.log(JSON.stringify([...keys].map(([fp, k]) => [fp, k.n.toString(), k.e])));\n")
    done = subprocess.run(["node", "-e", script], cwd=JS_DIR, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    numbers = public_key.public_numbers()
    assert [str(fingerprint_of(public_key)), str(numbers.n), numbers.e] in json.loads(done.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="node missing")
def test_webk_entry_holds_the_modulus_and_exponent_in_hex(public_key):
    done = subprocess.run(["node", "-e", f"console.log(JSON.stringify([{render(public_key, 'webk')}]))"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    [entry] = json.loads(done.stdout)
    numbers = public_key.public_numbers()
    assert (int(entry["modulus"], 16), int(entry["exponent"], 16)) == (numbers.n, numbers.e)
    assert entry["exponent"] == "010001" and len(entry["modulus"]) == 512


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_prints_each_format_of_the_stored_key(tmp_path, capsys, fast_keygen, public_key, fmt):
    assert main(["pubkey", "--data-dir", str(tmp_path), "--format", fmt], env={}) == 0
    assert capsys.readouterr().out == render(public_key, fmt)


def test_cli_rejects_an_unknown_format(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["pubkey", "--data-dir", str(tmp_path), "--format", "der"], env={})
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_render_names_the_known_formats_for_an_unknown_one(public_key):
    with pytest.raises(ValueError, match="pkcs1"):
        render(public_key, "der")
