"""Issue 12.12: no log line carries secrets or user content.

Tracebacks come without local variables (a failing S3 call had the secret key, the
signed Authorization header and the photo's bytes in its frames' locals), and every
event goes through a redaction step: known secret keys are masked, credentials in URLs
and signed S3 requests are masked, bytes are logged as their length, long strings are
cut. Both formats, and records from the standard logging module (libraries) too.
"""

import io
import logging

import pytest

from server.logging import configure_logging, get_logger

SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYSECRETKEY"
PHOTO = b"\xff\xd8\xff\xe0USER-PHOTO-BYTES" * 50
TEXT = "a private message nobody else may read"


def failing_upload(secret_key, photo, message):
    headers = {"Authorization": f"AWS4-HMAC-SHA256 Credential=AKIA/20240101, Signature={secret_key[::-1]}"}
    raise RuntimeError("S3 request failed")  # headers, secret_key, photo, message: locals


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_tracebacks_have_no_local_variables(fmt):
    out = io.StringIO()
    configure_logging(fmt, stream=out)
    try:
        failing_upload(SECRET, PHOTO, TEXT)
    except RuntimeError:
        get_logger("test").exception("rpc_crashed", method="upload.saveFilePart")
    try:
        failing_upload(SECRET, PHOTO, TEXT)
    except RuntimeError:
        logging.getLogger("minio").exception("library failure")
    text = out.getvalue()
    assert "S3 request failed" in text and "failing_upload" in text  # the traceback is there
    for leak in (SECRET, SECRET[::-1], "USER-PHOTO-BYTES", TEXT, "Signature="):
        assert leak not in text, (fmt, leak)


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_secret_fields_urls_and_bytes_are_masked(fmt):
    out = io.StringIO()
    configure_logging(fmt, stream=out)
    log = get_logger("test")
    log.info("config", media_url=f"s3://AKIAEXAMPLE:{SECRET}@minio:9000/media",
             database=f"postgresql://mt:{SECRET}@db/mt", redis=f"redis://:{SECRET}@r:6379/0")
    log.info("values", password=SECRET, secret_key=SECRET, auth_key=SECRET.encode(), token=SECRET,
             api_hash=SECRET, phone_code_hash=SECRET, photo=PHOTO, nested={"srp_B": SECRET, "items": [SECRET.encode()]})
    log.warning("failed", error=f"GET http://h/b?X-Amz-Credential=AKIA%2F1&X-Amz-Signature={SECRET} "
                                f"Authorization: AWS4-HMAC-SHA256 Credential=AKIA/1, Signature={SECRET}")
    log.info("long", error="x" * 100_000)
    logging.getLogger("urllib3").warning("retrying https://user:%s@host/path", SECRET)
    text = out.getvalue()
    assert SECRET not in text and "USER-PHOTO-BYTES" not in text
    assert "minio:9000/media" in text and "AKIAEXAMPLE" in text  # what is not secret stays
    assert "x" * 10_000 not in text
    assert max(len(line) for line in text.splitlines()) < 20_000


def test_ordinary_fields_are_kept():
    out = io.StringIO()
    configure_logging("json", stream=out)
    get_logger("test").info("rpc_error", method="auth.signIn", code=400, error="PHONE_CODE_INVALID",
                            auth_key_id=-5, peer="1.2.3.4:5")
    text = out.getvalue()
    assert '"code": 400' in text and "PHONE_CODE_INVALID" in text and "1.2.3.4:5" in text


def test_the_quick_gate_lets_through_whatever_the_rules_would_mask():
    """redact_text skips the rules for text that cannot match them; it must never skip
    text they match, in any case spelling, Unicode folds included."""
    from server.log_redaction import _TEXT_RULES, _may_hold_secret

    samples = ["Authorization: Bearer abc.def", "BASIC dXNlcjpwYXNz", "baſic dXNlcjpwYXNz",
               "AWS4-HMAC-SHA256 Credential=x", "https://user:pw@host/", "X-Amz-Signature=abc",
               "Signature=abc", "peer 127.0.0.1:5555", "connection_open", "ßasic"]
    for text in samples:
        if any(pattern.search(text) for pattern, _ in _TEXT_RULES):
            assert _may_hold_secret(text), text
    assert not _may_hold_secret("127.0.0.1:55555") and not _may_hold_secret("connection_open")
