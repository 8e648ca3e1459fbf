"""Faults for the dev stack, composed from DevStack: kill and restart services, freeze the
broker, restart PostgreSQL, and extra service instances for scale-out."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterable

import httpx

from zll.devstack.infra import stop_process, wait_for_port, which_python
from zll.devstack.stack import SERVICE_APPS, DevStack

# For a stack whose services get killed: the broker hands a dead consumer's partitions on
# after 3 s of silence instead of aiokafka's 10 s (pass it as DevStack's extra_env).
QUICK_FAILOVER = {
    "ZLL_CONSUMER_SESSION_TIMEOUT_MS": "3000",
    "ZLL_CONSUMER_HEARTBEAT_INTERVAL_MS": "1000",
}


def kill_service(stack: DevStack, service: str) -> None:
    """SIGKILL: no shutdown hook runs, no consumer leaves its group, nothing is flushed."""
    process = stack.services[service]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the service runs in its own session
    process.wait(10)
    stack.stop_service(service)  # forgets the dead process and its pid file


def restart_service(stack: DevStack, service: str, timeout: float = 90.0) -> float:
    """Start the service again; return the seconds until its /readyz answered 200."""
    started = time.monotonic()
    stack.start_service(service)
    stack.wait_ready(service, timeout)
    return time.monotonic() - started


def freeze_broker(stack: DevStack, seconds: float) -> None:
    """SIGSTOP the broker for `seconds`, then SIGCONT: connections stay open, nothing answers."""
    process = stack.broker.process
    assert process is not None, "the broker is not running"
    os.kill(process.pid, signal.SIGSTOP)
    try:
        time.sleep(seconds)  # the fault itself lasts this long
    finally:
        os.kill(process.pid, signal.SIGCONT)


def restart_postgres(stack: DevStack, timeout: float = 60.0) -> None:
    """`pg_ctl restart -m fast`: every open connection of every service is cut."""
    stack.postgres.restart(timeout)


def ready(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    return False


def wait_all_ready(urls: Iterable[str], timeout: float = 90.0) -> float:
    """Seconds until every URL's /readyz answers 200; TimeoutError after `timeout`."""
    started = time.monotonic()
    pending = list(urls)
    while pending:
        pending = [url for url in pending if not ready(url)]
        if pending and time.monotonic() - started > timeout:
            raise TimeoutError(f"not ready after {timeout:.0f}s: {pending}")
        if pending:
            time.sleep(0.1)
    return time.monotonic() - started


class ExtraInstance:
    """A second process of a service on its own port, with the same database and group."""

    def __init__(self, stack: DevStack, service: str, port: int) -> None:
        self.stack = stack
        self.service = service
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        self.launch()
        wait_for_port(self.port, timeout, self.process)
        wait_all_ready([self.url], timeout)

    def launch(self) -> None:
        """Start the process without waiting: joining a consumer group takes seconds of the
        broker's rebalance, which instances of different services can spend at once."""
        env = self.stack.service_env(self.service)
        env[f"ZLL_{self.service.upper()}_PORT"] = str(self.port)
        log = self.stack.layout.logs / f"{self.service}-{self.port}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [which_python(), "-m", "uvicorn", SERVICE_APPS[self.service], "--factory",
                 "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"],
                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )  # fmt: skip

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        stop_process(self.process)
