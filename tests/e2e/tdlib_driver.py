"""Child process of tests/e2e/tdlib.py: one TDLib client, JSON lines on stdin (queries)
and stdout (every answer and update); TDLib's own log goes to stderr.

Usage: python tdlib_driver.py PATCHED_LIBRARY_DIR VERBOSITY
"""

import json
import os
import sys
import threading


def main() -> None:
    sys.path.insert(0, sys.argv[1])
    import tdjson

    tdjson.td_execute(json.dumps({"@type": "setLogVerbosityLevel", "new_verbosity_level": int(sys.argv[2])}).encode())
    client = tdjson.td_create_client_id()
    tdjson.td_send(client, json.dumps({"@type": "getOption", "name": "version"}).encode())

    def forward_queries() -> None:
        for line in sys.stdin.buffer:
            tdjson.td_send(client, line.strip())

    threading.Thread(target=forward_queries, daemon=True).start()
    while True:
        answer = tdjson.td_receive(1.0)
        if not answer:
            continue
        sys.stdout.buffer.write(answer + b"\n")
        sys.stdout.flush()
        event = json.loads(answer)
        if (event.get("@type") == "updateAuthorizationState"
                and event["authorization_state"]["@type"] == "authorizationStateClosed"):
            # Not a normal exit: the stdin thread is blocked in a read, and an interpreter
            # shutdown with it would abort.
            os._exit(0)


if __name__ == "__main__":
    main()
