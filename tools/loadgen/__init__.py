"""The load generator: many lightweight MTProto clients in one trio process, built on our
own client-side codecs (mtproto/transport/client.py, mtproto/crypto), measuring what a
running server sustains. See cli.py for the command and delivery.py for the scenario.

- session.py: the client side of an encrypted session (no I/O)
- client.py: one connection: calls, salt retries, acks, pushed updates
- accounts.py: logged-in accounts written into the server's storage
- delivery.py: senders and paired recipients; messages/s and latency percentiles
- channel.py: one poster, a channel of many members, some connected (bench/bench_channel.py)
"""
