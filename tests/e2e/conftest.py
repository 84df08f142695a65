import asyncio

import pytest

from .server_process import ServerProcess, free_port
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


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend_server(request, tmp_path_factory):
    """One server per storage backend for a test module: the embedded default and
    PostgreSQL (a fresh database, dropped afterwards); login codes fixed to CODE, and
    the module's SERVER_ENV (a dict of MTSERVER_* settings), if it has one."""
    from ..conftest import fresh_postgres_database

    databases = fresh_postgres_database() if request.param == "postgres" else iter([None])
    url = next(databases)
    if request.param == "postgres" and url is None:
        pytest.skip("PostgreSQL tests are turned off")
    env = {"MTSERVER_CODE_SENDER": f"fixed:{CODE}", **getattr(request.module, "SERVER_ENV", {})}
    if url:
        env["MTSERVER_DATABASE"] = url
    name = request.module.__name__.rpartition(".")[2]
    proc = ServerProcess(tmp_path_factory.mktemp(name) / "data", env=env).start()
    yield proc
    proc.stop()
    next(databases, None)


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    """Two `mtserver run` processes on one fresh PostgreSQL database and the local Redis
    (tests/e2e/test_scale_out.py, test_scale_out_load.py); login codes fixed to CODE."""
    from ..conftest import fresh_postgres_database

    databases = fresh_postgres_database()
    url = next(databases)
    if url is None:
        pytest.skip("PostgreSQL tests are turned off")
    data_dir = tmp_path_factory.mktemp("scale") / "data"  # shared: same RSA key and salt secret
    env = {"MTSERVER_CODE_SENDER": f"fixed:{CODE}", "MTSERVER_DATABASE": url,
           "MTSERVER_REDIS": "redis://127.0.0.1:6379/0"}
    processes = []
    for name in ("first", "second"):
        http_port = free_port()
        proc = ServerProcess(data_dir, env={**env, "MTSERVER_HTTP": f"127.0.0.1:{http_port}"})
        proc.http_port, proc.database = http_port, url
        proc.log_path = data_dir.parent / f"{name}.log"
        processes.append(proc.start())
    first, second = processes
    yield first, second
    second.stop()
    first.stop()
    next(databases, None)


@pytest.fixture
def run():
    """Runs a coroutine to its end on a fresh asyncio loop (the client libraries are
    asyncio), failing it after two minutes rather than hanging."""
    with asyncio.Runner() as runner:
        yield lambda coro: runner.run(asyncio.wait_for(coro, 120))
        stuck = runner.run(cancel_leftover_tasks())
        if stuck:
            runner.get_loop().close()  # Runner.close would wait for them forever
            pytest.fail(f"client tasks ignored cancellation: {stuck}")


async def cancel_leftover_tasks(seconds: float = 10.0) -> list[str]:
    """Cancels the tasks a test left (a client it did not disconnect), again and again:
    asyncio.wait_for in Python 3.11 can swallow a cancellation that races its inner
    future (a client's update loop then carries on), and asyncio.Runner.close cancels
    once and then waits without end. Returns the tasks still running after `seconds`."""
    loop, me = asyncio.get_running_loop(), asyncio.current_task()
    deadline = loop.time() + seconds
    while tasks := [task for task in asyncio.all_tasks() if task is not me and not task.done()]:
        if loop.time() >= deadline:
            return [repr(task) for task in tasks]
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=0.5)
    return []
