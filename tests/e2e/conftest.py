import asyncio

import pytest

from .server_process import ServerProcess
from .test_accounts import CODE


@pytest.fixture
def server(tmp_path):
    proc = ServerProcess(tmp_path / "data").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def messaging_server(request, tmp_path_factory):
    """One server for a test module, login codes fixed to CODE."""
    name = request.module.__name__.rpartition(".")[2]
    proc = ServerProcess(tmp_path_factory.mktemp(name) / "data", env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}"}).start()
    yield proc
    proc.stop()


@pytest.fixture
def run():
    """Runs a coroutine to its end on a fresh asyncio loop (the client libraries are
    asyncio), failing it after two minutes rather than hanging."""
    with asyncio.Runner() as runner:
        yield lambda coro: runner.run(asyncio.wait_for(coro, 120))
